// Error and Result<T>: how every fallible function in llmproxy reports failure.
// The data path never throws; it returns Result and carries Error as data.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include "common/base/error_kind.h"

namespace llmproxy::common {

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string detail;       // human-readable; goes into the OpenAI error "message". Never a secret.
  int upstream_status = 0;  // the provider's HTTP status when the failure came from one
  // The OpenAI `code` of the answer when it is more precise than the table's (the limiter's
  // "insufficient_quota" for a RateLimited answer); empty: errorInfo(kind).openai_code.
  std::string code{};
  // The request field the error is about, OpenAI's `param` ("messages[2].content[0].type");
  // empty when the error is about no one field.
  std::string param{};
  // More for the error-log line only, never sent to the client (a database's own message
  // behind a "database error 42P01" answer); empty when the detail says it all.
  std::string log_detail{};
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string detail) {
  return std::unexpected(Error{kind, std::move(detail), 0});
}

}  // namespace llmproxy::common
