// [redis] and rate_limit_per_model in llmproxy.conf: parsed values, file order, errors with
// file:line:col, REDIS_URL.
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

std::string str(std::string_view a, std::string_view b) { return std::string(a) + std::string(b); }

std::vector<std::string> errorsOf(const std::string& text, const EnvLookup& env = envOf({})) {
  auto config = loadConfigText(text, "t.conf", env);
  EXPECT_FALSE(config.has_value());
  std::vector<std::string> out;
  if (!config)
    for (const ConfigError& e : config.error()) out.push_back(e.str());
  return out;
}

TEST(ConfigLoadRedis, EveryField) {
  auto c = loadConfigText(str(kOpen,
                              "[redis]\nurl = \"unix:/run/redis.sock?db=2\"\non_failure = \"deny\"\n"
                              "timeout = \"20ms\"\nkey_prefix = \"lp:\"\n"),
                          "t.conf", envOf({}));
  ASSERT_TRUE(c) << c.error().front().str();
  EXPECT_EQ(c->redis, (RedisConfig{"unix:/run/redis.sock?db=2", "deny", Millis{20}, "lp:"}));
}

TEST(ConfigLoadRedis, Defaults) {
  auto c = loadConfigText(std::string(kOpen), "t.conf", envOf({}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->redis, (RedisConfig{"", "local", Millis{5}, "llmproxy:"}));
}

TEST(ConfigLoadRedis, BadUrlsAreReportedAtTheirPlace) {
  EXPECT_EQ(errorsOf(str(kOpen, "[redis]\nurl = \"rediss://h:1\"\n")),
            std::vector<std::string>{"t.conf:5:7: redis.url: rediss:// (TLS) is not supported: "
                                     "use redis:// or a unix: socket"});
  EXPECT_EQ(errorsOf(str(kOpen, "[redis]\nurl = \"redis://:pw@h:99999\"\n")),
            std::vector<std::string>{
                "t.conf:5:7: redis.url: the port must be a number from 1 to 65535"});
  EXPECT_EQ(errorsOf(str(kOpen, "[redis]\ntimeout = \"0ms\"\n")).size(), 1u);
}

TEST(ConfigLoadRedis, RedisUrlFromTheEnvironment) {
  auto c = loadConfigText(str(kOpen, "[redis]\nurl = \"redis://file:6379\"\n"), "t.conf",
                          envOf({{"REDIS_URL", "redis://env:6380/1"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->redis.url, "redis://env:6380/1");
  const auto errors = errorsOf(std::string(kOpen), envOf({{"REDIS_URL", "http://secret@x"}}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].find("secret"), std::string::npos) << errors[0];
}

TEST(ConfigLoadRedis, RateLimitPerModelKeepsFileOrder) {
  auto c = loadConfigText(
      str(kOpen,
          "[[key]]\nname = \"k\"\nkey = \"sk-1\"\ntokens_per_minute = 500\n"
          "rate_limit_per_model = { \"o1\" = { tokens_per_minute = 100 }, "
          "\"gpt-4*\" = { requests_per_second = 2, tokens_per_minute = 1000 }, "
          "\"a*\" = { requests_per_second = 0.5, burst = 3 } }\n"),
      "t.conf", envOf({}));
  ASSERT_TRUE(c) << c.error().front().str();
  ASSERT_EQ(c->keys.size(), 1u);
  const auto& ml = c->keys[0].model_limits;
  ASSERT_EQ(ml.size(), 3u);
  EXPECT_EQ(ml[0], (ModelLimit{"o1", {}, 100}));
  EXPECT_EQ(ml[1], (ModelLimit{"gpt-4*", {2, 2}, 1000}));  // burst defaults to the rate
  EXPECT_EQ(ml[2], (ModelLimit{"a*", {0.5, 3}, 0}));
}

TEST(ConfigLoadRedis, RateLimitPerModelErrors) {
  const std::string key = "[[key]]\nname = \"k\"\nkey = \"sk-1\"\n";
  EXPECT_EQ(errorsOf(str(kOpen, key + "rate_limit_per_model = 3\n")),
            std::vector<std::string>{
                "t.conf:7:24: key.rate_limit_per_model: expected a table { \"model-pattern\" = "
                "{ requests_per_second = N, burst = N, tokens_per_minute = N } }"});
  EXPECT_EQ(errorsOf(str(kOpen, key + "rate_limit_per_model = { \"m\" = { rps = 1 } }\n")).size(),
            2u);  // unknown field, and nothing set
  EXPECT_EQ(errorsOf(str(kOpen, key +
                                    "rate_limit_per_model = { \"m\" = { requests_per_second = -1 } }\n"))
                .front()
                .substr(0, 8),
            "t.conf:7");
}

}  // namespace
}  // namespace llmproxy::common
