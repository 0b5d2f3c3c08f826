// Anthropic Messages client → OpenAI Chat Completions provider: every request row of
// PROTOCOLS.md §2, read, repaired and written, compared as JSON.
#include <gtest/gtest.h>

#include "request_translation.h"

namespace llmproxy::worker::protocol::testing {
namespace {

class AnthropicToChat : public ::testing::TestWithParam<Case> {};

TEST_P(AnthropicToChat, Translates) {
  const Case& c = GetParam();
  const Translated t = translate(Source::Messages, c.in, Target::Chat);
  ASSERT_TRUE(t.ok) << t.error.detail;
  expectSameJson(t.body, c.out);
  EXPECT_EQ(t.dropped, c.dropped);
}

const Case kCases[] = {
    {"SystemStringAndUserText",
     R"({"model":"claude","max_tokens":1024,"system":"Be brief.",
         "messages":[{"role":"user","content":"Hi"}]})",
     R"({"model":"provider-model","max_completion_tokens":1024,"messages":[
         {"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]})"},
    {"SystemBlocksInOrderCacheControlDropped",
     R"({"model":"claude","max_tokens":10,"system":[{"type":"text","text":"A"},
         {"type":"text","text":"B","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"Hi",
           "cache_control":{"type":"ephemeral"}}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"system","content":"A"},{"role":"system","content":"B"},
         {"role":"user","content":"Hi"}]})"},
    {"ImagesBase64AndUrl",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":[
         {"type":"text","text":"What?"},
         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
         {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":[
         {"type":"text","text":"What?"},
         {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
         {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]})"},
    {"SeveralUserTextBlocksStayParts",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":[
         {"type":"text","text":"<reminder>"},{"type":"text","text":"question"}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":[
         {"type":"text","text":"<reminder>"},{"type":"text","text":"question"}]}]})"},
    {"ToolUseAndResultsSplitIntoToolMessagesThenText",
     R"({"model":"claude","max_tokens":10,"messages":[
         {"role":"user","content":"Weather?"},
         {"role":"assistant","content":[{"type":"text","text":"Checking."},
           {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{ "city" : "Paris" }},
           {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Rome","n":[1, 2]}}]},
         {"role":"user","content":[
           {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
           {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,
            "content":[{"type":"text","text":"timeout"},{"type":"text","text":"retry later"}]},
           {"type":"text","text":"And tomorrow?"}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"user","content":"Weather?"},
         {"role":"assistant","content":"Checking.","tool_calls":[
           {"id":"toolu_1","type":"function","function":{"name":"get_weather",
            "arguments":"{\"city\":\"Paris\"}"}},
           {"id":"toolu_2","type":"function","function":{"name":"get_weather",
            "arguments":"{\"city\":\"Rome\",\"n\":[1,2]}"}}]},
         {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
         {"role":"tool","tool_call_id":"toolu_2","content":"timeout\nretry later"},
         {"role":"user","content":"And tomorrow?"}]})"},
    {"ToolUseWithoutTextHasNullContent",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"now","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"t"}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"user","content":"x"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"t","type":"function",
           "function":{"name":"now","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"t","content":""}]})"},
    {"ImageInToolResultMovesToAUserMessage",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"screenshot","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[
           {"type":"text","text":"here"},
           {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"user","content":"x"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"t","type":"function",
           "function":{"name":"screenshot","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"t","content":"here"},
         {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]})"},
    {"ThinkingBecomesReasoningContentRedactedDropped",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":[
           {"type":"thinking","thinking":"step 1","signature":"EqQB"},
           {"type":"redacted_thinking","data":"opaque"},
           {"type":"text","text":"Answer"}]},
         {"role":"user","content":"y"}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"user","content":"x"},
         {"role":"assistant","content":"Answer","reasoning_content":"step 1"},
         {"role":"user","content":"y"}]})"},
    {"AssistantTextBlocksJoined",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"user","content":"x"},{"role":"assistant","content":"a\nb"}]})"},
    {"ToolsAndToolChoiceAny",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object",
           "properties":{"city":{"type":"string"}}},"cache_control":{"type":"ephemeral"}}],
         "tool_choice":{"type":"any"}})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
           "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
         "tool_choice":"required"})"},
    {"ToolChoiceToolAndNoParallel",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "tools":[{"name":"now","input_schema":{"type":"object"}}],
         "tool_choice":{"type":"tool","name":"now","disable_parallel_tool_use":true}})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"now","parameters":{"type":"object"}}}],
         "tool_choice":{"type":"function","function":{"name":"now"}},"parallel_tool_calls":false})"},
    {"ToolChoiceAutoAndNone",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "tools":[{"name":"now","input_schema":{"type":"object"}}],"tool_choice":{"type":"none"}})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"now","parameters":{"type":"object"}}}],
         "tool_choice":"none"})"},
    {"SamplingStopSequencesTopKDropped",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "temperature":0.7,"top_p":0.95,"top_k":40,"stop_sequences":["\n\nHuman:","END"]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}],
         "temperature":0.7,"top_p":0.95,"stop":["\n\nHuman:","END"]})",
     {"top_k"}},
    {"MetadataUserIdToUser",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "metadata":{"user_id":"user_abc"}})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}],
         "user":"user_abc"})"},
    {"ThinkingBudgetMedium",
     R"({"model":"claude","max_tokens":20000,"messages":[{"role":"user","content":"x"}],
         "thinking":{"type":"enabled","budget_tokens":10000}})",
     R"({"model":"provider-model","max_completion_tokens":20000,
         "messages":[{"role":"user","content":"x"}],"reasoning_effort":"medium"})"},
    {"ThinkingBudgetLow",
     R"({"model":"claude","max_tokens":20000,"messages":[{"role":"user","content":"x"}],
         "thinking":{"type":"enabled","budget_tokens":1024}})",
     R"({"model":"provider-model","max_completion_tokens":20000,
         "messages":[{"role":"user","content":"x"}],"reasoning_effort":"low"})"},
    {"ThinkingBudgetHigh",
     R"({"model":"claude","max_tokens":40000,"messages":[{"role":"user","content":"x"}],
         "thinking":{"type":"enabled","budget_tokens":32000}})",
     R"({"model":"provider-model","max_completion_tokens":40000,
         "messages":[{"role":"user","content":"x"}],"reasoning_effort":"high"})"},
    {"ThinkingDisabledSendsNothing",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "thinking":{"type":"disabled"}})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}]})"},
    {"StreamForcesIncludeUsage",
     R"({"model":"claude","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"x"}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}],
         "stream":true,"stream_options":{"include_usage":true}})"},
    {"UnknownMembersDropped",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"}],
         "service_tier":"auto","container":null,"mcp_servers":[]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":"x"}]})",
     {"service_tier", "container", "mcp_servers"}},
    {"UnansweredToolUseGetsPlaceholder",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"a","input":{}}]},
         {"role":"user","content":"never mind"}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[
         {"role":"user","content":"x"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function",
           "function":{"name":"a","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"t1","content":"tool call interrupted, no result available"},
         {"role":"user","content":"never mind"}]})"},
    {"BlankTextBecomesDot",
     R"({"model":"claude","max_tokens":10,"messages":[{"role":"user","content":[
         {"type":"text","text":"\n"},{"type":"text","text":"ok"}]}]})",
     R"({"model":"provider-model","max_completion_tokens":10,"messages":[{"role":"user","content":[
         {"type":"text","text":"."},{"type":"text","text":"ok"}]}]})"},
};

INSTANTIATE_TEST_SUITE_P(Rows, AnthropicToChat, ::testing::ValuesIn(kCases), caseName);

TEST(AnthropicToChatDetails, MaxTokensNameForOpenAICompatibleServers) {
  const Translated t =
      translate(Source::Messages,
                R"({"model":"claude","max_tokens":64,"messages":[{"role":"user","content":"x"}]})",
                Target::ChatMaxTokens);
  ASSERT_TRUE(t.ok);
  expectSameJson(t.body, R"({"model":"provider-model","max_tokens":64,
      "messages":[{"role":"user","content":"x"}]})");
}

TEST(AnthropicToChatDetails, ClientDidNotAskForTheUsageChunk) {
  const Translated t = translate(
      Source::Messages,
      R"({"model":"claude","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"x"}]})",
      Target::Chat);
  ASSERT_TRUE(t.ok);
  EXPECT_FALSE(t.client_include_usage);
}

TEST(AnthropicToChatDetails, RedactedThinkingRemovalIsCounted) {
  const Translated t = translate(Source::Messages, R"({"model":"c","max_tokens":1,"messages":[
      {"role":"user","content":"x"},
      {"role":"assistant","content":[{"type":"redacted_thinking","data":"z"},
        {"type":"thinking","thinking":"","signature":"s"},{"type":"text","text":"a"}]}]})",
                                 Target::Chat);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.repairs.thinking_removed, 2u);
  EXPECT_EQ(t.repairs.total(), 2u);
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
