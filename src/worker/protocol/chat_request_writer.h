// Writes the internal form of a request as an OpenAI Chat Completions body (an Anthropic or
// Responses client in front of an OpenAI, OpenAI-compatible or Azure provider).
//
//  - model: the provider's target, never the client's name.
//  - system parts → one system message each, first, in order (cache_control dropped).
//  - user messages: the tool results they hold first, one role:tool message each, then the rest
//    as one user message (content a string when it is one text, else text and image_url parts;
//    base64 images as data URLs). Images inside tool results (chat tool messages carry text
//    only) move into that user message, or into a user message after the tool messages.
//  - assistant messages: text parts joined ("\n") as content (null when there is none and
//    there are tool calls), thinking texts joined as reasoning_content (redacted thinking and
//    signatures dropped), tool uses as tool_calls with arguments as the client sent them, or
//    the compact JSON of the input.
//  - tool results: content string, or their text parts joined ("\n"); is_error has no field.
//  - max output tokens → max_completion_tokens (or max_tokens, see ChatWriteOptions);
//    temperature, top_p, stop (list), user, response_format, verbosity as given.
//  - tools: {type: function, function: {name, description, parameters, strict}} (an empty
//    object schema when none); tool_choice auto/none/required/{function name};
//    parallel_tool_calls. Without tools neither tool_choice nor parallel_tool_calls is sent.
//  - reasoning: an effort as given; an Anthropic budget by this table (a disabled or adaptive
//    thinking sends nothing):
//
//      budget_tokens   < 4096   4096..16383   >= 16384
//      effort          low      medium        high
//
//  - stream: stream_options.include_usage is always true (usage must be exact); the client's
//    own wish is WrittenRequest::client_include_usage.
//  - Unknown members: copied when the client spoke Responses (except the Responses-only ones)
//    or chat; dropped from an Anthropic client, and so is top_k. All listed in `dropped`.
#pragma once

#include <string_view>

#include "worker/protocol/internal_request.h"
#include "worker/protocol/written_request.h"

namespace llmproxy::worker::protocol {

struct ChatWriteOptions {
  std::string_view target;  // the model name the provider expects
  // The output limit's name: max_completion_tokens (OpenAI and Azure, which refuse max_tokens
  // for reasoning models) or max_tokens (OpenAI-compatible servers, which may know no other).
  bool max_completion_tokens = true;
};

// The effort for an Anthropic thinking budget (the table above).
std::string_view effortForThinkingBudget(uint64_t budget);

// Expects a repaired request (request_repairs.h); never fails.
WrittenRequest writeChatRequest(const InternalRequest& ir, const ChatWriteOptions& options);

}  // namespace llmproxy::worker::protocol
