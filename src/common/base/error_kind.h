// The one error table of the data path: every failure is an ErrorKind, and
// this table says what each kind means to the client, the logs and the retry logic.
#pragma once

#include <cstdint>
#include <string_view>

namespace llmproxy::common {

// NOTE: keep in the same order as kErrorTable in error_kind.cc (checked by a static_assert).
enum class ErrorKind : uint8_t {
  // downstream (the client did something wrong)
  BadRequest,          // 400 malformed HTTP or JSON
  InvalidApiKey,       // 401
  NotFound,            // 404 unknown path
  ModelNotFound,       // 404 no provider serves the model
  ModelNotAllowed,     // 403 the key may not use the model
  MethodNotAllowed,    // 405
  RequestTimeout,      // 408 header/body read timeout
  PayloadTooLarge,     // 413
  HeadersTooLarge,     // 431
  Conflict,            // 409 duplicate, or a write the source of truth forbids
  RateLimited,         // 429 from our own limiter
  BudgetExceeded,      // 429 the key's max_budget for this period is spent
  InvalidConfig,       // 422 a configuration (reload) the master refused
  // upstream (a provider failed)
  UpstreamConnect,     // 502
  UpstreamTimeout,     // 504
  UpstreamProtocol,    // 502
  // ours
  Unavailable,         // 503 (shutting down, no healthy provider, reload busy)
  ReloadTimeout,       // 504 the master did not finish a reload in time
  Internal,            // 500
  kCount
};

enum class ErrorSide : uint8_t { Downstream, Upstream, Internal };

// What one kind means. All fields are static data.
struct ErrorInfo {
  int http_status;
  std::string_view openai_type;  // "invalid_request_error", "authentication_error", ...
  std::string_view openai_code;  // "invalid_api_key", "not_found", ...
  ErrorSide side;
  bool retryable;                // may be retried on another provider before the first byte
  std::string_view anthropic_type;  // error.type in Anthropic's shape (Messages clients)
};

// Reading the table: the status, OpenAI type and code of an answer for `kind`, whether a
// failure of that kind is worth another provider, and which side caused it (the log level).

const ErrorInfo& errorInfo(ErrorKind kind);
std::string_view errorKindName(ErrorKind kind);

}  // namespace llmproxy::common
