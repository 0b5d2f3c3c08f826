// One schema, four front ends: llmproxy.conf (TOML), a database row, an admin API body and the
// seed YAML import refuse the same bad value with the same message; only the location in front
// of it differs (file:line:col and dotted name; line:col and name; table/id/column; member).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/config/load.h"
#include "common/config/schema.h"
#include "master/db_rows.h"
#include "master/import/seed_config.h"
#include "support/env_of.h"
#include "worker/admin/credential_json.h"
#include "worker/admin/provider_json.h"

namespace llmproxy::master {
namespace {

using llmproxy::testing::envOf;
namespace schema = common::schema;

// The message of the TOML error about `name` (ConfigError.message is "name: message").
std::optional<std::string> tomlMessage(const std::string& text, const std::string& name) {
  auto loaded = common::loadConfigText(text, "t.conf", envOf({}));
  if (loaded) return std::nullopt;
  for (const auto& e : loaded.error())
    if (e.message.starts_with(name + ": ")) return e.message.substr(name.size() + 2);
  return "<no error about " + name + ": " + loaded.error().front().str() + ">";
}

// The message of the YAML error about `name` ("s.yaml:L:C: name: message").
std::optional<std::string> yamlMessage(const std::string& text, const std::string& name) {
  auto parsed = import::parseSeedConfig(text, "s.yaml", envOf({}));
  if (parsed) return std::nullopt;
  for (const auto& e : parsed.error()) {
    const std::string rest = e.substr(e.find(": ") + 2);  // after "s.yaml:L:C"
    if (rest.starts_with(name + ": ")) return rest.substr(name.size() + 2);
  }
  return "<no error about " + name + ": " + parsed.error().front() + ">";
}

// The message of an admin body error about `param` ("param: message").
template <typename Read>
std::optional<std::string> adminMessage(Read read, const std::string& body,
                                        const std::string& param) {
  worker::admin::FieldError error;
  if (read(body, true, error)) return std::nullopt;
  if (error.param != param || !error.message.starts_with(param + ": "))
    return "<param " + error.param + ": " + error.message + ">";
  return error.message.substr(param.size() + 2);
}

std::optional<std::string> adminProvider(const std::string& members, const std::string& param) {
  return adminMessage(&worker::admin::readProviderBody,
                      R"({"provider_key":"p","api_base":"http://h",)" + members + "}", param);
}

std::optional<std::string> adminKey(const std::string& members, const std::string& param) {
  return adminMessage(&worker::admin::readCredentialBody, R"({"name":"n",)" + members + "}",
                      param);
}

// A providers row with one column replaced; the problem's message when the row is refused.
// id, provider_key, provider_type, api_base, api_key, api_version, model_mapping, models,
// weight, verify_ssl, max_concurrent, is_enabled, responses, max_fails, fail_timeout,
// health_check_interval
std::optional<std::string> dbProvider(size_t column, std::string_view value,
                                      const std::string& field) {
  DbRow row{"7", "p", "openai", "http://h", "", "",  "{}", "[]", "1", "t", "0", "t",
            std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  row[column] = value;
  auto p = providerFromRow(row);
  if (p) return std::nullopt;
  if (p.error().field != field) return "<field " + p.error().field + ": " + p.error().message + ">";
  return p.error().message;
}

// id, key_hash, name, allowed_models, rate_limit_rps, rate_limit_burst, tokens_per_minute,
// max_requests, rate_limit_per_model, cache, cache_namespace, expires_at, is_enabled,
// max_budget, soft_budget, budget_duration
std::optional<std::string> dbKey(size_t column, std::string_view value, const std::string& field) {
  const std::string hash(64, 'a');
  DbRow row{"3", hash, "n", "[]", "0", "0", "0", "0", "{}", "f", "", std::nullopt, "t", "0", "0",
            ""};
  row[column] = value;
  auto k = keyFromRow(row);
  if (k) return std::nullopt;
  if (k.error().field != field) return "<field " + k.error().field + ": " + k.error().message + ">";
  return k.error().message;
}

const std::string kServer = "[server]\nlisten = \"*:8000\"\nallow_unauthenticated = true\n";

std::string tomlProvider(const std::string& line) {
  return kServer + "[[provider]]\nid = \"p\"\napi_base = \"http://h\"\n" + line + "\n";
}

std::string tomlKey(const std::string& line) {
  return kServer + "[[key]]\nname = \"k\"\nkey = \"sk\"\n" + line + "\n";
}

std::string yamlProvider(const std::string& line) {
  return "providers:\n  - name: p\n    api_base: http://h\n    " + line + "\n";
}

std::string yamlKey(const std::string& line) {
  return "master_keys:\n  - key: sk-k\n    " + line + "\n";
}

TEST(SchemaFrontEnds, BadProviderType) {
  const std::string want =
      "expected \"openai\", \"openai-compatible\", \"azure\" or \"anthropic\" (got \"bedrock\")";
  EXPECT_EQ(schema::providerType("bedrock").error(), want);
  EXPECT_EQ(tomlMessage(tomlProvider("type = \"bedrock\""), "provider.type"), want);
  EXPECT_EQ(yamlMessage(yamlProvider("type: bedrock"), "provider.type"), want);
  EXPECT_EQ(dbProvider(2, "bedrock", "provider_type"), want);
  EXPECT_EQ(adminProvider(R"("provider_type":"bedrock")", "provider_type"), want);
}

TEST(SchemaFrontEnds, AnthropicProviderTypeIsAccepted) {
  EXPECT_EQ(schema::providerType("anthropic"), common::ProviderType::Anthropic);
  EXPECT_EQ(tomlMessage(tomlProvider("type = \"anthropic\""), "provider.type"), std::nullopt);
  EXPECT_EQ(yamlMessage(yamlProvider("type: anthropic"), "provider.type"), std::nullopt);
  EXPECT_EQ(dbProvider(2, "anthropic", "provider_type"), std::nullopt);
  EXPECT_EQ(adminProvider(R"("provider_type":"anthropic")", "provider_type"), std::nullopt);
}

TEST(SchemaFrontEnds, WeightOutOfRange) {
  for (const char* bad : {"0", "1001", "-3"}) {
    const std::string want = "must be between 1 and 1000 (got " + std::string(bad) + ")";
    EXPECT_EQ(tomlMessage(tomlProvider(std::string("weight = ") + bad), "provider.weight"), want);
    EXPECT_EQ(yamlMessage(yamlProvider(std::string("weight: ") + bad), "provider.weight"), want);
    EXPECT_EQ(dbProvider(8, bad, "weight"), want);
    EXPECT_EQ(adminProvider(std::string(R"("weight":)") + bad, "weight"), want);
  }
  // The boundaries themselves are accepted everywhere.
  for (const char* good : {"1", "1000"}) {
    EXPECT_TRUE(common::loadConfigText(tomlProvider(std::string("weight = ") + good), "t.conf",
                                       envOf({})));
    EXPECT_TRUE(import::parseSeedConfig(yamlProvider(std::string("weight: ") + good), "s.yaml",
                                        envOf({})));
    EXPECT_EQ(dbProvider(8, good, "weight"), std::nullopt);
    EXPECT_EQ(adminProvider(std::string(R"("weight":)") + good, "weight"), std::nullopt);
  }
}

TEST(SchemaFrontEnds, WeightOfTheWrongType) {
  const std::string want = "expected an integer";
  EXPECT_EQ(tomlMessage(tomlProvider("weight = \"heavy\""), "provider.weight"), want);
  EXPECT_EQ(yamlMessage(yamlProvider("weight: heavy"), "provider.weight"), want);
  EXPECT_EQ(dbProvider(8, "heavy", "weight"), want);
  EXPECT_EQ(adminProvider(R"("weight":"heavy")", "weight"), want);
}

TEST(SchemaFrontEnds, BadProviderId) {
  const std::string want = "use only letters, digits, '.', '_' and '-' (got \"a b\")";
  EXPECT_EQ(tomlMessage(kServer + "[[provider]]\nid = \"a b\"\napi_base = \"http://h\"\n",
                        "provider.id"),
            want);
  EXPECT_EQ(yamlMessage("providers:\n  - name: a b\n    api_base: http://h\n", "provider.name"),
            want);
  EXPECT_EQ(dbProvider(1, "a b", "provider_key"), want);
  EXPECT_EQ(adminMessage(&worker::admin::readProviderBody,
                         R"({"provider_key":"a b","api_base":"http://h"})", "provider_key"),
            want);
}

TEST(SchemaFrontEnds, BadRegexInModelMapping) {
  const std::string want = schema::modelMappingProblem("x[", "y");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(tomlMessage(tomlProvider("model_mapping = { \"x[\" = \"y\" }"),
                        "provider.model_mapping"),
            want);
  EXPECT_EQ(yamlMessage(yamlProvider("model_mapping: { \"x[\": y }"), "provider.model_mapping"),
            want);
  EXPECT_EQ(dbProvider(6, R"({"x[": "y"})", "model_mapping"), want);
  EXPECT_EQ(adminProvider(R"("model_mapping":{"x[":"y"})", "model_mapping.x["), want);
}

// Timestamps: the database hands expires_at over as epoch seconds, so three front ends read
// RFC 3339 text.
TEST(SchemaFrontEnds, BadRfc3339Timestamp) {
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-12-31T23:59:59", "2026-12-31",
                          "2026-12-31T24:00:00Z", "soon"}) {
    const std::string want = schema::expiresAt(bad).error();
    EXPECT_EQ(tomlMessage(tomlKey("expires_at = \"" + std::string(bad) + "\""), "key.expires_at"),
              want)
        << bad;
    EXPECT_EQ(yamlMessage(yamlKey("expires_at: \"" + std::string(bad) + "\""), "key.expires_at"),
              want)
        << bad;
    EXPECT_EQ(adminKey(R"("expires_at":")" + std::string(bad) + "\"", "expires_at"), want) << bad;
  }
  const std::string before_1970 = "must be a valid date after 1970-01-01";
  EXPECT_EQ(tomlMessage(tomlKey("expires_at = \"1969-12-31T23:59:59Z\""), "key.expires_at"),
            before_1970);
  EXPECT_EQ(yamlMessage(yamlKey("expires_at: \"1969-12-31T23:59:59Z\""), "key.expires_at"),
            before_1970);
  EXPECT_EQ(adminKey(R"("expires_at":"1969-12-31T23:59:59Z")", "expires_at"), before_1970);
  // And the same good value is the same instant everywhere.
  auto toml = common::loadConfigText(tomlKey("expires_at = \"2030-01-02 05:04:05+02:00\""),
                                     "t.conf", envOf({}));
  ASSERT_TRUE(toml);
  EXPECT_EQ(toml->keys[0].expires_at, 1893553445);
  auto yaml = import::parseSeedConfig(yamlKey("expires_at: 2030-01-02 05:04:05+02:00"), "s.yaml",
                                      envOf({}));
  ASSERT_TRUE(yaml) << yaml.error().front();
  EXPECT_EQ(yaml->keys[0].expires_at, "2030-01-02T03:04:05Z");
  worker::admin::FieldError e;
  auto admin = worker::admin::readCredentialBody(
      R"({"expires_at":"2030-01-02 05:04:05+02:00"})", false, e);
  ASSERT_TRUE(admin) << e.message;
  EXPECT_EQ(admin->expires_at, "2030-01-02T03:04:05Z");
}

TEST(SchemaFrontEnds, NegativeBurst) {
  const std::string want = "must be between 0 and 1000000000 (got -1)";
  EXPECT_EQ(tomlMessage(tomlKey("rate_limit = { requests_per_second = 1, burst = -1 }"),
                        "key.rate_limit.burst"),
            want);
  EXPECT_EQ(yamlMessage(yamlKey("rate_limit: { requests_per_second: 1, burst: -1 }"),
                        "key.rate_limit.burst"),
            want);
  EXPECT_EQ(dbKey(5, "-1", "rate_limit_burst"), want);
  EXPECT_EQ(adminKey(R"("rate_limit":{"burst":-1})", "rate_limit.burst"), want);
}

TEST(SchemaFrontEnds, RateOfTheWrongTypeOrNotFinite) {
  const std::string want = "expected a number";
  EXPECT_EQ(tomlMessage(tomlKey("rate_limit = { requests_per_second = \"fast\" }"),
                        "key.rate_limit.requests_per_second"),
            want);
  EXPECT_EQ(yamlMessage(yamlKey("rate_limit: { requests_per_second: fast }"),
                        "key.rate_limit.requests_per_second"),
            want);
  EXPECT_EQ(dbKey(4, "NaN", "rate_limit_rps"), want);
  EXPECT_EQ(adminKey(R"("rate_limit":{"requests_per_second":"fast"})",
                     "rate_limit.requests_per_second"),
            want);
}

TEST(SchemaFrontEnds, NegativeTokensPerMinute) {
  const std::string want = "must be between 0 and 9223372036854775807 (got -5)";
  EXPECT_EQ(tomlMessage(tomlKey("tokens_per_minute = -5"), "key.tokens_per_minute"), want);
  EXPECT_EQ(yamlMessage(yamlKey("tokens_per_minute: -5"), "key.tokens_per_minute"), want);
  EXPECT_EQ(dbKey(6, "-5", "tokens_per_minute"), want);
  EXPECT_EQ(adminKey(R"("tokens_per_minute":-5)", "tokens_per_minute"), want);
}

TEST(SchemaFrontEnds, CacheNamespaceTooLong) {
  const std::string ns(129, 'n');
  const std::string want = "must be at most 128 bytes";
  EXPECT_EQ(tomlMessage(tomlKey("cache_namespace = \"" + ns + "\""), "key.cache_namespace"), want);
  EXPECT_EQ(dbKey(10, ns, "cache_namespace"), want);
  EXPECT_EQ(adminKey(R"("cache_namespace":")" + ns + "\"", "cache_namespace"), want);
}

// The burst default is one rule too: one second's worth, at least one request.
TEST(SchemaFrontEnds, BurstDefault) {
  auto toml = common::loadConfigText(tomlKey("rate_limit = { requests_per_second = 0.5 }"),
                                     "t.conf", envOf({}));
  ASSERT_TRUE(toml);
  EXPECT_EQ(toml->keys[0].rate_limit.burst, 1);
  auto yaml = import::parseSeedConfig(yamlKey("rate_limit: 0.5"), "s.yaml", envOf({}));
  ASSERT_TRUE(yaml);
  EXPECT_EQ(yaml->keys[0].burst, 1);
  const std::string hash(64, 'a');
  auto db = keyFromRow(DbRow{"3", hash, "n", "[]", "0.5", "0", "0", "0", "{}", "f", "",
                             std::nullopt, "t", "0", "0", ""});
  ASSERT_TRUE(db);
  EXPECT_EQ(db->rate_limit.burst, 1);
}

// Durations exist only in llmproxy.conf among provider and key fields (queue_timeout); its
// messages are the schema's too.
TEST(SchemaFrontEnds, BadDuration) {
  const auto& field = schema::provider::kQueueTimeout;
  EXPECT_EQ(tomlMessage(tomlProvider("queue_timeout = \"30x\""), "provider.queue_timeout"),
            schema::durationText(field, "30x").error());
  EXPECT_EQ(tomlMessage(tomlProvider("queue_timeout = \"2m\""), "provider.queue_timeout"),
            schema::durationText(field, "2m").error());
  EXPECT_EQ(tomlMessage(tomlProvider("queue_timeout = -1"), "provider.queue_timeout"),
            schema::durationSeconds(field, -1).error());
  EXPECT_EQ(tomlMessage(tomlProvider("queue_timeout = 0"), "provider.queue_timeout"),
            schema::durationSeconds(field, 0).error());
}

// The health directives: the file, a database row (migration 0006's columns) and the admin API
// give the same messages, from the same schema fields.
TEST(SchemaFrontEnds, HealthDirectives) {
  const std::string fails = "must be between 0 and 1000 (got 1001)";
  EXPECT_EQ(tomlMessage(tomlProvider("max_fails = 1001"), "provider.max_fails"), fails);
  EXPECT_EQ(dbProvider(13, "1001", "max_fails"), fails);
  EXPECT_EQ(adminProvider(R"("max_fails":1001)", "max_fails"), fails);
  EXPECT_EQ(dbProvider(13, "0", "max_fails"), std::nullopt);
  EXPECT_EQ(adminProvider(R"("max_fails":0)", "max_fails"), std::nullopt);

  const auto& timeout = schema::provider::kFailTimeout;
  const std::string short_timeout = schema::durationText(timeout, "500ms").error();
  EXPECT_EQ(tomlMessage(tomlProvider("fail_timeout = \"500ms\""), "provider.fail_timeout"),
            short_timeout);
  EXPECT_EQ(dbProvider(14, "500ms", "fail_timeout"), short_timeout);
  EXPECT_EQ(adminProvider(R"("fail_timeout":"500ms")", "fail_timeout"), short_timeout);
  EXPECT_EQ(dbProvider(14, "30s", "fail_timeout"), std::nullopt);
  EXPECT_EQ(adminProvider(R"("fail_timeout":"30s")", "fail_timeout"), std::nullopt);

  const auto& interval = schema::provider::kHealthCheckInterval;
  const std::string long_interval = schema::durationText(interval, "2h").error();
  EXPECT_EQ(tomlMessage(tomlProvider("health_check_interval = \"2h\""),
                        "provider.health_check_interval"),
            long_interval);
  EXPECT_EQ(dbProvider(15, "2h", "health_check_interval"), long_interval);
  EXPECT_EQ(adminProvider(R"("health_check_interval":"2h")", "health_check_interval"),
            long_interval);
  EXPECT_EQ(dbProvider(15, "0s", "health_check_interval"), std::nullopt);
}

}  // namespace
}  // namespace llmproxy::master
