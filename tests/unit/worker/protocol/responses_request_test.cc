// OpenAI Responses client → Chat Completions and → Anthropic providers: every request row of
// PROTOCOLS.md §2, read, repaired and written, compared as JSON.
#include <gtest/gtest.h>

#include "request_translation.h"

namespace llmproxy::worker::protocol::testing {
namespace {

class ResponsesToChat : public ::testing::TestWithParam<Case> {};
class ResponsesToAnthropic : public ::testing::TestWithParam<Case> {};

TEST_P(ResponsesToChat, Translates) {
  const Case& c = GetParam();
  const Translated t = translate(Source::Responses, c.in, Target::Chat);
  ASSERT_TRUE(t.ok) << t.error.detail;
  expectSameJson(t.body, c.out);
  EXPECT_EQ(t.dropped, c.dropped);
}

TEST_P(ResponsesToAnthropic, Translates) {
  const Case& c = GetParam();
  const Translated t = translate(Source::Responses, c.in, Target::Anthropic);
  ASSERT_TRUE(t.ok) << t.error.detail;
  expectSameJson(t.body, c.out);
  EXPECT_EQ(t.dropped, c.dropped);
}

// An agent turn: instructions, a developer item, a user message with images, the assistant's
// reasoning, text and two parallel function calls, their outputs.
constexpr const char* kAgentTurn = R"({"model":"gpt-5","instructions":"You are terse.",
    "input":[
      {"role":"developer","content":"Use tools."},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"Compare"},
        {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"},
        {"type":"input_image","image_url":"https://example.com/b.png"}]},
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Need both."}],
       "encrypted_content":"gAAAA"},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Looking."}]},
      {"type":"function_call","call_id":"call_a","name":"look","arguments":"{\"id\":1}"},
      {"type":"function_call","call_id":"call_b","name":"look","arguments":"{\"id\":2}"},
      {"type":"function_call_output","call_id":"call_a","output":"A"},
      {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"B1"},
        {"type":"input_text","text":"B2"}]}],
    "tools":[{"type":"function","name":"look","description":"Look","strict":true,
      "parameters":{"type":"object","properties":{"id":{"type":"integer"}}}}],
    "tool_choice":"auto","parallel_tool_calls":true,"max_output_tokens":5000,
    "temperature":1,"top_p":0.5,"user":"u1","stream":true})";

const Case kToChat[] = {
    {"InputString", R"({"model":"gpt-5","input":"Hi","instructions":"Be brief."})",
     R"({"model":"provider-model","messages":[{"role":"system","content":"Be brief."},
         {"role":"user","content":"Hi"}]})"},
    {"AgentTurn", kAgentTurn,
     R"({"model":"provider-model","messages":[
         {"role":"system","content":"You are terse."},
         {"role":"system","content":"Use tools."},
         {"role":"user","content":[{"type":"text","text":"Compare"},
           {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},
           {"type":"image_url","image_url":{"url":"https://example.com/b.png"}}]},
         {"role":"assistant","content":"Looking.","reasoning_content":"Need both.","tool_calls":[
           {"id":"call_a","type":"function","function":{"name":"look","arguments":"{\"id\":1}"}},
           {"id":"call_b","type":"function","function":{"name":"look","arguments":"{\"id\":2}"}}]},
         {"role":"tool","tool_call_id":"call_a","content":"A"},
         {"role":"tool","tool_call_id":"call_b","content":"B1\nB2"}],
       "tools":[{"type":"function","function":{"name":"look","description":"Look",
         "parameters":{"type":"object","properties":{"id":{"type":"integer"}}},"strict":true}}],
       "tool_choice":"auto","parallel_tool_calls":true,"max_completion_tokens":5000,
       "temperature":1,"top_p":0.5,"user":"u1","stream":true,
       "stream_options":{"include_usage":true}})"},
    {"ToolChoiceFunctionAndRequired",
     R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}],
         "tool_choice":{"type":"function","name":"f"}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"f",
           "parameters":{"type":"object","properties":{}}}}],
         "tool_choice":{"type":"function","function":{"name":"f"}}})"},
    {"ReasoningEffortAndTextFormat",
     R"({"model":"m","input":"x","reasoning":{"effort":"low","summary":"auto"},
         "text":{"format":{"type":"json_schema","name":"answer","strict":true,
           "schema":{"type":"object","properties":{"a":{"type":"string"}}}},"verbosity":"low"}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":"x"}],
         "reasoning_effort":"low",
         "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
           "schema":{"type":"object","properties":{"a":{"type":"string"}}}}},
         "verbosity":"low"})"},
    {"TextFormatJsonObject",
     R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":"x"}],
         "response_format":{"type":"json_object"}})"},
    {"UnknownCopiedResponsesOnlyDropped",
     R"({"model":"m","input":"x","metadata":{"k":"v"},"store":false,"service_tier":"flex",
         "include":["reasoning.encrypted_content"],"truncation":"auto","background":false})",
     R"({"model":"provider-model","messages":[{"role":"user","content":"x"}],
         "metadata":{"k":"v"},"store":false,"service_tier":"flex"})",
     {"include", "truncation", "background"}},
    {"EncryptedOnlyReasoningIsRemoved",
     R"({"model":"m","input":[{"role":"user","content":"x"},
         {"type":"reasoning","summary":[],"encrypted_content":"gAAA"},
         {"type":"message","role":"assistant","content":"done"},
         {"role":"user","content":"y"}]})",
     R"({"model":"provider-model","messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":"done"},{"role":"user","content":"y"}]})"},
    {"NullsAreAbsent",
     R"({"model":"m","input":"x","instructions":null,"tools":null,"reasoning":null,
         "previous_response_id":null,"max_output_tokens":null})",
     R"({"model":"provider-model","messages":[{"role":"user","content":"x"}]})"},
};

const Case kToAnthropic[] = {
    {"InputString", R"({"model":"gpt-5","input":"Hi","instructions":"Be brief."})",
     R"({"model":"provider-model","system":[{"type":"text","text":"Be brief."}],
         "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],"max_tokens":4096})"},
    {"AgentTurn", kAgentTurn,
     R"({"model":"provider-model",
       "system":[{"type":"text","text":"You are terse."},{"type":"text","text":"Use tools."}],
       "messages":[
         {"role":"user","content":[{"type":"text","text":"Compare"},
           {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},
           {"type":"image","source":{"type":"url","url":"https://example.com/b.png"}}]},
         {"role":"assistant","content":[{"type":"text","text":"Looking."},
           {"type":"tool_use","id":"call_a","name":"look","input":{"id":1}},
           {"type":"tool_use","id":"call_b","name":"look","input":{"id":2}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_a","content":"A"},
           {"type":"tool_result","tool_use_id":"call_b",
            "content":[{"type":"text","text":"B1"},{"type":"text","text":"B2"}]}]}],
       "tools":[{"name":"look","description":"Look",
         "input_schema":{"type":"object","properties":{"id":{"type":"integer"}}}}],
       "tool_choice":{"type":"auto"},"max_tokens":5000,"temperature":1,"top_p":0.5,
       "metadata":{"user_id":"u1"},"stream":true})"},
    {"ReasoningEffortToThinking", R"({"model":"m","input":"x","reasoning":{"effort":"medium"}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":12288,"thinking":{"type":"enabled","budget_tokens":8192}})"},
    {"ToolChoiceRequiredToAny",
     R"({"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":null}],
         "tool_choice":"required"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"tools":[{"name":"f","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"any"}})"},
    {"TextFormatAndUnknownDropped",
     R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}},"store":true,
         "include":[]})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096})",
     {"text", "store", "include"}},
    {"ThinkingTurnedOffWhenTheToolTurnHasNoAnthropicThinking",
     R"({"model":"m","reasoning":{"effort":"high"},"input":[{"role":"user","content":"x"},
         {"type":"reasoning","summary":[{"type":"summary_text","text":"s"}],"encrypted_content":"e"},
         {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
         {"type":"function_call_output","call_id":"c","output":"r"}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"x"}]},
         {"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":"r"}]}]})",
     {"reasoning"}},
};

INSTANTIATE_TEST_SUITE_P(Rows, ResponsesToChat, ::testing::ValuesIn(kToChat), caseName);
INSTANTIATE_TEST_SUITE_P(Rows, ResponsesToAnthropic, ::testing::ValuesIn(kToAnthropic), caseName);

TEST(ResponsesDetails, IncludeUsageIsNotTheClients) {
  const Translated t = translate(Source::Responses, kAgentTurn, Target::Chat);
  ASSERT_TRUE(t.ok);
  EXPECT_FALSE(t.client_include_usage);
}

TEST(ResponsesDetails, ForeignReasoningRemovedTowardAnthropic) {
  const Translated t = translate(Source::Responses, kAgentTurn, Target::Anthropic);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.repairs.thinking_removed, 1u);
  EXPECT_EQ(t.repairs.thinking_disabled, 0u);  // no reasoning asked
}

TEST(ResponsesDetails, ThinkingDisabledIsCounted) {
  const Translated t = translate(Source::Responses, R"({"model":"m","reasoning":{"effort":"low"},
      "input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
               {"type":"function_call_output","call_id":"c","output":"r"}]})",
                                 Target::Anthropic);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.repairs.thinking_disabled, 1u);
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
