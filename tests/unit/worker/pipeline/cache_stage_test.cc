// Stage 55 cache: the policy decides whether a request looks the cache up at all; a lookup in
// the per-worker memory store either misses (the request goes on, collecting its answer) or
// hits, and the stored answer is sent from here.
#include <gtest/gtest.h>

#include "worker/cache/cache_entry.h"

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

const std::string kConfig =
    serverSection() +
    "[[provider]]\nid = \"p\"\ntype = \"openai-compatible\"\napi_base = \"http://127.0.0.1:9/v1\"\n"
    "models = [\"m\"]\n"
    "[[key]]\nname = \"cached\"\nkey = \"sk-cached-0123456789\"\ncache = true\n"
    "rate_limit = { requests_per_second = 0.001, burst = 100 }\n"
    "[[key]]\nname = \"cached-too\"\nkey = \"sk-cached-too-0123456789\"\ncache = true\n"
    "[[key]]\nname = \"plain\"\nkey = \"sk-plain-0123456789\"\n";

constexpr const char* kBody = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
using Headers = std::vector<std::pair<std::string, std::string>>;

// Stages 20 to 55 for a chat request.
std::unique_ptr<Exchange> lookUp(StageWorld& world, FakeClient& client, const std::string& key,
                                 std::string body = kBody, Headers extra = {}) {
  Headers h = {{"authorization", "Bearer " + key}};
  for (auto& e : extra) h.push_back(std::move(e));
  auto ex = world.exchange(client,
                           makeRequest("POST", "/v1/chat/completions", std::move(h), std::move(body)));
  runThrough(*ex, Stage::Cache);
  return ex;
}

using Phase = ExchangeCache::Phase;

void store(StageWorld& world, const std::string& key, int64_t created_ms) {
  CacheEntry e;
  e.created_ms = created_ms;
  e.prompt_tokens = 3;
  e.completion_tokens = 5;
  e.content_type = "application/json; charset=utf-8";
  e.body = R"({"id":"cached-answer"})";
  world.memoryCache().put(key, e.encode(), std::chrono::minutes(10));
}

TEST(CacheStage, ThePolicyDecidesWhetherToLookUp) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  struct Case {
    const char* what;
    const char* key;
    std::string body;
    Headers headers;
    Phase phase;
  };
  const Case cases[] = {
      {"a key without cache", "sk-plain-0123456789", kBody, {}, Phase::Off},
      {"a key with cache", "sk-cached-0123456789", kBody, {}, Phase::Miss},
      {"a stream", "sk-cached-0123456789", R"({"model":"m","stream":true})", {}, Phase::Off},
      {"no-store", "sk-cached-0123456789", kBody, {{"cache-control", "no-store"}}, Phase::Off},
      {"no-cache", "sk-cached-0123456789", kBody, {{"cache-control", "no-cache"}}, Phase::Off},
      {"max-age=0", "sk-cached-0123456789", kBody, {{"cache-control", "max-age=0"}}, Phase::Off},
      {"max-age asks for it", "sk-plain-0123456789", kBody, {{"cache-control", "max-age=60"}},
       Phase::Miss},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    FakeClient client;
    auto ex = lookUp(world, client, c.key, c.body, c.headers);
    ASSERT_NE(ex->upstream, nullptr);
    const ExchangeCache& cache = ex->upstream->cache;
    EXPECT_EQ(cache.phase, c.phase);
    EXPECT_TRUE(client.bytes().empty());
    EXPECT_FALSE(cache.hit);
    if (c.phase == Phase::Miss) {
      EXPECT_EQ(cache.key.size(), 64u);  // hex SHA-256
      EXPECT_TRUE(cache.collecting);     // the relay keeps the answer to store it
    } else {
      EXPECT_TRUE(cache.key.empty());
      EXPECT_FALSE(cache.collecting);
    }
  }
  EXPECT_EQ(world.memoryCache().entries(), 0u);  // lookups store nothing
}

TEST(CacheStage, AHitIsAnsweredHere) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient first;
  auto miss = lookUp(world, first, "sk-cached-0123456789");
  ASSERT_EQ(miss->upstream->cache.phase, Phase::Miss);
  store(world, miss->upstream->cache.key, common::nowUnixMs());

  // The same request, its members in another order: the key hashes the canonical body.
  FakeClient client;
  auto ex = lookUp(world, client, "sk-cached-0123456789",
                   R"({"messages":[{"content":"hi","role":"user"}], "model":"m"})");
  EXPECT_EQ(ex->stage, Stage::Respond);
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"id":"cached-answer"})");
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.header("x-llmproxy-cache"), "hit");
  ASSERT_TRUE(r.header("age"));
  EXPECT_GE(std::stol(*r.header("age")), 0);
  // The key's limit headers go on a hit too.
  EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "100");
  const UpstreamState& up = *ex->upstream;
  EXPECT_TRUE(up.cache.hit);
  EXPECT_EQ(up.provider_id, "cache");
  ASSERT_TRUE(up.usage);
  EXPECT_EQ(up.usage->prompt_tokens, 3u);
  EXPECT_EQ(up.usage->completion_tokens, 5u);
  EXPECT_FALSE(ex->error);
}

TEST(CacheStage, AnotherKeyOrAnotherBodyMisses) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient first;
  auto miss = lookUp(world, first, "sk-cached-0123456789");
  store(world, miss->upstream->cache.key, common::nowUnixMs());
  {
    SCOPED_TRACE("another key, no shared namespace");
    FakeClient client;
    auto ex = lookUp(world, client, "sk-cached-too-0123456789");
    EXPECT_EQ(ex->upstream->cache.phase, Phase::Miss);
    EXPECT_NE(ex->upstream->cache.key, miss->upstream->cache.key);
    EXPECT_TRUE(client.bytes().empty());
  }
  {
    SCOPED_TRACE("another body");
    FakeClient client;
    auto ex = lookUp(world, client, "sk-cached-0123456789",
                     R"({"model":"m","messages":[{"role":"user","content":"bye"}]})");
    EXPECT_EQ(ex->upstream->cache.phase, Phase::Miss);
    EXPECT_TRUE(client.bytes().empty());
  }
}

TEST(CacheStage, AnEntryOlderThanTheRequestsMaxAgeMisses) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient first;
  auto miss = lookUp(world, first, "sk-cached-0123456789");
  store(world, miss->upstream->cache.key, common::nowUnixMs() - 3'600'000);  // an hour old
  {
    FakeClient client;
    auto ex = lookUp(world, client, "sk-cached-0123456789", kBody,
                     {{"cache-control", "max-age=60"}});
    EXPECT_EQ(ex->upstream->cache.phase, Phase::Miss);
    EXPECT_TRUE(client.bytes().empty());
  }
  {
    FakeClient client;  // without max-age the key's own TTL decides: the entry is served
    lookUp(world, client, "sk-cached-0123456789");
    EXPECT_EQ(client.response().header("x-llmproxy-cache"), "hit");
  }
}

TEST(CacheStage, AStoredEntryThatDoesNotDecodeIsAMiss) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient first;
  auto miss = lookUp(world, first, "sk-cached-0123456789");
  world.memoryCache().put(miss->upstream->cache.key, "not an entry", std::chrono::minutes(1));
  FakeClient client;
  auto ex = lookUp(world, client, "sk-cached-0123456789");
  EXPECT_EQ(ex->upstream->cache.phase, Phase::Miss);
  EXPECT_TRUE(client.bytes().empty());
}

}  // namespace
}  // namespace llmproxy::worker::testing
