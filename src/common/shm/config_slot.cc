// Seqlock-protected double buffer for the config snapshot.
#include "common/shm/config_slot.h"

#include <cstring>

namespace llmproxy::common {

void ConfigSlot::init(uint64_t capacity_bytes) {
  generation.store(0, std::memory_order_relaxed);
  active.store(0, std::memory_order_relaxed);
  reserved = 0;
  capacity = capacity_bytes;
  for (auto& h : half) {
    h.seq.store(0, std::memory_order_relaxed);
    h.generation.store(0, std::memory_order_relaxed);
    h.size.store(0, std::memory_order_relaxed);
  }
}

bool ConfigSlot::publish(const std::string& blob, uint64_t generation_number) {
  if (blob.size() > capacity) return false;
  const uint32_t h = 1 - active.load(std::memory_order_relaxed);
  Half& target = half[h];
  const uint64_t s = target.seq.load(std::memory_order_relaxed);
  target.seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(data(h), blob.data(), blob.size());
  target.size.store(blob.size(), std::memory_order_relaxed);
  target.generation.store(generation_number, std::memory_order_relaxed);
  target.seq.store(s + 2, std::memory_order_release);
  active.store(h, std::memory_order_release);
  generation.store(generation_number, std::memory_order_release);
  return true;
}

uint64_t ConfigSlot::read(std::string& out) const {
  for (;;) {
    const uint32_t h = active.load(std::memory_order_acquire);
    const Half& src = half[h];
    const uint64_t s1 = src.seq.load(std::memory_order_acquire);
    if (s1 & 1) continue;  // the master is writing this half; it flips `active` right after
    const uint64_t gen = src.generation.load(std::memory_order_relaxed);
    const uint64_t size = src.size.load(std::memory_order_relaxed);
    if (size > capacity) continue;
    // NOTE: this copy may race with a writer; the sequence check below discards torn copies.
    out.assign(data(h), size);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (src.seq.load(std::memory_order_relaxed) == s1) return gen;
  }
}

}  // namespace llmproxy::common
