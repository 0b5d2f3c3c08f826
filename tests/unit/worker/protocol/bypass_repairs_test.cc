// The agent-client repairs on bypass: what the body walk decides (common/json/conversation_scan)
// and the body the provider then gets (bypass_repairs), exactly, for each repair in OpenAI chat
// and Anthropic Messages bodies; bodies that need none are left without a plan.
#include "worker/protocol/bypass_repairs.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "common/json/json_facts.h"

namespace llmproxy::worker::protocol {
namespace {

using common::ConversationShape;

struct Repaired {
  bool planned = false;
  std::string body;
  uint32_t counts[4] = {};
};

Repaired repair(const std::string& body, ConversationShape shape, Operation op) {
  common::JsonFactsParser parser;
  auto facts = parser.parse(body, shape);
  EXPECT_TRUE(facts) << (facts ? "" : facts.error().detail);
  Repaired r;
  if (!facts || !facts->repairs) return r;
  r.planned = true;
  OutgoingRequest out;
  const BodyPlan plan = planBody(out, body, *facts, op, "target");
  writeRepairedBody(out, body, plan, *facts->repairs, shape);
  r.body = out.body;
  std::copy(std::begin(out.repairs), std::end(out.repairs), std::begin(r.counts));
  simdjson::dom::parser check;
  simdjson::dom::element doc;
  EXPECT_EQ(check.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  return r;
}

Repaired chat(const std::string& body) {
  return repair(body, ConversationShape::OpenAIChat, Operation::ChatCompletions);
}
Repaired messages(const std::string& body) {
  return repair(body, ConversationShape::AnthropicMessages, Operation::Messages);
}

TEST(BypassRepairs, ChatUnansweredToolCallGetsAToolMessageAfterTheAnsweredOnes) {
  const auto r = chat(
      R"({"model":"m","messages":[{"role":"user","content":"hi"},)"
      R"({"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}},)"
      R"({"id":"c2","type":"function","function":{"name":"g","arguments":"{}"}}]},)"
      R"({"role":"tool","tool_call_id":"c1","content":"ok"},{"role":"user","content":"next"}]})");
  ASSERT_TRUE(r.planned);
  EXPECT_EQ(r.body,
            R"({"model":"target","messages":[{"role":"user","content":"hi"},)"
            R"({"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}},)"
            R"({"id":"c2","type":"function","function":{"name":"g","arguments":"{}"}}]},)"
            R"({"role":"tool","tool_call_id":"c1","content":"ok"},)"
            R"({"role":"tool","tool_call_id":"c2","content":"tool call interrupted, no result available"},)"
            R"({"role":"user","content":"next"}]})");
  EXPECT_EQ(r.counts[1], 1u);
  EXPECT_EQ(r.counts[0] + r.counts[2] + r.counts[3], 0u);
}

TEST(BypassRepairs, ChatStreamKeepsTheUsageEditNextToTheRepair) {
  const auto r = chat(
      R"({"model":"m","stream":true,"messages":[{"role":"assistant","tool_calls":[{"id":"c\u0031"}]}]})");
  ASSERT_TRUE(r.planned);
  EXPECT_EQ(r.body,
            R"({"model":"target","stream":true,"messages":[{"role":"assistant","tool_calls":[{"id":"c\u0031"}]},)"
            R"({"role":"tool","tool_call_id":"c\u0031","content":"tool call interrupted, no result available"}])"
            R"(,"stream_options":{"include_usage":true}})");
}

TEST(BypassRepairs, ChatThatNeedsNothingHasNoPlan) {
  EXPECT_FALSE(chat(R"({"model":"m","messages":[{"role":"user","content":""},)"
                    R"({"role":"assistant","tool_calls":[{"id":"c1"}]},)"
                    R"({"role":"tool","tool_call_id":"c1","content":""}]})")
                   .planned);
  // Blank texts and thinking are Anthropic's refusals, not OpenAI's.
  EXPECT_FALSE(chat(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":" "}]}]})")
                   .planned);
  // Other endpoints are not scanned at all.
  common::JsonFactsParser parser;
  auto facts = parser.parse(R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c"}]}]})");
  ASSERT_TRUE(facts);
  EXPECT_FALSE(facts->repairs);
}

TEST(BypassRepairs, AnthropicToolUseAnsweredInTheNextUserMessage) {
  // Results go first in the next user message: an array gets them before its blocks, a string
  // becomes an array with its text after them.
  const auto array = messages(
      R"({"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}},)"
      R"({"type":"tool_use","id":"t2","name":"f","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]})");
  ASSERT_TRUE(array.planned);
  EXPECT_EQ(array.body,
            R"({"model":"target","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}},)"
            R"({"type":"tool_use","id":"t2","name":"f","input":{}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","is_error":true,)"
            R"("content":"tool call interrupted, no result available"},)"
            R"({"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]})");
  EXPECT_EQ(array.counts[1], 1u);

  const auto text = messages(
      R"({"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},)"
      R"({"role":"user","content":"go on"}]})");
  ASSERT_TRUE(text.planned);
  EXPECT_EQ(text.body,
            R"({"model":"target","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,)"
            R"("content":"tool call interrupted, no result available"},{"type":"text","text":"go on"}]}]})");

  // The assistant message last: a user message of results follows it.
  const auto last = messages(
      R"({"model":"m","messages":[{"role":"user","content":"x"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t9","name":"f","input":{}}]}]})");
  ASSERT_TRUE(last.planned);
  EXPECT_EQ(last.body,
            R"({"model":"target","messages":[{"role":"user","content":"x"},)"
            R"({"role":"assistant","content":[{"type":"tool_use","id":"t9","name":"f","input":{}}]},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t9","is_error":true,)"
            R"("content":"tool call interrupted, no result available"}]}]})");
}

TEST(BypassRepairs, AnthropicUnsignedThinkingIsRemovedWithItsComma) {
  const auto r = messages(
      R"({"model":"m","messages":[{"role":"user","content":"q"},)"
      R"({"role":"assistant","content":[{"type":"thinking","thinking":"a","signature":""}, )"
      R"({"type":"thinking","thinking":"b","signature":"sig"},{"type":"text","text":"t"},)"
      R"({"type":"thinking","thinking":"c"}]},{"role":"user","content":"more"}]})");
  ASSERT_TRUE(r.planned);
  EXPECT_EQ(r.body,
            R"({"model":"target","messages":[{"role":"user","content":"q"},)"
            R"({"role":"assistant","content":[{"type":"thinking","thinking":"b","signature":"sig"},)"
            R"({"type":"text","text":"t"}]},{"role":"user","content":"more"}]})");
  EXPECT_EQ(r.counts[0], 2u);
  EXPECT_EQ(r.counts[1] + r.counts[2] + r.counts[3], 0u);

  // Every block removed: the message gets a "." text.
  const auto all = messages(
      R"({"model":"m","messages":[{"role":"user","content":"q"},)"
      R"({"role":"assistant","content":[{"type":"thinking","thinking":"a"},{"type":"thinking","thinking":"b"}]},)"
      R"({"role":"user","content":"more"}]})");
  ASSERT_TRUE(all.planned);
  EXPECT_EQ(all.body,
            R"({"model":"target","messages":[{"role":"user","content":"q"},)"
            R"({"role":"assistant","content":[{"type":"text","text":"."}]},{"role":"user","content":"more"}]})");
  EXPECT_EQ(all.counts[0], 2u);
  EXPECT_EQ(all.counts[2], 1u);
}

TEST(BypassRepairs, AnthropicBlankTextsBecomeADot) {
  const auto r = messages(
      R"({"model":"m","system":[{"type":"text","text":""}],"messages":[)"
      R"({"role":"user","content":[{"type":"text","text":" \n"},{"type":"image","source":{}}]},)"
      R"({"role":"assistant","content":""},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":[{"type":"text","text":""}]}]},)"
      R"({"role":"assistant","content":[]},{"role":"user","content":"ok"},{"role":"assistant","content":""}]})");
  ASSERT_TRUE(r.planned);
  EXPECT_EQ(r.body,
            R"({"model":"target","system":[{"type":"text","text":"."}],"messages":[)"
            R"({"role":"user","content":[{"type":"text","text":"."},{"type":"image","source":{}}]},)"
            R"({"role":"assistant","content":"."},)"
            R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":[{"type":"text","text":"."}]}]},)"
            R"({"role":"assistant","content":[{"type":"text","text":"."}]},{"role":"user","content":"ok"},)"
            R"({"role":"assistant","content":""}]})");  // a prefill may be empty
  EXPECT_EQ(r.counts[2], 5u);
}

TEST(BypassRepairs, AnthropicThinkingTurnedOffWhenTheTurnInProgressWouldBeRefused) {
  const std::string turn =
      R"("messages":[{"role":"user","content":"q"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}]})";
  const auto r = messages(R"({"model":"m","thinking":{"type":"enabled","budget_tokens":2048},)" +
                          turn);
  ASSERT_TRUE(r.planned);
  EXPECT_EQ(r.body, R"({"model":"target","thinking":{"type":"disabled"},)" + turn);
  EXPECT_EQ(r.counts[3], 1u);
  // Thinking off already, or the turn starts with signed thinking: nothing to do.
  EXPECT_FALSE(messages(R"({"model":"m",)" + turn).planned);
  EXPECT_FALSE(messages(
                   R"({"model":"m","thinking":{"type":"enabled","budget_tokens":2048},"messages":[)"
                   R"({"role":"user","content":"q"},{"role":"assistant","content":[)"
                   R"({"type":"thinking","thinking":"a","signature":"s"},)"
                   R"({"type":"tool_use","id":"t1","name":"f","input":{}}]},)"
                   R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}]})")
                   .planned);
}

TEST(BypassRepairs, AnthropicConversationThatNeedsNothingHasNoPlan) {
  EXPECT_FALSE(messages(
                   R"({"model":"m","system":"","messages":[{"role":"user","content":"q"},)"
                   R"({"role":"assistant","content":[{"type":"redacted_thinking","data":"x"},)"
                   R"({"type":"tool_use","id":"t1","name":"f","input":{"text":""}}]},)"
                   R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":""}]},)"
                   R"({"role":"assistant","content":""}]})")
                   .planned);
}

}  // namespace
}  // namespace llmproxy::worker::protocol
