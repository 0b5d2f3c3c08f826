// Anthropic Messages, non-streaming (PROTOCOLS.md §3): a provider's message read into the
// internal form, and the internal form written as a client's message.
#pragma once

#include <string>
#include <string_view>

#include "common/base/result.h"
#include "worker/protocol/client_options.h"
#include "worker/protocol/internal_response.h"

namespace llmproxy::worker::protocol {

// Reads content (text, thinking with its signature, tool_use with its input kept as raw JSON;
// redacted_thinking and server-tool blocks are left out: no other protocol can carry them),
// stop_reason, stop_sequence and usage. UpstreamProtocol when the body is not a JSON object or
// is an error body.
common::Result<InternalResponse> parseAnthropicMessage(std::string_view body);

// Appends {"id":"msg_…","type":"message","role":"assistant","model":<client's>,"content":[…],
// "stop_reason":…,"stop_sequence":…,"usage":{…}}. A tool call without an id gets
// "toolu_<message id tail>_<n>".
void writeAnthropicMessage(const InternalResponse& response, const ClientOptions& client,
                           std::string& out);

}  // namespace llmproxy::worker::protocol
