// Reads an OpenAI Chat Completions request body into the internal form (RequestReader's part
// for Source::ChatCompletions).
//
//  - system and developer messages → InternalRequest::system, in order (each text part one block;
//    a part's non-standard cache_control is kept for Anthropic).
//  - user: text and image_url parts (data URL → base64 + media type, http(s) URL → url);
//    input_audio and file parts are refused.
//  - assistant: content (string, text parts; refusal parts skipped), then tool_calls → ToolUse
//    (arguments kept as sent, and parsed into input), reasoning_content → one Thinking part
//    without signature, or LiteLLM's thinking_blocks [{type: thinking, thinking, signature} |
//    {type: redacted_thinking, data}] when present (their signature counts as Anthropic's).
//    Parts ordered thinking, text, tool use.
//  - tool: one Tool message holding one ToolResult (tool_call_id; content string or text parts).
//  - max_completion_tokens, else max_tokens; temperature, top_p; stop (string or list);
//    stream, stream_options.include_usage; tools (type function only), tool_choice,
//    parallel_tool_calls; user; reasoning_effort; response_format. Every other top-level member
//    is kept raw in `unknown`.
#pragma once

#include <simdjson.h>

#include "common/base/result.h"
#include "worker/protocol/reader_support.h"

namespace llmproxy::worker::protocol {

common::Result<void> readChatRequest(reading::Scope& sc, simdjson::ondemand::object& root);

}  // namespace llmproxy::worker::protocol
