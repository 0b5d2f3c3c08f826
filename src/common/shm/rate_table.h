// Token buckets and request quotas shared by all workers of a node, exact with no locks.
//
// A fixed-capacity open-addressing table of 16-byte buckets keyed by a 64-bit id (a hash of key
// name + model + limit kind, see rateBucketId). Buckets are claimed with CAS on the id and never
// removed. Each bucket's whole state is ONE 64-bit word updated by a CAS loop, so every admission
// decision is linearisable across processes: a limit of 10 rps, burst 10 admits 10 + 10·t
// requests whatever the number of workers.
//
// Token-bucket word (a "consumption mark" in token space, GCRA-like):
//   bits 63..54  tag: 10-bit hash of the bucket's parameters (rate, burst), 1..1023; 0 = unused
//   bits 53..0   S: tokens ever consumed, in units, modulo 2^54
// A unit is 1/1000 token when rate <= 10^4 tokens/s, else one token. T(now) = floor(now_ms ·
// rate · units_per_token / 1000) is the number of units ever refilled; the tokens available are
// min(burst, T(now) - S) (difference taken modulo 2^54, signed). Taking c tokens sets
// S = T(now) - available + c. Nothing is accumulated but integers: T is recomputed from the clock
// every time, so there is no drift however long the bucket lives, and fractional rates are exact.
// T - S may go negative (tokens-per-minute charged after the fact: admit while positive).
// The difference is valid while |T - S| < 2^53 units: a bucket left idle for more than ~28 years
// (or 2^53 / rate seconds for rates above 10^4/s) would wrap. Rates are capped at 10^9/s.
//
// Reloads: the tag is part of the same word, so a bucket whose parameters changed is reset
// ("full") atomically by the first CAS that sees the new parameters, and a bucket whose
// parameters did not change keeps its state. The id does not include the parameters, so edits do
// not leak buckets. A tag collision (1/1023 on a change) keeps the old state, which stays
// meaningful under the new parameters ("S tokens consumed so far"); it is not a reset.
//
// Quota word (max_requests): bits 63..40 tag (24-bit hash of max_requests, non-zero), bits
// 39..0 requests counted. A changed max_requests resets the count (atomically, same CAS).
//
// Time: now_ms may be any monotonic millisecond clock shared by the processes (CLOCK_MONOTONIC or
// unix ms); all callers of one table must use the same one. A process reading a slightly older
// clock than another only sees fewer tokens (never over-admits).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace llmproxy::common {

struct RateBucket {
  std::atomic<uint64_t> id;     // 0 = free
  std::atomic<uint64_t> state;  // packed as described above; 0 = never used (full / zero count)
};
static_assert(sizeof(RateBucket) == 16);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

enum class RateKind : uint8_t { Requests = 1, Tokens = 2, Quota = 3 };

struct RateDecision {
  bool allowed = true;
  double remaining = 0;        // tokens left after this operation (negative after a big charge)
  int64_t reset_ms = 0;        // until the bucket is full again
  int64_t retry_after_ms = 0;  // denied: until the request would be admitted; else 0
};

struct QuotaDecision {
  bool allowed = true;
  uint64_t used = 0;  // requests counted, this one included when allowed
  uint64_t limit = 0;
};

class RateTable {
 public:
  static constexpr uint32_t kCapacity = 1u << 16;  // 1 MiB of buckets
  static constexpr uint32_t kMaxProbe = 128;       // linear-probe window from the home slot
  static constexpr double kMaxRate = 1e9;          // tokens per second

  void init();

  // The bucket of `id` if claimed, else nullptr.
  RateBucket* find(uint64_t id);
  // The bucket of `id`, claimed if needed (the same bucket for every process claiming the same
  // id concurrently). nullptr only when the probe window is full; the caller then lets the
  // request through and the miss is counted in overflows().
  RateBucket* claim(uint64_t id);

  uint32_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t overflows() const { return overflows_.load(std::memory_order_relaxed); }

  // Token bucket of `burst` tokens refilled at `rate_per_s`. rate or burst <= 0: unlimited.
  // cost > 0: admitted when at least `cost` tokens are available, which are then consumed.
  // cost <= 0: admission only ("admit while positive", tokens-per-minute): allowed when more
  // than zero tokens are available; nothing is consumed.
  static RateDecision take(RateBucket* b, double rate_per_s, double burst, double cost,
                           int64_t now_ms);
  // Unconditional after-the-fact charge (real token usage at the end of a response). May drive
  // the bucket negative (bounded at -2^52 units); a negative cost refunds, capped at the burst.
  static RateDecision charge(RateBucket* b, double rate_per_s, double burst, double cost,
                             int64_t now_ms);
  // Read-only view: remaining/reset; allowed = more than zero tokens.
  static RateDecision peek(const RateBucket* b, double rate_per_s, double burst, int64_t now_ms);

  // Counts one request against `max_requests` (0 = unlimited) when under it.
  static QuotaDecision takeQuota(RateBucket* b, uint64_t max_requests);
  static QuotaDecision peekQuota(const RateBucket* b, uint64_t max_requests);

 private:
  RateBucket* lookup(uint64_t id, bool claim_if_absent);

  std::atomic<uint64_t> overflows_;
  std::atomic<uint32_t> used_;
  uint32_t reserved_[13];
  RateBucket buckets_[kCapacity];
};

// Bucket id of a limit: FNV-1a over the key's limit id, model and kind, then mixed; never 0. Pass an empty
// model for key-wide limits.
uint64_t rateBucketId(std::string_view key_id, std::string_view model, RateKind kind);

}  // namespace llmproxy::common
