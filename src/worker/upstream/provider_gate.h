// The worker's side of per-provider `max_concurrent`: leases on the node-wide in-flight counters
// (common/shm/provider_slots.h) and the queue of exchanges waiting for a slot. Owned by the
// Worker; worker-loop-only.
//
// Waiting: a queued exchange is retried when a lease of this worker is released (woken on the
// next loop iteration, never from inside the releasing call chain) and on a 10 ms poll while
// anything waits, for slots freed by other workers. No busy loop; the timer stops when the
// queue is empty.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/base/wake_token.h"
#include "common/shm/provider_slots.h"
#include "common/uv/uv_timer.h"

namespace llmproxy::worker {

class ProviderGate;

// One slot of one provider, held for one upstream attempt; released when destroyed or reset.
// Move-only. An empty lease (uncapped table overflow, tests) releases nothing.
class ProviderLease {
 public:
  ProviderLease() = default;
  ProviderLease(ProviderGate* gate, uint32_t entry) : gate_(gate), entry_(entry) {}
  ProviderLease(ProviderLease&& o) noexcept : gate_(o.gate_), entry_(o.entry_) { o.gate_ = nullptr; }
  ProviderLease& operator=(ProviderLease&& o) noexcept;
  ProviderLease(const ProviderLease&) = delete;
  ProviderLease& operator=(const ProviderLease&) = delete;
  ~ProviderLease() { reset(); }

  void reset();
  bool held() const { return gate_ != nullptr; }

 private:
  ProviderGate* gate_ = nullptr;
  uint32_t entry_ = common::ProviderSlots::kNone;
};

class ProviderGate {
 public:
  static constexpr uint64_t kPollMs = 10;
  // `wake(token)` is called from the gate's timer for each exchange still queued; the callee
  // dequeues what it admits, refuses, or no longer finds (a stale token).
  ProviderGate(common::ProviderSlots& slots, uint32_t worker_slot,
               std::function<void(common::WakeToken)> wake);

  void start(uv_loop_t* loop);
  void stop();  // before the loop closes

  // A lease on the provider whose counter is `entry` when fewer than `limit` (0 = no cap)
  // requests are in flight to it on this node (into `out`); false when it is full.
  bool tryAcquire(uint32_t entry, uint32_t limit, ProviderLease& out);
  int32_t inFlight(uint32_t entry) const { return slots_.inFlight(entry); }

  void enqueue(common::WakeToken token);
  void dequeue(uint64_t exchange_id);
  size_t queued() const { return waiters_.size(); }

 private:
  friend class ProviderLease;
  void onRelease(uint32_t entry);
  static void onTimer(void* self);

  common::ProviderSlots& slots_;
  const uint32_t worker_slot_;
  std::function<void(common::WakeToken)> wake_;
  std::unique_ptr<common::UvTimer> timer_;
  std::vector<common::WakeToken> waiters_;  // arrival order
};

}  // namespace llmproxy::worker
