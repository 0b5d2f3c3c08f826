// ProviderGate: leases, and the wait queue woken by local releases and a short poll.
#include "worker/upstream/provider_gate.h"

#include <algorithm>

namespace llmproxy::worker {

ProviderLease& ProviderLease::operator=(ProviderLease&& o) noexcept {
  if (this != &o) {
    reset();
    gate_ = o.gate_;
    entry_ = o.entry_;
    o.gate_ = nullptr;
  }
  return *this;
}

void ProviderLease::reset() {
  if (!gate_) return;
  ProviderGate* gate = gate_;
  gate_ = nullptr;
  gate->onRelease(entry_);
}

ProviderGate::ProviderGate(common::ProviderSlots& slots, uint32_t worker_slot,
                           std::function<void(common::WakeToken)> wake)
    : slots_(slots), worker_slot_(worker_slot), wake_(std::move(wake)) {}

void ProviderGate::start(uv_loop_t* loop) {
  timer_ = std::make_unique<common::UvTimer>(loop, this, &ProviderGate::onTimer);
}

void ProviderGate::stop() { timer_.reset(); }

bool ProviderGate::tryAcquire(uint32_t entry, uint32_t limit, ProviderLease& out) {
  if (!slots_.tryAcquire(entry, worker_slot_, limit)) return false;
  out = entry == common::ProviderSlots::kNone ? ProviderLease() : ProviderLease(this, entry);
  return true;
}

void ProviderGate::enqueue(common::WakeToken token) {
  waiters_.push_back(token);
  if (timer_ && !timer_->active()) timer_->start(kPollMs, kPollMs);
}

void ProviderGate::dequeue(uint64_t exchange_id) {
  std::erase_if(waiters_,
                [exchange_id](const common::WakeToken& t) { return t.exchange == exchange_id; });
  if (waiters_.empty() && timer_) timer_->stop();
}

void ProviderGate::onRelease(uint32_t entry) {
  slots_.release(entry, worker_slot_);
  // Wake the queue on the next iteration: never start an attempt from inside a destructor.
  if (!waiters_.empty() && timer_) timer_->start(0, kPollMs);
}

void ProviderGate::onTimer(void* self) {
  auto* gate = static_cast<ProviderGate*>(self);
  // wake() dequeues what it admits or refuses; take a snapshot, the queue changes under us.
  const std::vector<common::WakeToken> snapshot = gate->waiters_;
  for (const common::WakeToken& token : snapshot) {
    if (std::find(gate->waiters_.begin(), gate->waiters_.end(), token) == gate->waiters_.end())
      continue;
    gate->wake_(token);
  }
  if (gate->waiters_.empty() && gate->timer_) gate->timer_->stop();
}

}  // namespace llmproxy::worker
