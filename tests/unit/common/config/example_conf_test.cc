// conf/llmproxy.conf, the file `make run` uses, loads on a fresh machine with no environment.
#include <gtest/gtest.h>

#include "common/config/load.h"
#include "common/crypto/sha256.h"

namespace llmproxy::common {
namespace {

TEST(ConfigExample, LoadsWithAnEmptyEnvironment) {
  EnvLookup empty = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  auto loaded = loadConfigFile(LLMPROXY_SOURCE_DIR "/conf/llmproxy.conf", empty);
  ASSERT_TRUE(loaded) << [&] {
    std::string all;
    for (const ConfigError& e : loaded.error()) all += e.str() + "\n";
    return all;
  }();
  const Config& c = *loaded;
  ASSERT_EQ(c.server.listen.size(), 1u);
  EXPECT_EQ(c.server.listen[0].text, "0.0.0.0:18000");
  ASSERT_EQ(c.server.admin_listen.size(), 1u);
  EXPECT_EQ(c.server.admin_listen[0].text, "127.0.0.1:18001");
  EXPECT_EQ(c.server.workers, 0u);
  EXPECT_EQ(c.server.admin_key, "");
  EXPECT_EQ(c.log.error_log, "stderr");
  EXPECT_EQ(c.log.access_log, "stdout");
  ASSERT_EQ(c.providers.size(), 1u);
  EXPECT_EQ(c.providers[0].id, "demo");
  EXPECT_EQ(c.providers[0].type, ProviderType::OpenAICompatible);
  EXPECT_EQ(c.providers[0].url, (UpstreamUrl{false, "127.0.0.1", 18080, "/v1"}));
  EXPECT_EQ(c.providers[0].models, std::vector<std::string>{"demo"});
  ASSERT_EQ(c.keys.size(), 1u);
  EXPECT_EQ(c.keys[0].name, "demo");
  EXPECT_EQ(c.keys[0].key_sha256, sha256("sk-llmproxy-demo"));
  ASSERT_EQ(c.prices.size(), 1u);
  EXPECT_EQ(c.prices[0].model, "demo");
}

// The shipped price file loads as an include, every entry priced.
TEST(ConfigExample, PriceFileLoadsAsAnInclude) {
  EnvLookup empty = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  auto loaded = loadConfigText("include = \"" LLMPROXY_SOURCE_DIR "/conf/prices.example.conf\"\n"
                               "[server]\nlisten = \"*:1\"\nallow_unauthenticated = true\n",
                               "t.conf", empty);
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  EXPECT_GE(loaded->prices.size(), 15u);
  for (const PriceConfig& p : loaded->prices) EXPECT_GT(p.input, 0) << p.model;
}

TEST(ConfigExample, DemoKeyFromTheEnvironment) {
  EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "LLMPROXY_DEMO_KEY") return "sk-mine";
    if (name == "ADMIN_KEY") return "adm";
    return std::nullopt;
  };
  auto loaded = loadConfigFile(LLMPROXY_SOURCE_DIR "/conf/llmproxy.conf", env);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->keys[0].key_sha256, sha256("sk-mine"));
  EXPECT_EQ(loaded->server.admin_key, "adm");
}

}  // namespace
}  // namespace llmproxy::common
