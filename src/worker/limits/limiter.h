// The worker-side rate limiter: per-key requests-per-second (token bucket with burst),
// tokens-per-minute (charged with the real usage once the response ends; admitted while the
// bucket is positive) and the max_requests quota, all in the node's shared RateTable, so the
// limits are exact across workers. Produces OpenAI's x-ratelimit-* headers and Retry-After.
//
// Bucket scope: the `model` argument is part of the bucket ids. Pass an empty model for the
// key's own limits (KeyConfig today) and the model name when the limits come from a per-model
// override, so the two are separate buckets. The quota is always per key (model ignored).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/shm/rate_table.h"

namespace llmproxy::worker {

struct KeyLimits {
  double requests_per_second = 0;  // 0 = unlimited
  double burst = 0;  // 0 with a rate = the rate (as the config loader does); at least 1
  uint64_t tokens_per_minute = 0;  // 0 = unlimited; the bucket holds one minute's worth
  uint64_t max_requests = 0;       // 0 = unlimited

  static KeyLimits of(const common::KeyConfig& key);
  bool any() const { return requests_per_second > 0 || tokens_per_minute > 0 || max_requests > 0; }
  // The requests bucket's capacity, for the local table and the Redis script alike: the burst,
  // else the config's default (schema::defaultBurst: one second's worth), and never below one
  // request, since a request costs one token and a smaller bucket would admit nothing.
  double requestsBurst() const;
};

enum class LimitReason { None, Requests, Tokens, Quota };

struct LimitCheck {
  bool allowed = true;
  LimitReason reason = LimitReason::None;  // the limit that denied
  bool untracked = false;  // the shared table was full: let through (counted in overflows())

  bool has_requests = false;        // a requests-per-second limit applies: send the -requests trio
  uint64_t limit_requests = 0;      // the burst (bucket capacity)
  uint64_t remaining_requests = 0;  // whole requests left after this one
  int64_t reset_requests_ms = 0;    // until the bucket is full again

  bool has_tokens = false;  // a tokens-per-minute limit applies: send the -tokens trio
  uint64_t limit_tokens = 0;
  uint64_t remaining_tokens = 0;  // clamped at 0 (the bucket itself may be negative)
  int64_t reset_tokens_ms = 0;

  bool has_quota = false;
  uint64_t quota_used = 0;
  uint64_t quota_limit = 0;

  int64_t retry_after_ms = 0;  // denied by a rate: until a retry would be admitted

  // Retry-After in whole seconds, rounded up, at least 1 when denied by a rate; 0 otherwise
  // (a quota does not refill).
  int64_t retryAfterSeconds() const;
  // "rate_limit_exceeded" or "insufficient_quota" (OpenAI's codes), empty when allowed.
  std::string_view errorCode() const;
  // OpenAI-style message for the 429 body.
  std::string message() const;
  // Response headers, lower-case names: the -requests and -tokens trios when those limits apply
  // (on every response), plus retry-after when denied by a rate.
  std::vector<std::pair<std::string_view, std::string>> headers() const;
};

// OpenAI's reset format (Go time.Duration at millisecond precision): "0s", "547ms", "1s",
// "8.64s", "2m52.8s", "6m0s", "1h0m0s".
std::string formatResetDuration(int64_t ms);

class Limiter {
 public:
  explicit Limiter(common::RateTable& table) : table_(table) {}

  // Stage 40 (authorize), once the model is known. Order: the token bucket is checked first
  // (read-only), then one request is taken from the request bucket, then the quota is counted,
  // so a request denied by tokens consumes nothing and one denied by rate does not count
  // against the quota.
  LimitCheck check(const KeyLimits& limits, std::string_view limit_id, std::string_view model,
                   int64_t now_ms);
  // Finish: charge the real usage (prompt + completion tokens) to the tokens-per-minute bucket.
  void chargeTokens(const KeyLimits& limits, std::string_view limit_id, std::string_view model,
                    uint64_t tokens, int64_t now_ms);

  // The clock to pass as now_ms: CLOCK_MONOTONIC in ms, identical in every process of the host.
  static int64_t nowMs();

 private:
  common::RateTable& table_;
};

}  // namespace llmproxy::worker
