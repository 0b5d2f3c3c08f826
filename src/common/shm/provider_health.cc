// The provider health table.
#include "common/shm/provider_health.h"

namespace llmproxy::common {

uint64_t providerKeyHash(std::string_view id) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  return h == 0 ? 1 : h;
}

void ProviderHealth::init() {
  for (auto& e : entries_) {
    e.key.store(0, std::memory_order_relaxed);
    e.consecutive_failures.store(0, std::memory_order_relaxed);
    e.cooldown_until_ms.store(0, std::memory_order_relaxed);
    e.failures_total.store(0, std::memory_order_relaxed);
    e.successes_total.store(0, std::memory_order_relaxed);
    e.last_failure_ms.store(0, std::memory_order_relaxed);
    e.last_status.store(0, std::memory_order_relaxed);
  }
}

ProviderHealthEntry* ProviderHealth::entry(std::string_view provider_id) {
  const uint64_t key = providerKeyHash(provider_id);
  for (uint32_t i = 0; i < kCapacity; ++i) {
    ProviderHealthEntry& e = entries_[(key + i) % kCapacity];
    uint64_t k = e.key.load(std::memory_order_acquire);
    if (k == key) return &e;
    if (k == 0) {
      if (e.key.compare_exchange_strong(k, key, std::memory_order_acq_rel)) return &e;
      if (k == key) return &e;  // another process claimed it for the same provider
    }
  }
  return nullptr;
}

void ProviderHealth::recordFailure(ProviderHealthEntry* e, int status, int64_t retry_after_ms,
                                   int64_t now_ms) {
  if (!e) return;
  e->failures_total.fetch_add(1, std::memory_order_relaxed);
  e->last_failure_ms.store(now_ms, std::memory_order_relaxed);
  e->last_status.store(status, std::memory_order_relaxed);
  const uint32_t n = e->consecutive_failures.fetch_add(1, std::memory_order_relaxed) + 1;
  int64_t until = 0;
  if (retry_after_ms > 0) {
    until = now_ms + retry_after_ms;
  } else if (n >= kFailuresBeforeCooldown) {
    until = now_ms + kCooldownMs;
  }
  if (until > e->cooldown_until_ms.load(std::memory_order_relaxed))
    e->cooldown_until_ms.store(until, std::memory_order_relaxed);
}

void ProviderHealth::recordSuccess(ProviderHealthEntry* e) {
  if (!e) return;
  e->successes_total.fetch_add(1, std::memory_order_relaxed);
  if (e->consecutive_failures.load(std::memory_order_relaxed) != 0)
    e->consecutive_failures.store(0, std::memory_order_relaxed);
  if (e->cooldown_until_ms.load(std::memory_order_relaxed) != 0)
    e->cooldown_until_ms.store(0, std::memory_order_relaxed);
}

bool ProviderHealth::coolingDown(const ProviderHealthEntry* e, int64_t now_ms) {
  return e && e->cooldown_until_ms.load(std::memory_order_relaxed) > now_ms;
}

}  // namespace llmproxy::common
