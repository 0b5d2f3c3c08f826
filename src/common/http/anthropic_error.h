// Anthropic-style error bodies, for clients of the Messages API: the same error table as the
// OpenAI shape (status, and error_kind.h's anthropic_type), Anthropic's envelope.
#pragma once

#include <string>
#include <string_view>

#include "common/base/result.h"

namespace llmproxy::common {

// {"type":"error","error":{"type":<type>,"message":<message>}}
std::string anthropicErrorBody(std::string_view type, std::string_view message);
// The body for `error`: type from the error table, message = error.detail (or the kind's name).
std::string anthropicErrorBody(const Error& error);

// The event that ends a Messages stream after its first byte went to the client:
//   event: error\ndata: {"type":"error","error":{...}}\n\n
std::string anthropicErrorSseEvent(std::string_view type, std::string_view message);
std::string anthropicErrorSseEvent(const Error& error);

}  // namespace llmproxy::common
