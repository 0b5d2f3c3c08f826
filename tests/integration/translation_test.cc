// Cross-protocol translation end to end against the mock provider: each client protocol on a
// provider of another protocol, plain and streamed (every converted stream is run through the
// client protocol's grammar checker), tools, errors before and after the first byte in the
// client's shape, failover from an OpenAI provider to an Anthropic one, and usage counted.
#include <string>
#include <vector>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"
#include "support/stream_grammar.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kClientKey = "sk-client-translation";

class Translation : public ::testing::Test {
 protected:
  void startMocks(int n) {
    for (int i = 0; i < n; ++i) {
      mocks_.push_back(std::make_unique<MockProvider>());
      ASSERT_TRUE(mocks_.back()->start()) << mocks_.back()->lastError();
    }
  }
  void startProxy(const std::string& providers, int workers = 1) {
    const std::string cfg =
        baseConfig(ports_, workers, "",
                   "access_format = \"json\"\n" + providers + "\n[[key]]\nname = \"team\"\nkey = \"" +
                       kClientKey + "\"\n");
    proxy_ = ::llmproxy::testing::startProxy(cfg, ports_.api);
  }
  HttpResponse anthropic(const std::string& body, Headers extra = {},
                         const std::string& path = "/v1/messages") {
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
  std::string provider(const std::string& id, const std::string& type, const MockProvider& mock,
                       const std::string& extra) {
    return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"" + type + "\"\napi_base = \"" +
           mock.baseUrl() + "/v1\"\napi_key = \"key-" + id + "\"\n" + extra;
  }
  std::string accessLine(const std::string& request_id) {
    std::string line;
    eventually([&] {
      const std::string log = proxy_->tempDir().read("access.log");
      const auto at = log.find("\"request_id\":\"" + request_id + "\"");
      if (at == std::string::npos) return false;
      const auto begin = log.rfind('\n', at);
      const size_t from = begin == std::string::npos ? 0 : begin + 1;
      line = log.substr(from, log.find('\n', at) - from);
      return true;
    });
    return line;
  }

  ProxyPorts ports_;
  std::vector<std::unique_ptr<MockProvider>> mocks_;
  std::unique_ptr<ProxyProcess> proxy_;
};

const std::string kMessages =
    R"({"model":"claude-x","max_tokens":100,"system":"be brief","messages":[{"role":"user","content":"hello"}]})";

TEST_F(Translation, AnthropicClientOnAnOpenAIProvider) {
  startMocks(1);
  startProxy(provider("oai", "openai", *mocks_[0],
                      "model_mapping = { \"claude-x\" = \"gpt-real\" }\n"));
  const auto r = anthropic(kMessages, {{"x-request-id", "a1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("type":"message")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("model":"claude-x")"), std::string::npos) << "the client's model";
  EXPECT_NE(r.body.find(R"("stop_reason":"end_turn")"), std::string::npos) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/chat/completions");
  EXPECT_EQ(seen->header("authorization"), "Bearer key-oai");
  EXPECT_EQ(seen->header("x-api-key"), "");
  EXPECT_EQ(seen->header("anthropic-version"), "") << "anthropic-* never reach OpenAI";
  EXPECT_NE(seen->body.find(R"("model":"gpt-real")"), std::string::npos) << seen->body;
  EXPECT_NE(seen->body.find(R"({"role":"system","content":"be brief"})"), std::string::npos)
      << seen->body;
  const std::string line = accessLine("a1");
  EXPECT_NE(line.find("\"client_protocol\":\"anthropic\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"provider_protocol\":\"openai\""), std::string::npos) << line;
  EXPECT_EQ(line.find("\"completion_tokens\":0"), std::string::npos) << line;
  const auto metrics = getOnce(ports_.api, "/metrics").body;
  EXPECT_NE(metrics.find(
                "llm_proxy_cross_protocol_requests_total{from=\"anthropic\",to=\"openai\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(Translation, AnthropicClientStreamsFromAnOpenAIProviderGrammatically) {
  startMocks(1);
  startProxy(provider("oai", "openai", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic(
      R"({"model":"claude-x","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}],)"
      R"("tools":[{"name":"search","description":"d","input_schema":{"type":"object"}}]})",
      {{"x-mock-tool-calls", "2"}, {"x-request-id", "a2"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const StreamTranscript t = checkAnthropicStream(r.body, "claude-x");
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << r.body;
  EXPECT_EQ(t.stop, "tool_use");
  ASSERT_EQ(t.tool_calls.size(), 2u);
  EXPECT_EQ(t.tool_calls[0].name, "search");
  EXPECT_TRUE(t.has_usage);
  EXPECT_GT(t.output_tokens, 0u);
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_NE(seen->body.find(R"("include_usage":true)"), std::string::npos) << seen->body;
  const std::string line = accessLine("a2");
  EXPECT_EQ(line.find("\"completion_tokens\":0"), std::string::npos) << line;
}

TEST_F(Translation, ChatClientOnAnAnthropicProvider) {
  startMocks(1);
  startProxy(provider("anth", "anthropic", *mocks_[0], "models = [\"gpt-x\"]\n"));
  const auto r = openai("/v1/chat/completions",
                        R"({"model":"gpt-x","messages":[{"role":"system","content":"s"},)"
                        R"({"role":"user","content":"hi"}],"max_tokens":50})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("object":"chat.completion")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("model":"gpt-x")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("finish_reason":"stop")"), std::string::npos) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/messages");
  EXPECT_EQ(seen->header("x-api-key"), "key-anth");
  EXPECT_EQ(seen->header("anthropic-version"), "2023-06-01");
  EXPECT_NE(seen->body.find(R"("max_tokens":50)"), std::string::npos) << seen->body;
}

TEST_F(Translation, ChatClientStreamsFromAnAnthropicProviderWithUsageOnlyWhenAsked) {
  startMocks(1);
  startProxy(provider("anth", "anthropic", *mocks_[0], "models = [\"gpt-x\"]\n"));
  for (bool asked : {false, true}) {
    const std::string body =
        std::string(R"({"model":"gpt-x","stream":true,"messages":[{"role":"user","content":"hi"}])") +
        (asked ? R"(,"stream_options":{"include_usage":true}})" : "}");
    const auto r = openai("/v1/chat/completions", body, {{"x-mock-thinking", "1"}});
    ASSERT_EQ(r.status, 200) << r.body;
    const StreamTranscript t = checkChatStream(r.body, "gpt-x", asked);
    EXPECT_TRUE(t.ok()) << t.violation << "\n" << r.body;
    EXPECT_FALSE(t.text.empty());
    EXPECT_FALSE(t.reasoning.empty()) << "thinking arrives as reasoning_content";
    EXPECT_EQ(t.has_usage, asked);
  }
}

TEST_F(Translation, ResponsesClientOnAChatOnlyProvider) {
  startMocks(1);
  startProxy(provider("compat", "openai-compatible", *mocks_[0], "models = [\"m\"]\n"));
  auto r = openai("/v1/responses", R"({"model":"m","instructions":"be nice","input":"hi"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("object":"response")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("status":"completed")"), std::string::npos) << r.body;
  auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/chat/completions");
  EXPECT_NE(seen->body.find(R"({"role":"system","content":"be nice"})"), std::string::npos)
      << seen->body;
  r = openai("/v1/responses", R"({"model":"m","input":"hi","stream":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  const StreamTranscript t = checkResponsesStream(r.body, "m");
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << r.body;
  EXPECT_TRUE(t.has_usage);
}

// store: true clients (@ai-sdk/openai's default) send earlier output back by id: the ids of a
// translated answer carry their item, on any worker (two here); one the gateway cannot rebuild
// is the client's 400 naming store: false.
TEST_F(Translation, ResponsesItemReferencesToATranslatedAnswerAreRebuilt) {
  startMocks(1);
  startProxy(provider("compat", "openai-compatible", *mocks_[0], "models = [\"m\"]\n"), 2);
  auto first = openai("/v1/responses", R"({"model":"m","input":"hi"})",
                      {{"x-mock-content", "Earlier answer."}});
  ASSERT_EQ(first.status, 200) << first.body;
  const auto at = first.body.find(R"("id":"msg_)");
  ASSERT_NE(at, std::string::npos) << first.body;
  const std::string id = first.body.substr(at + 6, first.body.find('"', at + 6) - at - 6);
  for (int i = 0; i < 4; ++i) {  // fresh connections: whichever worker answers rebuilds it
    auto next = openai("/v1/responses",
                       R"({"model":"m","input":[{"role":"user","content":"hi"},)"
                       R"({"type":"item_reference","id":")" + id + R"("},)"
                       R"({"role":"user","content":"more"}]})",
                       {{"Connection", "close"}});
    ASSERT_EQ(next.status, 200) << next.body;
    const auto seen = mocks_[0]->lastRequest();
    ASSERT_TRUE(seen);
    EXPECT_NE(seen->body.find(R"({"role":"assistant","content":"Earlier answer."})"),
              std::string::npos)
        << seen->body;
  }
  // Changed by one character: not the gateway's, refused with the way out.
  std::string forged = id;
  forged[8] = forged[8] == 'A' ? 'B' : 'A';
  const auto refused = openai("/v1/responses",
                              R"({"model":"m","input":[{"type":"item_reference","id":")" + forged +
                                  R"("},{"role":"user","content":"more"}]})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find(R"("type":"invalid_request_error")"), std::string::npos);
  EXPECT_NE(refused.body.find(R"("param":"input[0]")"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("store: false"), std::string::npos) << refused.body;
}

// A streamed answer's ids are sent before the items exist, so they cannot carry them: the
// node's item store keeps each finished item, shared by the workers (two here), and a later
// item_reference to the streamed message is rebuilt on whichever worker gets it, for a
// chat-completions provider and for an Anthropic one.
TEST_F(Translation, ResponsesItemReferencesToAStreamedAnswerAreRebuilt) {
  startMocks(1);
  startProxy(provider("compat", "openai-compatible", *mocks_[0], "models = [\"m\"]\n") +
                 provider("anth", "anthropic", *mocks_[0], "models = [\"c\"]\n"),
             2);
  for (const std::string model : {"m", "c"}) {
    const std::string said = "Streamed answer from " + model + ".";
    auto first = openai("/v1/responses",
                        R"({"model":")" + model + R"(","input":"hi","stream":true})",
                        {{"x-mock-content", said}});
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_TRUE(checkResponsesStream(first.body, model).ok()) << first.body;
    const auto at = first.body.find(R"("item_id":"msg_)");
    ASSERT_NE(at, std::string::npos) << first.body;
    const std::string id = first.body.substr(at + 11, first.body.find('"', at + 11) - at - 11);
    for (int i = 0; i < 4; ++i) {  // fresh connections: whichever worker answers rebuilds it
      auto next = openai("/v1/responses",
                         R"({"model":")" + model + R"(","input":[{"role":"user","content":"hi"},)"
                         R"({"type":"item_reference","id":")" + id + R"("},)"
                         R"({"role":"user","content":"more"}],"stream":true})",
                         {{"Connection", "close"}});
      ASSERT_EQ(next.status, 200) << model << ": " << next.body;
      const auto seen = mocks_[0]->lastRequest();
      ASSERT_TRUE(seen);
      const size_t assistant = seen->body.find(R"("role":"assistant")");
      ASSERT_NE(assistant, std::string::npos) << seen->body;
      EXPECT_NE(seen->body.find(said, assistant), std::string::npos) << seen->body;
      EXPECT_LT(seen->body.find(R"("hi")"), assistant) << seen->body;
      EXPECT_GT(seen->body.find(R"("more")"), assistant) << seen->body;
    }
  }
}

// responses_item_store = 0: nothing is kept, and the reference is the 400 naming store: false.
TEST_F(Translation, WithTheItemStoreOffAStreamedReferenceIsRefused) {
  startMocks(1);
  const std::string cfg = baseConfig(
      ports_, 2, "responses_item_store = 0\n",
      provider("compat", "openai-compatible", *mocks_[0], "models = [\"m\"]\n") +
          "\n[[key]]\nname = \"team\"\nkey = \"" + kClientKey + "\"\n");
  proxy_ = ::llmproxy::testing::startProxy(cfg, ports_.api);
  auto first = openai("/v1/responses", R"({"model":"m","input":"hi","stream":true})");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto at = first.body.find(R"("item_id":"msg_)");
  ASSERT_NE(at, std::string::npos) << first.body;
  const std::string id = first.body.substr(at + 11, first.body.find('"', at + 11) - at - 11);
  const auto refused = openai("/v1/responses",
                              R"({"model":"m","input":[{"type":"item_reference","id":")" + id +
                                  R"("},{"role":"user","content":"more"}]})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find(R"("param":"input[0]")"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("store: false"), std::string::npos) << refused.body;
}

TEST_F(Translation, ResponsesClientOnAnAnthropicProvider) {
  startMocks(1);
  startProxy(provider("anth", "anthropic", *mocks_[0], "models = [\"m\"]\n"));
  const auto r = openai("/v1/responses", R"({"model":"m","input":"hi","stream":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  const StreamTranscript t = checkResponsesStream(r.body, "m");
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/messages");
}

TEST_F(Translation, AProvidersErrorComesInTheClientsShape) {
  startMocks(1);
  startProxy(provider("oai", "openai", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic(kMessages, {{"x-mock-status", "429"}});
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find(R"({"type":"error","error":{"type":"rate_limit_error")"),
            std::string::npos)
      << r.body;
}

TEST_F(Translation, AFailureAfterTheFirstByteEndsWithTheClientsErrorEvent) {
  startMocks(1);
  startProxy(provider("anth", "anthropic", *mocks_[0], "models = [\"gpt-x\"]\n"));
  const auto r = openai("/v1/chat/completions",
                        R"({"model":"gpt-x","stream":true,"messages":[{"role":"user","content":"hi"}]})",
                        {{"x-mock-error-after", "2"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const StreamTranscript t = checkChatStream(r.body, "gpt-x", false);
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << r.body;
  EXPECT_TRUE(t.failed) << r.body;
}

TEST_F(Translation, FailoverFromOpenAIToAnthropicKeepsTheClientsProtocol) {
  startMocks(2);
  MockBehaviour failing = mocks_[0]->defaults();
  failing.status = 500;
  mocks_[0]->setDefaults(failing);
  // Both serve gpt-x; the OpenAI provider is the preferred one (exact name beats the glob).
  startProxy(provider("oai", "openai", *mocks_[0], "models = [\"gpt-x\"]\n") +
             provider("anth", "anthropic", *mocks_[1],
                      "model_mapping = { \"gpt-*\" = \"claude-y\" }\n"));
  const auto r = openai("/v1/chat/completions",
                        R"({"model":"gpt-x","messages":[{"role":"user","content":"hi"}]})",
                        {{"x-request-id", "f1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("object":"chat.completion")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("model":"gpt-x")"), std::string::npos) << r.body;
  ASSERT_EQ(mocks_[0]->requestCount(), 1u);
  const auto seen = mocks_[1]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/messages");
  EXPECT_NE(seen->body.find(R"("model":"claude-y")"), std::string::npos) << seen->body;
  const std::string line = accessLine("f1");
  EXPECT_NE(line.find("\"attempts\":2"), std::string::npos) << line;
  EXPECT_NE(line.find("\"provider_protocol\":\"anthropic\""), std::string::npos) << line;
}

TEST_F(Translation, WhatCannotBeTranslatedIsTheClients400) {
  startMocks(1);
  startProxy(provider("oai", "openai", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic(
      R"({"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":)"
      R"([{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find(R"({"type":"error","error":{"type":"invalid_request_error")"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(mocks_[0]->requestCount(), 0u);
}

}  // namespace
}  // namespace llmproxy::testing

namespace llmproxy::testing {
namespace {

TEST_F(Translation, AnUnansweredToolCallGetsAPlaceholderResultAndIsCounted) {
  startMocks(1);
  startProxy(provider("oai", "openai", *mocks_[0], "models = [\"claude-x\"]\n"));
  const auto r = anthropic(
      R"({"model":"claude-x","max_tokens":10,"messages":[)"
      R"({"role":"user","content":"find it"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"search","input":{"q":"x"}}]},)"
      R"({"role":"user","content":"never mind"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_NE(seen->body.find(R"("role":"tool","tool_call_id":"toolu_1")"), std::string::npos)
      << seen->body;
  EXPECT_NE(seen->body.find("tool call interrupted, no result available"), std::string::npos)
      << seen->body;
  const auto metrics = getOnce(ports_.api, "/metrics").body;
  EXPECT_NE(metrics.find("llm_proxy_request_repairs_total{repair=\"tool_result_added\"} 1"),
            std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace llmproxy::testing
