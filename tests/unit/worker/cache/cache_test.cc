// The response cache's pure parts: canonical JSON, keys, the opt-in policy, entry framing and
// the per-worker LRU (bounded by entries and bytes, with expiry).
#include <gtest/gtest.h>

#include "common/json/canonical_json.h"
#include "worker/cache/cache_entry.h"
#include "worker/cache/cache_key.h"
#include "worker/cache/cache_policy.h"
#include "worker/cache/memory_cache.h"

namespace llmproxy::worker {
namespace {

using std::chrono::milliseconds;

std::string canonical(std::string_view json) {
  std::string out;
  EXPECT_TRUE(common::appendCanonicalJson(out, json, {"model"}));
  return out;
}

TEST(CanonicalJson, IgnoresKeyOrderSpacingEscapesAndSkippedMembers) {
  EXPECT_EQ(canonical(R"({"b":1,"a":[true,null,"x"],"model":"m"})"),
            R"({"a":[true,null,"x"],"b":1})");
  EXPECT_EQ(canonical(" { \"a\" : [ true , null , \"\\u0078\" ] , \"b\" : 1.0 } "),
            R"({"a":[true,null,"x"],"b":1})");
  EXPECT_EQ(canonical(R"({"o":{"z":{"y":2,"x":1}}})"), R"({"o":{"z":{"x":1,"y":2}}})");
  // Only top-level members are skipped.
  EXPECT_EQ(canonical(R"({"o":{"model":"k"}})"), R"({"o":{"model":"k"}})");
  EXPECT_EQ(canonical(R"({"t":0.5})"), R"({"t":0.5})");
  std::string out;
  EXPECT_FALSE(common::appendCanonicalJson(out, "{\"a\":", {}));
}

TEST(CacheKey, SameRequestSameKeyAndEveryFieldCounts) {
  const std::vector<std::string_view> targets{"gpt-4o"};
  const auto base = cacheKeyFor("key:aa", Endpoint::ChatCompletions, targets,
                                R"({"model":"x","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(base);
  EXPECT_EQ(base->size(), 64u);
  // Another client model name mapped to the same target, key order, stream false: same key.
  EXPECT_EQ(cacheKeyFor("key:aa", Endpoint::ChatCompletions, targets,
                        R"({"messages":[{"content":"hi","role":"user"}],"model":"y","stream":false})"),
            base);
  EXPECT_NE(cacheKeyFor("key:aa", Endpoint::ChatCompletions, targets,
                        R"({"model":"x","messages":[{"role":"user","content":"hi"}],"temperature":1})"),
            base);
  EXPECT_NE(cacheKeyFor("key:bb", Endpoint::ChatCompletions, targets,
                        R"({"model":"x","messages":[{"role":"user","content":"hi"}]})"),
            base);
  EXPECT_NE(cacheKeyFor("key:aa", Endpoint::Completions, targets,
                        R"({"model":"x","messages":[{"role":"user","content":"hi"}]})"),
            base);
  const std::vector<std::string_view> other{"gpt-4o", "llama-3"};
  EXPECT_NE(cacheKeyFor("key:aa", Endpoint::ChatCompletions, other,
                        R"({"model":"x","messages":[{"role":"user","content":"hi"}]})"),
            base);
  const std::vector<std::string_view> reordered{"llama-3", "gpt-4o", "llama-3"};
  EXPECT_EQ(cacheKeyFor("key:aa", Endpoint::ChatCompletions, reordered, R"({"model":"x"})"),
            cacheKeyFor("key:aa", Endpoint::ChatCompletions, other, R"({"model":"x"})"));
}

TEST(CacheKey, NamespaceIsTheKeysOwnUnlessConfigured) {
  common::KeyConfig a, b;
  a.key_sha256[0] = 1;
  b.key_sha256[0] = 2;
  EXPECT_NE(cacheNamespaceOf(&a), cacheNamespaceOf(&b));
  a.cache_namespace = b.cache_namespace = "team";
  EXPECT_EQ(cacheNamespaceOf(&a), cacheNamespaceOf(&b));
  EXPECT_EQ(cacheNamespaceOf(nullptr), "anonymous");
}

TEST(CachePolicy, OptInRules) {
  common::Config config;
  config.cache.default_ttl = milliseconds{300'000};
  config.cache.max_ttl = milliseconds{600'000};
  common::KeyConfig on, off;
  on.cache = true;
  const std::string none;
  auto policy = [&](Endpoint e, bool stream, const std::string* cc, const common::KeyConfig* k) {
    return cachePolicyFor(e, stream, cc, k, config);
  };
  EXPECT_TRUE(policy(Endpoint::ChatCompletions, false, nullptr, &on).applies);
  EXPECT_EQ(policy(Endpoint::Embeddings, false, nullptr, &on).ttl, milliseconds{300'000});
  EXPECT_FALSE(policy(Endpoint::ChatCompletions, false, nullptr, &off).applies);
  EXPECT_FALSE(policy(Endpoint::ChatCompletions, true, nullptr, &on).applies);
  EXPECT_FALSE(policy(Endpoint::Models, false, nullptr, &on).applies);
  const std::string no_store = "no-store", no_cache = "private, No-Cache";
  EXPECT_FALSE(policy(Endpoint::ChatCompletions, false, &no_store, &on).applies);
  EXPECT_FALSE(policy(Endpoint::ChatCompletions, false, &no_cache, &on).applies);
  const std::string max_age = "max-age=60";
  const auto p = policy(Endpoint::Completions, false, &max_age, &off);
  EXPECT_TRUE(p.applies);
  EXPECT_EQ(p.ttl, milliseconds{60'000});
  EXPECT_EQ(p.max_age, milliseconds{60'000});
  EXPECT_TRUE(policy(Endpoint::Completions, false, &max_age, nullptr).applies);
  const std::string huge = "max-age=99999999999999999999999";
  EXPECT_EQ(policy(Endpoint::Completions, false, &huge, &off).ttl, milliseconds{600'000});
  const std::string zero = "max-age=0", junk = "max-age=abc";
  EXPECT_FALSE(policy(Endpoint::Completions, false, &zero, &on).applies);
  EXPECT_TRUE(policy(Endpoint::Completions, false, &junk, &on).applies);  // ignored
  EXPECT_FALSE(policy(Endpoint::Completions, false, &junk, &off).applies);
  config.cache.memory_entries = 0;  // no Redis and no memory: nothing to cache in
  EXPECT_FALSE(policy(Endpoint::ChatCompletions, false, nullptr, &on).applies);
}

TEST(CacheEntry, RoundTripAndRejectsGarbage) {
  CacheEntry e{1234, 5, 6, "application/json", R"({"ok":true})"};
  auto d = CacheEntry::decode(e.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->created_ms, 1234);
  EXPECT_EQ(d->prompt_tokens, 5u);
  EXPECT_EQ(d->completion_tokens, 6u);
  EXPECT_EQ(d->content_type, "application/json");
  EXPECT_EQ(d->body, R"({"ok":true})");
  EXPECT_FALSE(CacheEntry::decode("LPC1"));
  EXPECT_FALSE(CacheEntry::decode("nope, not an entry at all"));
}

TEST(CacheEntry, AnEntryWithAFieldItCouldNotHaveWrittenIsAMiss) {
  // What a hostile or corrupt Redis could hold: each would reach the response head.
  const CacheEntry good{1234, 5, 6, "application/json; charset=utf-8", R"({"ok":true})"};
  ASSERT_TRUE(CacheEntry::decode(good.encode()));
  auto with = [&](auto change) {
    CacheEntry e = good;
    change(e);
    return CacheEntry::decode(e.encode());
  };
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = "text/html\r\nSet-Cookie: a=b"; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = "application/json\n"; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = std::string("a/b\0c", 5); }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = ""; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = "json"; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = "text/" + std::string(300, 'x'); }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.content_type = "t\xc3\xa9xt/plain"; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.created_ms = 0; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.created_ms = -5; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.created_ms = int64_t{1} << 60; }));
  EXPECT_FALSE(with([](CacheEntry& e) { e.body.clear(); }));
  EXPECT_TRUE(with([](CacheEntry& e) { e.content_type = "text/event-stream"; }));
}

// Found by the cache_entry fuzz target's round-trip check (before the field checks above): an
// entry read back with a content type longer than encode() writes decoded, and re-encoded to
// another entry. The boundary: kMaxContentType bytes round-trip, one more is a miss.
TEST(CacheEntry, AContentTypeLongerThanTheLimitIsAMiss) {
  const std::string head("LPC1\x01\0\0\0\0\0\0\0\x02\0\0\0\x03\0\0\0", 20);
  const auto entry = [&](uint16_t ct_len) {
    std::string bytes = head;
    bytes.push_back(static_cast<char>(ct_len & 0xff));
    bytes.push_back(static_cast<char>(ct_len >> 8));
    return bytes + "text/" + std::string(ct_len - 5, 'a') + "body";
  };
  const auto at_limit = CacheEntry::decode(entry(CacheEntry::kMaxContentType));
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->content_type.size(), CacheEntry::kMaxContentType);
  EXPECT_EQ(at_limit->encode(), entry(CacheEntry::kMaxContentType));
  EXPECT_FALSE(CacheEntry::decode(entry(CacheEntry::kMaxContentType + 1)));
  EXPECT_FALSE(CacheEntry::decode(entry(1025)));
  EXPECT_FALSE(CacheEntry::decode(entry(2000)));
}

int64_t fake_now = 0;
int64_t fakeNow() { return fake_now; }

std::optional<std::string> lookup(MemoryCache& c, const std::string& key) {
  std::optional<std::string> out;
  bool called = false;
  c.get(key, [&](std::optional<std::string> v) {
    out = std::move(v);
    called = true;
  });
  EXPECT_TRUE(called) << "the memory cache answers synchronously";
  return out;
}

TEST(MemoryCache, LruByEntriesBytesAndExpiry) {
  fake_now = 1000;
  MemoryCache c(2, 1 << 20, &fakeNow);
  c.put("a", "1", milliseconds{100});
  c.put("b", "2", milliseconds{100});
  EXPECT_EQ(lookup(c, "a"), "1");  // a is now the most recent
  c.put("c", "3", milliseconds{100});
  EXPECT_FALSE(lookup(c, "b"));  // evicted: least recently used
  EXPECT_EQ(lookup(c, "a"), "1");
  EXPECT_EQ(lookup(c, "c"), "3");
  fake_now += 100;
  EXPECT_FALSE(lookup(c, "a"));  // expired
  EXPECT_EQ(c.entries(), 1u);

  MemoryCache bytes(100, 300, &fakeNow);
  bytes.put("x", std::string(100, 'x'), milliseconds{1000});
  bytes.put("y", std::string(100, 'y'), milliseconds{1000});
  EXPECT_LE(bytes.bytes(), 300u);
  EXPECT_EQ(bytes.entries(), 1u);  // 2 x (100 + key + overhead) > 300
  EXPECT_TRUE(lookup(bytes, "y"));
  bytes.put("big", std::string(1000, 'b'), milliseconds{1000});  // larger than the whole cache
  EXPECT_FALSE(lookup(bytes, "big"));
  EXPECT_TRUE(lookup(bytes, "y"));
  bytes.put("y", "new", milliseconds{1000});  // replace
  EXPECT_EQ(lookup(bytes, "y"), "new");
  bytes.setLimits(0, 300);
  EXPECT_EQ(bytes.entries(), 0u);
  EXPECT_EQ(bytes.bytes(), 0u);
}

}  // namespace
}  // namespace llmproxy::worker
