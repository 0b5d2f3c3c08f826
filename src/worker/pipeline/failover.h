// The retry boundary, decided in one place from the error table (common/base/error_kind.cc):
//  - once a byte went to the client there is no retry: the stream is aborted;
//  - a failure on a reused pooled connection before any response byte is retried once on the
//    same provider over a new connection (the provider had closed its keep-alive);
//  - a failure whose kind is `retryable` (connect/TLS error, TTFT timeout, upstream 5xx/429,
//    broken response) goes to the next candidate while one is left;
//  - with none left, a provider's own answer (5xx/429) is relayed as it is, and anything else
//    is answered with the error.
// Pure functions: unit-tested without sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/base/result.h"

namespace llmproxy::worker {

enum class FailoverStep : uint8_t {
  RetrySameProvider,  // once, on a fresh connection
  NextCandidate,
  Relay,              // pass the provider's answer on (nobody left to ask)
  Answer,             // answer the client with the error
  AbortStream,        // the response already started: end it with an error
};

struct FailoverFacts {
  bool head_sent = false;          // a response byte went to the client
  bool reused = false;             // the attempt ran on a pooled connection
  bool response_started = false;   // the provider had sent part of a response
  bool fresh_retry_used = false;   // the one retry on a new connection is spent
  bool candidates_left = false;    // another provider may be tried
};

FailoverStep decideFailover(const common::Error& error, const FailoverFacts& facts);

// A provider's answer that counts as a failure of the attempt (5xx, 429), else nullopt.
std::optional<common::Error> failureOfStatus(int status);

// What the client hears of a provider's failure: the provider id and the failure class
// ("could not be reached", "timed out", ...), never addresses, paths or library messages.
// The full detail moves to log_detail, for the error-log line. Errors of other sides pass
// unchanged.
common::Error forClient(const common::Error& error, std::string_view provider_id);

}  // namespace llmproxy::worker
