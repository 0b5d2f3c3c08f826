// Azure OpenAI end to end against the mock provider: the exact path, query and key header Azure
// expects for each endpoint, and a client model name that cannot be a deployment (served by a
// glob) refused with 400 before anything reaches the provider.
#include <string>
#include <vector>

#include "common/json/json_writer.h"
#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kClientKey = "sk-client-azure";
constexpr const char* kLimitedKey = "sk-client-azure-limited";
constexpr const char* kVersion = "2024-10-21";

std::string azureProvider(const std::string& id, const std::string& base,
                          const std::string& extra) {
  return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"azure\"\napi_base = \"" + base +
         "\"\napi_key = \"az-secret\"\napi_version = \"" + kVersion + "\"\n" + extra;
}

std::string jsonString(std::string_view s) {
  std::string out;
  common::appendJsonString(out, s);
  return out;
}

class Azure : public ::testing::Test {
 protected:
  void startMocks(int n) {
    for (int i = 0; i < n; ++i) {
      mocks_.push_back(std::make_unique<MockProvider>());
      ASSERT_TRUE(mocks_.back()->start()) << mocks_.back()->lastError();
    }
  }
  void startProxy(const std::string& providers) {
    const std::string cfg = baseConfig(
        ports_, 1, "",
        providers + "\n[[key]]\nname = \"all\"\nkey = \"" + kClientKey +
            "\"\n\n[[key]]\nname = \"limited\"\nkey = \"" + kLimitedKey +
            "\"\nallowed_models = [\"gpt-4o*\"]\n");
    proxy_ = ::llmproxy::testing::startProxy(cfg, ports_.api);
  }
  HttpResponse post(const std::string& path, const std::string& body,
                    const char* key = kClientKey) {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post(path, body,
                  {{"Authorization", std::string("Bearer ") + key},
                   {"Content-Type", "application/json"}},
                  std::chrono::seconds(10));
  }
  HttpResponse chat(const std::string& model, const char* key = kClientKey, bool stream = false) {
    return post("/v1/chat/completions",
                "{\"model\":" + jsonString(model) +
                    ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" +
                    (stream ? ",\"stream\":true" : "") + "}",
                key);
  }
  ProxyPorts ports_;
  std::vector<std::unique_ptr<MockProvider>> mocks_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(Azure, EachEndpointGoesToItsDeploymentPathWithTheApiKeyHeader) {
  startMocks(1);
  startProxy(azureProvider(
      "az", mocks_[0]->baseUrl(),
      "models = [\"gpt-4o\"]\nmodel_mapping = { \"text-davinci-003\" = \"davinci-dep\", "
      "\"text-embedding-3-small\" = \"emb-dep\" }\n"));
  const std::string query = std::string("?api-version=") + kVersion;

  auto r = chat("gpt-4o");
  ASSERT_EQ(r.status, 200) << r.body;
  auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->path, "/openai/deployments/gpt-4o/chat/completions" + query);
  EXPECT_EQ(seen->header("api-key"), "az-secret");
  EXPECT_TRUE(seen->header("authorization").empty());
  EXPECT_NE(seen->body.find("\"model\":\"gpt-4o\""), std::string::npos) << seen->body;

  r = post("/v1/completions", R"({"model":"text-davinci-003","prompt":"hi"})");
  ASSERT_EQ(r.status, 200) << r.body;
  seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/openai/deployments/davinci-dep/completions" + query);
  EXPECT_EQ(seen->header("api-key"), "az-secret");
  EXPECT_NE(seen->body.find("\"model\":\"davinci-dep\""), std::string::npos) << seen->body;

  r = post("/v1/embeddings", R"({"model":"text-embedding-3-small","input":"hi"})");
  ASSERT_EQ(r.status, 200) << r.body;
  seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/openai/deployments/emb-dep/embeddings" + query);
  EXPECT_EQ(seen->header("api-key"), "az-secret");
  EXPECT_TRUE(seen->header("authorization").empty());

  r = chat("gpt-4o", kClientKey, true);
  ASSERT_EQ(r.status, 200) << r.body;
  seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/openai/deployments/gpt-4o/chat/completions" + query);
  EXPECT_NE(seen->body.find("\"stream_options\":{\"include_usage\":true}"), std::string::npos)
      << seen->body;
  EXPECT_EQ(mocks_[0]->requestCount(), 4u);
}

TEST_F(Azure, AGlobServedNameIsPercentEncodedInThePath) {
  startMocks(1);
  startProxy(azureProvider("az", mocks_[0]->baseUrl(), "models = [\"gpt-4o*\"]\n"));
  const auto r = chat("gpt-4o:2024-08-06");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, std::string("/openai/deployments/gpt-4o%3A2024-08-06/chat/completions"
                                    "?api-version=") + kVersion);
}

TEST_F(Azure, InjectionThroughAGlobServedModelIsRefusedAndNeverSent) {
  startMocks(1);
  startProxy(azureProvider("az", mocks_[0]->baseUrl(), "models = [\"gpt-4o*\"]\n"));
  const std::vector<std::string> attacks = {
      "gpt-4o/../gpt-4-32k",                                   // allowed_models bypass
      "gpt-4o HTTP/1.1\r\nX-Injected: 1\r\n\r\nPOST /x",       // request-line injection
      "gpt-4o\r\nX-Injected: 1",                               // header injection
      "gpt-4o?api-version=2020-01-01",                         // query override
      "gpt-4o#",  "gpt-4o%2F..%2Fgpt-4-32k", "gpt-4o\\..\\gpt-4-32k", "gpt-4o x",
      "gpt-4o\tx", std::string("gpt-4o\0x", 8)};
  for (const std::string& model : attacks) {
    for (const char* key : {kClientKey, kLimitedKey}) {
      const auto r = chat(model, key);
      EXPECT_EQ(r.status, 400) << jsonString(model) << ": " << r.body;
      EXPECT_NE(r.body.find("\"param\":\"model\""), std::string::npos) << r.body;
      EXPECT_NE(r.body.find("cannot be used as an Azure deployment name"), std::string::npos)
          << r.body;
    }
  }
  EXPECT_EQ(mocks_[0]->requestCount(), 0u) << "an attack reached the provider";
  ASSERT_EQ(chat("gpt-4o-mini", kLimitedKey).status, 200);
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, std::string("/openai/deployments/gpt-4o-mini/chat/completions"
                                    "?api-version=") + kVersion);
  EXPECT_TRUE(seen->header("x-injected").empty());
}

TEST_F(Azure, ANameAzureCannotTakeStillGoesToAnotherProvider) {
  startMocks(2);
  startProxy(azureProvider("az", mocks_[0]->baseUrl(), "models = [\"*\"]\n") +
             "\n[[provider]]\nid = \"local\"\ntype = \"openai-compatible\"\napi_base = \"" +
             mocks_[1]->baseUrl() + "/v1\"\nmodels = [\"*\"]\n");
  for (int i = 0; i < 4; ++i) {
    const auto r = chat("meta-llama/Llama-3-8B");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-llmproxy-provider"), "local");
  }
  EXPECT_EQ(mocks_[0]->requestCount(), 0u);
  EXPECT_EQ(mocks_[1]->requestCount(), 4u);
  const auto seen = mocks_[1]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/chat/completions");
  EXPECT_NE(seen->body.find("\"model\":\"meta-llama/Llama-3-8B\""), std::string::npos);
}

}  // namespace
}  // namespace llmproxy::testing
