// PROTOCOLS.md §4 rule by rule, on small hand-written provider streams: each test names the
// rule it holds the converters to; every converted stream also passes its grammar checker.
#include <gtest/gtest.h>

#include "stream_test_util.h"

namespace llmproxy::worker::protocol::test {
namespace {

// One chat chunk's data: `delta` is the JSON of choices[0].delta; `finish` a JSON value.
std::string chunk(std::string_view delta, std::string_view finish = "null",
                  std::string_view extra = "") {
  std::string out = R"({"id":"chatcmpl-t1","object":"chat.completion.chunk","created":1,)"
                    R"("model":"upstream-model","choices":[{"index":0,"delta":)";
  out += delta;
  out += R"(,"logprobs":null,"finish_reason":)";
  out += finish;
  out += "}]";
  out += extra;
  out += '}';
  return out;
}

std::string usageChunk(std::string_view usage) {
  return std::string(R"({"id":"chatcmpl-t1","object":"chat.completion.chunk","created":1,)"
                     R"("model":"upstream-model","choices":[],"usage":)") +
         std::string(usage) + "}";
}

// Feeds every event's data, then finish().
template <typename C>
std::string run(C& converter, const std::vector<std::string>& events, bool finish = true) {
  std::string out;
  for (const std::string& e : events) converter.event(e, out);
  if (finish) converter.finish(out);
  return out;
}

size_t count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

testing::StreamTranscript anthropicOk(const std::string& out) {
  testing::StreamTranscript t = testing::checkAnthropicStream(out, "client-model");
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << out;
  return t;
}

testing::StreamTranscript chatOk(const std::string& out, bool include_usage) {
  testing::StreamTranscript t = testing::checkChatStream(out, "client-model", include_usage);
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << out;
  return t;
}

testing::StreamTranscript responsesOk(const std::string& out) {
  testing::StreamTranscript t = testing::checkResponsesStream(out, "client-model");
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << out;
  return t;
}

// --- OpenAI chunks → Anthropic events -------------------------------------------------------

TEST(ChatToAnthropic, MessageStartComesFirstWithTheDerivedIdAndTheClientsModel) {
  ChatToAnthropicStream c(testClient());
  std::string out;
  c.event(chunk(R"({"role":"assistant","content":""})"), out);
  EXPECT_TRUE(out.starts_with("event: message_start\n")) << out;
  EXPECT_NE(out.find(R"("id":"msg_t1")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("model":"client-model")"), std::string::npos) << out;
  EXPECT_EQ(out.find("upstream-model"), std::string::npos);
}

TEST(ChatToAnthropic, ChunksWithoutIdUseTheFallbackId) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(c, {R"({"choices":[{"index":0,"delta":{"content":"hi"}}]})"});
  EXPECT_EQ(anthropicOk(out).id, "msg_req-1");
}

TEST(ChatToAnthropic, ReasoningHasItsOwnBlockIndex) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(c, {chunk(R"({"reasoning_content":"think"})"),
                                  chunk(R"({"content":"answer"})"), chunk("{}", R"("stop")"),
                                  "[DONE]"});
  const auto t = anthropicOk(out);
  EXPECT_EQ(t.blocks, (std::vector<std::string>{"thinking", "text"}));
  EXPECT_NE(out.find(R"("index":0,"content_block":{"type":"thinking")"), std::string::npos);
  EXPECT_NE(out.find(R"("index":1,"content_block":{"type":"text")"), std::string::npos);
}

TEST(ChatToAnthropic, ReasoningSpelledEitherWayIsNotDoubled) {
  ChatToAnthropicStream c(testClient());
  const std::string out =
      run(c, {chunk(R"({"reasoning_content":"a","reasoning":"a"})"), chunk(R"({"reasoning":"b"})"),
              chunk("{}", R"("stop")"), "[DONE]"});
  EXPECT_EQ(anthropicOk(out).reasoning, "ab");
}

TEST(ChatToAnthropic, MessageDeltaWaitsForTheUsageChunkAfterFinishReason) {
  ChatToAnthropicStream c(testClient());
  std::string out;
  c.event(chunk(R"({"content":"hi"})"), out);
  c.event(chunk("{}", R"("stop")"), out);
  EXPECT_NE(out.find("content_block_stop"), std::string::npos) << "finish closes the blocks";
  EXPECT_EQ(out.find("message_delta"), std::string::npos) << "but holds the end for the usage";
  c.event(usageChunk(R"({"prompt_tokens":50,"completion_tokens":7,"total_tokens":57,)"
                     R"("prompt_tokens_details":{"cached_tokens":32}})"),
          out);
  EXPECT_EQ(count(out, "event: message_delta"), 1u);
  EXPECT_TRUE(out.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
  const size_t size = out.size();
  c.event("[DONE]", out);
  c.finish(out);
  EXPECT_EQ(out.size(), size) << "[DONE] after the end adds nothing";
  const auto t = anthropicOk(out);
  EXPECT_EQ(t.input_tokens, 18u);
  EXPECT_EQ(t.cached_tokens, 32u);
  EXPECT_EQ(t.output_tokens, 7u);
  EXPECT_EQ(out.find("[DONE]"), std::string::npos) << "Anthropic streams never carry [DONE]";
}

TEST(ChatToAnthropic, UsageInTheFinishChunkIsUsedAtDone) {
  ChatToAnthropicStream c(testClient());
  std::string out;
  c.event(chunk(R"({"content":"hi"})"), out);
  c.event(chunk("{}", R"("length")", R"(,"usage":{"prompt_tokens":5,"completion_tokens":3})"),
          out);
  EXPECT_EQ(out.find("message_delta"), std::string::npos);
  c.event("[DONE]", out);
  const auto t = anthropicOk(out);
  EXPECT_EQ(t.stop, "max_tokens");
  EXPECT_EQ(t.input_tokens, 5u);
  EXPECT_EQ(t.output_tokens, 3u);
  EXPECT_EQ(c.usage(), (TokenUsage{5, 3, 0, 0, 0}));
}

TEST(ChatToAnthropic, FinishReasonsMapToStopReasons) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"stop", "end_turn"},
      {"length", "max_tokens"},
      {"tool_calls", "tool_use"},
      {"function_call", "tool_use"},
      {"content_filter", "refusal"},
      {"something_new", "end_turn"},
  };
  for (const auto& [finish, stop] : table) {
    ChatToAnthropicStream c(testClient());
    const std::string out =
        run(c, {chunk(R"({"content":"x"})"), chunk("{}", "\"" + finish + "\""), "[DONE]"});
    EXPECT_EQ(anthropicOk(out).stop, stop) << finish;
  }
}

TEST(ChatToAnthropic, EachToolCallIsItsOwnBlockWithItsIdAndName) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":"{\"x\":"}}]})"),
          chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]})"),
          chunk(R"({"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":"{}"}}]})"),
          chunk("{}", R"("tool_calls")"), "[DONE]"});
  const auto t = anthropicOk(out);
  EXPECT_EQ(t.tool_calls, (std::vector<testing::StreamToolCall>{{"call_a", "f", R"({"x":1})"},
                                                                {"call_b", "g", "{}"}}));
  EXPECT_EQ(t.stop, "tool_use");
}

TEST(ChatToAnthropic, SeveralCallsInOneChunkEachGetABlock) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{}"}},)"
                R"({"index":1,"id":"call_b","function":{"name":"g","arguments":"{\"y\":2}"}}]})"),
          chunk("{}", R"("tool_calls")"), "[DONE]"});
  const auto t = anthropicOk(out);
  ASSERT_EQ(t.tool_calls.size(), 2u);
  EXPECT_EQ(t.tool_calls[1].arguments, R"({"y":2})");
}

TEST(ChatToAnthropic, ANewIdAtTheSameIndexIsANewCall) {
  // Some OpenAI-compatible servers send every call at index 0.
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{}"}}]})"),
          chunk(R"({"tool_calls":[{"index":0,"id":"call_b","function":{"name":"f","arguments":"{}"}}]})"),
          chunk("{}", R"("tool_calls")"), "[DONE]"});
  EXPECT_EQ(anthropicOk(out).tool_calls.size(), 2u);
}

TEST(ChatToAnthropic, ACallWithoutIdGetsOne) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{}"}}]})"),
          chunk("{}", R"("tool_calls")"), "[DONE]"});
  const auto t = anthropicOk(out);
  ASSERT_EQ(t.tool_calls.size(), 1u);
  EXPECT_EQ(t.tool_calls[0].id, "toolu_llmproxy_0");
}

TEST(ChatToAnthropic, ALatePieceOfAClosedCallIsDroppedAndCounted) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{\"a\":"}}]})"),
          chunk(R"({"tool_calls":[{"index":1,"id":"call_b","function":{"name":"g","arguments":"{}"}}]})"),
          chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]})"),
          chunk("{}", R"("stop")"), "[DONE]"});
  const auto t = anthropicOk(out);
  EXPECT_EQ(t.tool_calls.size(), 2u);
  EXPECT_EQ(c.dropped(), 1u);
}

TEST(ChatToAnthropic, TextAfterAToolCallOpensANewBlock) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"content":"a"})"),
          chunk(R"({"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{}"}}]})"),
          chunk(R"({"content":"b"})"), chunk("{}", R"("stop")"), "[DONE]"});
  EXPECT_EQ(anthropicOk(out).blocks, (std::vector<std::string>{"text", "tool_use", "text"}));
}

TEST(ChatToAnthropic, AProviderErrorBeforeAnyContentStillStartsTheMessage) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {R"({"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}})"});
  const auto t = anthropicOk(out);
  EXPECT_TRUE(t.failed);
  EXPECT_EQ(t.error_message, "Rate limit reached");
  EXPECT_TRUE(c.ended());
}

TEST(ChatToAnthropic, DataThatIsNotAChunkIsIgnored) {
  ChatToAnthropicStream c(testClient());
  std::string out;
  c.event("not json", out);
  c.event("[1,2]", out);
  c.event("{\"choices\":", out);
  EXPECT_EQ(out, "");
  c.event(chunk(R"({"content":"ok"})"), out);
  c.finish(out);
  EXPECT_EQ(anthropicOk(out).text, "ok");
}

TEST(ChatToAnthropic, EmptyAndNullPiecesMakeNoEvents) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(c, {chunk(R"({"role":"assistant","content":""})"),
                                  chunk(R"({"content":null,"reasoning_content":null})"),
                                  chunk("{}", R"("stop")"), "[DONE]"});
  EXPECT_EQ(count(out, "content_block_start"), 0u) << out;
  anthropicOk(out);
}

TEST(ChatToAnthropic, OnlyTheFirstChoiceIsTranslated) {
  ChatToAnthropicStream c(testClient());
  const std::string out = run(
      c, {R"({"id":"chatcmpl-n","choices":[{"index":0,"delta":{"content":"one"}},{"index":1,"delta":{"content":"two"}}]})",
          chunk("{}", R"("stop")"), "[DONE]"});
  EXPECT_EQ(anthropicOk(out).text, "one");
}

// --- Anthropic events → OpenAI chunks -------------------------------------------------------

const std::string kStart =
    R"({"type":"message_start","message":{"id":"msg_abc","type":"message","role":"assistant",)"
    R"("model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,)"
    R"("usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":1}}})";
const std::string kStop = R"({"type":"message_stop"})";

std::string blockStart(int index, std::string_view block) {
  return R"({"type":"content_block_start","index":)" + std::to_string(index) +
         R"(,"content_block":)" + std::string(block) + "}";
}
std::string blockDelta(int index, std::string_view delta) {
  return R"({"type":"content_block_delta","index":)" + std::to_string(index) + R"(,"delta":)" +
         std::string(delta) + "}";
}
std::string blockStop(int index) {
  return R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}";
}
std::string messageDelta(std::string_view reason, std::string_view extra = "") {
  return R"({"type":"message_delta","delta":{"stop_reason":")" + std::string(reason) +
         R"(","stop_sequence":null},"usage":{"output_tokens":42)" + std::string(extra) + "}}";
}

TEST(AnthropicToChat, OneIdAndTheClientsModelOnEveryChunkAndPingDropped) {
  AnthropicToChatStream c(testClient());
  std::string out;
  c.event(kStart, out);
  const size_t after_start = out.size();
  c.event(R"({"type": "ping"})", out);
  EXPECT_EQ(out.size(), after_start) << "ping is dropped";
  for (const std::string& e :
       {blockStart(0, R"({"type":"text","text":""})"),
        blockDelta(0, R"({"type":"text_delta","text":"Hi"})"), blockStop(0),
        messageDelta("end_turn"), kStop}) {
    c.event(e, out);
  }
  const auto t = chatOk(out, false);
  EXPECT_EQ(t.id, "chatcmpl-msg_abc");
  EXPECT_EQ(t.text, "Hi");
  EXPECT_EQ(count(out, R"("model":"client-model")"), t.events - 1);  // all but [DONE]
  EXPECT_EQ(out.find("chatcmpl-stream"), std::string::npos);
  EXPECT_TRUE(out.ends_with("data: [DONE]\n\n"));
}

TEST(AnthropicToChat, ToolCallIndexesCountToolCallsFromZero) {
  AnthropicToChatStream c(testClient());
  const std::string out = run(
      c, {kStart, blockStart(0, R"({"type":"thinking","thinking":""})"),
          blockDelta(0, R"({"type":"thinking_delta","thinking":"hmm"})"),
          blockDelta(0, R"({"type":"signature_delta","signature":"sig"})"), blockStop(0),
          blockStart(1, R"({"type":"tool_use","id":"toolu_a","name":"f","input":{}})"),
          blockDelta(1, R"({"type":"input_json_delta","partial_json":"{\"k\":1}"})"), blockStop(1),
          blockStart(2, R"({"type":"text","text":""})"),
          blockDelta(2, R"({"type":"text_delta","text":"and"})"), blockStop(2),
          blockStart(3, R"({"type":"tool_use","id":"toolu_b","name":"g","input":{}})"),
          blockStop(3), messageDelta("tool_use"), kStop});
  const auto t = chatOk(out, false);
  EXPECT_EQ(t.tool_calls, (std::vector<testing::StreamToolCall>{{"toolu_a", "f", R"({"k":1})"},
                                                                {"toolu_b", "g", "{}"}}));
  EXPECT_NE(out.find(R"("tool_calls":[{"index":0,"id":"toolu_a")"), std::string::npos);
  EXPECT_NE(out.find(R"("tool_calls":[{"index":1,"id":"toolu_b")"), std::string::npos);
  EXPECT_EQ(t.reasoning, "hmm");
  EXPECT_EQ(out.find("sig"), std::string::npos) << "chat has no place for signatures";
  EXPECT_EQ(t.stop, "tool_calls");
}

TEST(AnthropicToChat, UsageChunkOnlyWhenTheClientAskedForIt) {
  const std::vector<std::string> events = {kStart, blockStart(0, R"({"type":"text","text":""})"),
                                           blockDelta(0, R"({"type":"text_delta","text":"x"})"),
                                           blockStop(0), messageDelta("end_turn"), kStop};
  AnthropicToChatStream without(testClient(false));
  const std::string plain = run(without, events);
  EXPECT_FALSE(chatOk(plain, false).has_usage);
  EXPECT_EQ(plain.find("\"usage\""), std::string::npos);

  AnthropicToChatStream with(testClient(true));
  const auto t = chatOk(run(with, events), true);
  EXPECT_TRUE(t.has_usage);
  EXPECT_EQ(t.input_tokens, 115u) << "prompt = input + cache_read + cache_write";
  EXPECT_EQ(t.cached_tokens, 100u);
  EXPECT_EQ(t.output_tokens, 42u);
  EXPECT_EQ(t.total_tokens, 157u);
  EXPECT_EQ(with.usage(), (TokenUsage{10, 42, 100, 5, 0}));
}

TEST(AnthropicToChat, MessageDeltaUsageUpdatesWhatMessageStartSaid) {
  AnthropicToChatStream c(testClient(true));
  const auto t = chatOk(
      run(c, {kStart, messageDelta("end_turn", R"(,"input_tokens":11,"cache_read_input_tokens":0)"),
              kStop}),
      true);
  EXPECT_EQ(t.input_tokens, 16u);
  EXPECT_EQ(t.cached_tokens, 0u);
}

TEST(AnthropicToChat, StopReasonsMapToFinishReasons) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"end_turn", "stop"},       {"stop_sequence", "stop"}, {"max_tokens", "length"},
      {"tool_use", "tool_calls"}, {"refusal", "content_filter"}, {"pause_turn", "stop"},
      {"model_context_window_exceeded", "length"},
  };
  for (const auto& [reason, finish] : table) {
    AnthropicToChatStream c(testClient());
    EXPECT_EQ(chatOk(run(c, {kStart, messageDelta(reason), kStop}), false).stop, finish) << reason;
  }
}

TEST(AnthropicToChat, AStreamThatStopsAfterMessageDeltaStillEnds) {
  AnthropicToChatStream c(testClient());
  const auto t = chatOk(run(c, {kStart, messageDelta("max_tokens")}), false);
  EXPECT_EQ(t.stop, "length");
}

TEST(AnthropicToChat, InputSentWholeInTheBlockStartIsOneCompactPiece) {
  AnthropicToChatStream c(testClient());
  const auto t = chatOk(
      run(c, {kStart, blockStart(0, R"({"type":"tool_use","id":"toolu_a","name":"f","input":{ "a" : [1, 2] }})"),
              blockStop(0), messageDelta("tool_use"), kStop}),
      false);
  ASSERT_EQ(t.tool_calls.size(), 1u);
  EXPECT_EQ(t.tool_calls[0].arguments, R"({"a":[1,2]})");
}

TEST(AnthropicToChat, RedactedThinkingAndItsDeltasAreLeftOut) {
  AnthropicToChatStream c(testClient());
  const std::string out =
      run(c, {kStart, blockStart(0, R"({"type":"redacted_thinking","data":"xyz"})"),
              blockDelta(0, R"({"type":"text_delta","text":"leak"})"), blockStop(0),
              blockStart(1, R"({"type":"text","text":"ok"})"), blockStop(1),
              messageDelta("end_turn"), kStop});
  EXPECT_EQ(chatOk(out, false).text, "ok");
  EXPECT_EQ(out.find("leak"), std::string::npos);
  EXPECT_EQ(c.dropped(), 0u) << "a skipped block's deltas are expected, not dropped";
}

TEST(AnthropicToChat, DeltasForABlockThatIsNotOpenAreDroppedAndCounted) {
  AnthropicToChatStream c(testClient());
  const std::string out =
      run(c, {kStart, blockDelta(5, R"({"type":"text_delta","text":"orphan"})"),
              blockStart(0, R"({"type":"text","text":""})"), blockStop(0),
              blockDelta(0, R"({"type":"text_delta","text":"late"})"), messageDelta("end_turn"),
              kStop});
  EXPECT_EQ(chatOk(out, false).text, "");
  EXPECT_EQ(c.dropped(), 2u);
}

TEST(AnthropicToChat, AnErrorEventIsTheOpenAIErrorEventWithoutDone) {
  AnthropicToChatStream c(testClient());
  const std::string out = run(
      c, {kStart, R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})"});
  const auto t = chatOk(out, false);
  EXPECT_TRUE(t.failed);
  EXPECT_EQ(t.error_type, "rate_limit_error");
  EXPECT_EQ(t.error_message, "slow down");
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
}

// --- Chat chunks → Responses events ---------------------------------------------------------

TEST(ChatToResponses, FinishReasonsMapToStatuses) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"stop", "completed"},
      {"tool_calls", "completed"},
      {"length", "incomplete:max_output_tokens"},
      {"content_filter", "incomplete:content_filter"},
  };
  for (const auto& [finish, status] : table) {
    ChatToResponsesStream c(testClient());
    const std::string out =
        run(c, {chunk(R"({"content":"x"})"), chunk("{}", "\"" + finish + "\""), "[DONE]"});
    EXPECT_EQ(responsesOk(out).stop, status) << finish;
    const bool incomplete = status.starts_with("incomplete");
    EXPECT_EQ(out.find("event: response.incomplete") != std::string::npos, incomplete);
  }
}

TEST(ChatToResponses, EveryItemKindAndTheFullResponseAtTheEnd) {
  ChatToResponsesStream c(testClient());
  const std::string out = run(
      c, {chunk(R"({"reasoning_content":"r"})"), chunk(R"({"content":"t"})"),
          chunk(R"({"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"a\":1}"}}]})"),
          chunk("{}", R"("tool_calls")"),
          usageChunk(R"({"prompt_tokens":30,"completion_tokens":8,"prompt_tokens_details":{"cached_tokens":20},"completion_tokens_details":{"reasoning_tokens":3}})"),
          "[DONE]"});
  const auto t = responsesOk(out);
  EXPECT_EQ(t.blocks, (std::vector<std::string>{"thinking", "text", "tool_use"}));
  EXPECT_EQ(t.tool_calls, (std::vector<testing::StreamToolCall>{{"call_1", "f", R"({"a":1})"}}));
  EXPECT_EQ(t.input_tokens, 30u);
  EXPECT_EQ(t.cached_tokens, 20u);
  EXPECT_EQ(t.output_tokens, 8u);
  EXPECT_EQ(t.reasoning_tokens, 3u);
  EXPECT_EQ(t.total_tokens, 38u);
  EXPECT_NE(out.find("event: response.function_call_arguments.done"), std::string::npos);
  EXPECT_EQ(t.id, "resp_t1");
}

}  // namespace
}  // namespace llmproxy::worker::protocol::test
