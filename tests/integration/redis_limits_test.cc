// Limits exact across nodes through a real redis-server: two proxy instances (two workers each)
// sharing one Redis, headers, tokens per minute, quota, per-model overrides, and what happens
// when Redis dies (on_failure local / deny) and comes back.
#include <atomic>
#include <chrono>
#include <thread>

#include "common/crypto/sha256.h"
#include "proxy_fixture.h"
#include "support/eventually.h"
#include "support/mock_provider/mock_provider.h"
#include "support/redis_server.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

// What a key's Redis counters are named by: its digest's first 16 bytes in hex, not its name.
std::string limitIdOf(const std::string& key) {
  return common::toHex(common::sha256(key)).substr(0, 32);
}

// The request limits refill so slowly that no token comes back during a test (sk-rps: one per
// 1000 s), and the tokens-per-minute key is overdrawn by far more than a test's refill, so what
// is admitted and refused is exact whatever the machine's load.
std::string keys() {
  return "\n[[key]]\nname = \"rps\"\nkey = \"sk-rps\"\n"
         "rate_limit = { requests_per_second = 0.001, burst = 5 }\n"
         "\n[[key]]\nname = \"tpm\"\nkey = \"sk-tpm\"\ntokens_per_minute = 20\n"
         "\n[[key]]\nname = \"quota\"\nkey = \"sk-quota\"\nmax_requests = 3\n"
         "\n[[key]]\nname = \"model\"\nkey = \"sk-model\"\n"
         "rate_limit = { requests_per_second = 1000, burst = 1000 }\n"
         "rate_limit_per_model = { \"slow*\" = { requests_per_second = 0.01, burst = 2 } }\n"
         "\n[[key]]\nname = \"many\"\nkey = \"sk-many\"\n"
         "rate_limit = { requests_per_second = 0.01, burst = 1000 }\n";
}

// redis.timeout is 1 s, not the 5 ms default: on a loaded machine (ASan, parallel ctest) a
// reply can take tens of ms, and a check that falls back to the local limiter would make the
// exact counts below wrong. The slow-Redis test waits it out three times.
std::string config(const ProxyPorts& ports, const std::string& mock_url,
                   const std::string& redis_url, const std::string& on_failure = "local") {
  return baseConfig(
      ports, 2, "",
      "\n[redis]\nurl = \"" + redis_url + "\"\non_failure = \"" + on_failure +
          "\"\ntimeout = \"1s\"\n"
          "\n[[provider]]\nid = \"a\"\ntype = \"openai-compatible\"\napi_base = \"" + mock_url +
          "/v1\"\nmodels = [\"m\", \"slow-1\", \"slow-2\"]\n" + keys());
}

HttpResponse chatAs(uint16_t port, const std::string& key, const std::string& model = "m",
                    Headers extra = {}) {
  HttpClient c("127.0.0.1", port);
  Headers h = {{"Authorization", "Bearer " + key}, {"Connection", "close"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return c.post("/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                h);
}

// A sample without labels from /metrics (-1 when absent).
class RedisLimits : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(mock_.start()); }

  std::unique_ptr<ProxyProcess> start(const ProxyPorts& ports, const std::string& on_failure = "local") {
    auto p = startProxy(config(ports, mock_.baseUrl(), redis_.unixUrl(), on_failure), ports.api);
    // Both workers connected before anything is counted.
    EXPECT_TRUE(eventually([&] { return metric(ports.api, "llm_proxy_redis_up") == 2; }, 10s))
        << p->stderrLog();
    return p;
  }

  RedisServer redis_;
  MockProvider mock_;
};

TEST_F(RedisLimits, RequestsPerSecondIsExactAcrossTwoProxies) {
  ProxyPorts a, b;
  auto pa = start(a);
  auto pb = start(b);
  std::atomic<int> admitted{0}, limited{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] {
      const auto r = chatAs(i % 2 ? a.api : b.api, "sk-rps");
      if (r.status == 200) ++admitted;
      if (r.status == 429) ++limited;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5) << "one burst, not 2 nodes x 2 workers x 5";
  EXPECT_EQ(limited.load(), 11);
  EXPECT_EQ(mock_.requestCount(), 5u);
  EXPECT_EQ(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 0);
  EXPECT_EQ(metric(b.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 0);
}

TEST_F(RedisLimits, RejectionCarriesOpenAiErrorAndHeaders) {
  ProxyPorts a;
  auto p = start(a);
  for (int i = 1; i <= 5; ++i) {
    const auto ok = chatAs(a.api, "sk-rps");
    ASSERT_EQ(ok.status, 200) << i;
    EXPECT_EQ(ok.header("x-ratelimit-limit-requests"), "5");
    EXPECT_EQ(ok.header("x-ratelimit-remaining-requests"), std::to_string(5 - i));
    EXPECT_FALSE(ok.header("x-ratelimit-reset-requests").empty());
  }
  const auto last = chatAs(a.api, "sk-rps");
  ASSERT_EQ(last.status, 429);
  EXPECT_NE(last.body.find("\"code\":\"rate_limit_exceeded\""), std::string::npos) << last.body;
  // One token comes back after 1000 s at 0.001/s: the wait announced is within that.
  const int retry_after = std::stoi(last.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 1000);
  EXPECT_EQ(last.header("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 0);
}

TEST_F(RedisLimits, TokensPerMinuteAndQuotaAreShared) {
  ProxyPorts a, b;
  auto pa = start(a);
  auto pb = start(b);
  // 20 tokens per minute come back at one per 3 s; the second request overdraws the bucket by
  // about 1000 tokens (50 minutes of refill).
  const Headers first = {{"x-mock-completion-tokens", "15"}, {"x-mock-prompt-tokens", "4"}};
  const Headers big = {{"x-mock-completion-tokens", "1000"}, {"x-mock-prompt-tokens", "4"}};
  EXPECT_EQ(chatAs(a.api, "sk-tpm", "m", first).status, 200);  // 20 left, charged 19
  // The charge is fire and forget: wait until it reached Redis before the next check.
  ASSERT_TRUE(eventually([&] {
    return redis_.command({"HGET", "llmproxy:rl:{" + limitIdOf("sk-tpm") + "}::tpm:20", "v"}).starts_with("1");
  }));
  EXPECT_EQ(chatAs(b.api, "sk-tpm", "m", big).status, 200);  // 1 left on the other node
  ASSERT_TRUE(eventually([&] {
    return redis_.command({"HGET", "llmproxy:rl:{" + limitIdOf("sk-tpm") + "}::tpm:20", "v"}).starts_with("-");
  }));
  const auto r = chatAs(a.api, "sk-tpm", "m", first);
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.header("x-ratelimit-limit-tokens"), "20");
  EXPECT_EQ(r.header("x-ratelimit-remaining-tokens"), "0");

  EXPECT_EQ(chatAs(a.api, "sk-quota").status, 200);
  EXPECT_EQ(chatAs(b.api, "sk-quota").status, 200);
  EXPECT_EQ(chatAs(a.api, "sk-quota").status, 200);
  const auto q = chatAs(b.api, "sk-quota");
  EXPECT_EQ(q.status, 429);
  EXPECT_NE(q.body.find("\"code\":\"insufficient_quota\""), std::string::npos) << q.body;
  EXPECT_EQ(redis_.command({"GET", "llmproxy:rl:{" + limitIdOf("sk-quota") + "}:quota:3"}), "3");
}

TEST_F(RedisLimits, PerModelOverrideAppliesOnlyToItsModels) {
  ProxyPorts a;
  auto p = start(a);
  // "slow*": burst 2 shared by every model the pattern matches.
  EXPECT_EQ(chatAs(a.api, "sk-model", "slow-1").status, 200);
  EXPECT_EQ(chatAs(a.api, "sk-model", "slow-2").status, 200);
  const auto r = chatAs(a.api, "sk-model", "slow-1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "2");
  // Other models keep the key's own limit.
  for (int i = 0; i < 5; ++i) {
    const auto ok = chatAs(a.api, "sk-model", "m");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.header("x-ratelimit-limit-requests"), "1000");
  }
}

TEST_F(RedisLimits, PerModelOverrideWithoutRedis) {
  ProxyPorts a;
  auto p = startProxy(config(a, mock_.baseUrl(), ""), a.api);
  EXPECT_EQ(chatAs(a.api, "sk-model", "slow-1").status, 200);
  EXPECT_EQ(chatAs(a.api, "sk-model", "slow-2").status, 200);
  EXPECT_EQ(chatAs(a.api, "sk-model", "slow-1").status, 429);
  EXPECT_EQ(chatAs(a.api, "sk-model", "m").status, 200);
}

TEST_F(RedisLimits, AnOutageFallsBackToLocalLimitsThenSharesAgain) {
  ProxyPorts a;
  auto p = start(a);
  EXPECT_EQ(chatAs(a.api, "sk-many").status, 200);
  EXPECT_EQ(redis_.command({"EXISTS", "llmproxy:rl:{" + limitIdOf("sk-many") + "}::req:0.01:1000"}), "1");

  redis_.stop();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(chatAs(a.api, "sk-many").status, 200);
  EXPECT_GE(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 1);
  EXPECT_TRUE(eventually([&] { return metric(a.api, "llm_proxy_redis_up") == 0; }));
  // Local limits still apply while Redis is away.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(chatAs(a.api, "sk-rps").status, 200);

  ASSERT_TRUE(redis_.start());  // an empty Redis: shared state starts fresh
  ASSERT_TRUE(eventually([&] { return metric(a.api, "llm_proxy_redis_up") == 2; }, 10s));
  const long fallbacks = metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total");
  EXPECT_EQ(chatAs(a.api, "sk-many").status, 200);
  EXPECT_EQ(redis_.command({"EXISTS", "llmproxy:rl:{" + limitIdOf("sk-many") + "}::req:0.01:1000"}), "1");
  EXPECT_EQ(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), fallbacks);
}

TEST_F(RedisLimits, ASlowRedisDoesNotStallRequests) {
  ProxyPorts a;
  auto p = start(a);
  redis_.pause();  // connected, answers nothing: every check waits redis.timeout, then local
  for (int i = 0; i < 3; ++i) EXPECT_EQ(chatAs(a.api, "sk-many").status, 200);
  EXPECT_GE(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 3);
  redis_.resume();
}

TEST_F(RedisLimits, OnFailureDenyAnswers503) {
  ProxyPorts a;
  auto p = start(a, "deny");
  EXPECT_EQ(chatAs(a.api, "sk-many").status, 200);
  redis_.stop();
  const auto r = chatAs(a.api, "sk-many");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_EQ(mock_.requestCount(), 1u);
  EXPECT_GE(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 1);
}

}  // namespace
}  // namespace llmproxy::testing
