// loadConfigText / loadConfigFile: a fully populated file, and every kind of error at its exact
// line and column.
#include "common/config/load.h"

#include <gtest/gtest.h>

#include "support/env_of.h"

#include <map>

#include "common/crypto/sha256.h"

namespace llmproxy::common {
namespace {

using testing::envOf;

// The printed form of every error of a config that must fail.
std::vector<std::string> errorsOf(std::string_view text, const EnvLookup& env = envOf({})) {
  auto config = loadConfigText(text, "t.conf", env);
  EXPECT_FALSE(config.has_value()) << "config loaded but should not have";
  std::vector<std::string> out;
  if (!config) {
    for (const ConfigError& error : config.error()) out.push_back(error.str());
  }
  return out;
}

// Lines 1-2 of most tests below: a listener, and no key needed.
constexpr std::string_view kServer =
    "[server]\n"
    "listen = \"*:8000\"\n";
constexpr std::string_view kOpen =
    "[server]\n"
    "listen = \"*:8000\"\n"
    "allow_unauthenticated = true\n";

std::string str(std::string_view a, std::string_view b) { return std::string(a) + std::string(b); }

TEST(ConfigLoad, GoodFileFullyParsed) {
  auto env = envOf({{"TEST_ADMIN_KEY", "admin-secret"}, {"TEST_OPENAI_KEY", "sk-openai"}});
  auto loaded = loadConfigFile(LLMPROXY_TEST_DATA_DIR "/config/good.conf", env);
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  const Config& c = *loaded;
  EXPECT_EQ(c.source, "file " LLMPROXY_TEST_DATA_DIR "/config/good.conf");

  const ServerConfig& s = c.server;
  ASSERT_EQ(s.listen.size(), 3u);
  EXPECT_EQ(s.listen[0],
            (ListenAddress{ListenAddress::Kind::Tcp, "127.0.0.1", 9000, "", "127.0.0.1:9000"}));
  EXPECT_EQ(s.listen[1].host, "::1");
  EXPECT_EQ(s.listen[1].port, 9001);
  EXPECT_EQ(s.listen[2].kind, ListenAddress::Kind::Unix);
  EXPECT_EQ(s.listen[2].path, "/tmp/llmproxy-test.sock");
  ASSERT_EQ(s.admin_listen.size(), 1u);
  EXPECT_EQ(s.admin_listen[0].host, "");
  EXPECT_EQ(s.admin_listen[0].port, 9002);
  EXPECT_EQ(s.workers, 4u);
  EXPECT_EQ(s.admin_key, "admin-secret");
  EXPECT_EQ(s.max_body_size, 8u << 20);
  EXPECT_EQ(s.max_header_size, 64u << 10);
  EXPECT_EQ(s.responses_item_store, 1u << 20);
  EXPECT_EQ(s.max_connections, 2000u);
  EXPECT_EQ(s.keepalive_requests, 50u);
  EXPECT_EQ(s.header_timeout, Millis{5'000});
  EXPECT_EQ(s.body_timeout, Millis{250});
  EXPECT_EQ(s.keepalive_timeout, Millis{30'000});
  EXPECT_EQ(s.send_timeout, Millis{120'000});
  EXPECT_EQ(s.connect_timeout, Millis{3'000});
  EXPECT_EQ(s.request_timeout, Millis{3'600'000});
  EXPECT_EQ(s.ttft_timeout, Millis{45'000});
  EXPECT_EQ(s.stream_idle_timeout, Millis{90'000});
  EXPECT_EQ(s.shutdown_timeout, Millis{10'000});
  EXPECT_EQ(s.provider_prefix, "Proxy/");
  EXPECT_FALSE(s.allow_unauthenticated);
  EXPECT_EQ(s.max_attempts, 5u);
  EXPECT_EQ(s.pid_file, "/tmp/llmproxy-test.pid");

  EXPECT_EQ(c.log, (LogConfig{"/var/log/llmproxy/error.log", "stdout", "debug", "json"}));
  EXPECT_EQ(c.database.url, "postgres://localhost/llmproxy");
  EXPECT_EQ(c.redis, (RedisConfig{"redis://127.0.0.1:6379/0", "deny", Millis{50}}));

  ASSERT_EQ(c.providers.size(), 2u);
  const ProviderConfig& p = c.providers[0];
  EXPECT_EQ(p.id, "openai-main");
  EXPECT_EQ(p.type, ProviderType::OpenAI);
  EXPECT_EQ(p.api_base, "https://API.openai.com/v1/");
  EXPECT_EQ(p.url, (UpstreamUrl{true, "api.openai.com", 443, "/v1"}));
  EXPECT_EQ(p.api_key, "sk-openai");
  EXPECT_EQ(p.weight, 2u);
  EXPECT_TRUE(p.enabled);
  EXPECT_TRUE(p.verify_ssl);
  EXPECT_TRUE(p.forward_organization_headers);
  EXPECT_EQ(p.models, (std::vector<std::string>{"gpt-4o", "gpt-4o-mini"}));
  // Sorted by priority: exact names alphabetically, then the longest literal prefix.
  std::vector<ModelMapping> mapping = {{"gpt-3.5-turbo", "gpt-35"},
                                       {"gpt-4", "gpt-4-turbo"},
                                       {"claude-opus-4-5-.*", "claude-opus-mapped"},
                                       {"gemini-*", "gemini-pro"},
                                       {"g*", "generic"}};
  EXPECT_EQ(p.model_mapping, mapping);

  const ProviderConfig& az = c.providers[1];
  EXPECT_EQ(az.id, "azure_eu.1");
  EXPECT_EQ(az.type, ProviderType::Azure);
  EXPECT_EQ(az.url, (UpstreamUrl{false, "10.0.0.5", 8080, ""}));
  EXPECT_EQ(az.api_key, "$literal");
  EXPECT_EQ(az.api_version, "2024-06-01");
  EXPECT_EQ(az.weight, 1u);
  EXPECT_FALSE(az.enabled);
  EXPECT_FALSE(az.verify_ssl);
  EXPECT_FALSE(az.forward_organization_headers);
  EXPECT_TRUE(az.models.empty());

  ASSERT_EQ(c.keys.size(), 2u);
  const KeyConfig& k = c.keys[0];
  EXPECT_EQ(k.name, "Production Key");
  EXPECT_EQ(k.key_sha256, sha256("sk-test-production"));
  EXPECT_EQ(k.allowed_models, (std::vector<std::string>{"gpt-4o", "gpt-4o-*"}));
  EXPECT_TRUE(k.enabled);
  EXPECT_EQ(k.expires_at, 1893553445);  // 2030-01-02T03:04:05Z
  EXPECT_EQ(k.rate_limit, (RateLimit{100, 150.5}));
  EXPECT_EQ(k.tokens_per_minute, 100000u);
  EXPECT_EQ(k.max_requests, 5000u);

  const KeyConfig& h = c.keys[1];
  EXPECT_EQ(h.key_sha256, sha256("test"));
  EXPECT_FALSE(h.enabled);
  EXPECT_EQ(h.expires_at, 1893553445);           // the same instant at +02:00
  EXPECT_EQ(h.rate_limit, (RateLimit{10, 10}));  // burst defaults to one second's worth
}

TEST(ConfigLoad, ProviderHealthAndFallbacks) {
  auto loaded = loadConfigText(str(kOpen,
                                   "[[provider]]\nid = \"p\"\napi_base = \"https://h\"\n"
                                   "max_fails = 0\nfail_timeout = \"90s\"\n"
                                   "health_check_interval = \"5s\"\n"
                                   "[[provider]]\nid = \"q\"\napi_base = \"https://h\"\n"
                                   "[fallbacks]\n\"gpt-4o\" = [\"mini\", \"claude\"]\n"
                                   "\"x\" = [\"y\"]\n"),
                               "t.conf", envOf({}));
  ASSERT_TRUE(loaded) << loaded.error()[0].str();
  EXPECT_EQ(loaded->providers[0].max_fails, 0u);
  EXPECT_EQ(loaded->providers[0].fail_timeout, Millis{90'000});
  EXPECT_EQ(loaded->providers[0].health_check_interval, Millis{5'000});
  // The defaults: nginx's max_fails = 3, fail_timeout = 10s; no active checks.
  EXPECT_EQ(loaded->providers[1].max_fails, 3u);
  EXPECT_EQ(loaded->providers[1].fail_timeout, Millis{10'000});
  EXPECT_EQ(loaded->providers[1].health_check_interval, Millis{0});
  ASSERT_EQ(loaded->fallbacks.size(), 2u);
  EXPECT_EQ(loaded->fallbacks[0].model, "gpt-4o");
  EXPECT_EQ(loaded->fallbacks[0].fallbacks, (std::vector<std::string>{"mini", "claude"}));
  EXPECT_EQ(loaded->fallbacks[1].model, "x");
}

TEST(ConfigErrors, ProviderHealthAndFallbacks) {
  const auto one = [](const std::string& tail) {
    const auto errors = errorsOf(str(kOpen, tail));
    return errors.size() == 1 ? errors[0] : "errors: " + std::to_string(errors.size());
  };
  const std::string p = "[[provider]]\nid = \"p\"\napi_base = \"https://h\"\n";
  EXPECT_EQ(one(p + "max_fails = 1001\n"),
            "t.conf:7:13: provider.max_fails: must be between 0 and 1000 (got 1001)");
  EXPECT_NE(one(p + "fail_timeout = \"500ms\"\n").find("t.conf:7:16: provider.fail_timeout"),
            std::string::npos);
  EXPECT_NE(one(p + "health_check_interval = \"2h\"\n")
                .find("t.conf:7:25: provider.health_check_interval"),
            std::string::npos);
  EXPECT_NE(one("[fallbacks]\n\"a\" = [\"b\", \"a\"]\n")
                .find("t.conf:5:7: fallbacks.a: a model cannot fall back to itself"),
            std::string::npos);
  EXPECT_NE(one("[fallbacks]\n\"a\" = [\"b\", \"b\"]\n").find("\"b\" is listed twice"),
            std::string::npos);
  EXPECT_NE(one("[fallbacks]\n\"a\" = []\n").find("expected 1 to 8 model names"),
            std::string::npos);
  EXPECT_NE(one("[fallbacks]\n\"a\" = \"b\"\n").find("t.conf:5:7: fallbacks.a"),
            std::string::npos);
}

TEST(ConfigLoad, DefaultsWithMinimalFile) {
  auto loaded = loadConfigText(kOpen, "t.conf", envOf({}));
  ASSERT_TRUE(loaded);
  Config expected;
  expected.source = "file t.conf";
  expected.server.listen = {*loaded->server.listen.begin()};
  expected.server.allow_unauthenticated = true;
  EXPECT_EQ(*loaded, expected);
  EXPECT_EQ(loaded->server.listen[0].port, 8000);
}

TEST(ConfigLoad, DatabaseSection) {
  auto loaded = loadConfigText(str(kServer,
                                   "[database]\n"
                                   "url = \"postgresql://u:${PW}@db/llmproxy\"\n"
                                   "connect_timeout = \"2s\"\n"
                                   "query_timeout = 3\n"
                                   "usage_log = false\n"
                                   "usage_batch_size = 50\n"
                                   "usage_flush_interval = \"250ms\"\n"
                                   "usage_buffer = 1000\n"),
                               "t.conf", envOf({{"PW", "s3cret"}}));
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  EXPECT_EQ(loaded->database, (DatabaseConfig{"postgresql://u:s3cret@db/llmproxy", Millis{2'000},
                                              Millis{3'000}, false, 50, Millis{250}, 1000}));

  auto defaults = loadConfigText(str(kServer, "[database]\nurl = \"postgres://db/x\"\n"),
                                 "t.conf", envOf({}));
  ASSERT_TRUE(defaults) << defaults.error().front().str();
  EXPECT_EQ(defaults->database, (DatabaseConfig{"postgres://db/x"}));

  EXPECT_EQ(errorsOf(str(kOpen, "[database]\nusage_batch_size = 0\nquery_timeout = \"0s\"\n"
                                "usage_log = \"yes\"\nusage_bufer = 5\n")),
            (std::vector<std::string>{
                "t.conf:5:20: database.usage_batch_size: must be between 1 and 10000 (got 0)",
                "t.conf:6:17: database.query_timeout: must be greater than 0",
                "t.conf:7:13: database.usage_log: expected true or false",
                "t.conf:8:1: unknown key \"usage_bufer\" in [database]; did you mean "
                "\"usage_buffer\"?"}));
}

TEST(ConfigLoad, WorkersAndAdminListenForms) {
  auto loaded =
      loadConfigText(str(kOpen, "workers = \"auto\"\nadmin_listen = []\n"), "t.conf", envOf({}));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->server.workers, 0u);
  EXPECT_TRUE(loaded->server.admin_listen.empty());
  loaded = loadConfigText(str(kOpen, "admin_listen = \"\"\n"), "t.conf", envOf({}));
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->server.admin_listen.empty());
}

TEST(ConfigLoad, ExpiresAtForms) {
  auto expiry = [](std::string_view value) -> int64_t {
    auto loaded = loadConfigText(str(kServer, "[[key]]\nname = \"k\"\nkey = \"sk\"\nexpires_at = " +
                                                  std::string(value) + "\n"),
                                 "t.conf", envOf({}));
    return loaded ? loaded->keys[0].expires_at : -1;
  };
  EXPECT_EQ(expiry("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(expiry("1970-01-02T00:00:00"), 86400);  // local date-time is UTC
  EXPECT_EQ(expiry("1970-01-02"), 86400);
  EXPECT_EQ(expiry("\"1970-01-02T01:00:00+01:00\""), 86400);
  EXPECT_EQ(expiry("\"1970-01-01T19:00:00.5-05:00\""), 86400);
  EXPECT_EQ(expiry("86400"), 86400);
  EXPECT_EQ(expiry("\"1970-01-02\""), -1);  // a string must be a full RFC 3339 date-time
  EXPECT_EQ(expiry("\"2030-02-30T00:00:00Z\""), -1);
}

TEST(ConfigLoad, MissingFile) {
  auto loaded = loadConfigFile("/nonexistent/llmproxy.conf", envOf({}));
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_EQ(loaded.error()[0].str(),
            "/nonexistent/llmproxy.conf: cannot open: No such file or directory");
}

TEST(ConfigErrorStr, Forms) {
  EXPECT_EQ((ConfigError{"a.conf", 3, 7, "bad"}).str(), "a.conf:3:7: bad");
  EXPECT_EQ((ConfigError{"a.conf", 3, 0, "bad"}).str(), "a.conf:3: bad");
  EXPECT_EQ((ConfigError{"env", 0, 0, "PORT: bad"}).str(), "env: PORT: bad");
}

// ---- one error of each kind, at its line and column ----------------------------------------

TEST(ConfigErrors, SyntaxErrorStopsAtTheFirst) {
  EXPECT_EQ(
      errorsOf("[server]\n"
               "listen = \"*:8000\n"
               "workers = = 2\n"),
      std::vector<std::string>{"t.conf:2:17: Error while parsing string: unescaped control "
                               "characters other than TAB (U+0009) are explicitly prohibited"});
}

TEST(ConfigErrors, UnknownKeyWithSuggestion) {
  EXPECT_EQ(errorsOf(str(kOpen, "listne = \"*:8001\"\n")),
            std::vector<std::string>{
                "t.conf:4:1: unknown key \"listne\" in [server]; did you mean \"listen\"?"});
  EXPECT_EQ(errorsOf(str(kOpen, "frobnicate = 1\n")),
            std::vector<std::string>{"t.conf:4:1: unknown key \"frobnicate\" in [server]"});
  EXPECT_EQ(
      errorsOf(str(kOpen, "[sevrer]\n")),
      std::vector<std::string>{"t.conf:4:2: unknown section \"sevrer\"; did you mean \"server\"?"});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n"
                         "modles = []\n")),
            std::vector<std::string>{
                "t.conf:7:1: unknown key \"modles\" in [[provider]]; did you mean \"models\"?"});
  EXPECT_EQ(errorsOf(str(kServer,
                         "[[key]]\nname = \"k\"\nkey = \"sk\"\n"
                         "rate_limit = { rps = 1 }\n")),
            std::vector<std::string>{"t.conf:6:16: unknown key \"rps\" in key.rate_limit"});
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(
      errorsOf(str(kOpen, "workers = true\n")),
      std::vector<std::string>{"t.conf:4:11: server.workers: expected \"auto\" or an integer"});
  EXPECT_EQ(
      errorsOf(str(kOpen, "workers = \"many\"\n")),
      std::vector<std::string>{"t.conf:4:11: server.workers: expected \"auto\" or an integer"});
  EXPECT_EQ(
      errorsOf(str(kOpen, "workers = 257\n")),
      std::vector<std::string>{"t.conf:4:11: server.workers: must be between 1 and 256 (got 257)"});
  EXPECT_EQ(errorsOf(str(kOpen, "admin_key = 5\n")),
            std::vector<std::string>{"t.conf:4:13: server.admin_key: expected a string"});
  EXPECT_EQ(errorsOf(str(kOpen, "max_attempts = 0\n")),
            std::vector<std::string>{
                "t.conf:4:16: server.max_attempts: must be between 1 and 10 (got 0)"});
  EXPECT_EQ(errorsOf("[server]\nlisten = \"*:8000\"\nallow_unauthenticated = \"yes\"\n"),
            (std::vector<std::string>{
                "t.conf:1:1: no [[key]] configured: add one or set server.allow_unauthenticated = "
                "true",
                "t.conf:3:25: server.allow_unauthenticated: expected true or false"}));
  EXPECT_EQ(errorsOf(str(kOpen, "[log]\nlevel = \"verbose\"\n")),
            std::vector<std::string>{
                "t.conf:5:9: log.level: expected \"trace\", \"debug\", \"info\", \"warn\", "
                "\"error\", \"critical\" or \"off\" (got \"verbose\")"});
  EXPECT_EQ(errorsOf(str(kOpen, "[log]\nerror_log = \"\"\n")),
            std::vector<std::string>{"t.conf:5:13: log.error_log: must not be empty"});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n"
                         "models = \"gpt-4\"\n")),
            std::vector<std::string>{"t.conf:7:10: provider.models: expected an array of strings"});
  EXPECT_EQ(errorsOf(str(kOpen, "[redis]\non_failure = \"open\"\n")),
            std::vector<std::string>{
                "t.conf:5:14: redis.on_failure: expected \"local\" or \"deny\" (got \"open\")"});
  EXPECT_EQ(errorsOf("[[server]]\nlisten = \"*:1\"\n"),
            (std::vector<std::string>{
                "t.conf:1:1: server: expected a [server] table",
                "t.conf:1:1: no [[key]] configured: add one or set server.allow_unauthenticated = "
                "true"}));
  EXPECT_EQ(errorsOf(str(kOpen, "[provider]\nid = \"x\"\n")),
            std::vector<std::string>{"t.conf:4:1: provider: expected [[provider]] tables"});
}

TEST(ConfigErrors, BadDuration) {
  EXPECT_EQ(errorsOf(str(kOpen, "request_timeout = \"30x\"\n")),
            std::vector<std::string>{"t.conf:4:19: server.request_timeout: bad duration \"30x\": "
                                     "unknown unit \"x\" (use ms, s, m or h)"});
  EXPECT_EQ(errorsOf(str(kOpen, "ttft_timeout = \"-1s\"\n")),
            std::vector<std::string>{"t.conf:4:16: server.ttft_timeout: bad duration \"-1s\": "
                                     "duration must not be negative"});
  EXPECT_EQ(errorsOf(str(kOpen, "ttft_timeout = 0\n")),
            std::vector<std::string>{"t.conf:4:16: server.ttft_timeout: must be greater than 0"});
  EXPECT_EQ(errorsOf(str(kOpen, "ttft_timeout = \"0ms\"\n")),
            std::vector<std::string>{"t.conf:4:16: server.ttft_timeout: must be greater than 0"});
  EXPECT_EQ(
      errorsOf(str(kOpen, "ttft_timeout = -3\n")),
      std::vector<std::string>{"t.conf:4:16: server.ttft_timeout: duration must not be negative"});
  EXPECT_EQ(errorsOf(str(kOpen, "ttft_timeout = 9223372036854775807\n")),
            std::vector<std::string>{"t.conf:4:16: server.ttft_timeout: duration is too large"});
  EXPECT_EQ(errorsOf(str(kOpen, "ttft_timeout = 1.5\n")),
            std::vector<std::string>{
                "t.conf:4:16: server.ttft_timeout: expected a duration such as \"30s\" or "
                "\"250ms\" (an integer means seconds)"});
}

TEST(ConfigErrors, BadSize) {
  EXPECT_EQ(errorsOf(str(kOpen, "max_body_size = \"12q\"\n")),
            std::vector<std::string>{"t.conf:4:17: server.max_body_size: bad size \"12q\": "
                                     "unknown unit \"q\" (use k, m or g)"});
  EXPECT_EQ(errorsOf(str(kOpen, "max_body_size = \"99999999999g\"\n")),
            std::vector<std::string>{"t.conf:4:17: server.max_body_size: bad size "
                                     "\"99999999999g\": size is too large"});
  EXPECT_EQ(errorsOf(str(kOpen, "max_header_size = 512\n")),
            std::vector<std::string>{"t.conf:4:19: server.max_header_size: must be at least 1k"});
  EXPECT_EQ(
      errorsOf(str(kOpen, "max_body_size = -1\n")),
      std::vector<std::string>{"t.conf:4:17: server.max_body_size: size must not be negative"});
  EXPECT_EQ(errorsOf(str(kOpen, "responses_item_store = \"65g\"\n")),
            std::vector<std::string>{
                "t.conf:4:24: server.responses_item_store: must be at most 64g"});
}

// 0 turns the store of streamed Responses items off; the default keeps 16 MiB.
TEST(ConfigLoad, ResponsesItemStore) {
  auto off = loadConfigText(str(kOpen, "responses_item_store = 0\n"), "t.conf", envOf({}));
  ASSERT_TRUE(off) << off.error().front().str();
  EXPECT_EQ(off->server.responses_item_store, 0u);
  auto plain = loadConfigText(kOpen, "t.conf", envOf({}));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->server.responses_item_store, 16u << 20);
}

TEST(ConfigErrors, BadListenAddress) {
  EXPECT_EQ(
      errorsOf("[server]\nallow_unauthenticated = true\nlisten = [\"*:8000\", \"host:80\"]\n"),
      std::vector<std::string>{"t.conf:3:21: server.listen: bad listen address \"host:80\": "
                               "host must be a numeric IP address, \"*\" or \"localhost\""});
  EXPECT_EQ(errorsOf("[server]\nallow_unauthenticated = true\nlisten = []\n"),
            std::vector<std::string>{
                "t.conf:1:1: server.listen: at least one listen address is required"});
  EXPECT_EQ(errorsOf(str(kOpen, "admin_listen = [\"127.0.0.1:9\", \":8000\"]\n")),
            std::vector<std::string>{"t.conf:4:32: server.admin_listen: duplicate listen address "
                                     "\":8000\" (first at line 2)"});
}

TEST(ConfigErrors, Providers) {
  std::string two = str(kOpen,
                        "[[provider]]\n"                      // 4
                        "id = \"p\"\n"                        // 5
                        "api_base = \"https://a.example\"\n"  // 6
                        "[[provider]]\n"                      // 7
                        "id = \"p\"\n"                        // 8
                        "api_base = \"https://b.example\"\n");
  EXPECT_EQ(errorsOf(two),
            std::vector<std::string>{"t.conf:8:6: duplicate provider id \"p\" (first at line 5)"});

  EXPECT_EQ(errorsOf(str(kOpen, "[[provider]]\nid = \"a b\"\napi_base = \"http://h\"\n")),
            std::vector<std::string>{
                "t.conf:5:6: provider.id: use only letters, digits, '.', '_' and '-' (got \"a "
                "b\")"});
  EXPECT_EQ(errorsOf(str(kOpen, "[[provider]]\napi_base = \"http://h\"\n")),
            std::vector<std::string>{"t.conf:4:1: provider: missing required key \"id\""});
  EXPECT_EQ(errorsOf(str(kOpen, "[[provider]]\nid = \"p\"\n")),
            std::vector<std::string>{"t.conf:4:1: provider: missing required key \"api_base\""});
  EXPECT_EQ(
      errorsOf(str(kOpen, "[[provider]]\nid = \"p\"\napi_base = \"ftp://h\"\n")),
      std::vector<std::string>{
          "t.conf:6:12: provider.api_base: expected a URL starting with http:// or https://"});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\ntype = \"anthropic\"\n"
                         "api_base = \"https://api.anthropic.com\"\nresponses = \"yes\"\n")),
            std::vector<std::string>{"t.conf:8:13: provider.responses: expected true or false"});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\ntype = \"bedrock\"\n"
                         "api_base = \"https://h\"\n")),
            std::vector<std::string>{"t.conf:6:8: provider.type: expected \"openai\", "
                                     "\"openai-compatible\", \"azure\" or \"anthropic\" (got "
                                     "\"bedrock\")"});
  EXPECT_EQ(
      errorsOf(str(kOpen,
                   "[[provider]]\nid = \"p\"\ntype = \"azure\"\n"
                   "api_base = \"https://h\"\n")),
      std::vector<std::string>{"t.conf:4:1: provider.api_version: required for type \"azure\""});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\napi_base = \"https://h\"\n"
                         "weight = 1001\n")),
            std::vector<std::string>{
                "t.conf:7:10: provider.weight: must be between 1 and 1000 (got 1001)"});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\napi_base = \"https://h\"\n"
                         "ca_file = \"/nonexistent/ca.pem\"\n")),
            std::vector<std::string>{"t.conf:7:11: provider.ca_file \"/nonexistent/ca.pem\": "
                                     "cannot read: No such file or directory"});
}

TEST(ConfigErrors, BadRegexAtItsLine) {
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\n"
                         "id = \"p\"\n"
                         "api_base = \"https://h\"\n"
                         "[provider.model_mapping]\n"
                         "\"gpt-4\" = \"gpt-4-turbo\"\n"
                         "\"claude-(opus\" = \"x\"\n")),
            std::vector<std::string>{"t.conf:9:1: provider.model_mapping: bad regex "
                                     "\"claude-(opus\": missing ): claude-(opus"});
  EXPECT_EQ(errorsOf(str(kOpen,
                         "[[provider]]\nid = \"p\"\napi_base = \"https://h\"\n"
                         "model_mapping = { \"a\" = \"b\", \"x[\" = \"y\" }\n")),
            std::vector<std::string>{"t.conf:7:30: provider.model_mapping: bad regex \"x[\": "
                                     "missing ]: ["});
}

TEST(ConfigErrors, Keys) {
  EXPECT_EQ(errorsOf(kServer),
            std::vector<std::string>{"t.conf:1:1: no [[key]] configured: add one or set "
                                     "server.allow_unauthenticated = true"});
  EXPECT_EQ(errorsOf(str(kServer, "[[key]]\nname = \"k\"\n")),
            std::vector<std::string>{"t.conf:3:1: key: one of key or key_sha256 is required"});
  EXPECT_EQ(errorsOf(str(kServer, "[[key]]\nkey = \"sk\"\n")),
            std::vector<std::string>{"t.conf:3:1: key: missing required key \"name\""});
  EXPECT_EQ(errorsOf(str(kServer, "[[key]]\nname = \"k\"\nkey = \"sk\"\nkey_sha256 = \"" +
                                      toHex(sha256("sk")) + "\"\n")),
            std::vector<std::string>{"t.conf:6:14: key: give either key or key_sha256, not both"});
  EXPECT_EQ(errorsOf(str(kServer, "[[key]]\nname = \"k\"\nkey_sha256 = \"abc\"\n")),
            std::vector<std::string>{"t.conf:5:14: key.key_sha256: expected 64 hex digits"});
  EXPECT_EQ(errorsOf(str(kServer, "[[key]]\nname = \"k\"\nkey = \"\"\n")),
            std::vector<std::string>{"t.conf:5:7: key.key: must not be empty"});
  EXPECT_EQ(errorsOf(str(kServer, "[[key]]\nname = \"k\"\nkey = \"sk\"\nexpires_at = \"soon\"\n")),
            std::vector<std::string>{"t.conf:6:14: key.expires_at: expected an RFC 3339 date-time "
                                     "such as \"2026-01-31T00:00:00Z\""});
  EXPECT_EQ(errorsOf(str(kServer,
                         "[[key]]\nname = \"k\"\nkey = \"sk\"\n"
                         "rate_limit = { requests_per_second = -1 }\n")),
            std::vector<std::string>{
                "t.conf:6:38: key.rate_limit.requests_per_second: must be between 0 and "
                "1000000000 (got -1)"});
}

TEST(ConfigErrors, DuplicateKeyHash) {
  std::string text = str(kServer,
                         "[[key]]\n"            // 3
                         "name = \"one\"\n"     // 4
                         "key = \"sk-same\"\n"  // 5
                         "[[key]]\n"            // 6
                         "name = \"two\"\n"     // 7
                         "key_sha256 = \"" +
                             toHex(sha256("sk-same")) + "\"\n");  // 8
  EXPECT_EQ(errorsOf(text), std::vector<std::string>{
                                "t.conf:8:14: duplicate key: [[key]] \"two\" has the same key as "
                                "\"one\" (first at line 3)"});
}

TEST(ConfigErrors, DuplicateKeyName) {
  // Names are how logs, usage records and the admin API tell keys apart.
  std::string text = str(kServer,
                         "[[key]]\n"            // 3
                         "name = \"team\"\n"    // 4
                         "key = \"sk-one\"\n"   // 5
                         "[[key]]\n"            // 6
                         "name = \"team\"\n"    // 7
                         "key = \"sk-two\"\n");  // 8
  EXPECT_EQ(errorsOf(text), std::vector<std::string>{
                                "t.conf:7:8: duplicate key name \"team\" (first at line 3)"});
}

TEST(ConfigErrors, MissingEnvVar) {
  EXPECT_EQ(errorsOf(str(kOpen, "admin_key = \"${ADMIN_KEY}\"\n")),
            std::vector<std::string>{
                "t.conf:4:13: server.admin_key: environment variable ADMIN_KEY is not set (write "
                "${ADMIN_KEY:-} to allow an empty value)"});
  auto loaded = loadConfigText(str(kOpen, "admin_key = \"${ADMIN_KEY}\"\n"), "t.conf",
                               envOf({{"ADMIN_KEY", "a"}}));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->server.admin_key, "a");
}

TEST(ConfigErrors, ExpansionEverywhere) {
  auto env = envOf({{"PORT_A", "8100"}, {"DUR", "7s"}, {"MODEL", "gpt-x"}});
  auto loaded = loadConfigText(
      "[server]\n"
      "listen = \"127.0.0.1:${PORT_A}\"\n"
      "allow_unauthenticated = true\n"
      "request_timeout = \"${DUR}\"\n"
      "header_timeout = \"${NOPE:-2s}\"\n"
      "provider_prefix = \"$$/\"\n"
      "[[provider]]\n"
      "id = \"p\"\n"
      "api_base = \"http://h\"\n"
      "models = [\"${MODEL}\"]\n",
      "t.conf", env);
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  EXPECT_EQ(loaded->server.listen[0].port, 8100);
  EXPECT_EQ(loaded->server.request_timeout, Millis{7000});
  EXPECT_EQ(loaded->server.header_timeout, Millis{2000});
  EXPECT_EQ(loaded->server.provider_prefix, "$/");
  EXPECT_EQ(loaded->providers[0].models, std::vector<std::string>{"gpt-x"});
}

TEST(ConfigErrors, AllCollectedInOnePassInFileOrder) {
  auto loaded = loadConfigFile(LLMPROXY_TEST_DATA_DIR "/config/many_errors.conf", envOf({}));
  ASSERT_FALSE(loaded);
  std::vector<std::string> printed;
  for (const ConfigError& error : loaded.error()) {
    std::string s = error.str();
    printed.push_back(s.substr(s.find("many_errors.conf:") + 17));
  }
  EXPECT_EQ(printed,
            (std::vector<std::string>{
                "1:1: no [[key]] configured: add one or set server.allow_unauthenticated = true",
                "2:1: unknown key \"listne\" in [server]; did you mean \"listen\"?",
                "3:27: server.listen: duplicate listen address \"0.0.0.0:8000\" (first at line 3)",
                "4:11: server.workers: expected \"auto\" or an integer",
                "5:19: server.request_timeout: bad duration \"30x\": unknown unit \"x\" (use ms, "
                "s, m or h)",
                "6:17: server.max_body_size: bad size \"12q\": unknown unit \"q\" (use k, m or g)",
                "10:12: provider.api_base: expected a URL starting with http:// or https://",
                "13:6: duplicate provider id \"p1\" (first at line 9)",
                "14:8: provider.type: expected \"openai\", \"openai-compatible\", \"azure\" or "
                "\"anthropic\" (got \"bedrock\")",
            }));
}

}  // namespace
}  // namespace llmproxy::common
