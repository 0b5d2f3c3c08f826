// ProviderSlots: CAS-claimed entries, CAS-bounded counters, per-worker rows for recovery.
#include "common/shm/provider_slots.h"

#include <new>

#include "common/shm/provider_health.h"

namespace llmproxy::common {

size_t ProviderSlots::bytesFor(uint32_t max_workers) {
  return sizeof(ProviderSlots) + size_t{max_workers} * kCapacity * sizeof(std::atomic<uint32_t>);
}

void ProviderSlots::init(uint32_t max_workers) {
  max_workers_ = max_workers;
  for (auto& e : entries_) {
    new (&e.key) std::atomic<uint64_t>(0);
    new (&e.in_flight) std::atomic<int32_t>(0);
  }
  auto* rows = reinterpret_cast<std::atomic<uint32_t>*>(this + 1);
  for (size_t i = 0; i < size_t{max_workers} * kCapacity; ++i) new (&rows[i]) std::atomic<uint32_t>(0);
}

std::atomic<uint32_t>& ProviderSlots::held(uint32_t worker_slot, uint32_t entry) {
  auto* rows = reinterpret_cast<std::atomic<uint32_t>*>(this + 1);
  return rows[size_t{worker_slot} * kCapacity + entry];
}

uint32_t ProviderSlots::entry(std::string_view provider_id) {
  const uint64_t key = providerKeyHash(provider_id);
  for (uint32_t probe = 0; probe < kCapacity; ++probe) {
    const uint32_t i = static_cast<uint32_t>((key + probe) % kCapacity);
    uint64_t seen = entries_[i].key.load(std::memory_order_acquire);
    if (seen == key) return i;
    if (seen == 0 && entries_[i].key.compare_exchange_strong(seen, key)) return i;
    if (seen == key) return i;  // another process claimed it for the same id meanwhile
  }
  return kNone;
}

bool ProviderSlots::tryAcquire(uint32_t entry, uint32_t worker_slot, uint32_t limit) {
  if (entry == kNone || worker_slot >= max_workers_) return true;
  std::atomic<int32_t>& n = entries_[entry].in_flight;
  int32_t cur = n.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && cur >= static_cast<int32_t>(limit)) return false;
  } while (!n.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel));
  held(worker_slot, entry).fetch_add(1, std::memory_order_relaxed);
  return true;
}

void ProviderSlots::release(uint32_t entry, uint32_t worker_slot) {
  if (entry == kNone || worker_slot >= max_workers_) return;
  held(worker_slot, entry).fetch_sub(1, std::memory_order_relaxed);
  entries_[entry].in_flight.fetch_sub(1, std::memory_order_acq_rel);
}

int32_t ProviderSlots::inFlight(uint32_t entry) const {
  if (entry == kNone) return 0;
  return entries_[entry].in_flight.load(std::memory_order_relaxed);
}

uint32_t ProviderSlots::releaseWorker(uint32_t worker_slot) {
  if (worker_slot >= max_workers_) return 0;
  uint32_t total = 0;
  for (uint32_t i = 0; i < kCapacity; ++i) {
    const uint32_t n = held(worker_slot, i).exchange(0, std::memory_order_relaxed);
    if (n == 0) continue;
    entries_[i].in_flight.fetch_sub(static_cast<int32_t>(n), std::memory_order_acq_rel);
    total += n;
  }
  return total;
}

}  // namespace llmproxy::common
