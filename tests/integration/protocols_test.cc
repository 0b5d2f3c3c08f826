// The three client protocols end to end against the mock provider: Anthropic Messages and
// OpenAI Responses clients on providers of their own protocol (the bypass: the body goes
// through with the model spliced), the side endpoints (count_tokens, the models list in
// Anthropic's shape, Claude Code's telemetry), errors in each client's shape, and the
// protocol counters.
#include <string>
#include <vector>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kClientKey = "sk-client-protocols";

class Protocols : public ::testing::Test {
 protected:
  void startMocks(int n) {
    for (int i = 0; i < n; ++i) {
      mocks_.push_back(std::make_unique<MockProvider>());
      ASSERT_TRUE(mocks_.back()->start()) << mocks_.back()->lastError();
    }
  }
  void startProxy(const std::string& providers) {
    const std::string cfg = baseConfig(ports_, 1, "",
                                       "access_format = \"json\"\n" + providers +
                                           "\n[[key]]\nname = \"team\"\nkey = \"" + kClientKey +
                                           "\"\n");
    proxy_ = ::llmproxy::testing::startProxy(cfg, ports_.api);
  }
  // An Anthropic client: x-api-key and anthropic-version, as the SDK sends them.
  HttpResponse anthropic(const std::string& path, const std::string& body,
                         Headers extra = {}) {
    HttpClient c("127.0.0.1", ports_.api);
    Headers h = {{"x-api-key", kClientKey},
                 {"anthropic-version", "2023-06-01"},
                 {"Content-Type", "application/json"}};
    for (auto& e : extra) h.push_back(std::move(e));
    return c.post(path, body, h, std::chrono::seconds(10));
  }
  HttpResponse openai(const std::string& path, const std::string& body, Headers extra = {}) {
    HttpClient c("127.0.0.1", ports_.api);
    Headers h = {{"Authorization", std::string("Bearer ") + kClientKey},
                 {"Content-Type", "application/json"}};
    for (auto& e : extra) h.push_back(std::move(e));
    return c.post(path, body, h, std::chrono::seconds(10));
  }
  std::string anthropicProvider(const std::string& id, const MockProvider& mock,
                                const std::string& extra) {
    return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"anthropic\"\napi_base = \"" +
           mock.baseUrl() + "/v1\"\napi_key = \"ak-" + id + "\"\n" + extra;
  }
  std::string openaiProvider(const std::string& id, const MockProvider& mock,
                             const std::string& extra) {
    return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"openai\"\napi_base = \"" +
           mock.baseUrl() + "/v1\"\napi_key = \"pk-" + id + "\"\n" + extra;
  }
  std::string accessLog() { return proxy_->tempDir().read("access.log"); }
  // The access-log line of the request with `request_id` ("" until it is written).
  std::string accessLine(const std::string& request_id) {
    std::string line;
    eventually([&] {
      const std::string log = accessLog();
      const auto at = log.find("\"request_id\":\"" + request_id + "\"");
      if (at == std::string::npos) return false;
      const auto begin = log.rfind('\n', at);
      line = log.substr(begin == std::string::npos ? 0 : begin + 1,
                        log.find('\n', at) - (begin == std::string::npos ? 0 : begin + 1));
      return true;
    });
    return line;
  }

  ProxyPorts ports_;
  std::vector<std::unique_ptr<MockProvider>> mocks_;
  std::unique_ptr<ProxyProcess> proxy_;
};

const std::string kMessagesBody =
    R"({"model":"claude-x","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})";

TEST_F(Protocols, MessagesReachAnAnthropicProviderUnchangedWithItsOwnKeyAndVersion) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0],
                               "model_mapping = { \"claude-x\" = \"claude-real\" }\n"));
  const auto r = anthropic("/v1/messages", kMessagesBody,
                           {{"anthropic-beta", "tools-2024-05-16"}, {"x-request-id", "m1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"type\":\"message\""), std::string::npos) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/messages");
  EXPECT_EQ(seen->header("x-api-key"), "ak-anth") << "the provider's key, never the client's";
  EXPECT_EQ(seen->header("authorization"), "");
  EXPECT_EQ(seen->header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(seen->header("anthropic-beta"), "tools-2024-05-16");
  EXPECT_EQ(seen->body,
            R"({"model":"claude-real","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})")
      << "the body is the client's, the model spliced";
  const std::string line = accessLine("m1");
  EXPECT_NE(line.find("\"client_protocol\":\"anthropic\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"provider_protocol\":\"anthropic\""), std::string::npos) << line;
  EXPECT_EQ(metric(ports_.api, "llm_proxy_bypass_requests_total"), 1);
}

TEST_F(Protocols, TheProvidersConfiguredVersionWinsOverTheClients) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0],
                               "models = [\"claude-x\"]\napi_version = \"2099-01-01\"\n"));
  ASSERT_EQ(anthropic("/v1/messages", kMessagesBody).status, 200);
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->header("anthropic-version"), "2099-01-01");
}

TEST_F(Protocols, AnthropicStreamsPassThroughAndTheirUsageIsCounted) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic(
      "/v1/messages",
      R"({"model":"claude-x","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hello there"}]})",
      {{"x-request-id", "s1"}, {"x-mock-cache-read-tokens", "5"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("event: message_start"), 0u) << r.body;
  EXPECT_NE(r.body.find("event: message_stop"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  // Input tokens come in message_start (plus the cached ones), output in message_delta.
  const std::string line = accessLine("s1");
  EXPECT_EQ(line.find("\"prompt_tokens\":0"), std::string::npos) << line;
  EXPECT_EQ(line.find("\"completion_tokens\":0"), std::string::npos) << line;
}

TEST_F(Protocols, ErrorsBeforeTheFirstByteComeInTheAnthropicShape) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n"));
  auto r = anthropic("/v1/messages",
                     R"({"model":"nope","max_tokens":8,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"("type":"error","error":{"type":"not_found_error")"), std::string::npos)
      << r.body;
  HttpClient c("127.0.0.1", ports_.api);
  r = c.post("/v1/messages", kMessagesBody, {{"anthropic-version", "2023-06-01"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find(R"({"type":"error","error":{"type":"authentication_error")"),
            std::string::npos)
      << r.body;
  r = anthropic("/v1/messages", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("type":"invalid_request_error")"), std::string::npos) << r.body;
  // OpenAI clients keep OpenAI's shape.
  r = openai("/v1/chat/completions", R"({"model":"nope","messages":[]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find(R"("type":"error")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"({"error":{)"), std::string::npos) << r.body;
}

TEST_F(Protocols, AProvidersErrorReachesAnAnthropicClientAsTheProviderSentIt) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic("/v1/messages", kMessagesBody, {{"x-mock-status", "529"}});
  EXPECT_EQ(r.status, 529);
  EXPECT_NE(r.body.find("overloaded_error"), std::string::npos) << r.body;
}

TEST_F(Protocols, CountTokensGoesToAnthropicOrIsEstimated) {
  startMocks(2);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n") +
             openaiProvider("oai", *mocks_[1], "models = [\"gpt-x\"]\n"));
  auto r = anthropic("/v1/messages/count_tokens",
                     R"({"model":"claude-x","messages":[{"role":"user","content":"hello world!"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"input_tokens\":"), std::string::npos) << r.body;
  auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/messages/count_tokens");

  // Served by an OpenAI provider only: the gateway's estimate (string bytes / 4, rounded up:
  // "user" 4 + "hello world!" 12 + "gpt-x" 5 = 21 bytes -> 6), nothing forwarded.
  const size_t before = mocks_[1]->requestCount();
  r = anthropic("/v1/messages/count_tokens",
                R"({"model":"gpt-x","messages":[{"role":"user","content":"hello world!"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"input_tokens":6})");
  EXPECT_EQ(mocks_[1]->requestCount(), before);
}

TEST_F(Protocols, ModelsListTakesTheAnthropicShapeWhenAskedWithAnthropicVersion) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-a\", \"claude-b\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  auto r = c.get("/v1/models", {{"x-api-key", kClientKey}, {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("type":"model","id":"claude-a")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("has_more":false,"first_id":"claude-a","last_id":"claude-b")"),
            std::string::npos)
      << r.body;
  r = c.get("/v1/models", {{"Authorization", std::string("Bearer ") + kClientKey}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("object":"list")"), std::string::npos) << r.body;
}

TEST_F(Protocols, ClaudeCodeTelemetryIsAcknowledgedLocally) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic("/api/event_logging/batch", R"({"events":[]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  EXPECT_EQ(mocks_[0]->requestCount(), 0u);
}

TEST_F(Protocols, ResponsesReachAnOpenAIProviderUnchanged) {
  startMocks(1);
  startProxy(openaiProvider("oai", *mocks_[0], "models = [\"gpt-x\"]\n"));
  const auto r =
      openai("/v1/responses", R"({"model":"gpt-x","input":"hi"})", {{"x-request-id", "r1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"object\":\"response\""), std::string::npos) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/responses");
  EXPECT_EQ(seen->body, R"({"model":"gpt-x","input":"hi"})");
  const std::string line = accessLine("r1");
  EXPECT_NE(line.find("\"client_protocol\":\"responses\""), std::string::npos) << line;
  EXPECT_EQ(line.find("\"prompt_tokens\":0"), std::string::npos) << line;
}

TEST_F(Protocols, AliasesReachTheSameEndpoints) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n"));
  for (const char* path : {"/messages", "/v2/messages"})
    EXPECT_EQ(anthropic(path, kMessagesBody).status, 200) << path;
}

TEST_F(Protocols, EmbeddingsNeverGoToAnAnthropicProvider) {
  startMocks(1);
  startProxy(anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = openai("/v1/embeddings", R"({"model":"claude-x","input":"x"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("an Anthropic provider"), std::string::npos) << r.body;
  EXPECT_EQ(mocks_[0]->requestCount(), 0u);
}

TEST_F(Protocols, LimitsAndAllowedModelsApplyToMessagesAndCountTokensIsNotCounted) {
  startMocks(1);
  const std::string cfg = baseConfig(
      ports_, 1, "",
      "access_format = \"json\"\n" +
          anthropicProvider("anth", *mocks_[0], "models = [\"claude-x\", \"claude-y\"]\n") +
          "\n[[key]]\nname = \"team\"\nkey = \"" + kClientKey +
          "\"\nallowed_models = [\"claude-x\"]\n"
          "rate_limit = { requests_per_second = 0.001, burst = 2 }\n");
  proxy_ = ::llmproxy::testing::startProxy(cfg, ports_.api);
  const std::string count =
      R"({"model":"claude-x","messages":[{"role":"user","content":"hi"}]})";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(anthropic("/v1/messages/count_tokens", count).status, 200) << "not rate limited";
  std::string other = kMessagesBody;
  other.replace(other.find("claude-x"), 8, "claude-y");
  const auto denied = anthropic("/v1/messages", other);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find(R"("type":"permission_error")"), std::string::npos) << denied.body;
  EXPECT_EQ(anthropic("/v1/messages", kMessagesBody).status, 200);
  EXPECT_EQ(anthropic("/v1/messages", kMessagesBody).status, 200);
  const auto r = anthropic("/v1/messages", kMessagesBody);
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find(R"({"type":"error","error":{"type":"rate_limit_error")"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "2");
  EXPECT_FALSE(r.header("retry-after").empty());
}

}  // namespace
}  // namespace llmproxy::testing
