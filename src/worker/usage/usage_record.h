// What stage 90 knows about one finished proxy request, as one usage_log row. Views only: the
// writer encodes the values into its batch before record() returns, so nothing here is kept.
#pragma once

#include <cstdint>
#include <string_view>

namespace llmproxy::worker {

struct UsageRecord {
  int64_t time_us = 0;                // unix microseconds when the request started
  std::string_view request_id;
  int64_t credential_id = 0;          // credentials.id of a key from PostgreSQL; 0 = NULL (file key)
  std::string_view credential_name;   // "" when no key was needed
  std::string_view endpoint;          // the route's canonical path
  std::string_view model;             // the model the client asked for (prefix stripped)
  std::string_view provider;          // provider id that answered (last attempt); "" if none
  int status = 0;                     // status sent to the client
  bool stream = false;
  uint64_t prompt_tokens = 0;
  uint64_t completion_tokens = 0;
  double latency_ms = 0;
  double ttft_ms = -1;                // < 0 = none (NULL): no response body reached the client
  std::string_view client_protocol;   // "openai", "anthropic", "responses"
  std::string_view provider_protocol; // of the provider that answered; "" if none was asked
  std::string_view trace_id;          // W3C trace id, 32 hex digits
  int64_t cost_micros = -1;           // micro-dollars at the configured price; < 0 = NULL
                                      // (no provider answered, or no price for the model)
  // The key's budget period when the cost is added to key_spend (the key's SHA-256 in hex,
  // empty = nothing to add; the period in unix seconds, end INT64_MAX = never; the key's
  // budget_duration).
  std::string_view key_hash;
  int64_t period_start_s = 0;
  int64_t period_end_s = 0;
  int64_t budget_duration = 0;
};

}  // namespace llmproxy::worker
