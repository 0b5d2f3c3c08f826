// The LiteLLM importer on small configs: grouping deployments into providers, environment
// references, prices per million tokens, settings, and what it reports as not imported.
#include "master/import/litellm_config.h"

#include <gtest/gtest.h>

namespace llmproxy::master::import {
namespace {

TEST(LitellmImport, GroupsDeploymentsAndMapsNames) {
  const auto out = importLitellmConfig(R"(model_list:
  - model_name: fast
    litellm_params: {model: groq/llama-3.1-8b-instant, api_key: os.environ/GROQ_KEY}
    model_info: {input_cost_per_token: 0.00000005, output_cost_per_token: 0.00000008}
  - model_name: big
    litellm_params: {model: groq/llama-3.3-70b-versatile, api_key: os.environ/GROQ_KEY}
  - model_name: big
    litellm_params: {model: groq/llama-3.3-70b-versatile, api_key: os.environ/OTHER_GROQ_KEY}
  - model_name: gpt
    litellm_params: {model: gpt-4o}
)",
                                       "l.yaml");
  ASSERT_TRUE(out) << out.error().front();
  EXPECT_EQ(out->providers, 3u) << out->conf;
  EXPECT_EQ(out->models, 4u);
  EXPECT_EQ(out->prices, 1u);
  EXPECT_NE(out->conf.find("id = \"groq\"\ntype = \"openai-compatible\"\n"
                           "api_base = \"https://api.groq.com/openai/v1\"\n"
                           "api_key = \"${GROQ_KEY}\"\nmodel_mapping = { \"fast\" = "
                           "\"llama-3.1-8b-instant\", \"big\" = \"llama-3.3-70b-versatile\" }\n"),
            std::string::npos)
      << out->conf;
  EXPECT_NE(out->conf.find("id = \"groq-2\""), std::string::npos) << "another key, another provider";
  // A model without a prefix is OpenAI's, with LiteLLM's default key variable.
  EXPECT_NE(out->conf.find("api_key = \"${OPENAI_API_KEY}\"\nmodel_mapping = { \"gpt\" = "
                           "\"gpt-4o\" }"),
            std::string::npos);
  EXPECT_NE(out->conf.find("model = \"llama-3.1-8b-instant\"\nprovider = \"groq\"\n"
                           "input_per_mtok = 0.05\noutput_per_mtok = 0.08\n"),
            std::string::npos);
  EXPECT_NE(out->conf.find("allow_unauthenticated = true"), std::string::npos)
      << "no master_key: LiteLLM let everyone in";
  EXPECT_TRUE(out->unmapped.empty());
}

TEST(LitellmImport, ReportsWhatItCannotMapWithLines) {
  const auto out = importLitellmConfig(R"(model_list:
  - model_name: a
    litellm_params:
      model: sagemaker/x
  - model_name: b
    litellm_params:
      model: hosted_vllm/m
  - model_name: c
    litellm_params:
      model: openai/c
      stream_timeout: 30
litellm_settings:
  success_callback: [langfuse]
general_settings:
  master_key: sk-1234
)",
                                       "l.yaml");
  ASSERT_TRUE(out);
  ASSERT_EQ(out->unmapped.size(), 4u) << out->conf;
  EXPECT_EQ(out->unmapped[0].find("l.yaml:4: model 'a' (sagemaker/x): provider 'sagemaker'"), 0u)
      << out->unmapped[0];
  EXPECT_EQ(out->unmapped[1].find("l.yaml:7: model 'b' (hosted_vllm/m): needs an api_base"), 0u)
      << out->unmapped[1];
  EXPECT_EQ(out->unmapped[2], "l.yaml:11: model 'c': litellm_params.stream_timeout not imported");
  EXPECT_EQ(out->unmapped[3], "l.yaml:13: litellm_settings.success_callback not imported");
  EXPECT_NE(out->conf.find("admin_key = \"sk-1234\""), std::string::npos);
  EXPECT_NE(out->conf.find("#   l.yaml:13: litellm_settings.success_callback"), std::string::npos);
}

TEST(LitellmImport, NotLitellm) {
  EXPECT_FALSE(importLitellmConfig("providers: []\n", "x.yaml"));
  const auto broken = importLitellmConfig("model_list: [\n", "x.yaml");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().front().find("x.yaml:"), 0u);
}

}  // namespace
}  // namespace llmproxy::master::import
