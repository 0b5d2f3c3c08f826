// OpenAI Chat Completions client → Anthropic provider: every request row of PROTOCOLS.md §2,
// read, repaired and written, compared as JSON.
#include <gtest/gtest.h>

#include "request_translation.h"

namespace llmproxy::worker::protocol::testing {
namespace {

class ChatToAnthropic : public ::testing::TestWithParam<Case> {};

TEST_P(ChatToAnthropic, Translates) {
  const Case& c = GetParam();
  const Translated t = translate(Source::ChatCompletions, c.in, Target::Anthropic);
  ASSERT_TRUE(t.ok) << t.error.detail;
  expectSameJson(t.body, c.out);
  EXPECT_EQ(t.dropped, c.dropped);
}

const Case kCases[] = {
    {"SystemAndUserText",
     R"({"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},
         {"role":"user","content":"Hi"}]})",
     R"({"model":"provider-model","system":[{"type":"text","text":"Be brief."}],
         "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],
         "max_tokens":4096})"},
    {"SystemAndDeveloperMessagesInOrder",
     R"({"model":"m","messages":[{"role":"system","content":"A"},{"role":"user","content":"q1"},
         {"role":"developer","content":"B"},{"role":"assistant","content":"r1"},
         {"role":"system","content":[{"type":"text","text":"C"},
           {"type":"text","text":"D","cache_control":{"type":"ephemeral"}}]},
         {"role":"user","content":"q2"}]})",
     R"({"model":"provider-model",
         "system":[{"type":"text","text":"A"},{"type":"text","text":"B"},{"type":"text","text":"C"},
                   {"type":"text","text":"D","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"q1"}]},
                     {"role":"assistant","content":[{"type":"text","text":"r1"}]},
                     {"role":"user","content":[{"type":"text","text":"q2"}]}],
         "max_tokens":4096})"},
    {"MaxCompletionTokensWinsOverMaxTokens",
     R"({"model":"m","max_tokens":100,"max_completion_tokens":200,
         "messages":[{"role":"user","content":"x"}]})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":200})"},
    {"MaxTokens", R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":100})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":100})"},
    {"SamplingAndStopString",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.2,"top_p":0.9,
         "stop":"END"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"temperature":0.2,"top_p":0.9,"stop_sequences":["END"]})"},
    {"StopList", R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b"]})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"stop_sequences":["a","b"]})"},
    {"StopNull", R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":null})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096})"},
    {"ImagesBase64AndUrl",
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What?"},
         {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
         {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[
         {"type":"text","text":"What?"},
         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
         {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}],
         "max_tokens":4096})"},
    {"ImageDataUrlWithEscapedSlashes",
     R"({"model":"m","messages":[{"role":"user","content":[
         {"type":"image_url","image_url":{"url":"data:image\/jpeg;base64,\/9j\/4AAQ"}}]}]})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[
         {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}}]}],
         "max_tokens":4096})"},
    {"ToolsAndRequiredWithoutParallelCalls",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
           "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
           "strict":true}},
           {"type":"function","function":{"name":"now"}}],
         "tool_choice":"required","parallel_tool_calls":false})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,
         "tools":[{"name":"get_weather","description":"Weather",
           "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
           {"name":"now","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"any","disable_parallel_tool_use":true}})"},
    {"ToolChoiceAuto",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"now"}}],"tool_choice":"auto"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"tools":[{"name":"now","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"auto"}})"},
    {"ToolChoiceNone",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"now"}}],"tool_choice":"none"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"tools":[{"name":"now","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"none"}})"},
    {"ToolChoiceNamedFunction",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"now"}}],
         "tool_choice":{"type":"function","function":{"name":"now"}}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"tools":[{"name":"now","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"tool","name":"now"}})"},
    {"ParallelToolCallsFalseAlone",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"now"}}],"parallel_tool_calls":false})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"tools":[{"name":"now","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"auto","disable_parallel_tool_use":true}})"},
    {"ToolChoiceWithoutToolsIsNotSent",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"auto",
         "parallel_tool_calls":true})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096})"},
    {"ParallelToolCallsResultsMergedTextSeparate",
     R"({"model":"m","messages":[
         {"role":"user","content":"Weather in Paris and Rome?"},
         {"role":"assistant","content":null,"tool_calls":[
           {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
           {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
         {"role":"tool","tool_call_id":"call_1","content":"18C"},
         {"role":"tool","tool_call_id":"call_2","content":"21C"},
         {"role":"user","content":"Thanks"}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
         {"role":"assistant","content":[
           {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
           {"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Rome"}}]},
         {"role":"user","content":[
           {"type":"tool_result","tool_use_id":"call_1","content":"18C"},
           {"type":"tool_result","tool_use_id":"call_2","content":"21C"}]},
         {"role":"user","content":[{"type":"text","text":"Thanks"}]}]})"},
    {"AssistantTextThenToolCall",
     R"({"model":"m","messages":[{"role":"user","content":"x"},
         {"role":"assistant","tool_calls":[{"id":"c","type":"function",
           "function":{"name":"now","arguments":""}}],"content":"Let me check."},
         {"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"part1"},
           {"type":"text","text":"part2"}]}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"x"}]},
         {"role":"assistant","content":[{"type":"text","text":"Let me check."},
           {"type":"tool_use","id":"c","name":"now","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"c",
           "content":[{"type":"text","text":"part1"},{"type":"text","text":"part2"}]}]}]})"},
    {"UnparseableArgumentsBecomeEmptyInput",
     R"({"model":"m","messages":[{"role":"user","content":"x"},
         {"role":"assistant","tool_calls":[{"id":"c","type":"function",
           "function":{"name":"now","arguments":"{not json"}},
           {"id":"d","type":"function","function":{"name":"now","arguments":"[1,2]"}}]},
         {"role":"tool","tool_call_id":"c","content":"r"},
         {"role":"tool","tool_call_id":"d","content":"r"}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"x"}]},
         {"role":"assistant","content":[{"type":"tool_use","id":"c","name":"now","input":{}},
           {"type":"tool_use","id":"d","name":"now","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":"r"},
           {"type":"tool_result","tool_use_id":"d","content":"r"}]}]})"},
    {"ReasoningContentWithoutSignatureIsRemoved",
     R"({"model":"m","messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":"ok","reasoning_content":"hmm"},
         {"role":"user","content":"y"}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"x"}]},
         {"role":"assistant","content":[{"type":"text","text":"ok"}]},
         {"role":"user","content":[{"type":"text","text":"y"}]}]})"},
    {"ThinkingBlocksWithSignatureKeptFirst",
     R"({"model":"m","messages":[{"role":"user","content":"x"},
         {"role":"assistant","content":"ok","reasoning_content":"deep",
          "thinking_blocks":[{"type":"thinking","thinking":"deep","signature":"sig=="},
                             {"type":"redacted_thinking","data":"abc"}]},
         {"role":"user","content":"y"}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"x"}]},
         {"role":"assistant","content":[{"type":"thinking","thinking":"deep","signature":"sig=="},
           {"type":"redacted_thinking","data":"abc"},{"type":"text","text":"ok"}]},
         {"role":"user","content":[{"type":"text","text":"y"}]}]})"},
    {"ReasoningEffortHighWithoutLimit",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"high",
         "temperature":0.5,"top_p":1})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":20480,"thinking":{"type":"enabled","budget_tokens":16384}})",
     {"temperature", "top_p"}},
    {"ReasoningEffortMediumWithinLimit",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"medium",
         "max_completion_tokens":10000})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":10000,"thinking":{"type":"enabled","budget_tokens":8192}})"},
    {"ReasoningEffortOverLimitHalvesTheBudget",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"high",
         "max_tokens":6000})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":6000,"thinking":{"type":"enabled","budget_tokens":3000}})"},
    {"ReasoningEffortTooSmallALimitTurnsThinkingOff",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low",
         "max_completion_tokens":1000})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":1000})",
     {"reasoning_effort"}},
    {"ReasoningEffortNoneMeansNoThinking",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"none"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096})"},
    {"ReasoningEffortWithForcedToolTurnsThinkingOff",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low",
         "tools":[{"type":"function","function":{"name":"now"}}],"tool_choice":"required"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"tools":[{"name":"now","input_schema":{"type":"object","properties":{}}}],
         "tool_choice":{"type":"any"}})",
     {"reasoning_effort"}},
    {"UserToMetadata", R"({"model":"m","messages":[{"role":"user","content":"x"}],"user":"u-42"})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"metadata":{"user_id":"u-42"}})"},
    {"StreamWithoutStreamOptions",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,
         "stream_options":{"include_usage":true}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096,"stream":true})"},
    {"UnknownMembersDroppedAndListed",
     R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":1,"seed":7,
         "response_format":{"type":"json_object"},"logprobs":false,"frequency_penalty":0.1,
         "metadata":{"a":"b"}})",
     R"({"model":"provider-model","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
         "max_tokens":4096})",
     {"response_format", "n", "seed", "logprobs", "frequency_penalty", "metadata"}},
    {"CacheControlOnTextPartsKept",
     R"({"model":"m","messages":[{"role":"user","content":[
         {"type":"text","text":"long doc","cache_control":{"type":"ephemeral"}},
         {"type":"text","text":"question"}]}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[{"role":"user","content":[
         {"type":"text","text":"long doc","cache_control":{"type":"ephemeral"}},
         {"type":"text","text":"question"}]}]})"},
    {"BlankTextAndEmptyMessageBecomeDot",
     R"({"model":"m","messages":[{"role":"system","content":" "},{"role":"user","content":" \n\t"},
         {"role":"assistant","content":""},{"role":"user","content":"go"}]})",
     R"({"model":"provider-model","max_tokens":4096,"system":[{"type":"text","text":"."}],
         "messages":[{"role":"user","content":[{"type":"text","text":"."}]},
                     {"role":"assistant","content":[{"type":"text","text":"."}]},
                     {"role":"user","content":[{"type":"text","text":"go"}]}]})"},
    {"UnansweredToolCallGetsPlaceholder",
     R"({"model":"m","messages":[{"role":"user","content":"x"},
         {"role":"assistant","tool_calls":[
           {"id":"c1","type":"function","function":{"name":"a","arguments":"{}"}},
           {"id":"c2","type":"function","function":{"name":"b","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"c1","content":"done"},
         {"role":"user","content":"go on"}]})",
     R"({"model":"provider-model","max_tokens":4096,"messages":[
         {"role":"user","content":[{"type":"text","text":"x"}]},
         {"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"a","input":{}},
           {"type":"tool_use","id":"c2","name":"b","input":{}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"done"},
           {"type":"tool_result","tool_use_id":"c2","is_error":true,
            "content":"tool call interrupted, no result available"}]},
         {"role":"user","content":[{"type":"text","text":"go on"}]}]})"},
};

INSTANTIATE_TEST_SUITE_P(Rows, ChatToAnthropic, ::testing::ValuesIn(kCases), caseName);

TEST(ChatToAnthropicDetails, DefaultMaxTokensComesFromTheProvider) {
  const Translated t = translate(Source::ChatCompletions,
                                 R"({"model":"m","messages":[{"role":"user","content":"x"}]})",
                                 Target::Anthropic, 8192);
  ASSERT_TRUE(t.ok);
  expectSameJson(t.body, R"({"model":"provider-model","max_tokens":8192,
      "messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]})");
}

TEST(ChatToAnthropicDetails, EscapesTravelAsTheClientWroteThem) {
  const Translated t = translate(Source::ChatCompletions,
                                 R"({"model":"m","messages":[{"role":"user",
      "content":"line1\nline2 \"q\" caf\u00e9 \/ \ud83d\ude00"}]})",
                                 Target::Anthropic);
  ASSERT_TRUE(t.ok);
  EXPECT_NE(t.body.find(R"("line1\nline2 \"q\" caf\u00e9 \/ \ud83d\ude00")"), std::string::npos)
      << t.body;
}

TEST(ChatToAnthropicDetails, ModelIsTheProvidersTarget) {
  const Translated t = translate(
      Source::ChatCompletions,
      R"({"model":"client-name","messages":[{"role":"user","content":"x"}]})", Target::Anthropic);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.body.find("client-name"), std::string::npos);
  EXPECT_EQ(t.body.rfind(R"({"model":"provider-model",)", 0), 0u) << t.body;
}

TEST(ChatToAnthropicDetails, UnparseableArgumentsAreCountedEmptyOnesAreNot) {
  const Translated t = translate(Source::ChatCompletions, R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[
        {"id":"a","type":"function","function":{"name":"f","arguments":"{oops"}},
        {"id":"b","type":"function","function":{"name":"f","arguments":"  "}},
        {"id":"c","type":"function","function":{"name":"f","arguments":"\"str\""}},
        {"id":"d","type":"function","function":{"name":"f","arguments":"{\"a\":1} x"}},
        {"id":"e","type":"function","function":{"name":"f"}}]}]})",
                                 Target::Anthropic);
  ASSERT_TRUE(t.ok) << t.error.detail;
  EXPECT_EQ(t.unparseable_arguments, 3u);
  EXPECT_EQ(t.repairs.tool_results_added, 5u);
}

TEST(ChatToAnthropicDetails, RepairsAreCounted) {
  const Translated t = translate(Source::ChatCompletions, R"({"model":"m","messages":[
      {"role":"user","content":""},
      {"role":"assistant","content":"a","reasoning_content":"r","tool_calls":[
        {"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"user","content":"next"}]})",
                                 Target::Anthropic);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.repairs.thinking_removed, 1u);
  EXPECT_EQ(t.repairs.tool_results_added, 1u);
  EXPECT_EQ(t.repairs.blank_texts, 1u);
  EXPECT_EQ(t.repairs.thinking_disabled, 0u);
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
