// The internal form: JsonText's reading helpers, where the reader's views point, and the
// repairs applied to it directly.
#include "worker/protocol/internal_request.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json/json_facts.h"
#include "request_translation.h"

namespace llmproxy::worker::protocol::testing {
namespace {

TEST(JsonText, Unescaped) {
  EXPECT_EQ((JsonText{R"(a\nb\t\"q\" \\ \/ caf\u00e9 \ud83d\ude00)", true}).unescaped(),
            "a\nb\t\"q\" \\ / caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ((JsonText{R"(\ud83d x)", true}).unescaped(), "\xEF\xBF\xBD x");  // lone surrogate
  EXPECT_EQ((JsonText{"plain", false}).unescaped(), "plain");
}

TEST(JsonText, EqualsComparesValues) {
  EXPECT_TRUE((JsonText{R"(\u0061uto)", true}).equals("auto"));
  EXPECT_FALSE((JsonText{"auto", false}).equals("none"));
}

TEST(JsonText, Blank) {
  EXPECT_TRUE(JsonText::plain("").blank());
  EXPECT_TRUE((JsonText{R"(  \n\t\r\f\u0020\u000b)", true}).blank());
  EXPECT_FALSE(JsonText::plain(" . ").blank());
  EXPECT_FALSE((JsonText{R"(\n\u0041)", true}).blank());
  EXPECT_FALSE((JsonText{R"(\")", true}).blank());
}

TEST(JsonText, PresentVersusEmpty) {
  EXPECT_FALSE(JsonText{}.present());
  EXPECT_TRUE(JsonText::plain("").present());
}

// Views point into the caller's body, whether the body had simdjson's padding or not.
TEST(RequestReaderViews, PointIntoTheBody) {
  const std::string json =
      R"({"model":"m","messages":[{"role":"user","content":"hello\nthere"}],"x":{"a":1}})";
  for (bool padded : {true, false}) {
    std::string body = json;
    if (padded) body.reserve(json.size() + common::JsonFactsParser::kPadding);
    RequestReader reader;
    auto ir = reader.read(Source::ChatCompletions, body.data(), json.size(),
                          padded ? body.capacity() : json.size());
    ASSERT_TRUE(ir);
    auto inside = [&](std::string_view v) {
      return v.data() >= body.data() && v.data() + v.size() <= body.data() + body.size();
    };
    ASSERT_EQ(ir->parts.size(), 1u);
    EXPECT_TRUE(inside(ir->parts[0].text.s));
    EXPECT_EQ(ir->parts[0].text.s, R"(hello\nthere)");
    EXPECT_TRUE(ir->parts[0].text.escaped);
    EXPECT_TRUE(inside(ir->model.s));
    ASSERT_EQ(ir->unknown.size(), 1u);
    EXPECT_TRUE(inside(ir->unknown[0].name.s));
    EXPECT_TRUE(inside(ir->unknown[0].value));
    EXPECT_EQ(ir->unknown[0].value, R"({"a":1})");
  }
}

TEST(RequestReaderViews, ToolInputSurvivesAMove) {
  RequestReader reader;
  auto ir = reader.read(Source::ChatCompletions, R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"k\": \"v\"}"}}]}]})");
  ASSERT_TRUE(ir);
  InternalRequest moved = std::move(*ir);
  ASSERT_EQ(moved.parts.size(), 1u);
  EXPECT_EQ(moved.parts[0].input, R"({"k": "v"})");
  EXPECT_EQ(moved.parts[0].arguments.s, R"({\"k\": \"v\"})");
}

TEST(RequestReaderViews, UnknownKeyKeepsItsEscapes) {
  RequestReader reader;
  auto ir = reader.read(Source::Responses, R"({"model":"m","input":"x","we\u0069rd":1})");
  ASSERT_TRUE(ir);
  ASSERT_EQ(ir->unknown.size(), 1u);
  EXPECT_EQ(ir->unknown[0].name.s, R"(we\u0069rd)");
  EXPECT_TRUE(ir->unknown[0].name.escaped);
  const WrittenRequest w = writeChatRequest(*ir, {"t", true});
  expectSameJson(w.body, R"({"model":"t","messages":[{"role":"user","content":"x"}],"weird":1})");
}

InternalRequest read(Source source, std::string_view body) {
  static RequestReader reader;
  auto ir = reader.read(source, body);
  EXPECT_TRUE(ir) << (ir ? "" : ir.error().detail);
  return ir ? std::move(*ir) : InternalRequest{};
}

TEST(RequestRepairs, NothingToRepair) {
  InternalRequest ir = read(Source::Messages, R"({"model":"c","max_tokens":1,"messages":[
      {"role":"user","content":"x"},
      {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},
        {"type":"tool_use","id":"a","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"r"}]}]})");
  EXPECT_EQ(repairRequest(ir, common::ProviderType::Anthropic).total(), 0u);
  EXPECT_EQ(repairRequest(ir, common::ProviderType::OpenAI).total(), 0u);
}

TEST(RequestRepairs, ThinkingKeptOrRemovedByOrigin) {
  const char* body = R"({"model":"m","input":[{"role":"user","content":"x"},
      {"type":"reasoning","summary":[{"type":"summary_text","text":"a"},
        {"type":"summary_text","text":"b"}],"encrypted_content":"enc"},
      {"role":"assistant","content":"done"}]})";
  InternalRequest to_anthropic = read(Source::Responses, body);
  EXPECT_EQ(repairRequest(to_anthropic, common::ProviderType::Anthropic).thinking_removed, 2u);
  InternalRequest to_chat = read(Source::Responses, body);
  EXPECT_EQ(repairRequest(to_chat, common::ProviderType::OpenAICompatible).thinking_removed, 0u);
  EXPECT_EQ(to_chat.messages[1].parts.count, 3u);
}

TEST(RequestRepairs, PlaceholderGoesAfterTheToolMessagesBeforeTheUser) {
  InternalRequest ir = read(Source::ChatCompletions, R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[
        {"id":"a","function":{"name":"f","arguments":"{}"}},
        {"id":"b","function":{"name":"f","arguments":"{}"}},
        {"id":"c","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"b","content":"rb"},
      {"role":"user","content":"next"},
      {"role":"assistant","content":"fine"}]})");
  const RepairCounts counts = repairRequest(ir, common::ProviderType::OpenAI);
  EXPECT_EQ(counts.tool_results_added, 2u);
  ASSERT_EQ(ir.messages.size(), 5u);
  EXPECT_EQ(ir.messages[1].role, Role::Tool);
  EXPECT_EQ(ir.messages[2].role, Role::Tool);
  EXPECT_EQ(ir.messages[3].role, Role::User);
  const Range placeholders = ir.messages[2].parts;
  ASSERT_EQ(placeholders.count, 2u);
  for (uint32_t k = 0; k < 2; ++k) {
    const Part& p = ir.parts[placeholders.first + k];
    EXPECT_EQ(p.kind, PartKind::ToolResult);
    EXPECT_TRUE(p.is_error);
    EXPECT_EQ(p.text.s, kInterruptedToolResult);
    EXPECT_EQ(p.id.s, k == 0 ? "a" : "c");
  }
}

TEST(RequestRepairs, ResultInALaterTurnDoesNotCount) {
  InternalRequest ir = read(Source::ChatCompletions, R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},
      {"role":"user","content":"hm"},
      {"role":"assistant","content":"ok"},
      {"role":"tool","tool_call_id":"a","content":"late"}]})");
  EXPECT_EQ(repairRequest(ir, common::ProviderType::OpenAI).tool_results_added, 1u);
}

TEST(RequestRepairs, BlankToolResultTextsBecomeDots) {
  InternalRequest ir = read(Source::Messages, R"({"model":"c","max_tokens":1,"messages":[
      {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"a",
        "content":[{"type":"text","text":" "}]}]}]})");
  EXPECT_EQ(repairRequest(ir, common::ProviderType::Anthropic).blank_texts, 1u);
  EXPECT_EQ(ir.nested[0].text.s, ".");
}

TEST(RequestRepairs, ThinkingStaysOnWhenTheToolTurnStartsWithThinking) {
  InternalRequest ir = read(Source::ChatCompletions, R"({"model":"m","reasoning_effort":"low",
      "messages":[{"role":"user","content":"x"},
      {"role":"assistant","thinking_blocks":[{"type":"thinking","thinking":"t","signature":"s"}],
       "tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"a","content":"r"}]})");
  EXPECT_EQ(repairRequest(ir, common::ProviderType::Anthropic).thinking_disabled, 0u);
  EXPECT_FALSE(ir.thinking_disabled);
  const WrittenRequest w = writeAnthropicRequest(ir, {"t", 0});
  EXPECT_NE(w.body.find(R"("thinking":{"type":"enabled","budget_tokens":2048})"), std::string::npos)
      << w.body;
}

TEST(RequestRepairs, ThinkingOffWhenTheToolTurnLacksIt) {
  InternalRequest ir = read(Source::ChatCompletions, R"({"model":"m","reasoning_effort":"low",
      "messages":[{"role":"user","content":"x"},
      {"role":"assistant","reasoning_content":"unsigned",
       "tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"a","content":"r"}]})");
  const RepairCounts counts = repairRequest(ir, common::ProviderType::Anthropic);
  EXPECT_EQ(counts.thinking_removed, 1u);
  EXPECT_EQ(counts.thinking_disabled, 1u);
  const WrittenRequest w = writeAnthropicRequest(ir, {"t", 0});
  EXPECT_EQ(w.body.find("\"thinking\""), std::string::npos) << w.body;
  EXPECT_EQ(w.dropped, std::vector<std::string_view>{"reasoning_effort"});
}

TEST(RequestRepairs, ThinkingOnWhenTheLastTurnEndedWithText) {
  InternalRequest ir = read(Source::ChatCompletions, R"({"model":"m","reasoning_effort":"low",
      "messages":[{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"a","content":"r"},
      {"role":"user","content":"new question"}]})");
  EXPECT_EQ(repairRequest(ir, common::ProviderType::Anthropic).thinking_disabled, 0u);
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
