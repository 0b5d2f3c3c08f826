// Requests in flight per provider, shared by all workers of a node: the counter behind a
// provider's `max_concurrent`. A fixed-capacity open-addressing table keyed by a hash of the
// provider id (claimed with CAS, never removed), one 32-bit in-flight counter per provider
// taken with a CAS loop, so the cap is exact across processes; no locks.
//
// Crash recovery: next to the counters, every worker slot has its own row of "slots I hold"
// per provider (written only by that worker). When a worker dies, whoever knows it is dead
// (the master when it reaps it, and the worker that next starts in the slot) gives the row
// back with releaseWorker(). The only leak left is a worker killed between the CAS and the
// row update (a few instructions): one slot for good, per such crash (docs/architecture.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmproxy::common {

struct ProviderSlotEntry {
  std::atomic<uint64_t> key;        // providerKeyHash(id); 0 = free
  std::atomic<int32_t> in_flight;   // requests holding a slot, all workers
  uint32_t reserved;
};

class ProviderSlots {
 public:
  static constexpr uint32_t kCapacity = 1024;
  static constexpr uint32_t kNone = UINT32_MAX;

  static size_t bytesFor(uint32_t max_workers);
  void init(uint32_t max_workers);

  // The entry of `provider_id`, claimed if needed; kNone when the table is full (then the
  // provider is not capped).
  uint32_t entry(std::string_view provider_id);

  // One more request in flight if fewer than `limit` are (limit 0 = no cap, always taken).
  bool tryAcquire(uint32_t entry, uint32_t worker_slot, uint32_t limit);
  void release(uint32_t entry, uint32_t worker_slot);
  int32_t inFlight(uint32_t entry) const;

  // Gives back everything `worker_slot` holds (its process is dead). Returns how many.
  uint32_t releaseWorker(uint32_t worker_slot);

 private:
  std::atomic<uint32_t>& held(uint32_t worker_slot, uint32_t entry);

  uint32_t max_workers_;
  uint32_t reserved_;
  ProviderSlotEntry entries_[kCapacity];
  // followed by max_workers_ rows of kCapacity std::atomic<uint32_t> (slots held)
};

}  // namespace llmproxy::common
