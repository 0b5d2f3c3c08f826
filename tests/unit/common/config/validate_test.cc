// Whole-config validation without a file (the database source's case), secrets kept out of
// messages, and the process environment lookup.
#include "common/config/validate.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "common/config/listen_address.h"

namespace llmproxy::common {
namespace {

Config minimal() {
  Config c;
  c.server.listen = {*parseListenAddress("*:8000")};
  c.server.allow_unauthenticated = true;
  return c;
}

TEST(ConfigValidate, ValidMinimal) {
  ConfigErrors errors;
  validateConfig(minimal(), "db", nullptr, errors);
  EXPECT_TRUE(errors.empty());
}

TEST(ConfigValidate, WithoutPositionsErrorsHaveNone) {
  Config c = minimal();
  c.server.allow_unauthenticated = false;
  ProviderConfig p;
  p.id = "p";
  p.url.host = "h";
  p.model_mapping = {{"x(", "y"}};
  c.providers = {p, p};
  KeyConfig k;
  k.name = "k";
  c.keys = {k, k};
  ConfigErrors errors;
  validateConfig(c, "db", nullptr, errors);
  std::vector<std::string> printed;
  for (const ConfigError& e : errors) printed.push_back(e.str());
  EXPECT_EQ(printed, (std::vector<std::string>{
                         "db: provider.model_mapping: bad regex \"x(\": missing ): x(",
                         "db: duplicate provider id \"p\"",
                         "db: provider.model_mapping: bad regex \"x(\": missing ): x(",
                         "db: duplicate key name \"k\"",
                         "db: duplicate key: [[key]] \"k\" has the same key as \"k\"",
                     }));
}

TEST(ConfigValidate, DatabaseExemptsFromNoKeys) {
  Config c = minimal();
  c.server.allow_unauthenticated = false;
  ConfigErrors errors;
  validateConfig(c, "f", nullptr, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message,
            "no [[key]] configured: add one or set server.allow_unauthenticated = true");
  errors.clear();
  c.database.url = "postgres://db";
  validateConfig(c, "f", nullptr, errors);
  EXPECT_TRUE(errors.empty());
}

TEST(ConfigValidate, ProviderIds) {
  EXPECT_TRUE(isValidProviderId("openai-main_2.eu"));
  EXPECT_FALSE(isValidProviderId(""));
  EXPECT_FALSE(isValidProviderId("a/b"));
  EXPECT_FALSE(isValidProviderId("a b"));
}

TEST(ConfigValidate, SecretsStayOutOfMessages) {
  auto loaded = loadConfigText(
      "[server]\nlisten = \"*:1\"\nallow_unauthenticated = true\n"
      "[[provider]]\nid = \"p\"\napi_base = \"https://user:hunter2@h/v1\"\n"
      "[[key]]\nname = \"k\"\nkey_sha256 = \"hunter2\"\n",
      "t.conf", [](std::string_view) { return std::optional<std::string>(); });
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 2u);
  for (const ConfigError& e : loaded.error()) {
    EXPECT_EQ(e.str().find("hunter2"), std::string::npos) << e.str();
  }
}

TEST(ConfigValidate, TopLevelKeyIsNotASection) {
  auto loaded = loadConfigText(
      "listen = \"*:1\"\n[server]\nlisten = \"*:1\"\n"
      "allow_unauthenticated = true\n",
      "t.conf", processEnv());
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_EQ(loaded.error()[0].str(),
            "t.conf:1:1: unknown key \"listen\" at the top level (keys belong under a [section])");
}

TEST(ConfigValidate, ProcessEnv) {
  ::setenv("LLMPROXY_CONFIG_TEST_VAR", "v1", 1);
  ::unsetenv("LLMPROXY_CONFIG_TEST_UNSET");
  EnvLookup env = processEnv();
  EXPECT_EQ(env("LLMPROXY_CONFIG_TEST_VAR"), std::optional<std::string>("v1"));
  EXPECT_EQ(env("LLMPROXY_CONFIG_TEST_UNSET"), std::nullopt);
  ::unsetenv("LLMPROXY_CONFIG_TEST_VAR");
}

}  // namespace
}  // namespace llmproxy::common
