// The response cache with the per-worker LRU: hits skip the provider (the mock's request count
// does not move), and everything that must miss does.
#include <string>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"
#include "support/redis_server.h"

namespace llmproxy::testing {
namespace {

// One worker: the LRU is per worker, so every request must meet the same one.
std::string cacheConfig(const ProxyPorts& ports, const std::string& mock_url) {
  return baseConfig(ports, 1, "",
                    "\n[cache]\ndefault_ttl = \"1m\"\nmax_entry_size = \"64k\"\n"
                    "\n[[provider]]\nid = \"a\"\ntype = \"openai-compatible\"\n"
                    "api_base = \"" + mock_url + "/v1\"\nmodels = [\"m\"]\n"
                    "\n[[key]]\nname = \"on\"\nkey = \"sk-on\"\ncache = true\n"
                    "\n[[key]]\nname = \"on2\"\nkey = \"sk-on2\"\ncache = true\n"
                    "\n[[key]]\nname = \"t1\"\nkey = \"sk-t1\"\ncache = true\n"
                    "cache_namespace = \"team\"\n"
                    "\n[[key]]\nname = \"t2\"\nkey = \"sk-t2\"\ncache_namespace = \"team\"\n"
                    "cache = true\n"
                    "\n[[key]]\nname = \"off\"\nkey = \"sk-off\"\n");
}

const std::string kBody = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";

HttpResponse post(uint16_t port, const std::string& key, const std::string& body,
                  Headers extra = {}, const std::string& path = "/v1/chat/completions") {
  HttpClient c("127.0.0.1", port);
  Headers h = {{"Authorization", "Bearer " + key}};
  h.insert(h.end(), extra.begin(), extra.end());
  return c.post(path, body, h);
}

class Cache : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start());
    proxy_ = startProxy(cacheConfig(ports_, mock_.baseUrl()), ports_.api);
  }
  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(Cache, HitSkipsTheProviderAndAnswersTheSameBody) {
  const auto first = post(ports_.api, "sk-on", kBody);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 1u);
  // Same request with its keys reordered and spaced differently.
  const auto second = post(
      ports_.api, "sk-on", R"({ "messages" : [{"content":"hi","role":"user"}], "model":"m" })");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.header("x-llmproxy-cache"), "hit");
  EXPECT_FALSE(second.header("age").empty());
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("content-type"), first.header("content-type"));
  EXPECT_EQ(mock_.requestCount(), 1u);

  // Embeddings and completions are cached too.
  const std::string emb = R"({"model":"m","input":"hello"})";
  EXPECT_EQ(post(ports_.api, "sk-on", emb, {}, "/v1/embeddings").header("x-llmproxy-cache"),
            "miss");
  EXPECT_EQ(post(ports_.api, "sk-on", emb, {}, "/v1/embeddings").header("x-llmproxy-cache"),
            "hit");
  EXPECT_EQ(mock_.requestCount(), 2u);
}

TEST_F(Cache, DifferentParameterMisses) {
  EXPECT_EQ(post(ports_.api, "sk-on", kBody).header("x-llmproxy-cache"), "miss");
  const std::string warmer =
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.9})";
  EXPECT_EQ(post(ports_.api, "sk-on", warmer).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 2u);
}

TEST_F(Cache, NamespacesDoNotShareUnlessConfigured) {
  EXPECT_EQ(post(ports_.api, "sk-on", kBody).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(post(ports_.api, "sk-on2", kBody).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 2u);
  EXPECT_EQ(post(ports_.api, "sk-t1", kBody).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(post(ports_.api, "sk-t2", kBody).header("x-llmproxy-cache"), "hit");
  EXPECT_EQ(mock_.requestCount(), 3u);
}

TEST_F(Cache, OptInPerRequestAndNoStore) {
  // A key without cache: no header, no caching...
  auto r = post(ports_.api, "sk-off", kBody);
  EXPECT_EQ(r.header("x-llmproxy-cache"), "");
  EXPECT_EQ(post(ports_.api, "sk-off", kBody).header("x-llmproxy-cache"), "");
  EXPECT_EQ(mock_.requestCount(), 2u);
  // ...unless the request asks with max-age.
  const Headers max_age = {{"Cache-Control", "max-age=60"}};
  EXPECT_EQ(post(ports_.api, "sk-off", kBody, max_age).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(post(ports_.api, "sk-off", kBody, max_age).header("x-llmproxy-cache"), "hit");
  EXPECT_EQ(mock_.requestCount(), 3u);
  // no-store on a caching key: neither read nor written.
  const Headers no_store = {{"Cache-Control", "no-store"}};
  EXPECT_EQ(post(ports_.api, "sk-on", kBody).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 4u);
  r = post(ports_.api, "sk-on", kBody, no_store);
  EXPECT_EQ(r.header("x-llmproxy-cache"), "");
  EXPECT_EQ(mock_.requestCount(), 5u);
  const std::string other = R"({"model":"m","messages":[{"role":"user","content":"new"}]})";
  post(ports_.api, "sk-on", other, no_store);
  EXPECT_EQ(post(ports_.api, "sk-on", other).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 7u);
}

TEST_F(Cache, ErrorsAndStreamsAreNotCached) {
  const Headers fail = {{"x-mock-status", "500"}};
  auto r = post(ports_.api, "sk-on", kBody, fail);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.header("x-llmproxy-cache"), "miss");
  r = post(ports_.api, "sk-on", kBody, fail);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(mock_.requestCount(), 2u);
  // The next good answer is a miss: the 500s left nothing behind.
  r = post(ports_.api, "sk-on", kBody);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-llmproxy-cache"), "miss");

  const std::string stream =
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  r = post(ports_.api, "sk-on", stream);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-llmproxy-cache"), "");
  post(ports_.api, "sk-on", stream);
  EXPECT_EQ(mock_.requestCount(), 5u);
}

TEST_F(Cache, AnswersLargerThanMaxEntrySizeAreNotStored) {
  const Headers big = {{"x-mock-body-bytes", "100000"}};  // max_entry_size is 64k
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"big"}]})";
  EXPECT_EQ(post(ports_.api, "sk-on", body, big).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(post(ports_.api, "sk-on", body, big).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 2u);
}

TEST_F(Cache, EntriesExpire) {
  const Headers short_ttl = {{"Cache-Control", "max-age=1"}};
  EXPECT_EQ(post(ports_.api, "sk-on", kBody, short_ttl).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), 1u);
  // Hits until the second has passed, then a miss that goes to the provider again.
  EXPECT_TRUE(eventually(
      [&] {
        return post(ports_.api, "sk-on", kBody, short_ttl).header("x-llmproxy-cache") == "miss";
      },
      std::chrono::seconds(10), std::chrono::milliseconds(100)));
  EXPECT_EQ(mock_.requestCount(), 2u);
}

TEST_F(Cache, HitsAreCountedInTheAccessLogWithTheStoredUsage) {
  const Headers tokens = {{"x-mock-prompt-tokens", "7"}, {"x-mock-completion-tokens", "3"}};
  post(ports_.api, "sk-on", kBody, tokens);
  EXPECT_EQ(post(ports_.api, "sk-on", kBody, tokens).header("x-llmproxy-cache"), "hit");
  std::string log;
  EXPECT_TRUE(eventually([&] {
    log = proxy_->tempDir().read("access.log");
    return log.find(" cache 200 ") != std::string::npos;
  }));
  EXPECT_NE(log.find(" 7/3"), std::string::npos) << log;
}

// With [redis]: the answers are in Redis, shared by every worker (two here, and fresh
// connections, so the requests land on both).
class RedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start());
    std::string cfg = cacheConfig(ports_, mock_.baseUrl());
    cfg.replace(cfg.find("workers = 1"), 11, "workers = 2");
    cfg += "\n[redis]\nurl = \"" + redis_.tcpUrl() + "\"\ntimeout = \"500ms\"\n";
    proxy_ = startProxy(cfg, ports_.api);
  }
  HttpResponse once(const std::string& key, const std::string& body) {
    return post(ports_.api, key, body, {{"Connection", "close"}});
  }
  RedisServer redis_;
  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(RedisCacheTest, HitsAcrossWorkersAndMisses) {
  // The workers connect to Redis in the background: wait until both are connected, then for
  // an entry to appear in Redis.
  ASSERT_TRUE(eventually([&] { return metric(ports_.api, "llm_proxy_redis_up") == 2; },
                         std::chrono::seconds(10)));
  EXPECT_TRUE(eventually([&] {
    once("sk-on", kBody);
    return redis_.command({"KEYS", "llmproxy:cache:*"}) != "";
  }));
  const uint64_t before = mock_.requestCount();
  for (int i = 0; i < 6; ++i) {
    const auto r = once("sk-on", kBody);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("x-llmproxy-cache"), "hit");
  }
  EXPECT_EQ(mock_.requestCount(), before);
  EXPECT_EQ(once("sk-on2", kBody).header("x-llmproxy-cache"), "miss");  // another namespace
  const std::string other = R"({"model":"m","messages":[{"role":"user","content":"other"}]})";
  EXPECT_EQ(once("sk-on", other).header("x-llmproxy-cache"), "miss");
  EXPECT_EQ(mock_.requestCount(), before + 2);
  // Stored with the TTL (default_ttl = 1m).
  const std::string key = redis_.command({"KEYS", "llmproxy:cache:*"}).substr(0, 79);
  const long pttl = std::stol(redis_.command({"PTTL", key}));
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 60'000);
}

TEST_F(RedisCacheTest, RedisDownIsAMissNotAnError) {
  redis_.stop();
  for (int i = 0; i < 3; ++i) {
    const auto r = once("sk-on", kBody);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-llmproxy-cache"), "miss");
  }
  EXPECT_EQ(mock_.requestCount(), 3u);
  // A Redis that answers nothing (stopped process, connection open): a miss after the timeout.
  ASSERT_TRUE(redis_.start());
  EXPECT_TRUE(eventually([&] {
    once("sk-on", kBody);
    return once("sk-on", kBody).header("x-llmproxy-cache") == "hit";
  }));
  redis_.pause();
  const auto r = once("sk-on", kBody);
  redis_.resume();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-cache"), "miss");
}

}  // namespace
}  // namespace llmproxy::testing
