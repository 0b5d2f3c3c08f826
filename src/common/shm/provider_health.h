// Provider health shared by all workers: consecutive failures and a cool-down deadline per
// provider, so every worker stops sending to a failing provider at once (nginx's
// max_fails/fail_timeout, made node-wide). A fixed-capacity open-addressing table keyed by a
// 64-bit hash of the provider id; entries are claimed with CAS and never removed (ids that
// disappear from the config just stop being looked up). No locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace llmproxy::common {

struct ProviderHealthEntry {
  std::atomic<uint64_t> key;                 // 0 = free
  std::atomic<uint32_t> consecutive_failures;
  std::atomic<int64_t> cooldown_until_ms;    // unix ms; 0 = healthy
  std::atomic<uint64_t> failures_total;
  std::atomic<uint64_t> successes_total;
  std::atomic<int64_t> last_failure_ms;
  std::atomic<int32_t> last_status;          // upstream status or 0 for connect/timeout errors
  uint32_t reserved;
};

class ProviderHealth {
 public:
  static constexpr uint32_t kCapacity = 4096;
  static constexpr uint32_t kFailuresBeforeCooldown = 3;
  static constexpr int64_t kCooldownMs = 30'000;

  void init();
  // nullptr only when the table is full (then the provider is treated as healthy).
  ProviderHealthEntry* entry(std::string_view provider_id);

  // A retryable failure. `retry_after_ms` > 0 (a 429's Retry-After) cools down at once.
  void recordFailure(ProviderHealthEntry* e, int status, int64_t retry_after_ms, int64_t now_ms);
  void recordSuccess(ProviderHealthEntry* e);
  static bool coolingDown(const ProviderHealthEntry* e, int64_t now_ms);

 private:
  ProviderHealthEntry entries_[kCapacity];
};

uint64_t providerKeyHash(std::string_view provider_id);

}  // namespace llmproxy::common
