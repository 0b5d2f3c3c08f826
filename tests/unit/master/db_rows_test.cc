// Row conversion (providers / credentials text values -> config structs), validation of single
// rows and the file + database merge, without a server.
#include "master/db_rows.h"

#include <gtest/gtest.h>

#include "common/config/schema.h"
#include "common/crypto/sha256.h"
#include "master/db_merge.h"

namespace llmproxy::master {
namespace {

using common::ModelMapping;

// id, provider_key, provider_type, api_base, api_key, api_version, model_mapping, models,
// weight, verify_ssl, max_concurrent, is_enabled, responses (to_jsonb ->>: true, false, NULL),
// then migration 0006's max_fails, fail_timeout, health_check_interval (NULL before it)
DbRow providerRow(std::string_view key = "p1", std::string_view base = "https://api.example.com/v1",
                  std::string_view mapping = "{}", std::optional<std::string_view> models = "[]",
                  std::optional<std::string_view> responses = std::nullopt) {
  return DbRow{"7", key, "openai-compatible", base, "sk-secret", "", mapping, models, "3", "t",
               "0", "t", responses, std::nullopt, std::nullopt, std::nullopt};
}

const std::string kHash(64, 'a');

// id, key_hash, name, allowed_models, rate_limit_rps, rate_limit_burst, tokens_per_minute,
// max_requests, rate_limit_per_model, cache, cache_namespace, expires_at, is_enabled,
// max_budget, soft_budget, budget_duration
DbRow keyRow(std::optional<std::string_view> expires = std::nullopt,
             std::string_view per_model = "{}") {
  return DbRow{"12", kHash, "team", "[\"gpt-4o*\"]", "2.5", "0", "1000", "50", per_model, "f",
               "",   expires, "t", "0.000000", "0.000000", ""};
}

TEST(DbRows, ProviderColumns) {
  auto p = providerFromRow(providerRow());
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->db_id, 7);
  EXPECT_EQ(p->id, "p1");
  EXPECT_EQ(p->type, common::ProviderType::OpenAICompatible);
  EXPECT_EQ(p->url.host, "api.example.com");
  EXPECT_EQ(p->url.base_path, "/v1");
  EXPECT_TRUE(p->url.tls);
  EXPECT_EQ(p->api_key, "sk-secret");
  EXPECT_EQ(p->weight, 3u);
  EXPECT_TRUE(p->verify_ssl);
  EXPECT_TRUE(p->enabled);
  EXPECT_TRUE(p->models.empty());
  EXPECT_EQ(p->responses, -1);  // NULL: the default by type
}

TEST(DbRows, ResponsesColumnIsTriState) {
  auto on = providerFromRow(providerRow("p1", "https://a/v1", "{}", "[]", "true"));
  ASSERT_TRUE(on) << on.error().str();
  EXPECT_EQ(on->responses, 1);
  EXPECT_TRUE(common::schema::speaksResponses(*on));
  auto off = providerFromRow(providerRow("p1", "https://a/v1", "{}", "[]", "false"));
  ASSERT_TRUE(off) << off.error().str();
  EXPECT_EQ(off->responses, 0);
  auto bad = providerFromRow(providerRow("p1", "https://a/v1", "{}", "[]", "1"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "responses");
}

TEST(DbRows, HealthColumnsReadAsWrittenAndNullIsTheDefault) {
  auto defaults = providerFromRow(providerRow());  // a database before migration 0006
  ASSERT_TRUE(defaults) << defaults.error().str();
  EXPECT_EQ(defaults->max_fails, 3u);
  EXPECT_EQ(defaults->fail_timeout, common::Millis(10'000));
  EXPECT_EQ(defaults->health_check_interval, common::Millis(0));
  DbRow row = providerRow();
  row[13] = "5";
  row[14] = "30s";
  row[15] = "2s";
  auto set = providerFromRow(row);
  ASSERT_TRUE(set) << set.error().str();
  EXPECT_EQ(set->max_fails, 5u);
  EXPECT_EQ(set->fail_timeout, common::Millis(30'000));
  EXPECT_EQ(set->health_check_interval, common::Millis(2'000));
  row[14] = "100ms";  // below fail_timeout's 1 s
  auto bad = providerFromRow(row);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "fail_timeout");
  row[14] = "10s";
  row[13] = "-1";
  bad = providerFromRow(row);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "max_fails");
}

TEST(DbRows, ModelMappingIsClassifiedAndOrderedAsInTheFile) {
  // jsonb::text gives keys shortest first; the order must come from the pattern rule.
  auto p = providerRow("p1", "http://h:1", R"({"a*": "x", "gpt-4": "t4", "gemini-*": "g",)"
                                            R"( "claude-opus-4-5-.*": "c", "gpt-3.5": "t3"})");
  auto out = providerFromRow(p);
  ASSERT_TRUE(out) << out.error().str();
  const std::vector<ModelMapping> want = {{"gpt-3.5", "t3"},
                                          {"gpt-4", "t4"},
                                          {"claude-opus-4-5-.*", "c"},
                                          {"gemini-*", "g"},
                                          {"a*", "x"}};
  EXPECT_EQ(out->model_mapping, want);
}

TEST(DbRows, ModelsArraysWithQuotesCommasUnicodeAndNulls) {
  // What array_to_json(ARRAY['a,b', 'say "hi"', 'back\slash', 'модель', NULL, '{x}']) prints.
  auto models = parseJsonStringArray(R"(["a,b","say \"hi\"","back\\slash","модель",null,"{x}"])");
  ASSERT_TRUE(models) << models.error();
  EXPECT_EQ(*models, (std::vector<std::string>{"a,b", "say \"hi\"", "back\\slash", "модель",
                                               "{x}"}));
  EXPECT_EQ(parseJsonStringArray("[]").value(), std::vector<std::string>{});
  EXPECT_EQ(parseJsonStringArray("null").value(), std::vector<std::string>{});
  EXPECT_FALSE(parseJsonStringArray("[1]"));
  EXPECT_FALSE(parseJsonStringArray("{\"a\":1}"));
  EXPECT_FALSE(parseJsonStringArray("[\"unterminated"));
}

TEST(DbRows, ANullInAllowedModelsIsABadRowNotAllModels) {
  // Skipping the NULL of '{NULL}' would leave an empty list, which means every model.
  EXPECT_FALSE(parseAllowedModels("[null]"));
  EXPECT_FALSE(parseAllowedModels(R"(["gpt-4o",null])"));
  EXPECT_EQ(parseAllowedModels(R"(["gpt-4o","mock-*"])").value(),
            (std::vector<std::string>{"gpt-4o", "mock-*"}));
  EXPECT_EQ(parseAllowedModels("[]").value(), std::vector<std::string>{});
}

TEST(DbRows, BadProviderRowsNameTheirField) {
  auto bad_url = providerFromRow(providerRow("p1", "ftp://nope"));
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().table, "providers");
  EXPECT_EQ(bad_url.error().id, 7);
  EXPECT_EQ(bad_url.error().field, "api_base");
  EXPECT_NE(bad_url.error().str().find("providers id=7 (\"p1\") api_base: "), std::string::npos)
      << bad_url.error().str();

  auto bad_mapping = providerFromRow(providerRow("p1", "http://h:1", R"({"a": 1})"));
  ASSERT_FALSE(bad_mapping);
  EXPECT_EQ(bad_mapping.error().field, "model_mapping");

  auto null_models = providerFromRow(providerRow("p1", "http://h:1", "{}", std::nullopt));
  ASSERT_FALSE(null_models);
  EXPECT_EQ(null_models.error().field, "models");

  DbRow short_row = providerRow();
  short_row.pop_back();
  EXPECT_FALSE(providerFromRow(short_row));

  DbRow bad_type = providerRow();
  bad_type[2] = "gopher";
  auto t = providerFromRow(bad_type);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().field, "provider_type");
  // The provider's api key never appears in a problem.
  EXPECT_EQ(bad_url.error().str().find("sk-secret"), std::string::npos);
}

TEST(DbRows, KeyColumns) {
  auto k = keyFromRow(keyRow());
  ASSERT_TRUE(k) << k.error().str();
  EXPECT_EQ(k->db_id, 12);
  EXPECT_EQ(k->name, "team");
  EXPECT_EQ(k->key_sha256, common::sha256FromHex(kHash).value());
  EXPECT_EQ(k->allowed_models, std::vector<std::string>{"gpt-4o*"});
  EXPECT_DOUBLE_EQ(k->rate_limit.requests_per_second, 2.5);
  EXPECT_DOUBLE_EQ(k->rate_limit.burst, 2.5) << "unset burst = one second's worth, as the file";
  EXPECT_EQ(k->tokens_per_minute, 1000u);
  EXPECT_EQ(k->max_requests, 50u);
  EXPECT_EQ(k->expires_at, 0) << "NULL expires_at = never";
  EXPECT_TRUE(k->enabled);
  EXPECT_FALSE(k->cache);
}

TEST(DbRows, KeyBudgetColumns) {
  DbRow row = keyRow();
  row[13] = "12.500000";
  row[14] = "10.000000";
  row[15] = "1mo";
  auto k = keyFromRow(row);
  ASSERT_TRUE(k) << k.error().str();
  EXPECT_EQ(k->max_budget, 12'500'000);
  EXPECT_EQ(k->soft_budget, 10'000'000);
  EXPECT_EQ(k->budget_duration, -1);
  EXPECT_EQ(keyFromRow(keyRow())->max_budget, 0);
  row[15] = "1w";
  auto bad = keyFromRow(row);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "budget_duration");
}

// id, model, provider, input_per_mtok, output_per_mtok, cached_input_per_mtok,
// cache_write_per_mtok (numeric text; NULL = the input price)
TEST(DbRows, PriceColumns) {
  auto p = priceFromRow(DbRow{"4", "gpt-4o*", "openai", "2.500000", "10.000000", "1.250000",
                              std::nullopt});
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(*p, (common::PriceConfig{"gpt-4o*", "openai", 2'500'000, 10'000'000, 1'250'000, -1,
                                     4}));
  auto bad = priceFromRow(DbRow{"5", "x[", "", "1", "0", std::nullopt, std::nullopt});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "model");
  auto negative = priceFromRow(DbRow{"6", "m", "", "-1", "0", std::nullopt, std::nullopt});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().field, "input_per_mtok");
}

TEST(DbRows, KeyExpiry) {
  EXPECT_EQ(keyFromRow(keyRow("1767225600"))->expires_at, 1767225600);
  // Before 1970: expired, not "never".
  EXPECT_EQ(keyFromRow(keyRow("-86400"))->expires_at, 1);
  EXPECT_EQ(keyFromRow(keyRow("0"))->expires_at, 1);
  auto bad = keyFromRow(keyRow("soon"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "expires_at");
}

TEST(DbRows, KeyProblems) {
  DbRow hash = keyRow();
  hash[1] = "zz";
  auto h = keyFromRow(hash);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().field, "key_hash");
  EXPECT_EQ(h.error().table, "credentials");
  EXPECT_EQ(h.error().label, "team");

  DbRow rps = keyRow();
  rps[4] = "NaN";
  EXPECT_EQ(keyFromRow(rps).error().field, "rate_limit_rps");
  rps[4] = "Infinity";
  EXPECT_EQ(keyFromRow(rps).error().field, "rate_limit_rps");
  DbRow enabled = keyRow();
  enabled[12] = std::nullopt;
  EXPECT_EQ(keyFromRow(enabled).error().field, "is_enabled");
}

TEST(DbRows, PerModelLimitsOrderedMostSpecificFirst) {
  auto k = keyFromRow(keyRow(std::nullopt,
                             R"({"*": {"requests_per_second": 1}, "gpt-4o": {"burst": 3},)"
                             R"( "gpt-*": {"requests_per_second": 5, "tokens_per_minute": 9}})"));
  ASSERT_TRUE(k) << k.error().str();
  ASSERT_EQ(k->model_limits.size(), 3u);
  EXPECT_EQ(k->model_limits[0].model, "gpt-4o");
  EXPECT_EQ(k->model_limits[1].model, "gpt-*");
  EXPECT_DOUBLE_EQ(k->model_limits[1].rate_limit.burst, 5);
  EXPECT_EQ(k->model_limits[1].tokens_per_minute, 9u);
  EXPECT_EQ(k->model_limits[2].model, "*");
  auto bad = keyFromRow(keyRow(std::nullopt, R"({"x": {"rps": 1}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "rate_limit_per_model");
}

common::Config fileConfig() {
  common::Config c;
  c.source = "file /etc/llmproxy/llmproxy.conf";
  c.server.listen.push_back(common::ListenAddress{});
  c.server.listen.back().port = 8000;
  c.database.url = "postgresql://db/llmproxy";
  common::ProviderConfig p;
  p.id = "shared";
  p.api_base = "http://file:1";
  p.url.host = "file";
  c.providers.push_back(p);
  p.id = "file-only";
  c.providers.push_back(p);
  common::KeyConfig k;
  k.name = "file-key";
  k.key_sha256 = common::sha256("sk-file");
  c.keys.push_back(k);
  return c;
}

TEST(DbMerge, DatabaseRowWinsOnTheSameIdAndKey) {
  DbRows rows;
  rows.providers.push_back(providerFromRow(providerRow("shared", "http://db:2")).value());
  rows.providers.push_back(providerFromRow(providerRow("db-only", "http://db:3")).value());
  common::KeyConfig same;
  same.name = "db-version";
  same.key_sha256 = common::sha256("sk-file");
  same.db_id = 4;
  rows.keys.push_back(same);

  const auto merged = mergeDbRows(fileConfig(), rows);
  EXPECT_EQ(merged.source, "file /etc/llmproxy/llmproxy.conf + database");
  ASSERT_EQ(merged.providers.size(), 3u);
  EXPECT_EQ(merged.providers[0].id, "shared");
  EXPECT_EQ(merged.providers[0].url.host, "db");
  EXPECT_EQ(merged.providers[0].db_id, 7);
  EXPECT_EQ(merged.providers[1].id, "file-only");
  EXPECT_EQ(merged.providers[2].id, "db-only");
  ASSERT_EQ(merged.keys.size(), 1u);
  EXPECT_EQ(merged.keys[0].name, "db-version");
  EXPECT_EQ(merged.keys[0].db_id, 4);
}

TEST(DbMerge, APriceRowReplacesTheFilesForTheSameModelAndProvider) {
  common::Config file = fileConfig();
  file.prices = {{"gpt-4o", "", 1, 1, -1, -1, 0}, {"gpt-4o", "openai", 2, 2, -1, -1, 0}};
  DbRows rows;
  rows.prices = {{"gpt-4o", "openai", 3, 3, -1, -1, 9}, {"o3", "", 4, 4, -1, -1, 10}};
  const auto merged = mergeDbRows(file, rows);
  ASSERT_EQ(merged.prices.size(), 3u);
  EXPECT_EQ(merged.prices[0].input, 1);
  EXPECT_EQ(merged.prices[1].input, 3);
  EXPECT_EQ(merged.prices[1].db_id, 9);
  EXPECT_EQ(merged.prices[2].model, "o3");
}

TEST(DbMerge, RowsTheFileRulesRefuseAreSkippedWithTheirField) {
  DbRows rows;
  auto weight0 = providerFromRow(providerRow("w0")).value();
  weight0.weight = 0;  // the schema allows 0, validation does not
  rows.providers.push_back(weight0);
  auto azure = providerFromRow(providerRow("az")).value();
  azure.type = common::ProviderType::Azure;  // without api_version
  rows.providers.push_back(azure);
  // (A row with such a mapping is refused by providerFromRow itself; a Config built another
  // way still meets the same rule in validation.)
  auto regex = providerFromRow(providerRow("rx")).value();
  regex.model_mapping = {{"gpt-(", "x"}};
  rows.providers.push_back(regex);
  rows.providers.push_back(providerFromRow(providerRow("good")).value());
  common::KeyConfig unnamed;
  unnamed.key_sha256 = common::sha256("k");
  rows.keys.push_back(unnamed);

  dropInvalidRows(rows, fileConfig());
  ASSERT_EQ(rows.providers.size(), 1u);
  EXPECT_EQ(rows.providers[0].id, "good");
  EXPECT_TRUE(rows.keys.empty());
  ASSERT_EQ(rows.skipped.size(), 4u);
  EXPECT_EQ(rows.skipped[0].label, "w0");
  EXPECT_EQ(rows.skipped[0].field, "weight");
  EXPECT_EQ(rows.skipped[1].field, "api_version");
  EXPECT_EQ(rows.skipped[2].field, "model_mapping");
  EXPECT_EQ(rows.skipped[3].table, "credentials");
  EXPECT_EQ(rows.skipped[3].field, "name");
}

TEST(DbMerge, ARowWithATakenNameIsSkipped) {
  common::Config file = fileConfig();
  common::KeyConfig file_key;
  file_key.name = "ops";
  file_key.key_sha256 = common::sha256("sk-file");
  file.keys.push_back(file_key);
  auto row = [](int64_t id, const char* name, const char* key) {
    common::KeyConfig k;
    k.db_id = id;
    k.name = name;
    k.key_sha256 = common::sha256(key);
    return k;
  };
  DbRows rows;
  rows.keys = {row(1, "alice", "sk-a"), row(2, "alice", "sk-b"), row(3, "ops", "sk-c"),
               row(4, "ops", "sk-file")};  // 4 is the file's key itself: it replaces it
  dropInvalidRows(rows, file);
  ASSERT_EQ(rows.keys.size(), 2u);
  EXPECT_EQ(rows.keys[0].db_id, 1);
  EXPECT_EQ(rows.keys[1].db_id, 4);
  ASSERT_EQ(rows.skipped.size(), 2u);
  EXPECT_EQ(rows.skipped[0].str(),
            "credentials id=2 (\"alice\") name: duplicate name: credentials id=1 has it");
  EXPECT_EQ(rows.skipped[1].str(),
            "credentials id=3 (\"ops\") name: duplicate name: a [[key]] of the file has it");
}

}  // namespace
}  // namespace llmproxy::master
