// loadConfigText: the response cache ([cache], per-key cache / cache_namespace) and the
// per-provider concurrency cap (max_concurrent, queue_timeout), with errors at file:line:col.
#include <gtest/gtest.h>

#include "common/config/load.h"
#include "support/env_of.h"

namespace llmproxy::common {
namespace {

using testing::envOf;

constexpr std::string_view kOpen =
    "[server]\n"
    "listen = \"*:8000\"\n"
    "allow_unauthenticated = true\n";

std::string withOpen(std::string_view tail) { return std::string(kOpen) + std::string(tail); }

std::vector<std::string> errorsOf(std::string_view text) {
  auto config = loadConfigText(text, "t.conf", envOf({}));
  EXPECT_FALSE(config.has_value()) << "config loaded but should not have";
  std::vector<std::string> out;
  if (!config) {
    for (const ConfigError& error : config.error()) out.push_back(error.str());
  }
  return out;
}

TEST(ConfigLoadCache, SectionAndKeyFields) {
  auto loaded = loadConfigText(withOpen("[cache]\n"
                                        "default_ttl = \"10m\"\n"
                                        "max_ttl = \"1h\"\n"
                                        "max_entry_size = \"256k\"\n"
                                        "memory_entries = 50\n"
                                        "memory_size = \"8m\"\n"
                                        "[[key]]\nname = \"a\"\nkey = \"sk-a\"\ncache = true\n"
                                        "cache_namespace = \"team\"\n"
                                        "[[key]]\nname = \"b\"\nkey = \"sk-b\"\n"),
                               "t.conf", envOf({}));
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  EXPECT_EQ(loaded->cache.default_ttl, Millis{600'000});
  EXPECT_EQ(loaded->cache.max_ttl, Millis{3'600'000});
  EXPECT_EQ(loaded->cache.max_entry_size, 256u << 10);
  EXPECT_EQ(loaded->cache.memory_entries, 50u);
  EXPECT_EQ(loaded->cache.memory_size, 8u << 20);
  ASSERT_EQ(loaded->keys.size(), 2u);
  EXPECT_TRUE(loaded->keys[0].cache);
  EXPECT_EQ(loaded->keys[0].cache_namespace, "team");
  EXPECT_FALSE(loaded->keys[1].cache);
  EXPECT_EQ(loaded->keys[1].cache_namespace, "");
}

TEST(ConfigLoadCache, ProviderConcurrency) {
  auto loaded = loadConfigText(withOpen("[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n"
                                        "models = [\"m\"]\nmax_concurrent = 8\n"
                                        "queue_timeout = \"250ms\"\n"
                                        "[[provider]]\nid = \"q\"\napi_base = \"http://h\"\n"
                                        "models = [\"m\"]\n"),
                               "t.conf", envOf({}));
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  EXPECT_EQ(loaded->providers[0].max_concurrent, 8u);
  EXPECT_EQ(loaded->providers[0].queue_timeout, Millis{250});
  EXPECT_EQ(loaded->providers[1].max_concurrent, 0u);  // unlimited
  EXPECT_EQ(loaded->providers[1].queue_timeout, Millis{1'000});
}

TEST(ConfigLoadCache, Errors) {
  EXPECT_EQ(errorsOf(withOpen("[cache]\ndefault_tll = 5\n")),
            std::vector<std::string>{"t.conf:5:1: unknown key \"default_tll\" in [cache]; did you "
                                     "mean \"default_ttl\"?"});
  EXPECT_EQ(errorsOf(withOpen("[cache]\ndefault_ttl = \"5x\"\n")),
            std::vector<std::string>{"t.conf:5:15: cache.default_ttl: bad duration \"5x\": "
                                     "unknown unit \"x\" (use ms, s, m or h)"});
  EXPECT_EQ(errorsOf(withOpen("[cache]\nmax_ttl = \"1m\"\ndefault_ttl = \"2m\"\n")),
            std::vector<std::string>{
                "t.conf:6:15: cache.default_ttl: must not be longer than cache.max_ttl (60000ms)"});
  EXPECT_EQ(errorsOf(withOpen("[cache]\nmax_ttl = \"1m\"\n")),
            std::vector<std::string>{
                "t.conf:5:11: cache.default_ttl: must not be longer than cache.max_ttl (60000ms)"});
  EXPECT_EQ(errorsOf(withOpen("[cache]\nmax_entry_size = \"1g\"\n")),
            std::vector<std::string>{"t.conf:5:18: cache.max_entry_size: must be at most 64m"});
  EXPECT_EQ(errorsOf(withOpen("[cache]\nmemory_size = \"2k\"\n")),
            std::vector<std::string>{
                "t.conf:5:15: cache.max_entry_size: must not be larger than cache.memory_size"});
  EXPECT_EQ(errorsOf(withOpen("[cache]\nmemory_entries = -1\n")),
            std::vector<std::string>{
                "t.conf:5:18: cache.memory_entries: must be between 0 and 1000000 (got -1)"});
  EXPECT_EQ(errorsOf(withOpen("[[key]]\nname = \"k\"\nkey = \"sk\"\ncache = \"yes\"\n")),
            std::vector<std::string>{"t.conf:7:9: key.cache: expected true or false"});
  EXPECT_EQ(errorsOf(withOpen("[[key]]\nname = \"k\"\nkey = \"sk\"\ncache_namespace = 3\n")),
            std::vector<std::string>{"t.conf:7:19: key.cache_namespace: expected a string"});
  EXPECT_EQ(errorsOf(withOpen("[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n"
                              "models = [\"m\"]\nmax_concurrent = -2\n")),
            std::vector<std::string>{
                "t.conf:8:18: provider.max_concurrent: must be between 0 and 1000000 (got -2)"});
  EXPECT_EQ(errorsOf(withOpen("[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n"
                              "models = [\"m\"]\nqueue_timeout = \"2m\"\n")),
            std::vector<std::string>{
                "t.conf:8:17: provider.queue_timeout: must be at most 60s"});
  EXPECT_EQ(errorsOf(withOpen("[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n"
                              "models = [\"m\"]\nqueue_timeout = 0\n")),
            std::vector<std::string>{"t.conf:8:17: provider.queue_timeout: must be greater than 0"});
}

}  // namespace
}  // namespace llmproxy::common
