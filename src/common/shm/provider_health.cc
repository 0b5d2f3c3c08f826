// The provider health table (see provider_health.h for the states).
#include "common/shm/provider_health.h"

#include <algorithm>

namespace llmproxy::common {

uint64_t providerKeyHash(std::string_view id) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  return h == 0 ? 1 : h;
}

void ProviderHealth::init() {
  for (auto& e : entries_) {
    e.key.store(0, std::memory_order_relaxed);
    e.window_failures.store(0, std::memory_order_relaxed);
    e.down.store(0, std::memory_order_relaxed);
    e.window_start_ms.store(0, std::memory_order_relaxed);
    e.down_until_ms.store(0, std::memory_order_relaxed);
    e.probe_until_ms.store(0, std::memory_order_relaxed);
    e.retry_after_until_ms.store(0, std::memory_order_relaxed);
    e.failures_total.store(0, std::memory_order_relaxed);
    e.successes_total.store(0, std::memory_order_relaxed);
    e.downs_total.store(0, std::memory_order_relaxed);
    e.last_failure_ms.store(0, std::memory_order_relaxed);
    e.last_status.store(0, std::memory_order_relaxed);
    e.last_check_status.store(0, std::memory_order_relaxed);
    e.next_check_ms.store(0, std::memory_order_relaxed);
    e.last_check_ms.store(0, std::memory_order_relaxed);
    e.checks_total.store(0, std::memory_order_relaxed);
    e.checks_failed_total.store(0, std::memory_order_relaxed);
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

namespace {

void raiseTo(std::atomic<int64_t>& field, int64_t value) {
  int64_t seen = field.load(std::memory_order_relaxed);
  while (seen < value && !field.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

// Out for another fail_timeout (a failed probe, a failed check, a failure while down).
void keepDown(ProviderHealthEntry* e, const HealthPolicy& policy, int64_t now_ms) {
  e->down_until_ms.store(now_ms + policy.fail_timeout_ms, std::memory_order_relaxed);
  e->probe_until_ms.store(0, std::memory_order_relaxed);
}

// Down or half-open -> up (a probe or a check succeeded).
void bringBack(ProviderHealthEntry* e) {
  if (e->down.load(std::memory_order_relaxed) == 0) return;
  e->down.store(0, std::memory_order_relaxed);
  e->down_until_ms.store(0, std::memory_order_relaxed);
  e->probe_until_ms.store(0, std::memory_order_relaxed);
  e->window_failures.store(0, std::memory_order_relaxed);
  e->window_start_ms.store(0, std::memory_order_relaxed);
}

}  // namespace

void ProviderHealth::recordFailure(ProviderHealthEntry* e, const HealthPolicy& policy, int status,
                                   int64_t retry_after_ms, int64_t now_ms) {
  if (!e) return;
  e->failures_total.fetch_add(1, std::memory_order_relaxed);
  e->last_failure_ms.store(now_ms, std::memory_order_relaxed);
  e->last_status.store(status, std::memory_order_relaxed);
  if (retry_after_ms > 0) {
    raiseTo(e->retry_after_until_ms, now_ms + retry_after_ms);
    return;
  }
  if (e->down.load(std::memory_order_relaxed) != 0) {
    keepDown(e, policy, now_ms);
    return;
  }
  if (policy.max_fails == 0) return;
  uint32_t n = 0;
  int64_t start = e->window_start_ms.load(std::memory_order_relaxed);
  if (start == 0 || now_ms - start >= policy.fail_timeout_ms) {
    // A new window. Two workers racing here both start it; one of their failures is lost,
    // which only delays the cool-down by one failure.
    if (e->window_start_ms.compare_exchange_strong(start, now_ms, std::memory_order_relaxed)) {
      e->window_failures.store(1, std::memory_order_relaxed);
      n = 1;
    } else {
      n = e->window_failures.fetch_add(1, std::memory_order_relaxed) + 1;
    }
  } else {
    n = e->window_failures.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  if (n < policy.max_fails) return;
  uint32_t was_up = 0;
  if (e->down.compare_exchange_strong(was_up, 1, std::memory_order_relaxed)) {
    e->downs_total.fetch_add(1, std::memory_order_relaxed);
    e->window_failures.store(0, std::memory_order_relaxed);
    e->window_start_ms.store(0, std::memory_order_relaxed);
  }
  keepDown(e, policy, now_ms);
}

void ProviderHealth::recordSuccess(ProviderHealthEntry* e) {
  if (!e) return;
  e->successes_total.fetch_add(1, std::memory_order_relaxed);
  bringBack(e);
  // Failures count toward max_fails only while no success comes between them.
  if (e->window_failures.load(std::memory_order_relaxed) != 0) {
    e->window_failures.store(0, std::memory_order_relaxed);
    e->window_start_ms.store(0, std::memory_order_relaxed);
  }
}

ProviderState ProviderHealth::state(const ProviderHealthEntry* e, int64_t now_ms) {
  if (!e) return ProviderState::Up;
  if (e->retry_after_until_ms.load(std::memory_order_relaxed) > now_ms)
    return ProviderState::RateLimited;
  if (e->down.load(std::memory_order_relaxed) == 0) return ProviderState::Up;
  return e->down_until_ms.load(std::memory_order_relaxed) > now_ms ? ProviderState::Down
                                                                   : ProviderState::HalfOpen;
}

int64_t ProviderHealth::claimProbe(ProviderHealthEntry* e, int64_t now_ms, int64_t hold_ms) {
  if (!e) return 0;
  int64_t until = e->probe_until_ms.load(std::memory_order_relaxed);
  if (until > now_ms) return 0;
  const int64_t token = now_ms + std::max<int64_t>(hold_ms, 1);
  return e->probe_until_ms.compare_exchange_strong(until, token, std::memory_order_relaxed)
             ? token
             : 0;
}

void ProviderHealth::releaseProbe(ProviderHealthEntry* e, int64_t token) {
  if (!e || token == 0) return;
  e->probe_until_ms.compare_exchange_strong(token, 0, std::memory_order_relaxed);
}

bool ProviderHealth::claimCheck(ProviderHealthEntry* e, int64_t now_ms, int64_t interval_ms) {
  if (!e || interval_ms <= 0) return false;
  int64_t due = e->next_check_ms.load(std::memory_order_relaxed);
  if (due > now_ms) return false;
  return e->next_check_ms.compare_exchange_strong(due, now_ms + interval_ms,
                                                  std::memory_order_relaxed);
}

void ProviderHealth::recordCheck(ProviderHealthEntry* e, const HealthPolicy& policy, bool ok,
                                 int status, int64_t now_ms) {
  if (!e) return;
  e->checks_total.fetch_add(1, std::memory_order_relaxed);
  e->last_check_ms.store(now_ms, std::memory_order_relaxed);
  e->last_check_status.store(status, std::memory_order_relaxed);
  if (ok) {
    bringBack(e);
    return;
  }
  e->checks_failed_total.fetch_add(1, std::memory_order_relaxed);
  if (e->down.load(std::memory_order_relaxed) != 0) keepDown(e, policy, now_ms);
}

std::string_view ProviderHealth::stateName(ProviderState s) {
  switch (s) {
    case ProviderState::Up: return "healthy";
    case ProviderState::Down: return "cooling_down";
    case ProviderState::HalfOpen: return "half_open";
    case ProviderState::RateLimited: return "rate_limited";
  }
  return "healthy";
}

}  // namespace llmproxy::common
