// Per-key limits, exact across the workers of a node (shared-memory token buckets).
#include <atomic>
#include <thread>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

// The request and token limits refill so slowly that no token comes back during a test (0.001
// request/s: one per 1000 s; the tokens-per-minute key is overdrawn by far more than a test's
// refill), so what is admitted and what is refused is exact whatever the machine's load.
std::string limitsConfig(const ProxyPorts& ports, const std::string& mock_url) {
  return baseConfig(ports, 2, "",
                    "\n[[provider]]\nid = \"a\"\ntype = \"openai-compatible\"\n"
                    "api_base = \"" + mock_url + "/v1\"\nmodels = [\"m\"]\n"
                    "\n[[key]]\nname = \"rps\"\nkey = \"sk-rps\"\n"
                    "rate_limit = { requests_per_second = 0.001, burst = 5 }\n"
                    "\n[[key]]\nname = \"tpm\"\nkey = \"sk-tpm\"\ntokens_per_minute = 20\n"
                    "\n[[key]]\nname = \"quota\"\nkey = \"sk-quota\"\nmax_requests = 2\n"
                    "\n[[key]]\nname = \"kept\"\nkey = \"sk-kept\"\nmax_requests = 1\n"
                    "\n[[key]]\nname = \"old\"\nkey = \"sk-old\"\n"
                    "expires_at = 2020-01-01T00:00:00Z\n"
                    "\n[[key]]\nname = \"new\"\nkey = \"sk-new\"\n"
                    "expires_at = 2999-01-01T00:00:00Z\n");
}

HttpResponse chatAs(uint16_t port, const std::string& key, Headers extra = {}) {
  HttpClient c("127.0.0.1", port);
  Headers h = {{"Authorization", "Bearer " + key}, {"Connection", "close"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return c.post("/v1/chat/completions",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", h);
}

class Limits : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start());
    proxy_ = startProxy(limitsConfig(ports_, mock_.baseUrl()), ports_.api);
  }
  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(Limits, RequestsPerSecondIsExactAcrossWorkers) {
  // 3x the burst at once from many connections, spread over both workers: exactly the burst
  // gets through.
  std::atomic<int> admitted{0}, limited{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 15; ++i)
    threads.emplace_back([&] {
      const auto r = chatAs(ports_.api, "sk-rps");
      if (r.status == 200) ++admitted;
      if (r.status == 429) ++limited;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5);
  EXPECT_EQ(limited.load(), 10);
  EXPECT_EQ(mock_.requestCount(), 5u);
}

TEST_F(Limits, RejectionCarriesOpenAiErrorAndHeaders) {
  for (int i = 1; i <= 5; ++i) {
    const auto ok = chatAs(ports_.api, "sk-rps");
    ASSERT_EQ(ok.status, 200) << i;
    EXPECT_EQ(ok.header("x-ratelimit-limit-requests"), "5");
    EXPECT_EQ(ok.header("x-ratelimit-remaining-requests"), std::to_string(5 - i));
    EXPECT_FALSE(ok.header("x-ratelimit-reset-requests").empty());
    EXPECT_EQ(ok.header("retry-after"), "");
  }
  const auto last = chatAs(ports_.api, "sk-rps");
  ASSERT_EQ(last.status, 429);
  EXPECT_NE(last.body.find("\"code\":\"rate_limit_exceeded\""), std::string::npos) << last.body;
  EXPECT_EQ(last.header("x-ratelimit-limit-requests"), "5");
  EXPECT_EQ(last.header("x-ratelimit-remaining-requests"), "0");
  // One token comes back after 1000 s at 0.001/s: the wait announced is within that.
  const int retry_after = std::stoi(last.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 1000);
}

TEST_F(Limits, TokensPerMinuteChargedFromRealUsage) {
  // 20 tokens per minute come back at one per 3 s; the second request overdraws the bucket by
  // far more than a test's refill (about 1000 tokens: 50 minutes).
  const Headers first = {{"x-mock-completion-tokens", "15"}, {"x-mock-prompt-tokens", "4"}};
  const Headers big = {{"x-mock-completion-tokens", "1000"}, {"x-mock-prompt-tokens", "4"}};
  EXPECT_EQ(chatAs(ports_.api, "sk-tpm", first).status, 200);  // 20 left: admitted, charged 19
  EXPECT_EQ(chatAs(ports_.api, "sk-tpm", big).status, 200);    // 1 left: admitted, now negative
  const auto r = chatAs(ports_.api, "sk-tpm", first);
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.header("x-ratelimit-limit-tokens"), "20");
  EXPECT_EQ(r.header("x-ratelimit-remaining-tokens"), "0");
  EXPECT_EQ(mock_.requestCount(), 2u);
}

TEST_F(Limits, QuotaOfMaxRequests) {
  EXPECT_EQ(chatAs(ports_.api, "sk-quota").status, 200);
  EXPECT_EQ(chatAs(ports_.api, "sk-quota").status, 200);
  const auto r = chatAs(ports_.api, "sk-quota");
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("\"code\":\"insufficient_quota\""), std::string::npos) << r.body;
}

// An edited limit starts from a fresh bucket; keys whose limits did not change keep theirs.
TEST_F(Limits, QuotaResetsWhenItsLimitIsEditedAndUnchangedKeysKeepTheirState) {
  EXPECT_EQ(chatAs(ports_.api, "sk-quota").status, 200);
  EXPECT_EQ(chatAs(ports_.api, "sk-quota").status, 200);
  EXPECT_EQ(chatAs(ports_.api, "sk-quota").status, 429);
  EXPECT_EQ(chatAs(ports_.api, "sk-kept").status, 200);
  EXPECT_EQ(chatAs(ports_.api, "sk-kept").status, 429);

  std::string edited = limitsConfig(ports_, mock_.baseUrl());
  const std::string before = "max_requests = 2\n";
  edited.replace(edited.find(before), before.size(), "max_requests = 3\n");
  proxy_->writeConfig(edited);
  HttpClient admin("127.0.0.1", ports_.admin);
  ASSERT_EQ(admin.post("/admin/v1/config/reload", "", adminAuth()).status, 200);

  for (int i = 0; i < 3; ++i) EXPECT_EQ(chatAs(ports_.api, "sk-quota").status, 200) << i;
  const auto over = chatAs(ports_.api, "sk-quota");
  EXPECT_EQ(over.status, 429);
  EXPECT_NE(over.body.find("insufficient_quota"), std::string::npos) << over.body;
  EXPECT_EQ(chatAs(ports_.api, "sk-kept").status, 429) << "an unchanged quota survives the reload";
}

TEST_F(Limits, ExpiredKeysAreRefused) {
  const auto expired = chatAs(ports_.api, "sk-old");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("invalid_api_key"), std::string::npos) << expired.body;
  EXPECT_EQ(chatAs(ports_.api, "sk-new").status, 200);
}

}  // namespace
}  // namespace llmproxy::testing
