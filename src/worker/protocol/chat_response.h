// OpenAI Chat Completions, non-streaming (PROTOCOLS.md §3): a provider's chat.completion read
// into the internal form, and the internal form written as a client's chat.completion.
#pragma once

#include <string>
#include <string_view>

#include "common/base/result.h"
#include "worker/protocol/client_options.h"
#include "worker/protocol/internal_response.h"

namespace llmproxy::worker::protocol {

// Reads choices[0] (reasoning_content or reasoning first, then content, then each tool call
// with its arguments checked: not a JSON object -> {} and repaired_tool_inputs counted),
// finish_reason and usage. UpstreamProtocol when the body is not a JSON object or carries an
// `error` member instead of a completion.
common::Result<InternalResponse> parseChatCompletion(std::string_view body);

// Appends {"id":"chatcmpl-…","object":"chat.completion","created":…,"model":<client's>,
// "choices":[{"index":0,"message":{"role":"assistant","content":<text parts joined, null when
// there is none but tool calls>,"reasoning_content"?,"tool_calls"?},"logprobs":null,
// "finish_reason":…}],"usage":{…}}. Tool arguments are the compact JSON of the input.
void writeChatCompletion(const InternalResponse& response, const ClientOptions& client,
                         std::string& out);

}  // namespace llmproxy::worker::protocol
