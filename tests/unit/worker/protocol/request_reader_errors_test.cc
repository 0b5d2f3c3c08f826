// Every bad input the request readers refuse: 400 (BadRequest) with its exact message and the
// parameter it names; and no crash on any truncation or corruption of a valid body.
#include <gtest/gtest.h>

#include <string>

#include "request_translation.h"
#include "worker/protocol/responses_request_reader.h"

namespace llmproxy::worker::protocol::testing {
namespace {

struct ErrorCase {
  const char* name;
  Source source;
  const char* body;
  const char* message;
  const char* param;
};

std::string errorCaseName(const ::testing::TestParamInfo<ErrorCase>& info) {
  return info.param.name;
}

class ReaderError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ReaderError, IsABadRequestNamingTheParameter) {
  const ErrorCase& c = GetParam();
  RequestReader reader;
  auto ir = reader.read(c.source, c.body);
  ASSERT_FALSE(ir) << c.body;
  EXPECT_EQ(ir.error().kind, common::ErrorKind::BadRequest);
  EXPECT_EQ(ir.error().detail, c.message);
  EXPECT_EQ(ir.error().param, c.param);
}

constexpr Source kChat = Source::ChatCompletions;
constexpr Source kMessages = Source::Messages;
constexpr Source kResponses = Source::Responses;

#define UNSUPPORTED(what, where) \
  "Unsupported " what " in '" where "': it has no equivalent in the provider's API"

const ErrorCase kCases[] = {
    // --- any protocol ---
    {"NotAnObject", kChat, R"([1,2])", "Request body must be a JSON object", ""},
    {"DuplicateKnownKey", kChat,
     R"({"model":"m","messages":[],"messages":[{"role":"user","content":"x"}]})",
     "Duplicate key 'messages' in request body", "messages"},

    // --- chat ---
    {"ChatMissingModel", kChat, R"({"messages":[]})", "Missing required parameter: 'model'",
     "model"},
    {"ChatModelNotAString", kChat, R"({"model":1,"messages":[]})",
     "Invalid type for 'model': expected a string", "model"},
    {"ChatMissingMessages", kChat, R"({"model":"m"})", "Missing required parameter: 'messages'",
     "messages"},
    {"ChatMessagesNotAnArray", kChat, R"({"model":"m","messages":{}})",
     "Invalid type for 'messages': expected an array", "messages"},
    {"ChatMessageNotAnObject", kChat, R"({"model":"m","messages":[1]})",
     "Invalid type for 'messages[0]': expected an object", "messages[0]"},
    {"ChatMissingRole", kChat, R"({"model":"m","messages":[{"content":"x"}]})",
     "Missing required parameter: 'messages[0].role'", "messages[0].role"},
    {"ChatRoleNotAString", kChat, R"({"model":"m","messages":[{"role":5,"content":"x"}]})",
     "Invalid type for 'messages[0].role': expected a string", "messages[0].role"},
    {"ChatUnknownRole", kChat,
     R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"robot","content":"x"}]})",
     "Invalid value for 'messages[1].role': 'robot'; expected one of 'system', 'developer', "
     "'user', 'assistant', 'tool'",
     "messages[1].role"},
    {"ChatFunctionRole", kChat,
     R"({"model":"m","messages":[{"role":"function","name":"f","content":"x"}]})",
     UNSUPPORTED("legacy role 'function'", "messages[0]"), "messages[0]"},
    {"ChatMissingContent", kChat, R"({"model":"m","messages":[{"role":"user"}]})",
     "Missing required parameter: 'messages[0].content'", "messages[0].content"},
    {"ChatSystemMissingContent", kChat, R"({"model":"m","messages":[{"role":"system"}]})",
     "Missing required parameter: 'messages[0].content'", "messages[0].content"},
    {"ChatContentWrongType", kChat, R"({"model":"m","messages":[{"role":"user","content":5}]})",
     "Invalid type for 'messages[0].content': expected a string or an array",
     "messages[0].content"},
    {"ChatContentNullForUser", kChat,
     R"({"model":"m","messages":[{"role":"user","content":null}]})",
     "Invalid type for 'messages[0].content': expected a string or an array",
     "messages[0].content"},
    {"ChatPartNotAnObject", kChat, R"({"model":"m","messages":[{"role":"user","content":["x"]}]})",
     "Invalid type for 'messages[0].content[0]': expected an object", "messages[0].content[0]"},
    {"ChatPartMissingType", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]})",
     "Missing required parameter: 'messages[0].content[0].type'", "messages[0].content[0].type"},
    {"ChatPartUnknownType", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]})",
     "Invalid value for 'messages[0].content[0].type': 'video'; expected 'text' or 'image_url'",
     "messages[0].content[0].type"},
    {"ChatSystemPartImage", kChat,
     R"({"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}]})",
     UNSUPPORTED("content type 'image_url'", "messages[0].content[0]"), "messages[0].content[0]"},
    {"ChatInputAudio", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]})",
     UNSUPPORTED("content type 'input_audio'", "messages[0].content[0]"), "messages[0].content[0]"},
    {"ChatFilePart", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{}}]}]})",
     UNSUPPORTED("content type 'file'", "messages[0].content[0]"), "messages[0].content[0]"},
    {"ChatTextPartMissingText", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]})",
     "Missing required parameter: 'messages[0].content[0].text'", "messages[0].content[0].text"},
    {"ChatTextPartTextNotAString", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":1}]}]})",
     "Invalid type for 'messages[0].content[0].text': expected a string",
     "messages[0].content[0].text"},
    {"ChatImageUrlNotHttp", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]})",
     "Invalid value for 'messages[0].content[0].image_url.url': expected an http(s) URL or a "
     "base64 data URL (data:<media type>;base64,<data>)",
     "messages[0].content[0].image_url.url"},
    {"ChatImageDataUrlNotBase64", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/svg+xml,<svg/>"}}]}]})",
     "Invalid value for 'messages[0].content[0].image_url.url': expected an http(s) URL or a "
     "base64 data URL (data:<media type>;base64,<data>)",
     "messages[0].content[0].image_url.url"},
    {"ChatImageDataUrlWithoutMediaType", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:;base64,AAAA"}}]}]})",
     "Invalid value for 'messages[0].content[0].image_url.url': expected an http(s) URL or a "
     "base64 data URL (data:<media type>;base64,<data>)",
     "messages[0].content[0].image_url.url"},
    {"ChatImageMissingUrl", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"detail":"low"}}]}]})",
     "Missing required parameter: 'messages[0].content[0].image_url.url'",
     "messages[0].content[0].image_url.url"},
    {"ChatImageUrlWrongType", kChat,
     R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":7}]}]})",
     "Invalid type for 'messages[0].content[0].image_url': expected an object",
     "messages[0].content[0].image_url"},
    {"ChatToolCallsNotAnArray", kChat,
     R"({"model":"m","messages":[{"role":"assistant","tool_calls":{}}]})",
     "Invalid type for 'messages[0].tool_calls': expected an array", "messages[0].tool_calls"},
    {"ChatToolCallMissingId", kChat,
     R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]})",
     "Missing required parameter: 'messages[0].tool_calls[0].id'", "messages[0].tool_calls[0].id"},
    {"ChatToolCallMissingFunction", kChat,
     R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function"}]}]})",
     "Missing required parameter: 'messages[0].tool_calls[0].function'",
     "messages[0].tool_calls[0].function"},
    {"ChatToolCallMissingName", kChat,
     R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"arguments":"{}"}}]}]})",
     "Missing required parameter: 'messages[0].tool_calls[0].function.name'",
     "messages[0].tool_calls[0].function.name"},
    {"ChatToolCallArgumentsNotAString", kChat,
     R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{}}}]}]})",
     "Invalid type for 'messages[0].tool_calls[0].function.arguments': expected a string",
     "messages[0].tool_calls[0].function.arguments"},
    {"ChatToolCallCustomType", kChat,
     R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{}}]}]})",
     UNSUPPORTED("tool call type 'custom'", "messages[0].tool_calls[0]"),
     "messages[0].tool_calls[0]"},
    {"ChatLegacyFunctionCall", kChat,
     R"({"model":"m","messages":[{"role":"assistant","function_call":{"name":"f","arguments":"{}"}}]})",
     UNSUPPORTED("legacy function_call", "messages[0].function_call"), "messages[0].function_call"},
    {"ChatThinkingBlockBadType", kChat,
     R"({"model":"m","messages":[{"role":"assistant","thinking_blocks":[{"type":"text","text":"x"}]}]})",
     "Invalid value for 'messages[0].thinking_blocks[0].type': 'text'; expected 'thinking' or "
     "'redacted_thinking'",
     "messages[0].thinking_blocks[0].type"},
    {"ChatReasoningContentNotAString", kChat,
     R"({"model":"m","messages":[{"role":"assistant","reasoning_content":1}]})",
     "Invalid type for 'messages[0].reasoning_content': expected a string",
     "messages[0].reasoning_content"},
    {"ChatToolMessageMissingId", kChat,
     R"({"model":"m","messages":[{"role":"tool","content":"x"}]})",
     "Missing required parameter: 'messages[0].tool_call_id'", "messages[0].tool_call_id"},
    {"ChatToolMessageImage", kChat,
     R"({"model":"m","messages":[{"role":"tool","tool_call_id":"c","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}]})",
     UNSUPPORTED("content type 'image_url'", "messages[0].content[0]"), "messages[0].content[0]"},
    {"ChatToolsNotAnArray", kChat, R"({"model":"m","messages":[],"tools":{}})",
     "Invalid type for 'tools': expected an array", "tools"},
    {"ChatToolCustomType", kChat,
     R"({"model":"m","messages":[],"tools":[{"type":"custom","custom":{"name":"x"}}]})",
     UNSUPPORTED("tool type 'custom'", "tools[0]"), "tools[0]"},
    {"ChatToolMissingFunction", kChat,
     R"({"model":"m","messages":[],"tools":[{"type":"function"}]})",
     "Missing required parameter: 'tools[0].function'", "tools[0].function"},
    {"ChatToolMissingName", kChat,
     R"({"model":"m","messages":[],"tools":[{"type":"function","function":{"description":"d"}}]})",
     "Missing required parameter: 'tools[0].function.name'", "tools[0].function.name"},
    {"ChatToolParametersNotAnObject", kChat,
     R"({"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]})",
     "Invalid type for 'tools[0].function.parameters': expected an object",
     "tools[0].function.parameters"},
    {"ChatToolStrictNotABoolean", kChat,
     R"({"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"f","strict":"yes"}}]})",
     "Invalid type for 'tools[0].function.strict': expected a boolean", "tools[0].function.strict"},
    {"ChatToolChoiceUnknownString", kChat,
     R"({"model":"m","messages":[],"tool_choice":"sometimes"})",
     "Invalid value for 'tool_choice': 'sometimes'; expected 'auto', 'none', 'required' or a "
     "function object",
     "tool_choice"},
    {"ChatToolChoiceWrongType", kChat, R"({"model":"m","messages":[],"tool_choice":3})",
     "Invalid type for 'tool_choice': expected a string or an object", "tool_choice"},
    {"ChatToolChoiceMissingName", kChat,
     R"({"model":"m","messages":[],"tool_choice":{"type":"function","function":{}}})",
     "Missing required parameter: 'tool_choice.function.name'", "tool_choice.function.name"},
    {"ChatToolChoiceAllowedTools", kChat,
     R"({"model":"m","messages":[],"tool_choice":{"type":"allowed_tools","allowed_tools":{}}})",
     UNSUPPORTED("tool_choice type 'allowed_tools'", "tool_choice"), "tool_choice"},
    {"ChatTemperatureNotANumber", kChat, R"({"model":"m","messages":[],"temperature":"hot"})",
     "Invalid type for 'temperature': expected a number", "temperature"},
    {"ChatTopPNotANumber", kChat, R"({"model":"m","messages":[],"top_p":true})",
     "Invalid type for 'top_p': expected a number", "top_p"},
    {"ChatMaxTokensNegative", kChat, R"({"model":"m","messages":[],"max_tokens":-1})",
     "Invalid type for 'max_tokens': expected a non-negative integer", "max_tokens"},
    {"ChatMaxCompletionTokensFraction", kChat,
     R"({"model":"m","messages":[],"max_completion_tokens":1.5})",
     "Invalid type for 'max_completion_tokens': expected a non-negative integer",
     "max_completion_tokens"},
    {"ChatStopWrongType", kChat, R"({"model":"m","messages":[],"stop":5})",
     "Invalid type for 'stop': expected a string or an array of strings", "stop"},
    {"ChatStopElementWrongType", kChat, R"({"model":"m","messages":[],"stop":["a",1]})",
     "Invalid type for 'stop[1]': expected a string", "stop[1]"},
    {"ChatStreamNotABoolean", kChat, R"({"model":"m","messages":[],"stream":"yes"})",
     "Invalid type for 'stream': expected a boolean", "stream"},
    {"ChatStreamOptionsWrongType", kChat, R"({"model":"m","messages":[],"stream_options":[]})",
     "Invalid type for 'stream_options': expected an object", "stream_options"},
    {"ChatIncludeUsageNotABoolean", kChat,
     R"({"model":"m","messages":[],"stream_options":{"include_usage":1}})",
     "Invalid type for 'stream_options.include_usage': expected a boolean",
     "stream_options.include_usage"},
    {"ChatParallelToolCallsNotABoolean", kChat,
     R"({"model":"m","messages":[],"parallel_tool_calls":"no"})",
     "Invalid type for 'parallel_tool_calls': expected a boolean", "parallel_tool_calls"},
    {"ChatUserNotAString", kChat, R"({"model":"m","messages":[],"user":5})",
     "Invalid type for 'user': expected a string", "user"},
    {"ChatReasoningEffortNotAString", kChat, R"({"model":"m","messages":[],"reasoning_effort":{}})",
     "Invalid type for 'reasoning_effort': expected a string", "reasoning_effort"},
    {"ChatResponseFormatUnknownType", kChat,
     R"({"model":"m","messages":[],"response_format":{"type":"xml"}})",
     "Invalid value for 'response_format.type': 'xml'; expected 'text', 'json_object' or "
     "'json_schema'",
     "response_format.type"},
    {"ChatResponseFormatSchemaNotAnObject", kChat,
     R"({"model":"m","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":1}}})",
     "Invalid type for 'response_format.json_schema.schema': expected an object",
     "response_format.json_schema.schema"},

    // --- Anthropic ---
    {"MessagesMissingMessages", kMessages, R"({"model":"c","max_tokens":1})",
     "Missing required parameter: 'messages'", "messages"},
    {"MessagesSystemRole", kMessages,
     R"({"model":"c","messages":[{"role":"system","content":"x"}]})",
     "Invalid value for 'messages[0].role': 'system'; expected 'user' or 'assistant'",
     "messages[0].role"},
    {"MessagesMissingContent", kMessages, R"({"model":"c","messages":[{"role":"user"}]})",
     "Missing required parameter: 'messages[0].content'", "messages[0].content"},
    {"MessagesContentWrongType", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":{}}]})",
     "Invalid type for 'messages[0].content': expected a string or an array",
     "messages[0].content"},
    {"MessagesUnknownBlockInUser", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"video"}]}]})",
     "Invalid value for 'messages[0].content[0].type': 'video'; expected 'text', 'image' or "
     "'tool_result'",
     "messages[0].content[0].type"},
    {"MessagesToolUseInUser", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"n","input":{}}]}]})",
     "Invalid value for 'messages[0].content[0].type': 'tool_use'; expected 'text', 'image' or "
     "'tool_result'",
     "messages[0].content[0].type"},
    {"MessagesImageInAssistant", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"image","source":{}}]}]})",
     "Invalid value for 'messages[0].content[0].type': 'image'; expected 'text', 'tool_use', "
     "'thinking' or 'redacted_thinking'",
     "messages[0].content[0].type"},
    {"MessagesDocument", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"document","source":{}}]}]})",
     UNSUPPORTED("content block type 'document'", "messages[0].content[0]"),
     "messages[0].content[0]"},
    {"MessagesServerToolUse", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]})",
     UNSUPPORTED("content block type 'server_tool_use'", "messages[0].content[0]"),
     "messages[0].content[0]"},
    {"MessagesTextBlockMissingText", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"text"}]}]})",
     "Missing required parameter: 'messages[0].content[0].text'", "messages[0].content[0].text"},
    {"MessagesImageMissingSource", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"image"}]}]})",
     "Missing required parameter: 'messages[0].content[0].source'",
     "messages[0].content[0].source"},
    {"MessagesImageSourceFile", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})",
     UNSUPPORTED("image source 'file'", "messages[0].content[0].source"),
     "messages[0].content[0].source"},
    {"MessagesImageSourceUnknown", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"image","source":{"type":"blob"}}]}]})",
     "Invalid value for 'messages[0].content[0].source.type': 'blob'; expected 'base64' or 'url'",
     "messages[0].content[0].source.type"},
    {"MessagesImageMissingMediaType", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"AA"}}]}]})",
     "Missing required parameter: 'messages[0].content[0].source.media_type'",
     "messages[0].content[0].source.media_type"},
    {"MessagesImageMissingData", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png"}}]}]})",
     "Missing required parameter: 'messages[0].content[0].source.data'",
     "messages[0].content[0].source.data"},
    {"MessagesToolUseMissingInput", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n"}]}]})",
     "Missing required parameter: 'messages[0].content[0].input'", "messages[0].content[0].input"},
    {"MessagesToolUseInputNotAnObject", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":"{}"}]}]})",
     "Invalid type for 'messages[0].content[0].input': expected an object",
     "messages[0].content[0].input"},
    {"MessagesToolUseMissingId", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"tool_use","name":"n","input":{}}]}]})",
     "Missing required parameter: 'messages[0].content[0].id'", "messages[0].content[0].id"},
    {"MessagesToolResultMissingId", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]})",
     "Missing required parameter: 'messages[0].content[0].tool_use_id'",
     "messages[0].content[0].tool_use_id"},
    {"MessagesToolResultContentWrongType", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":5}]}]})",
     "Invalid type for 'messages[0].content[0].content': expected a string or an array",
     "messages[0].content[0].content"},
    {"MessagesToolResultNestedToolResult", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_result","tool_use_id":"u"}]}]}]})",
     "Invalid value for 'messages[0].content[0].content[0].type': 'tool_result'; expected "
     "'text' or 'image'",
     "messages[0].content[0].content[0].type"},
    {"MessagesToolResultIsErrorNotABoolean", kMessages,
     R"({"model":"c","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":"yes"}]}]})",
     "Invalid type for 'messages[0].content[0].is_error': expected a boolean",
     "messages[0].content[0].is_error"},
    {"MessagesThinkingMissingText", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"thinking","signature":"s"}]}]})",
     "Missing required parameter: 'messages[0].content[0].thinking'",
     "messages[0].content[0].thinking"},
    {"MessagesRedactedThinkingMissingData", kMessages,
     R"({"model":"c","messages":[{"role":"assistant","content":[{"type":"redacted_thinking"}]}]})",
     "Missing required parameter: 'messages[0].content[0].data'", "messages[0].content[0].data"},
    {"MessagesSystemWrongType", kMessages, R"({"model":"c","messages":[],"system":5})",
     "Invalid type for 'system': expected a string or an array", "system"},
    {"MessagesSystemImageBlock", kMessages,
     R"({"model":"c","messages":[],"system":[{"type":"image","source":{}}]})",
     "Invalid value for 'system[0].type': 'image'; expected 'text'", "system[0].type"},
    {"MessagesCacheControlNotAnObject", kMessages,
     R"({"model":"c","messages":[],"system":[{"type":"text","text":"x","cache_control":"ephemeral"}]})",
     "Invalid type for 'system[0].cache_control': expected an object", "system[0].cache_control"},
    {"MessagesServerTool", kMessages,
     R"({"model":"c","messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]})",
     UNSUPPORTED("tool type 'web_search_20250305'", "tools[0]"), "tools[0]"},
    {"MessagesToolMissingName", kMessages,
     R"({"model":"c","messages":[],"tools":[{"input_schema":{}}]})",
     "Missing required parameter: 'tools[0].name'", "tools[0].name"},
    {"MessagesToolSchemaNotAnObject", kMessages,
     R"({"model":"c","messages":[],"tools":[{"name":"n","input_schema":"{}"}]})",
     "Invalid type for 'tools[0].input_schema': expected an object", "tools[0].input_schema"},
    {"MessagesToolChoiceString", kMessages, R"({"model":"c","messages":[],"tool_choice":"auto"})",
     "Invalid type for 'tool_choice': expected an object", "tool_choice"},
    {"MessagesToolChoiceUnknownType", kMessages,
     R"({"model":"c","messages":[],"tool_choice":{"type":"maybe"}})",
     "Invalid value for 'tool_choice.type': 'maybe'; expected 'auto', 'any', 'tool' or 'none'",
     "tool_choice.type"},
    {"MessagesToolChoiceToolWithoutName", kMessages,
     R"({"model":"c","messages":[],"tool_choice":{"type":"tool"}})",
     "Missing required parameter: 'tool_choice.name'", "tool_choice.name"},
    {"MessagesThinkingWithoutBudget", kMessages,
     R"({"model":"c","messages":[],"thinking":{"type":"enabled"}})",
     "Missing required parameter: 'thinking.budget_tokens'", "thinking.budget_tokens"},
    {"MessagesThinkingUnknownType", kMessages,
     R"({"model":"c","messages":[],"thinking":{"type":"sometimes"}})",
     "Invalid value for 'thinking.type': 'sometimes'; expected 'enabled', 'disabled' or "
     "'adaptive'",
     "thinking.type"},
    {"MessagesThinkingBudgetNegative", kMessages,
     R"({"model":"c","messages":[],"thinking":{"type":"enabled","budget_tokens":-5}})",
     "Invalid type for 'thinking.budget_tokens': expected a non-negative integer",
     "thinking.budget_tokens"},
    {"MessagesMetadataNotAnObject", kMessages, R"({"model":"c","messages":[],"metadata":"u"})",
     "Invalid type for 'metadata': expected an object", "metadata"},
    {"MessagesUserIdNotAString", kMessages,
     R"({"model":"c","messages":[],"metadata":{"user_id":1}})",
     "Invalid type for 'metadata.user_id': expected a string", "metadata.user_id"},
    {"MessagesStopSequencesString", kMessages,
     R"({"model":"c","messages":[],"stop_sequences":"x"})",
     "Invalid type for 'stop_sequences': expected an array of strings", "stop_sequences"},
    {"MessagesTopKNotANumber", kMessages, R"({"model":"c","messages":[],"top_k":"5"})",
     "Invalid type for 'top_k': expected a number", "top_k"},
    {"MessagesMaxTokensNotAnInteger", kMessages, R"({"model":"c","messages":[],"max_tokens":"5"})",
     "Invalid type for 'max_tokens': expected a non-negative integer", "max_tokens"},

    // --- Responses ---
    {"ResponsesMissingInput", kResponses, R"({"model":"g"})", "Missing required parameter: 'input'",
     "input"},
    {"ResponsesInputWrongType", kResponses, R"({"model":"g","input":5})",
     "Invalid type for 'input': expected a string or an array", "input"},
    {"ResponsesItemNotAnObject", kResponses, R"({"model":"g","input":["x"]})",
     "Invalid type for 'input[0]': expected an object", "input[0]"},
    {"ResponsesItemReference", kResponses,
     R"({"model":"g","input":[{"type":"item_reference","id":"msg_1"}]})",
     kUnresolvedReference.data(), "input[0]"},
    {"ResponsesItemReferenceBeforeAUserMessage", kResponses,
     R"({"model":"g","input":[{"role":"user","content":"a"},{"type":"item_reference","id":"msg_1"},)"
     R"({"role":"user","content":"b"}]})",
     kUnresolvedReference.data(), "input[1]"},
    {"ResponsesItemReferenceWithAForgedTag", kResponses,
     R"({"model":"g","input":[{"type":"item_reference","id":"msg_c1eyJ0eXBlIjoibWVzc2FnZSJ9.AAAAAAAAAAAAAAAAAAAAAA"}]})",
     kUnresolvedReference.data(), "input[0]"},
    {"ResponsesHostedToolCall", kResponses,
     R"({"model":"g","input":[{"type":"web_search_call","id":"ws"}]})",
     UNSUPPORTED("input item type 'web_search_call'", "input[0]"), "input[0]"},
    {"ResponsesMessageMissingRole", kResponses,
     R"({"model":"g","input":[{"type":"message","content":"x"}]})",
     "Missing required parameter: 'input[0].role'", "input[0].role"},
    {"ResponsesMessageUnknownRole", kResponses,
     R"({"model":"g","input":[{"role":"tool","content":"x"}]})",
     "Invalid value for 'input[0].role': 'tool'; expected one of 'user', 'assistant', 'system', "
     "'developer'",
     "input[0].role"},
    {"ResponsesMessageMissingContent", kResponses, R"({"model":"g","input":[{"role":"user"}]})",
     "Missing required parameter: 'input[0].content'", "input[0].content"},
    {"ResponsesInputFile", kResponses,
     R"({"model":"g","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})",
     UNSUPPORTED("content type 'input_file'", "input[0].content[0]"), "input[0].content[0]"},
    {"ResponsesUnknownPartType", kResponses,
     R"({"model":"g","input":[{"role":"user","content":[{"type":"text","text":"x"}]}]})",
     "Invalid value for 'input[0].content[0].type': 'text'; expected 'input_text' or "
     "'input_image'",
     "input[0].content[0].type"},
    {"ResponsesImageInAssistant", kResponses,
     R"({"model":"g","input":[{"role":"assistant","content":[{"type":"input_image","image_url":"https://x"}]}]})",
     UNSUPPORTED("content type 'input_image'", "input[0].content[0]"), "input[0].content[0]"},
    {"ResponsesImageByFileId", kResponses,
     R"({"model":"g","input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]})",
     UNSUPPORTED("image by file_id", "input[0].content[0].file_id"), "input[0].content[0].file_id"},
    {"ResponsesImageMissingUrl", kResponses,
     R"({"model":"g","input":[{"role":"user","content":[{"type":"input_image","detail":"low"}]}]})",
     "Missing required parameter: 'input[0].content[0].image_url'",
     "input[0].content[0].image_url"},
    {"ResponsesTextPartMissingText", kResponses,
     R"({"model":"g","input":[{"role":"user","content":[{"type":"input_text"}]}]})",
     "Missing required parameter: 'input[0].content[0].text'", "input[0].content[0].text"},
    {"ResponsesFunctionCallMissingCallId", kResponses,
     R"({"model":"g","input":[{"type":"function_call","name":"f","arguments":"{}"}]})",
     "Missing required parameter: 'input[0].call_id'", "input[0].call_id"},
    {"ResponsesFunctionCallMissingName", kResponses,
     R"({"model":"g","input":[{"type":"function_call","call_id":"c","arguments":"{}"}]})",
     "Missing required parameter: 'input[0].name'", "input[0].name"},
    {"ResponsesFunctionCallArgumentsWrongType", kResponses,
     R"({"model":"g","input":[{"type":"function_call","call_id":"c","name":"f","arguments":1}]})",
     "Invalid type for 'input[0].arguments': expected a string", "input[0].arguments"},
    {"ResponsesOutputMissing", kResponses,
     R"({"model":"g","input":[{"type":"function_call_output","call_id":"c"}]})",
     "Missing required parameter: 'input[0].output'", "input[0].output"},
    {"ResponsesOutputMissingCallId", kResponses,
     R"({"model":"g","input":[{"type":"function_call_output","output":"x"}]})",
     "Missing required parameter: 'input[0].call_id'", "input[0].call_id"},
    {"ResponsesReasoningSummaryNotAnArray", kResponses,
     R"({"model":"g","input":[{"type":"reasoning","summary":"s"}]})",
     "Invalid type for 'input[0].summary': expected an array", "input[0].summary"},
    {"ResponsesReasoningSummaryMissingText", kResponses,
     R"({"model":"g","input":[{"type":"reasoning","summary":[{"type":"summary_text"}]}]})",
     "Missing required parameter: 'input[0].summary[0].text'", "input[0].summary[0].text"},
    {"ResponsesPreviousResponseId", kResponses,
     R"({"model":"g","input":"x","previous_response_id":"resp_1"})",
     "'previous_response_id' needs a provider that speaks the Responses API and keeps its "
     "state; this model is served through another API",
     "previous_response_id"},
    {"ResponsesConversation", kResponses, R"({"model":"g","input":"x","conversation":"conv_1"})",
     "'conversation' needs a provider that speaks the Responses API and keeps its state; this "
     "model is served through another API",
     "conversation"},
    {"ResponsesHostedTool", kResponses,
     R"({"model":"g","input":"x","tools":[{"type":"web_search_preview"}]})",
     UNSUPPORTED("tool type 'web_search_preview'", "tools[0]"), "tools[0]"},
    {"ResponsesToolMissingName", kResponses,
     R"({"model":"g","input":"x","tools":[{"type":"function"}]})",
     "Missing required parameter: 'tools[0].name'", "tools[0].name"},
    {"ResponsesToolChoiceHosted", kResponses,
     R"({"model":"g","input":"x","tool_choice":{"type":"file_search"}})",
     UNSUPPORTED("tool_choice type 'file_search'", "tool_choice"), "tool_choice"},
    {"ResponsesToolChoiceFunctionWithoutName", kResponses,
     R"({"model":"g","input":"x","tool_choice":{"type":"function"}})",
     "Missing required parameter: 'tool_choice.name'", "tool_choice.name"},
    {"ResponsesReasoningNotAnObject", kResponses, R"({"model":"g","input":"x","reasoning":"high"})",
     "Invalid type for 'reasoning': expected an object", "reasoning"},
    {"ResponsesEffortNotAString", kResponses,
     R"({"model":"g","input":"x","reasoning":{"effort":1}})",
     "Invalid type for 'reasoning.effort': expected a string", "reasoning.effort"},
    {"ResponsesTextFormatUnknown", kResponses,
     R"({"model":"g","input":"x","text":{"format":{"type":"xml"}}})",
     "Invalid value for 'text.format.type': 'xml'; expected 'text', 'json_object' or "
     "'json_schema'",
     "text.format.type"},
    {"ResponsesInstructionsNotAString", kResponses,
     R"({"model":"g","input":"x","instructions":[]})",
     "Invalid type for 'instructions': expected a string", "instructions"},
    {"ResponsesMaxOutputTokensNotAnInteger", kResponses,
     R"({"model":"g","input":"x","max_output_tokens":"5"})",
     "Invalid type for 'max_output_tokens': expected a non-negative integer", "max_output_tokens"},
};

#undef UNSUPPORTED

INSTANTIATE_TEST_SUITE_P(All, ReaderError, ::testing::ValuesIn(kCases), errorCaseName);

TEST(ReaderErrorDetails, InvalidJsonSaysSo) {
  RequestReader reader;
  for (Source source : {kChat, kMessages, kResponses}) {
    auto ir = reader.read(source, R"({"model":"m","messages":[{"role":"user","content":"x"})");
    ASSERT_FALSE(ir);
    EXPECT_EQ(ir.error().kind, common::ErrorKind::BadRequest);
    EXPECT_EQ(ir.error().detail.rfind("Invalid JSON in request body: ", 0), 0u)
        << ir.error().detail;
  }
}

// The readers trust JsonFactsParser for what they copy raw, but must never crash on any input:
// every prefix of a body and every single-byte corruption of it gives a result or an error.
TEST(ReaderErrorDetails, NoCrashOnTruncatedOrCorruptedBodies) {
  const std::string bodies[] = {
      R"({"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a\nb"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":[1,2]}"}}]},{"role":"tool","tool_call_id":"c","content":"r"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":{"type":"function","function":{"name":"f"}},"stop":["x"],"stream":true,"x":{"y":[null,true]}})",
      R"({"model":"c","max_tokens":5,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x"}}]},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"tool_use","id":"t","name":"n","input":{"k":"v"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"r"}]}]}],"tool_choice":{"type":"tool","name":"n"},"thinking":{"type":"enabled","budget_tokens":2000},"metadata":{"user_id":"u"}})",
      R"({"model":"g","instructions":"i","input":[{"role":"user","content":[{"type":"input_text","text":"t"}]},{"type":"reasoning","summary":[{"type":"summary_text","text":"s"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"o"}],"tools":[{"type":"function","name":"f"}],"reasoning":{"effort":"low"},"text":{"format":{"type":"json_object"}}})",
  };
  const Source sources[] = {kChat, kMessages, kResponses};
  RequestReader reader;
  for (int b = 0; b < 3; ++b) {
    for (Source source : sources) {
      ASSERT_TRUE(reader.read(sources[b], bodies[b])) << b;
      for (size_t n = 0; n < bodies[b].size(); ++n) {
        (void)reader.read(source, std::string_view(bodies[b]).substr(0, n));
        std::string corrupted = bodies[b];
        for (char c : {'"', '{', ']', '\\', ',', '\0'}) {
          corrupted[n] = c;
          if (auto ir = reader.read(source, corrupted)) {
            (void)repairRequest(*ir, common::ProviderType::Anthropic);
            (void)writeAnthropicRequest(*ir, {"t", 0});
            (void)writeChatRequest(*ir, {"t", true});
          }
          corrupted[n] = bodies[b][n];
        }
      }
    }
  }
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
