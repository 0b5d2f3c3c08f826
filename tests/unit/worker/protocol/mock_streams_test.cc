// The converters against the mock provider, an independent writer of all three protocols: its
// native streams pass this suite's grammar checkers (a check of the checkers), and its chat and
// Anthropic answers (text, reasoning, tool calls, stop reasons, cached usage, mid-stream errors)
// convert into grammatical client streams and bodies that say the same thing.
#include <gtest/gtest.h>

#include "stream_test_util.h"
#include "support/http_client.h"
#include "support/mock_provider/mock_provider.h"
#include "worker/protocol/anthropic_response.h"
#include "worker/protocol/chat_response.h"

namespace llmproxy::worker::protocol::test {
namespace {

using namespace std::chrono_literals;
using llmproxy::testing::Headers;
using llmproxy::testing::HttpClient;

const std::string kTools = R"("tools":[{"name":"get_weather","input_schema":{"type":"object"}},)"
                           R"({"name":"get_time","input_schema":{"type":"object"}}])";
const std::string kChatTools =
    R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},)"
    R"({"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}])";

std::string messagesBody(bool stream) {
  return std::string(R"({"model":"claude-test","max_tokens":64,"stream":)") +
         (stream ? "true" : "false") + R"(,"messages":[{"role":"user","content":"hello"}],)" +
         kTools + "}";
}

std::string chatBody(bool stream) {
  return std::string(R"({"model":"gpt-test","stream":)") + (stream ? "true" : "false") +
         R"(,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}],)" +
         kChatTools + "}";
}

Headers anthropic(Headers extra) {
  extra.emplace_back("x-api-key", "sk-ant-test");
  extra.emplace_back("anthropic-version", "2023-06-01");
  return extra;
}

class MockStreamsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(mock_.start()) << mock_.lastError(); }

  // The stream as it came: the wire form (LF-normalised) and each event's data.
  struct Wire {
    std::string text;
    std::vector<std::string> data;
  };

  Wire stream(std::string_view path, const Headers& headers, const std::string& body) {
    HttpClient http("127.0.0.1", mock_.port());
    Wire out;
    auto head = http.startStream("POST", path, headers, body);
    EXPECT_TRUE(head.ok) << head.error;
    EXPECT_EQ(head.status, 200);
    while (auto event = http.readSseEvent(5s)) {
      if (!event->event.empty()) out.text += "event: " + event->event + "\n";
      out.text += "data: " + event->data + "\n\n";
      out.data.push_back(event->data);
    }
    return out;
  }

  template <typename C>
  std::string convert(const Wire& wire, bool include_usage = false) {
    C converter(testClient(include_usage));
    std::string out;
    for (const std::string& data : wire.data) converter.event(data, out);
    converter.finish(out);
    return out;
  }

  llmproxy::testing::MockProvider mock_;
};

const std::vector<Headers> kKnobs = {
    {{"x-mock-tool-calls", "2"},
     {"x-mock-thinking", "1"},
     {"x-mock-prompt-tokens", "50"},
     {"x-mock-cache-read-tokens", "30"}},
    {{"x-mock-stop-reason", "max_tokens"}},
    {{"x-mock-stop-reason", "stop_sequence"}},
    {{"x-mock-thinking", "1"}, {"x-mock-chunks", "0"}, {"x-mock-tool-calls", "1"}},
    {{"x-mock-error-after", "2"}},
};

TEST_F(MockStreamsTest, AnthropicStreamsPassTheCheckerAndConvertToChatAndResponses) {
  for (const Headers& knobs : kKnobs) {
    const Wire wire = stream("/v1/messages", anthropic(knobs), messagesBody(true));
    const auto native = llmproxy::testing::checkAnthropicStream(wire.text, "claude-test");
    ASSERT_TRUE(native.ok()) << native.violation << "\n" << wire.text;

    for (bool include_usage : {false, true}) {
      const std::string out = convert<AnthropicToChatStream>(wire, include_usage);
      const auto chat = llmproxy::testing::checkChatStream(out, "client-model", include_usage);
      ASSERT_TRUE(chat.ok()) << chat.violation << "\n" << out;
      EXPECT_EQ(chat.text, native.text);
      EXPECT_EQ(chat.reasoning, native.reasoning);
      EXPECT_EQ(chat.tool_calls, native.tool_calls);
      EXPECT_EQ(chat.failed, native.failed);
      if (include_usage && !native.failed) {
        EXPECT_EQ(chat.input_tokens,
                  native.input_tokens + native.cached_tokens + native.cache_write_tokens);
        EXPECT_EQ(chat.cached_tokens, native.cached_tokens);
        EXPECT_EQ(chat.output_tokens, native.output_tokens);
      }
    }
    const std::string out = convert<AnthropicToResponsesStream>(wire);
    const auto responses = llmproxy::testing::checkResponsesStream(out, "client-model");
    ASSERT_TRUE(responses.ok()) << responses.violation << "\n" << out;
    EXPECT_EQ(responses.text, native.text);
    EXPECT_EQ(responses.tool_calls, native.tool_calls);
    EXPECT_EQ(responses.failed, native.failed);
  }
}

TEST_F(MockStreamsTest, ChatStreamsPassTheCheckerAndConvertToAnthropicAndResponses) {
  for (const Headers& knobs : kKnobs) {
    const Wire wire = stream("/v1/chat/completions", knobs, chatBody(true));
    const auto native = llmproxy::testing::checkChatStream(wire.text, "gpt-test", true);
    ASSERT_TRUE(native.ok()) << native.violation << "\n" << wire.text;

    const std::string out = convert<ChatToAnthropicStream>(wire);
    const auto anthropic = llmproxy::testing::checkAnthropicStream(out, "client-model");
    ASSERT_TRUE(anthropic.ok()) << anthropic.violation << "\n" << out;
    EXPECT_EQ(anthropic.text, native.text);
    EXPECT_EQ(anthropic.reasoning, native.reasoning);
    EXPECT_EQ(anthropic.tool_calls, native.tool_calls);
    EXPECT_EQ(anthropic.failed, native.failed);
    if (!native.failed) {
      EXPECT_EQ(anthropic.input_tokens + anthropic.cached_tokens, native.input_tokens);
      EXPECT_EQ(anthropic.cached_tokens, native.cached_tokens);
      EXPECT_EQ(anthropic.output_tokens, native.output_tokens);
    }

    const std::string responses_out = convert<ChatToResponsesStream>(wire);
    const auto responses = llmproxy::testing::checkResponsesStream(responses_out, "client-model");
    ASSERT_TRUE(responses.ok()) << responses.violation << "\n" << responses_out;
    EXPECT_EQ(responses.text, native.text);
    EXPECT_EQ(responses.tool_calls, native.tool_calls);
    if (!native.failed) {
      EXPECT_EQ(responses.input_tokens, native.input_tokens);
    }
  }
}

TEST_F(MockStreamsTest, NativeResponsesStreamsPassTheChecker) {
  for (const Headers& knobs : kKnobs) {
    const Wire wire =
        stream("/v1/responses", knobs,
               R"({"model":"gpt-test","stream":true,"input":"hello","reasoning":{"effort":"low"}})");
    const auto native = llmproxy::testing::checkResponsesStream(wire.text, "gpt-test");
    EXPECT_TRUE(native.ok()) << native.violation << "\n" << wire.text;
  }
}

TEST_F(MockStreamsTest, BodiesConvertBothWays) {
  const Headers knobs = {{"x-mock-tool-calls", "2"}, {"x-mock-thinking", "1"}};
  auto chat = llmproxy::testing::httpPost(mock_.port(), "/v1/chat/completions", chatBody(false),
                                          knobs);
  ASSERT_TRUE(chat.ok) << chat.error;
  auto from_chat = parseChatCompletion(chat.body);
  ASSERT_TRUE(from_chat.has_value()) << from_chat.error().detail;
  EXPECT_EQ(from_chat->repaired_tool_inputs, 0u);
  std::string anthropic_out;
  writeAnthropicMessage(*from_chat, testClient(), anthropic_out);
  auto back = parseAnthropicMessage(anthropic_out);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->content, from_chat->content);

  auto message = llmproxy::testing::httpPost(mock_.port(), "/v1/messages", messagesBody(false),
                                             anthropic(knobs));
  ASSERT_TRUE(message.ok) << message.error;
  auto from_anthropic = parseAnthropicMessage(message.body);
  ASSERT_TRUE(from_anthropic.has_value()) << from_anthropic.error().detail;
  std::string chat_out;
  writeChatCompletion(*from_anthropic, testClient(), chat_out);
  auto chat_back = parseChatCompletion(chat_out);
  ASSERT_TRUE(chat_back.has_value());
  ASSERT_EQ(chat_back->content.size(), from_anthropic->content.size());
  for (size_t i = 0; i < chat_back->content.size(); ++i) {
    EXPECT_EQ(chat_back->content[i].kind, from_anthropic->content[i].kind);
    EXPECT_EQ(chat_back->content[i].text, from_anthropic->content[i].text);
    EXPECT_EQ(chat_back->content[i].input, from_anthropic->content[i].input);
  }
}

}  // namespace
}  // namespace llmproxy::worker::protocol::test
