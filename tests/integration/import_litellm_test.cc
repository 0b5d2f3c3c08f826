// `llmproxy import-config --from litellm`: a realistic LiteLLM proxy config of 30 deployments
// becomes an llmproxy.conf that loads, lists what it could not map with line numbers, and
// serves a chat (and its price) through the result.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"
#include "support/temp_dir.h"

namespace llmproxy::testing {
namespace {

const std::string kLitellm = std::string(LLMPROXY_TEST_DATA_DIR) + "/import/litellm-config.yaml";

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

TEST(ImportLitellm, ThirtyModelsBecomeAConfigThatServes) {
  TempDir dir;
  const auto run = runProcess("/bin/sh",
                              {"-c", std::string(LLMPROXY_BINARY) +
                                         " import-config --from litellm '" + kLitellm + "' > '" +
                                         dir.file("imported.conf") + "' 2> '" +
                                         dir.file("messages.txt") + "'"},
                              {}, std::chrono::seconds(30));
  ASSERT_EQ(run.exit_code, 0) << dir.read("messages.txt");
  const std::string conf = dir.read("imported.conf");
  const std::string messages = dir.read("messages.txt");

  // Providers grouped by service, base URL and key; the well-known base URLs.
  for (const char* want :
       {"id = \"openai\"\ntype = \"openai\"\napi_base = \"https://api.openai.com/v1\"\n"
        "api_key = \"${OPENAI_API_KEY}\"\n",
        "id = \"azure\"\ntype = \"azure\"\napi_base = \"https://example-eu.openai.azure.com\"\n"
        "api_key = \"${AZURE_API_KEY}\"\napi_version = \"2024-10-21\"\nweight = 2\n",
        "type = \"anthropic\"\napi_base = \"https://api.anthropic.com/v1\"",
        "api_base = \"https://api.groq.com/openai/v1\"", "api_base = \"https://api.cerebras.ai/v1\"",
        "api_base = \"https://api.together.xyz/v1\"", "api_base = \"https://api.deepseek.com/v1\"",
        "api_base = \"https://api.mistral.ai/v1\"", "api_base = \"https://openrouter.ai/api/v1\"",
        "api_base = \"https://generativelanguage.googleapis.com/v1beta/openai\"",
        "api_base = \"https://api.voyageai.com/v1\"", "api_base = \"http://tei.internal:8080/v1\"",
        "api_base = \"http://vllm.internal:8000/v1\"",
        "\"gpt-4o\" = \"gpt-4o\", \"gpt-4o-mini\" = \"gpt-4o-mini\"",
        "\"mixtral-8x22b\" = \"mistralai/Mixtral-8x22B-Instruct-v0.1\"",
        "\"openrouter-claude\" = \"anthropic/claude-3.5-sonnet\"",
        // Settings: retries + 1 attempts, the timeout, Redis for the cache, the database, the
        // master key as admin key and as a client key.
        "max_attempts = 3\n", "request_timeout = \"600s\"\n", "url = \"redis://${REDIS_HOST}:6379\"",
        "default_ttl = \"600s\"", "url = \"${DATABASE_URL}\"",
        // allowed_fails 3 -> out after the 4th failure; cooldown_time 30 -> fail_timeout; the
        // router's fallbacks.
        "weight = 2\nmax_fails = 4\nfail_timeout = \"30s\"\n",
        "\n[fallbacks]\n\"gpt-4o\" = [\"claude-sonnet-4\"]\n",
        "admin_key = \"${LITELLM_MASTER_KEY}\"", "key = \"${LITELLM_MASTER_KEY}\"\ncache = true",
        // Prices per million tokens from model_info's per-token costs.
        "model = \"gpt-4o\"\nprovider = \"openai\"\ninput_per_mtok = 2.5\noutput_per_mtok = 10\n"
        "cached_input_per_mtok = 1.25\n",
        "model = \"claude-sonnet-4-20250514\"\nprovider = \"anthropic\"\ninput_per_mtok = 3\n"
        "output_per_mtok = 15\ncached_input_per_mtok = 0.3\ncache_write_per_mtok = 3.75\n"})
    EXPECT_NE(conf.find(want), std::string::npos) << want << "\n---\n" << conf;

  // What could not be mapped, each with its line in the YAML.
  for (const char* want :
       {":8: model 'gpt-4o': rpm is per deployment", ":63: model 'llama-3.3-70b': tpm",
        ":133: model 'bedrock-claude' (bedrock/anthropic.claude-3-sonnet-20240229-v1:0): "
        "provider 'bedrock' has no llmproxy equivalent",
        "model 'vertex-gemini' (vertex_ai/gemini-1.5-pro): provider 'vertex_ai'",
        "model 'mock-chat': a second deployment on provider 'openai-2' (mock-model-b)",
        ":158: litellm_settings.drop_params not imported", ":173: general_settings.alerting"})
    EXPECT_NE(messages.find(want), std::string::npos) << want << "\n---\n" << messages;
  for (const char* mapped : {"allowed_fails", "cooldown_time", "fallbacks"})
    EXPECT_EQ(messages.find(mapped), std::string::npos) << mapped << "\n---\n" << messages;
  EXPECT_NE(messages.find("27 model deployments on"), std::string::npos) << messages;

  // The result loads and serves: a chat through the mock with the master key, priced.
  MockProvider mock;
  ASSERT_TRUE(mock.start()) << mock.lastError();
  ProxyPorts ports;
  std::string config = replaceAll(conf, "0.0.0.0:4000", "127.0.0.1:" + std::to_string(ports.api));
  config = replaceAll(config, "127.0.0.1:4001", "127.0.0.1:" + std::to_string(ports.admin));
  config = replaceAll(config, "admin_listen",
                      "pid_file = \"@DIR@/llmproxy.pid\"\n" + rootWorkers() + "admin_listen");
  config += "\n[log]\nerror_log = \"stderr\"\naccess_log = \"@DIR@/access.log\"\n";
  EnvVars env;
  for (const char* name :
       {"OPENAI_API_KEY", "AZURE_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY", "CEREBRAS_API_KEY",
        "DEEPSEEK_API_KEY", "MISTRAL_API_KEY", "TOGETHERAI_API_KEY", "OPENROUTER_API_KEY",
        "GEMINI_API_KEY", "VOYAGE_API_KEY", "MOCK_KEY"})
    env.emplace_back(name, std::string("key-of-") + name);
  env.emplace_back("MOCK_BASE", mock.baseUrl() + "/v1");
  env.emplace_back("REDIS_HOST", "127.0.0.1");
  env.emplace_back("DATABASE_URL", "postgresql://127.0.0.1:1/none");
  env.emplace_back("LITELLM_MASTER_KEY", "sk-litellm-master");
  env.emplace_back("DB_URL", "");
  ProxyProcess proxy(config, env);
  ASSERT_TRUE(proxy.start());
  ASSERT_TRUE(proxy.waitReady(ports.api)) << proxy.stderrLog();
  HttpClient c("127.0.0.1", ports.api);
  const auto r = c.post("/v1/chat/completions",
                        "{\"model\":\"mock-chat\",\"messages\":[{\"role\":\"user\",\"content\":"
                        "\"hi\"}]}",
                        {{"Authorization", "Bearer sk-litellm-master"},
                         {"x-mock-prompt-tokens", "1000"},
                         {"x-mock-completion-tokens", "500"},
                         {"Connection", "close"}});
  ASSERT_EQ(r.status, 200) << r.body << proxy.stderrLog();
  EXPECT_NE(r.body.find("\"model\":\"mock-model\""), std::string::npos) << r.body;
  // 1000 x $1 + 500 x $2 per million tokens (the access line's last field, after the trace id).
  EXPECT_TRUE(eventually([&] {
    const std::string log = proxy.tempDir().read("access.log");
    const size_t tokens = log.find(" 1000/500 ");
    return tokens != std::string::npos && log.find(" 0.002000\n", tokens) != std::string::npos;
  })) << proxy.tempDir().read("access.log");
}

TEST(ImportLitellm, NotALitellmConfig) {
  TempDir dir;
  const std::string file = dir.write("x.yaml", "providers: []\n");
  const auto run = runProcess(LLMPROXY_BINARY, {"import-config", "--from", "litellm", file});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("no model_list"), std::string::npos) << run.output;
  const auto other = runProcess(LLMPROXY_BINARY, {"import-config", "--from", "helm", file});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.output.find("--from takes \"litellm\""), std::string::npos) << other.output;
}

}  // namespace
}  // namespace llmproxy::testing
