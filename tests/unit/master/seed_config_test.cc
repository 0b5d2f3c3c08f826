// parseSeedConfig: the seed projects' YAML with its aliases, env expansion, and errors at
// their line:column.
#include "master/import/seed_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/crypto/sha256.h"
#include "support/env_of.h"

namespace llmproxy::master::import {
namespace {

using llmproxy::testing::envOf;

std::vector<std::string> errorsOf(const std::string& yaml) {
  auto r = parseSeedConfig(yaml, "s.yaml", envOf({}));
  EXPECT_FALSE(r.has_value()) << "parsed but should not have";
  return r ? std::vector<std::string>{} : r.error();
}

TEST(SeedConfig, AliasesEnvAndDefaults) {
  const std::string yaml = R"(
providers:
  - name: openai-main
    type: openai
    api_base: https://api.openai.com/v1
    api_key: ${OPENAI_KEY}
    weight: 2
    models: [gpt-4o]
    model_mapping: { "gpt-4": "gpt-4-turbo", "claude-*": "claude-3" }
    enabled: true
  - provider_key: local
    provider_type: openai-compatible
    base_url: http://127.0.0.1:8080/v1
    is_enabled: no
    timeout: 30
master_keys:
  - key: sk-live-1
    name: prod
    allowed_models: [gpt-4o]
    rate_limit: { requests_per_second: 10, burst: 20 }
    expires_at: 2027-01-01T00:00:00Z
  - key: ${SECOND_KEY:-sk-default}
    rate_limit: 5
  - key_hash: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789
    rate_limit: { rps: 0.5 }
    is_enabled: false
server: { port: 8080 }
)";
  auto r = parseSeedConfig(yaml, "s.yaml", envOf({{"OPENAI_KEY", "sk-openai"}}));
  ASSERT_TRUE(r) << r.error().front();
  ASSERT_EQ(r->providers.size(), 2u);
  const SeedProvider& a = r->providers[0];
  EXPECT_EQ(a.key, "openai-main");
  EXPECT_EQ(a.type, "openai");
  EXPECT_EQ(a.api_base, "https://api.openai.com/v1");
  EXPECT_EQ(a.api_key, "sk-openai");
  EXPECT_EQ(a.weight, 2);
  EXPECT_EQ(a.models, (std::vector<std::string>{"gpt-4o"}));
  EXPECT_EQ(a.model_mapping, (std::vector<std::pair<std::string, std::string>>{
                                 {"gpt-4", "gpt-4-turbo"}, {"claude-*", "claude-3"}}));
  EXPECT_TRUE(a.enabled);
  const SeedProvider& b = r->providers[1];
  EXPECT_EQ(b.key, "local");
  EXPECT_EQ(b.type, "openai-compatible");
  EXPECT_EQ(b.api_base, "http://127.0.0.1:8080/v1");
  EXPECT_FALSE(b.enabled);
  EXPECT_EQ(b.weight, 1);

  ASSERT_EQ(r->keys.size(), 3u);
  EXPECT_EQ(r->keys[0].key_hash, common::toHex(common::sha256("sk-live-1")));
  EXPECT_EQ(r->keys[0].name, "prod");
  EXPECT_EQ(r->keys[0].allowed_models, (std::vector<std::string>{"gpt-4o"}));
  EXPECT_EQ(r->keys[0].rps, 10);
  EXPECT_EQ(r->keys[0].burst, 20);
  EXPECT_EQ(r->keys[0].expires_at, "2027-01-01T00:00:00Z");
  const std::string second = common::toHex(common::sha256("sk-default"));
  EXPECT_EQ(r->keys[1].key_hash, second);
  EXPECT_EQ(r->keys[1].name, "imported-" + second.substr(0, 8));
  EXPECT_EQ(r->keys[1].rps, 5);
  EXPECT_EQ(r->keys[1].burst, 5);
  EXPECT_FALSE(r->keys[1].expires_at);
  EXPECT_EQ(r->keys[2].key_hash,
            "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(r->keys[2].rps, 0.5);
  EXPECT_EQ(r->keys[2].burst, 1);  // at least one request
  EXPECT_FALSE(r->keys[2].enabled);

  EXPECT_EQ(r->warnings, (std::vector<std::string>{
                             "s.yaml:15:5: ignored unknown key \"timeout\" in a provider",
                             "s.yaml:27:1: \"server\" is not imported: set listen in "
                             "llmproxy.conf"}));
}

TEST(SeedConfig, ProvidersAsAMapByNameAndKeysAlias) {
  auto r = parseSeedConfig(
      "providers:\n  azure-1:\n    type: azure\n    api_base: https://x.openai.azure.com\n"
      "    api_version: 2024-02-01\nkeys:\n  - key: k1\n",
      "s.yaml", envOf({}));
  ASSERT_TRUE(r) << r.error().front();
  ASSERT_EQ(r->providers.size(), 1u);
  EXPECT_EQ(r->providers[0].key, "azure-1");
  EXPECT_EQ(r->providers[0].api_version, "2024-02-01");
  EXPECT_EQ(r->keys.size(), 1u);
}

TEST(SeedConfig, ErrorsAtLineAndColumnWithoutSecrets) {
  EXPECT_EQ(errorsOf("providers:\n  - name: [a\n"),
            (std::vector<std::string>{"s.yaml:3:1: end of sequence flow not found"}));
  auto secret = parseSeedConfig("master_keys:\n  - key: sk-secret-value\n    max_requests: -1\n",
                                "s.yaml", envOf({}));
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error(), (std::vector<std::string>{
                                "s.yaml:3:19: key.max_requests: must be between 0 and "
                                "9223372036854775807 (got -1)"}));
  EXPECT_EQ(errorsOf("providers:\n  - name: a b\n    api_base: ftp://x\n    weight: heavy\n"
                     "    models: gpt-4\n    type: bedrock\n"
                     "master_keys:\n  - key: sk-secret-value\n    rate_limit: fast\n"
                     "    expires_at: next year\n  - name: nokey\n"
                     "  - key: ${MISSING}\n"),
            (std::vector<std::string>{
                "s.yaml:4:13: provider.weight: expected an integer",
                "s.yaml:5:13: provider.models: expected an array of strings",
                "s.yaml:6:11: provider.type: expected \"openai\", \"openai-compatible\", "
                "\"azure\" or \"anthropic\" (got \"bedrock\")",
                "s.yaml:9:17: key.rate_limit: expected a number",
                "s.yaml:10:17: key.expires_at: expected an RFC 3339 date-time such as "
                "\"2026-01-31T00:00:00Z\"",
                "s.yaml:11:5: key: key (the plain client key) or key_hash is required",
                "s.yaml:12:10: key.key: environment variable MISSING is not set (write ${MISSING:-} "
                "to allow an empty value)"}));
  EXPECT_EQ(errorsOf("providers:\n  - name: bad/id\n    api_base: https://h\n"
                     "  - name: ok\n    api_base: ftp://h\n"
                     "  - name: ok\n    api_base: https://h\n    enabled: maybe\n"),
            (std::vector<std::string>{
                "s.yaml:2:11: provider.name: use only letters, digits, '.', '_' and '-' (got "
                "\"bad/id\")",
                "s.yaml:5:15: provider.api_base: expected a URL starting with http:// or https://",
                "s.yaml:8:14: provider.enabled: expected true or false"}));
  EXPECT_EQ(errorsOf("providers:\n  - name: a\n    api_base: https://h\n"
                     "  - name: a\n    api_base: https://h\n"),
            (std::vector<std::string>{"s.yaml: provider \"a\" is defined twice"}));
  EXPECT_EQ(errorsOf("- a\n- b\n"),
            (std::vector<std::string>{
                "s.yaml:1:1: expected a map with providers and/or master_keys at the top level"}));
}


std::string seedFile(const char* name) {
  std::ifstream in(std::string(LLMPROXY_TEST_DATA_DIR) + "/import/" + name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

// The seed's README example, verbatim: burst_size is the burst, the top-level verify_ssl
// applies to the providers, and the server block is named as not imported.
TEST(SeedConfig, TheSeedReadmeExampleImportsEveryField) {
  auto r = parseSeedConfig(seedFile("seed_readme.yaml"), "s.yaml",
                           envOf({{"API_BASE_URL", "https://api.example.com/v1"},
                                  {"API_KEY_1", "sk-upstream"}}));
  ASSERT_TRUE(r) << r.error().front();
  ASSERT_EQ(r->providers.size(), 1u);
  const SeedProvider& p = r->providers[0];
  EXPECT_EQ(p.key, "Provider-1");
  EXPECT_EQ(p.api_base, "https://api.example.com/v1");
  EXPECT_EQ(p.api_key, "sk-upstream");
  EXPECT_EQ(p.weight, 2);
  EXPECT_EQ(p.model_mapping, (std::vector<std::pair<std::string, std::string>>{
                                 {"claude-4.5-sonnet", "actual-provider-model"}}));
  EXPECT_FALSE(p.verify_ssl);
  ASSERT_EQ(r->keys.size(), 2u);
  EXPECT_EQ(r->keys[0].name, "Production Key");
  EXPECT_EQ(r->keys[0].key_hash, common::toHex(common::sha256("sk-prod-key")));
  EXPECT_EQ(r->keys[0].rps, 100);
  EXPECT_EQ(r->keys[0].burst, 150);
  EXPECT_EQ(r->keys[1].name, "Unlimited Key");
  EXPECT_EQ(r->keys[1].rps, 0);
  EXPECT_EQ(r->keys[1].burst, 0);
  EXPECT_EQ(r->warnings,
            (std::vector<std::string>{"s.yaml:25:1: \"server\" is not imported: set listen in "
                                      "llmproxy.conf"}));
}

// The later seeds' file: credentials with credential_key and description, extended
// model_mapping entries, provider_params, and the server-wide settings. A provider's own
// verify_ssl wins over the top-level one.
TEST(SeedConfig, TheLaterSeedsCredentialsFile) {
  auto r = parseSeedConfig(seedFile("seed_credentials.yaml"), "s.yaml", envOf({}));
  ASSERT_TRUE(r) << r.error().front();
  ASSERT_EQ(r->providers.size(), 2u);
  EXPECT_EQ(r->providers[0].model_mapping,
            (std::vector<std::pair<std::string, std::string>>{
                {"gpt-4", "gpt-4-turbo"}, {"claude-sonnet", "claude-3-5-sonnet-20241022"}}));
  EXPECT_FALSE(r->providers[0].verify_ssl);
  EXPECT_EQ(r->providers[1].type, "anthropic");
  EXPECT_TRUE(r->providers[1].verify_ssl);
  ASSERT_EQ(r->keys.size(), 2u);
  EXPECT_EQ(r->keys[0].key_hash, common::toHex(common::sha256("sk-cred-1")));
  EXPECT_EQ(r->keys[0].name, "team-a");
  EXPECT_EQ(r->keys[0].rps, 20);
  EXPECT_EQ(r->keys[0].burst, 40);
  EXPECT_EQ(r->keys[0].allowed_models, (std::vector<std::string>{"gpt-4"}));
  EXPECT_EQ(r->keys[1].rps, 3);
  EXPECT_EQ(r->keys[1].burst, 3);
  EXPECT_EQ(r->warnings,
            (std::vector<std::string>{
                "s.yaml:12:9: \"max_tokens\" is not imported: llmproxy has no such setting",
                "s.yaml:13:9: \"input_cost_per_1k_tokens\" is not imported: llmproxy has no such "
                "setting",
                "s.yaml:14:9: \"supports_vision\" is not imported: llmproxy has no such setting",
                "s.yaml:20:5: \"provider_params\" is not imported: llmproxy has no such setting",
                "s.yaml:25:5: \"description\" is not imported: credentials have no description "
                "column",
                "s.yaml:36:1: \"request_timeout_secs\" is not imported: set request_timeout in "
                "llmproxy.conf",
                "s.yaml:37:1: \"ttft_timeout_secs\" is not imported: set ttft_timeout in "
                "llmproxy.conf",
                "s.yaml:38:1: \"provider_suffix\" is not imported: set provider_prefix in "
                "llmproxy.conf",
                "s.yaml:39:1: \"min_tokens_limit\" is not imported: llmproxy has no such setting",
                "s.yaml:40:1: \"max_tokens_limit\" is not imported: llmproxy has no such setting",
                "s.yaml:41:1: \"server\" is not imported: set listen in llmproxy.conf"}));
  EXPECT_EQ(errorsOf("providers:\n  - name: a\n    api_base: https://h\n    model_mapping:\n"
                     "      m: { max_tokens: 5 }\n    verify_ssl: sometimes\n"),
            (std::vector<std::string>{
                "s.yaml:5:10: provider.model_mapping: an entry given as a map needs mapped_model",
                "s.yaml:6:17: provider.verify_ssl: expected true or false"}));
}

}  // namespace
}  // namespace llmproxy::master::import
