// OpenAI-style error bodies: the JSON object every local error answers with, and the
// SSE `error` event that ends a stream which already started.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.h"
#include "common/json/json_writer.h"  // appendJsonString

namespace llmproxy::common {

// The four fields of an OpenAI error object. Views only: the caller keeps the strings alive
// for the duration of the call. `param` and `code` absent are written as JSON null.
struct OpenAIErrorFields {
  std::string_view message;
  std::string_view type;
  std::optional<std::string_view> param;
  std::optional<std::string_view> code;
};

// Appends {"error":{"message":...,"type":...,"param":...,"code":...}} to `out`.
void appendOpenAIError(std::string& out, const OpenAIErrorFields& fields);

// The JSON error body for `error`: type and code from the error table (errorInfo(kind); the
// code overridden by error.code when set), message = error.detail (or the kind's name when the detail is empty), param as given.
std::string openAIErrorBody(const Error& error, std::optional<std::string_view> param = {});
std::string openAIErrorBody(const OpenAIErrorFields& fields);

// The SSE event that ends a stream after its first byte went to the client:
//
//   event: error\n
//   data: {"error":{"message":...,"type":...,"param":...,"code":...}}\n
//   \n
//
// Why this form: both official SDKs raise an APIError for it. openai-python's Stream raises
// whenever a data payload carries a top-level "error" (and checks `event == "error"`
// explicitly); openai-node throws for `event: error` (using data.error) and for event-less
// payloads with an "error" member. Clients that ignore `event:` lines still see a payload
// whose only member is "error", not a chunk. No `data: [DONE]` follows: the stream did not
// complete, and a lenient client must not mistake it for a clean end. The caller closes the
// stream (terminating chunk / connection close) right after writing this event.
std::string openAIErrorSseEvent(const Error& error, std::optional<std::string_view> param = {});
std::string openAIErrorSseEvent(const OpenAIErrorFields& fields);

}  // namespace llmproxy::common
