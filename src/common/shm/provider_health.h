// Provider health shared by all workers of a node, so every worker takes a failing provider out
// at once and brings it back once (nginx's max_fails / fail_timeout, made node-wide):
//
//   up ── max_fails failures within fail_timeout, no success between them ──> down (tried only
//   after every other candidate) ── fail_timeout later ──> half-open: one request (or, with
//   active health checks, one check) probes it ── success ──> up; failure ──> down for another
//   fail_timeout.
//
// A 429 with Retry-After makes the provider "rate limited" until then: it is not sent any
// request meanwhile (that 429 does not count toward max_fails). A fixed-capacity
// open-addressing table keyed by a 64-bit hash of the provider id; entries are claimed with CAS
// and never removed (ids that leave the config are no longer looked up). No locks: every field
// is an atomic, and the rare races (two workers failing at once) can only count a failure into
// the next window or extend a cool-down, never lose the "down" state.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace llmproxy::common {

struct ProviderHealthEntry {
  std::atomic<uint64_t> key;                 // 0 = free
  std::atomic<uint32_t> window_failures;     // failures since window_start_ms
  std::atomic<uint32_t> down;                // 1 from max_fails until a success
  std::atomic<int64_t> window_start_ms;      // unix ms of the window's first failure; 0 = none
  std::atomic<int64_t> down_until_ms;       // down: skipped until then, then half-open
  std::atomic<int64_t> probe_until_ms;       // half-open: a probe is out until then
  std::atomic<int64_t> retry_after_until_ms; // a 429's Retry-After: no request until then
  std::atomic<uint64_t> failures_total;
  std::atomic<uint64_t> successes_total;
  std::atomic<uint64_t> downs_total;         // times max_fails took it out
  std::atomic<int64_t> last_failure_ms;
  std::atomic<int32_t> last_status;          // upstream status or 0 for connect/timeout errors
  std::atomic<int32_t> last_check_status;    // active check: HTTP status, 0 = no answer
  std::atomic<int64_t> next_check_ms;        // active check: next one due (claimed with CAS)
  std::atomic<int64_t> last_check_ms;
  std::atomic<uint64_t> checks_total;
  std::atomic<uint64_t> checks_failed_total;
};

// One provider's rule (its config): max_fails (0 = failures never take it out), fail_timeout
// (window and cool-down), whether active checks bring it back (then no user request probes it).
struct HealthPolicy {
  uint32_t max_fails = 3;
  int64_t fail_timeout_ms = 10'000;
  bool active_checks = false;
};

enum class ProviderState : uint8_t {
  Up,
  Down,         // cooling down: skipped while another candidate is left
  HalfOpen,     // fail_timeout passed: one probe may go
  RateLimited,  // Retry-After: nothing goes until then
};

class ProviderHealth {
 public:
  static constexpr uint32_t kCapacity = 4096;

  void init();
  // nullptr only when the table is full (then the provider is treated as healthy).
  ProviderHealthEntry* entry(std::string_view provider_id);

  // A failure of a request (connect/TLS error, TTFT timeout, 5xx, 429). `retry_after_ms` > 0
  // (a 429's Retry-After) makes it rate limited for that long instead of counting.
  static void recordFailure(ProviderHealthEntry* e, const HealthPolicy& policy, int status,
                            int64_t retry_after_ms, int64_t now_ms);
  // A provider answer that is not a failure: the failure count starts again, and a down or
  // half-open provider is up again.
  static void recordSuccess(ProviderHealthEntry* e);

  static ProviderState state(const ProviderHealthEntry* e, int64_t now_ms);
  // Half-open: claims the one probe for `hold_ms` (the attempt's longest wait for an answer);
  // true for exactly one caller until it reports or the hold passes.
  // Returns the hold's end (the claim's token), 0 when another caller holds the probe.
  static int64_t claimProbe(ProviderHealthEntry* e, int64_t now_ms, int64_t hold_ms);
  // A claim whose request ended without a verdict on the provider (answered from the cache,
  // cut by max_attempts, the client left): the next request may probe at once. No effect when
  // a verdict already ended the claim or another caller holds the probe now.
  static void releaseProbe(ProviderHealthEntry* e, int64_t token);

  // Active checks: true for exactly one caller per `interval_ms` on the node.
  static bool claimCheck(ProviderHealthEntry* e, int64_t now_ms, int64_t interval_ms);
  // A check's outcome: success brings a down provider back; failure keeps it down.
  static void recordCheck(ProviderHealthEntry* e, const HealthPolicy& policy, bool ok, int status,
                          int64_t now_ms);

  // As /health/detailed shows it: healthy, cooling_down, half_open, rate_limited.
  static std::string_view stateName(ProviderState s);

 private:
  ProviderHealthEntry entries_[kCapacity];
};

uint64_t providerKeyHash(std::string_view provider_id);

}  // namespace llmproxy::common
