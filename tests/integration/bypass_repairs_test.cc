// The agent-client repairs on the bypass (client and provider of one protocol) against the mock
// provider: each repair a provider would otherwise refuse the request for, in OpenAI chat and
// Anthropic Messages, as the mock received it and as the metrics count it; and a request that
// needs none reaches the provider byte for byte.
#include <string>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kClientKey = "sk-client-bypass-repairs";
constexpr const char* kPlaceholder = "tool call interrupted, no result available";

class BypassRepairs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start()) << mock_.lastError();
    const std::string providers =
        "\n[[provider]]\nid = \"oai\"\ntype = \"openai\"\napi_base = \"" + mock_.baseUrl() +
        "/v1\"\napi_key = \"pk-oai\"\nmodels = [\"gpt-x\"]\n"
        "\n[[provider]]\nid = \"anth\"\ntype = \"anthropic\"\napi_base = \"" + mock_.baseUrl() +
        "/v1\"\napi_key = \"ak-anth\"\nmodels = [\"claude-x\"]\n";
    proxy_ = startProxy(baseConfig(ports_, 1, "",
                                   providers + "\n[[key]]\nname = \"team\"\nkey = \"" +
                                       kClientKey + "\"\n"),
                        ports_.api);
  }
  // What the mock received for one request (its body), after a 200.
  std::string sent(const std::string& path, const std::string& body) {
    mock_.reset();
    HttpClient c("127.0.0.1", ports_.api);
    const auto r = c.post(path, body,
                          {{"Authorization", std::string("Bearer ") + kClientKey},
                           {"anthropic-version", "2023-06-01"},
                           {"Content-Type", "application/json"}},
                          std::chrono::seconds(10));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto last = mock_.lastRequest();
    return last ? last->body : "<nothing received>";
  }
  std::string chat(const std::string& messages) {
    return sent("/v1/chat/completions", R"({"model":"gpt-x","messages":)" + messages + "}");
  }
  std::string anthropic(const std::string& rest) {
    return sent("/v1/messages", R"({"model":"claude-x","max_tokens":64,)" + rest + "}");
  }
  // The repairs counter of `kind` reaches `n`.
  bool counted(const std::string& kind, int n) {
    const std::string sample =
        "llm_proxy_request_repairs_total{repair=\"" + kind + "\"} " + std::to_string(n) + "\n";
    return eventually(
        [&] { return getOnce(ports_.api, "/metrics").body.find(sample) != std::string::npos; });
  }

  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(BypassRepairs, ChatToolCallWithoutAResultGetsAPlaceholderToolMessage) {
  const std::string call =
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
      R"("function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]})";
  const std::string body = chat(R"([{"role":"user","content":"weather?"},)" + call +
                                R"(,{"role":"user","content":"never mind"}])");
  EXPECT_EQ(body, R"({"model":"gpt-x","messages":[{"role":"user","content":"weather?"},)" + call +
                      R"(,{"role":"tool","tool_call_id":"call_1","content":")" + kPlaceholder +
                      R"("},{"role":"user","content":"never mind"}]})");
  EXPECT_TRUE(counted("tool_result_added", 1));
}

TEST_F(BypassRepairs, AnthropicToolUseWithoutAResultGetsAPlaceholderResult) {
  const std::string use =
      R"({"role":"assistant","content":[{"type":"text","text":"checking"},)"
      R"({"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]})";
  const std::string body =
      anthropic(R"("messages":[{"role":"user","content":"weather?"},)" + use +
                R"(,{"role":"user","content":"never mind"}])");
  EXPECT_EQ(body, R"({"model":"claude-x","max_tokens":64,"messages":[{"role":"user","content":"weather?"},)" +
                      use +
                      R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",)"
                      R"("is_error":true,"content":")" +
                      kPlaceholder + R"("},{"type":"text","text":"never mind"}]}]})");
  EXPECT_TRUE(counted("tool_result_added", 1));
}

TEST_F(BypassRepairs, AnthropicThinkingWithoutASignatureIsRemoved) {
  // What a client keeps of an answer another provider gave through the gateway: thinking with
  // an empty signature, which Anthropic refuses.
  const std::string body = anthropic(
      R"("messages":[{"role":"user","content":"q"},{"role":"assistant","content":[)"
      R"({"type":"thinking","thinking":"from elsewhere","signature":""},{"type":"text","text":"a"}]},)"
      R"({"role":"user","content":"and?"}])");
  EXPECT_EQ(body,
            R"({"model":"claude-x","max_tokens":64,"messages":[{"role":"user","content":"q"},)"
            R"({"role":"assistant","content":[{"type":"text","text":"a"}]},{"role":"user","content":"and?"}]})");
  EXPECT_TRUE(counted("thinking_removed", 1));
}

TEST_F(BypassRepairs, AnthropicBlankTextBecomesADot) {
  const std::string body = anthropic(
      R"("messages":[{"role":"user","content":[{"type":"text","text":"  "},{"type":"text","text":"hi"}]}])");
  EXPECT_EQ(body, R"({"model":"claude-x","max_tokens":64,"messages":[{"role":"user","content":[)"
                  R"({"type":"text","text":"."},{"type":"text","text":"hi"}]}]})");
  EXPECT_TRUE(counted("blank_text", 1));
}

TEST_F(BypassRepairs, AnthropicThinkingIsTurnedOffWhenTheToolTurnDoesNotStartWithIt) {
  const std::string turn =
      R"("messages":[{"role":"user","content":"q"},{"role":"assistant","content":[)"
      R"({"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"r"}]}])";
  const std::string body = anthropic(R"("thinking":{"type":"enabled","budget_tokens":1024},)" + turn);
  EXPECT_EQ(body, R"({"model":"claude-x","max_tokens":64,"thinking":{"type":"disabled"},)" + turn + "}");
  EXPECT_TRUE(counted("thinking_disabled", 1));
}

TEST_F(BypassRepairs, ARequestThatNeedsNoRepairGoesThroughByteForByte) {
  // Odd spacing, escapes, answered tool calls, thinking with signatures, blank strings where
  // the provider takes them: the provider gets the client's bytes.
  const std::string chat_body =
      "{ \"model\" : \"gpt-x\",\n \"messages\": [ {\"role\":\"user\",\"content\":\"\"},\n"
      "  {\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\\u0031\",\"type\":\"function\","
      "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},\n"
      "  {\"role\":\"tool\",\"tool_call_id\":\"c\\u0031\",\"content\":\"  \"} ] }  ";
  EXPECT_EQ(sent("/v1/chat/completions", chat_body), chat_body);
  const std::string messages_body =
      "{\"model\":\"claude-x\", \"max_tokens\":64,\"thinking\":{\"type\":\"enabled\","
      "\"budget_tokens\":1024},\"system\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
      "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":"
      "\"sig\"},{\"type\":\"tool_use\",\"id\":\"toolu_\\u0031\",\"name\":\"f\",\"input\":{\"text\":\"\"}}]},"
      "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_\\u0031\","
      "\"content\":\"\"}]}]}";
  EXPECT_EQ(sent("/v1/messages", messages_body), messages_body);
  const auto metrics = getOnce(ports_.api, "/metrics").body;
  for (const char* kind : {"thinking_removed", "tool_result_added", "blank_text", "thinking_disabled"})
    EXPECT_NE(metrics.find("llm_proxy_request_repairs_total{repair=\"" + std::string(kind) + "\"} 0"),
              std::string::npos)
        << kind << "\n" << metrics;
}

}  // namespace
}  // namespace llmproxy::testing
