// An Azure api_base is the resource endpoint: one that already holds /openai/deployments (as an
// old example showed) is refused at load, at its line, with what to write instead.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/config/load.h"

namespace llmproxy::common {
namespace {

std::vector<std::string> errorsOf(const std::string& api_base) {
  const std::string text =
      "[server]\nlisten = \"*:8000\"\nallow_unauthenticated = true\n"
      "[[provider]]\nid = \"az\"\ntype = \"azure\"\n"
      "api_base = \"" + api_base + "\"\n"  // line 7
      "api_version = \"2024-10-21\"\nmodels = [\"gpt-4o\"]\n";
  auto loaded = loadConfigText(text, "t.conf", [](std::string_view) { return std::nullopt; });
  std::vector<std::string> out;
  if (!loaded)
    for (const ConfigError& e : loaded.error()) out.push_back(e.str());
  return out;
}

TEST(AzureApiBase, TheResourceEndpointLoads) {
  EXPECT_TRUE(errorsOf("https://res.openai.azure.com").empty());
  EXPECT_TRUE(errorsOf("https://res.openai.azure.com/").empty());
  EXPECT_TRUE(errorsOf("https://gateway.example/azure-proxy").empty());
}

TEST(AzureApiBase, ADeploymentPathIsRefusedWithWhatToWrite) {
  EXPECT_EQ(errorsOf("https://res.openai.azure.com/openai/deployments/gpt-4o"),
            std::vector<std::string>{
                "t.conf:7:12: provider.api_base: for type \"azure\", api_base is the resource "
                "endpoint without any /openai path: write api_base = "
                "\"https://res.openai.azure.com\" and name the deployment as the model (models = "
                "[\"gpt-4o\"], or \"gpt-4o\" as a model_mapping target); llmproxy adds "
                "/openai/deployments/<deployment>/... itself"});
  const auto upper = errorsOf("http://10.0.0.5:8080/gw/OpenAI/Deployments/My-Dep/");
  ASSERT_EQ(upper.size(), 1u);
  EXPECT_NE(upper[0].find("write api_base = \"http://10.0.0.5:8080/gw\""), std::string::npos)
      << upper[0];
  EXPECT_NE(upper[0].find("models = [\"My-Dep\"]"), std::string::npos) << upper[0];
}

TEST(AzureApiBase, AnOpenAIPathIsRefusedToo) {
  for (const char* base : {"https://res.openai.azure.com/openai",
                           "https://res.openai.azure.com/openai/deployments"}) {
    const auto errors = errorsOf(base);
    ASSERT_EQ(errors.size(), 1u) << base;
    EXPECT_NE(errors[0].find("t.conf:7:12: provider.api_base: "), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("write api_base = \"https://res.openai.azure.com\" and name the "
                             "deployment as the model (in models, or as a model_mapping target)"),
              std::string::npos)
        << errors[0];
  }
}

TEST(AzureApiBase, OtherTypesMayUseAnyPath) {
  const std::string text =
      "[server]\nlisten = \"*:8000\"\nallow_unauthenticated = true\n"
      "[[provider]]\nid = \"p\"\ntype = \"openai-compatible\"\n"
      "api_base = \"https://h/openai/deployments/x\"\nmodels = [\"m\"]\n";
  EXPECT_TRUE(loadConfigText(text, "t.conf", [](std::string_view) { return std::nullopt; }));
}

}  // namespace
}  // namespace llmproxy::common
