// The small tables and helpers under the converters: stop reasons, derived ids, usage objects,
// JSON helpers, and the emitter's grammar on its own.
#include <gtest/gtest.h>

#include "worker/protocol/json_input.h"
#include "worker/protocol/response_ids.h"
#include "worker/protocol/stop_reason.h"
#include "worker/protocol/stream_emitter.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {
namespace {

TEST(StopReason, EveryReasonRoundTripsThroughItsProtocol) {
  for (StopReason s : {StopReason::EndTurn, StopReason::StopSequence, StopReason::MaxTokens,
                       StopReason::ToolUse, StopReason::ContentFilter, StopReason::PauseTurn}) {
    EXPECT_EQ(stopFromAnthropic(anthropicStopReason(s)), s);
  }
  EXPECT_EQ(stopFromOpenAI(openAIFinishReason(StopReason::MaxTokens)), StopReason::MaxTokens);
  EXPECT_EQ(stopFromOpenAI(openAIFinishReason(StopReason::ToolUse)), StopReason::ToolUse);
  EXPECT_EQ(stopFromOpenAI(openAIFinishReason(StopReason::ContentFilter)),
            StopReason::ContentFilter);
  EXPECT_EQ(stopFromOpenAI(""), StopReason::EndTurn);
  EXPECT_EQ(stopFromAnthropic("brand_new_reason"), StopReason::EndTurn);
  EXPECT_EQ(responsesStatus(StopReason::PauseTurn).status, "completed");
  EXPECT_EQ(responsesStatus(StopReason::MaxTokens).incomplete_reason, "max_output_tokens");
}

TEST(ResponseIds, DerivedStablyFromTheProvidersId) {
  EXPECT_EQ(anthropicMessageId("chatcmpl-abc"), "msg_abc");
  EXPECT_EQ(anthropicMessageId("msg_01X"), "msg_01X");
  EXPECT_EQ(anthropicMessageId("0a1b-2c"), "msg_0a1b-2c");
  EXPECT_EQ(anthropicMessageId("", "req-9"), "msg_req-9");
  EXPECT_EQ(anthropicMessageId(""), "msg_llmproxy");
  EXPECT_EQ(chatCompletionId("msg_01X"), "chatcmpl-msg_01X");
  EXPECT_EQ(chatCompletionId("chatcmpl-abc"), "chatcmpl-abc");
  EXPECT_EQ(responsesId("chatcmpl-abc"), "resp_abc");
  EXPECT_EQ(responsesId("msg_01X"), "resp_01X");
  EXPECT_EQ(responsesId("resp_1"), "resp_1");
  EXPECT_EQ(responsesItemId("fc", "resp_abc", 2), "fc_abc_2");
}

TEST(UsageJson, EachProtocolsSpelling) {
  const TokenUsage u{10, 7, 100, 5, 3};
  std::string out;
  appendChatUsage(out, u);
  EXPECT_EQ(out,
            R"({"prompt_tokens":115,"completion_tokens":7,"total_tokens":122,)"
            R"("prompt_tokens_details":{"cached_tokens":100},"completion_tokens_details":{"reasoning_tokens":3}})");
  out.clear();
  appendAnthropicUsage(out, u);
  EXPECT_EQ(out,
            R"({"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":7})");
  out.clear();
  appendResponsesUsage(out, u);
  EXPECT_EQ(out,
            R"({"input_tokens":115,"input_tokens_details":{"cached_tokens":100},"output_tokens":7,)"
            R"("output_tokens_details":{"reasoning_tokens":3},"total_tokens":122})");
}

TEST(UsageJson, ReadsChatAndAnthropicUsage) {
  {
    JsonDoc doc(R"({"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":80}}})");
    od::object root;
    ASSERT_FALSE(doc.root().get(root));
    TokenUsage u;
    ASSERT_TRUE(readChatUsage(root["usage"].value(), u));
    EXPECT_EQ(u, (TokenUsage{0, 9, 50, 0, 0})) << "cached never exceeds the prompt";
  }
  {
    JsonDoc doc(R"({"usage":{"output_tokens":12,"input_tokens":null}})");
    od::object root;
    ASSERT_FALSE(doc.root().get(root));
    TokenUsage u{30, 1, 4, 2, 0};
    ASSERT_TRUE(readAnthropicUsage(root["usage"].value(), u));
    EXPECT_EQ(u, (TokenUsage{30, 12, 4, 2, 0})) << "only the members present overwrite";
  }
}

TEST(JsonInput, ObjectCheckAndMinify) {
  EXPECT_TRUE(isJsonObject(R"({"a":[1,{"b":null}]})"));
  EXPECT_TRUE(isJsonObject(" {} "));
  EXPECT_FALSE(isJsonObject("[1]"));
  EXPECT_FALSE(isJsonObject(R"({"a":tru})"));
  EXPECT_FALSE(isJsonObject(R"({"a":1} x)"));
  EXPECT_FALSE(isJsonObject(""));
  std::string out;
  appendMinified(out, "{ \"a b\" : [ 1 ,\n 2 ], \"c\\\" d\" : \" x \" }");
  EXPECT_EQ(out, R"({"a b":[1,2],"c\" d":" x "})");
}

TEST(JsonInput, LargeDocumentsUseTheirOwnParser) {
  std::string big = R"({"pad":")" + std::string(JsonDoc::kRetainedCapacity, 'x') + R"(","id":"z"})";
  JsonDoc doc(big);
  od::object root;
  ASSERT_FALSE(doc.root().get(root));
  std::string_view id;
  ASSERT_FALSE(root["id"].get_string().get(id));
  EXPECT_EQ(id, "z");
}

// A writer that records the calls, to test the emitter alone.
class RecordingWriter final : public StreamWriter {
 public:
  std::string calls;
  void start(std::string_view id, const TokenUsage&, std::string&) override {
    calls += "start(" + std::string(id) + ") ";
  }
  void blockStart(StreamBlockKind kind, std::string_view, std::string_view, std::string&) override {
    calls += "open" + std::to_string(static_cast<int>(kind)) + " ";
  }
  void delta(StreamDeltaKind kind, std::string_view piece, std::string&) override {
    calls += "d" + std::to_string(static_cast<int>(kind)) + ":" + std::string(piece) + " ";
  }
  void blockStop(std::string&) override { calls += "close "; }
  void end(StopReason, std::string_view, const TokenUsage&, std::string&) override {
    calls += "end";
  }
  void error(const ClientError&, std::string&) override { calls += "error"; }
};

TEST(StreamEmitter, KeepsTheGrammarWhateverItIsCalledWith) {
  RecordingWriter w;
  StreamEmitter e(w);
  std::string out;
  e.delta(StreamDeltaKind::Text, "a", out);           // starts and opens a text block
  e.delta(StreamDeltaKind::Text, "", out);            // empty: nothing
  e.delta(StreamDeltaKind::Signature, "s", out);      // no thinking block: dropped
  e.delta(StreamDeltaKind::Thinking, "t", out);       // closes text, opens thinking
  e.delta(StreamDeltaKind::Signature, "s", out);      // into the thinking block
  e.delta(StreamDeltaKind::InputJson, "{}", out);     // no tool block: dropped
  e.openBlock(StreamBlockKind::ToolUse, "id", "f", out);  // closes thinking
  e.delta(StreamDeltaKind::InputJson, "{}", out);
  e.start("late", TokenUsage{}, out);  // already started: ignored
  e.end(StopReason::EndTurn, {}, TokenUsage{}, out);  // closes the tool block
  e.fail(ClientError{}, out);                         // already ended: ignored
  e.delta(StreamDeltaKind::Text, "x", out);           // ignored
  EXPECT_EQ(w.calls, "start() open0 d0:a close open1 d1:t d2:s close open2 d3:{} close end");
  EXPECT_EQ(e.dropped(), 2u);
  EXPECT_TRUE(e.ended());
}

TEST(StreamEmitter, FailureStartsTheStreamAndClosesTheOpenBlock) {
  RecordingWriter w;
  StreamEmitter e(w);
  std::string out;
  e.fail(ClientError{}, out);
  EXPECT_EQ(w.calls, "start() error");
  RecordingWriter w2;
  StreamEmitter e2(w2);
  e2.start("id1", TokenUsage{}, out);
  e2.delta(StreamDeltaKind::Text, "a", out);
  e2.fail(ClientError{}, out);
  EXPECT_EQ(w2.calls, "start(id1) open0 d0:a close error");
}

}  // namespace
}  // namespace llmproxy::worker::protocol
