// The grammar checkers themselves: a well-formed stream passes, and each broken rule is caught
// (every mutation of a golden stream below must fail its checker).
#include "support/stream_grammar.h"

#include <gtest/gtest.h>

#include "stream_test_util.h"

namespace llmproxy::worker::protocol::test {
namespace {

// `wire` without its n-th event (0-based) whose text contains `needle`.
std::string withoutEvent(const std::string& wire, std::string_view needle, int n = 0) {
  size_t at = 0;
  while (at < wire.size()) {
    size_t end = wire.find("\n\n", at);
    if (end == std::string::npos) break;
    end += 2;
    if (std::string_view(wire).substr(at, end - at).find(needle) != std::string_view::npos) {
      if (n-- == 0) return wire.substr(0, at) + wire.substr(end);
    }
    at = end;
  }
  ADD_FAILURE() << "no event with " << needle;
  return wire;
}

// `wire` with the n-th occurrence of `from` replaced by `to`.
std::string replaced(const std::string& wire, std::string_view from, std::string_view to,
                     int n = 0) {
  size_t at = wire.find(from);
  while (at != std::string::npos && n-- > 0) at = wire.find(from, at + 1);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no " << from;
    return wire;
  }
  return wire.substr(0, at) + std::string(to) + wire.substr(at + from.size());
}

// `wire` with its n-th event whose text contains `needle` repeated.
std::string withEventTwice(const std::string& wire, std::string_view needle) {
  size_t at = 0;
  while (at < wire.size()) {
    size_t end = wire.find("\n\n", at) + 2;
    if (std::string_view(wire).substr(at, end - at).find(needle) != std::string_view::npos) {
      return wire.substr(0, end) + wire.substr(at, end - at) + wire.substr(end);
    }
    at = end;
  }
  ADD_FAILURE() << "no event with " << needle;
  return wire;
}

struct Mutation {
  std::string name;
  std::string wire;
};

TEST(AnthropicGrammar, GoldenPassesAndEveryMutationFails) {
  const std::string good = readData("golden/chat_tools.anthropic.sse");
  ASSERT_TRUE(testing::checkAnthropicStream(good, "client-model").ok());
  EXPECT_FALSE(testing::checkAnthropicStream(good, "other-model").ok());
  const std::vector<Mutation> mutations = {
      {"no message_start", withoutEvent(good, "message_start")},
      {"two message_starts", withEventTwice(good, "message_start")},
      {"block not stopped", withoutEvent(good, "content_block_stop", 1)},
      {"delta before its block", withoutEvent(good, "content_block_start", 1)},
      {"index skipped", replaced(good, R"("index":2)", R"("index":3)")},
      {"delta of another block", replaced(good, R"("index":1,"delta")", R"("index":0,"delta")")},
      {"delta type of another block", replaced(good, "input_json_delta", "text_delta")},
      {"no message_delta", withoutEvent(good, "message_delta")},
      {"two message_deltas", withEventTwice(good, "message_delta")},
      {"no message_stop", withoutEvent(good, "message_stop")},
      {"event after message_stop", good + good.substr(good.find("event: message_stop"))},
      {"event name differs from type", replaced(good, "event: content_block_stop", "event: ping")},
      {"tool input not JSON", replaced(good, R"(\"lo")", R"(lo")")},
      {"message_delta without stop_reason", replaced(good, R"("stop_reason":"tool_use")",
                                                      R"("stop_reason":null)")},
      {"trailing bytes", good + "event: ping\n"},
  };
  for (const Mutation& m : mutations) {
    EXPECT_FALSE(testing::checkAnthropicStream(m.wire, "client-model").ok()) << m.name;
  }
}

TEST(ChatGrammar, GoldenPassesAndEveryMutationFails) {
  const std::string good = readData("golden/anthropic_tools.chat_usage.sse");
  ASSERT_TRUE(testing::checkChatStream(good, "client-model", true).ok());
  EXPECT_FALSE(testing::checkChatStream(good, "client-model", false).ok()) << "unasked usage";
  EXPECT_FALSE(testing::checkChatStream(good, "other-model", true).ok());
  const std::vector<Mutation> mutations = {
      {"no [DONE]", withoutEvent(good, "[DONE]")},
      {"no usage chunk", withoutEvent(good, R"("choices":[])")},
      {"id changed", replaced(good, "chatcmpl-msg_014p", "chatcmpl-msg_999p", 2)},
      {"model changed", replaced(good, "client-model", "gpt-4o", 3)},
      {"no role", replaced(good, R"("role":"assistant",)", "")},
      {"tool index from 1", replaced(good, R"({"index":0,"id")", R"({"index":1,"id")")},
      {"tool index skipped", replaced(good, R"({"index":1,"id")", R"({"index":2,"id")")},
      {"two finish_reasons", withEventTwice(good, R"("finish_reason":"tool_calls")")},
      {"no finish_reason", withoutEvent(good, R"("finish_reason":"tool_calls")")},
      {"name repeated", replaced(good, R"({"arguments":"{\"location)",
                                 R"({"name":"x","arguments":"{\"location)")},
      {"arguments not JSON", replaced(good, R"(\"celsius\"})", R"(\"celsius\")")},
      {"chunk after [DONE]", good + good.substr(0, good.find("\n\n") + 2)},
      {"[DONE] twice", good + "data: [DONE]\n\n"},
  };
  for (const Mutation& m : mutations) {
    EXPECT_FALSE(testing::checkChatStream(m.wire, "client-model", true).ok()) << m.name;
  }
  // An error event ends a stream without [DONE].
  const std::string failed = readData("golden/anthropic_error.chat.sse");
  EXPECT_TRUE(testing::checkChatStream(failed, "client-model", false).ok());
  EXPECT_FALSE(testing::checkChatStream(failed + "data: [DONE]\n\n", "client-model", false).ok());
}

TEST(ResponsesGrammar, GoldenPassesAndEveryMutationFails) {
  const std::string good = readData("golden/anthropic_thinking.responses.sse");
  ASSERT_TRUE(testing::checkResponsesStream(good, "client-model").ok());
  EXPECT_FALSE(testing::checkResponsesStream(good, "other-model").ok());
  const std::vector<Mutation> mutations = {
      {"no created", withoutEvent(good, "response.created")},
      {"no in_progress", withoutEvent(good, "response.in_progress")},
      {"sequence skipped", replaced(good, R"("sequence_number":5)", R"("sequence_number":6)")},
      {"item not done", withoutEvent(good, "response.output_item.done")},
      {"text.done differs", replaced(good, R"("text":"27 * 453 = **12,231**","logprobs")",
                                     R"("text":"27","logprobs")")},
      {"delta for another item", replaced(good, R"("item_id":"msg_01ThinkAbc_1")",
                                          R"("item_id":"msg_x")", 1)},
      {"no completed", withoutEvent(good, "response.completed")},
      {"status differs", replaced(good, R"("status":"completed","error")",
                                  R"("status":"in_progress","error")")},
      {"output missing an item", replaced(good, R"("output":[{"id":"rs_01ThinkAbc_0")",
                                          R"("output":[],"x":[{"id":"rs_01ThinkAbc_0")")},
      {"event after completed", good + good.substr(0, good.find("\n\n") + 2)},
  };
  for (const Mutation& m : mutations) {
    EXPECT_FALSE(testing::checkResponsesStream(m.wire, "client-model").ok()) << m.name;
  }
}

TEST(SplitSse, ReadsLfAndCrlfStreams) {
  const auto events = testing::splitSse("event: a\r\ndata: 1\r\ndata: 2\r\n\r\ndata: x\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "a");
  EXPECT_EQ(events[0].data, "1\n2");
  EXPECT_EQ(events[1].data, "x");
}

}  // namespace
}  // namespace llmproxy::worker::protocol::test
