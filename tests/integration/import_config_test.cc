// `llmproxy import-config` into a migrated real PostgreSQL: rows (hashes, never plain keys),
// idempotent re-import, and a broken file that imports nothing.
#include <gtest/gtest.h>

#include "common/crypto/sha256.h"
#include "support/pg_server.h"
#include "support/proxy_process.h"
#include "support/temp_dir.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kSeed = R"(# seed-style config of the older llm-proxy
providers:
  - name: openai-main
    type: openai
    api_base: https://api.openai.com/v1
    api_key: ${SEED_OPENAI_KEY}
    weight: 2
    models: [gpt-4o, gpt-4o-mini]
    model_mapping: { "gpt-4": "gpt-4-turbo", "claude-*": "claude-3" }
    enabled: true
  - provider_key: azure-east
    provider_type: azure
    base_url: https://east.openai.azure.com
    api_key: az-key
    is_enabled: false
master_keys:
  - key: sk-live-prod
    name: prod
    allowed_models: [gpt-4o]
    rate_limit: { requests_per_second: 10, burst: 20 }
    expires_at: 2027-01-01T00:00:00Z
  - key: sk-live-batch
    name: batch
    rate_limit: 5
)";

CliResult importConfig(const PgServer& pg, const std::string& file, EnvVars env = {}) {
  env.emplace_back("DB_URL", "");
  return runProcess(LLMPROXY_BINARY, {"import-config", file, "-d", pg.url()}, env,
                    std::chrono::seconds(60));
}

TEST(ImportConfig, SeedYamlBecomesRowsAndReimportChangesNothing) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  ASSERT_TRUE(pg.migrate());
  TempDir dir;
  const std::string file = dir.write("seed.yaml", kSeed);
  const EnvVars env = {{"SEED_OPENAI_KEY", "sk-openai-from-env"}};

  auto first = importConfig(pg, file, env);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output,
            "providers: 2 inserted, 0 updated, 0 unchanged\n"
            "credentials: 2 inserted, 0 updated, 0 unchanged\n");
  for (const char* secret : {"sk-live-prod", "sk-live-batch", "sk-openai-from-env", "az-key"}) {
    EXPECT_EQ(first.output.find(secret), std::string::npos) << secret;
  }

  EXPECT_EQ(pg.query("SELECT provider_key, provider_type, api_base, api_key, weight, models, "
                     "model_mapping, is_enabled FROM providers ORDER BY provider_key"),
            (PgRows{{"azure-east", "azure", "https://east.openai.azure.com", "az-key", "1", "{}",
                     "{}", "f"},
                    {"openai-main", "openai", "https://api.openai.com/v1", "sk-openai-from-env",
                     "2", "{gpt-4o,gpt-4o-mini}",
                     R"({"gpt-4": "gpt-4-turbo", "claude-*": "claude-3"})", "t"}}));
  EXPECT_EQ(pg.query("SELECT key_hash, name, allowed_models, rate_limit_rps, rate_limit_burst, "
                     "expires_at = '2027-01-01T00:00:00Z', expires_at IS NULL, is_enabled "
                     "FROM credentials ORDER BY name"),
            (PgRows{{common::toHex(common::sha256("sk-live-batch")), "batch", "{}", "5", "5", "",
                     "t", "t"},
                    {common::toHex(common::sha256("sk-live-prod")), "prod", "{gpt-4o}", "10", "20",
                     "t", "f", "t"}}));
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM credentials WHERE key_hash LIKE 'sk-%'"), "0");
  // One statement per table (its INSERT and UPDATE statement triggers each bump).
  const auto version = pg.scalar("SELECT version FROM config_version");
  EXPECT_EQ(version, "5");

  auto again = importConfig(pg, file, env);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output,
            "providers: 0 inserted, 0 updated, 2 unchanged\n"
            "credentials: 0 inserted, 0 updated, 2 unchanged\n");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM providers"), "2");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM credentials"), "2");
  EXPECT_EQ(pg.scalar("SELECT version FROM config_version"), version);  // no reload for nothing

  // A changed value updates that row only.
  auto changed = importConfig(pg, file, {{"SEED_OPENAI_KEY", "sk-rotated"}});
  ASSERT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_EQ(changed.output,
            "providers: 0 inserted, 1 updated, 1 unchanged\n"
            "credentials: 0 inserted, 0 updated, 2 unchanged\n");
  EXPECT_EQ(pg.scalar("SELECT api_key FROM providers WHERE provider_key = 'openai-main'"),
            "sk-rotated");
}

TEST(ImportConfig, BrokenFileImportsNothing) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  ASSERT_TRUE(pg.migrate());
  TempDir dir;
  // Valid providers first, then a YAML syntax error: nothing at all may be written.
  const std::string malformed = dir.write(
      "bad.yaml", "providers:\n  - name: ok\n    api_base: https://h\nmaster_keys:\n"
                  "  - key: sk-x\n    rate_limit: {rps: 1\n");
  auto r = importConfig(pg, malformed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(malformed + ":7:1: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing imported"), std::string::npos) << r.output;

  // Well-formed YAML with a wrong type: reported at its line:column, nothing written.
  const std::string wrong = dir.write(
      "wrong.yaml", "providers:\n  - name: ok\n    api_base: https://h\nmaster_keys:\n"
                    "  - key: sk-x\n    rate_limit: {rps: [1]}\n");
  auto w = importConfig(pg, wrong);
  EXPECT_EQ(w.exit_code, 1);
  EXPECT_NE(w.output.find(wrong + ":6:23: key.rate_limit.rps: expected a number"),
            std::string::npos)
      << w.output;
  EXPECT_EQ(w.output.find("sk-x"), std::string::npos) << w.output;

  // A date that does not exist: refused by the config schema's RFC 3339 rule at its line,
  // before PostgreSQL is asked.
  const std::string bad_date = dir.write(
      "date.yaml", "providers:\n  - name: ok\n    api_base: https://h\nmaster_keys:\n"
                   "  - key: sk-x\n    expires_at: 2027-02-30T00:00:00Z\n");
  auto d = importConfig(pg, bad_date);
  EXPECT_EQ(d.exit_code, 1) << d.output;
  EXPECT_NE(d.output.find(bad_date + ":6:17: key.expires_at: expected an RFC 3339 date-time"),
            std::string::npos)
      << d.output;

  // Rejected by PostgreSQL (jsonb cannot hold a NUL character) in the second table, after the
  // providers were written: the transaction takes everything back.
  const std::string bad_text = dir.write(
      "nul.yaml", "providers:\n  - name: ok\n    api_base: https://h\nmaster_keys:\n"
                  "  - key: sk-x\n    allowed_models: [\"a\\0b\"]\n");
  auto n = importConfig(pg, bad_text);
  EXPECT_EQ(n.exit_code, 1) << n.output;
  EXPECT_NE(n.output.find("credentials: "), std::string::npos) << n.output;
  EXPECT_NE(n.output.find("nothing imported"), std::string::npos) << n.output;

  EXPECT_EQ(pg.scalar("SELECT count(*) FROM providers"), "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM credentials"), "0");
  EXPECT_EQ(pg.scalar("SELECT version FROM config_version"), "1");

  // Without the schema: a hint to migrate first.
  PgServer empty;
  ASSERT_TRUE(empty.ok());
  auto unmigrated = importConfig(empty, dir.write("ok.yaml", kSeed),
                                 {{"SEED_OPENAI_KEY", "k"}});
  EXPECT_EQ(unmigrated.exit_code, 1);
  EXPECT_NE(unmigrated.output.find("run `llmproxy migrate up` first"), std::string::npos)
      << unmigrated.output;
}


// The seed README's example, verbatim: its burst_size and its top-level verify_ssl reach the
// rows; the server block is named as not imported.
TEST(ImportConfig, TheSeedReadmeExampleVerbatim) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  ASSERT_TRUE(pg.migrate());
  auto r = importConfig(pg, LLMPROXY_TEST_DATA_DIR "/import/seed_readme.yaml",
                        {{"API_BASE_URL", "https://api.example.com/v1"}, {"API_KEY_1", "sk-up"}});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"server\" is not imported: set listen in llmproxy.conf"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("unknown key"), std::string::npos) << r.output;
  EXPECT_EQ(pg.query("SELECT provider_key, api_base, weight, verify_ssl, model_mapping "
                     "FROM providers"),
            (PgRows{{"Provider-1", "https://api.example.com/v1", "2", "f",
                     R"({"claude-4.5-sonnet": "actual-provider-model"})"}}));
  EXPECT_EQ(pg.query("SELECT name, rate_limit_rps, rate_limit_burst FROM credentials "
                     "ORDER BY name"),
            (PgRows{{"Production Key", "100", "150"}, {"Unlimited Key", "0", "0"}}));
}

}  // namespace
}  // namespace llmproxy::testing
