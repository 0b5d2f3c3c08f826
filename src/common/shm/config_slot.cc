// Seqlock-protected double buffer for the config snapshot.
#include "common/shm/config_slot.h"

#include <algorithm>
#include <cstring>

namespace llmproxy::common {

void ConfigSlot::init(uint64_t capacity_bytes) {
  generation.store(0, std::memory_order_relaxed);
  active.store(0, std::memory_order_relaxed);
  reserved = 0;
  capacity = capacity_bytes;
  for (auto& h : half) {
    h.lock.init();
    h.generation.store(0, std::memory_order_relaxed);
    h.size.store(0, std::memory_order_relaxed);
  }
}

bool ConfigSlot::publish(const std::string& blob, uint64_t generation_number) {
  if (blob.size() > capacity) return false;
  // The inactive half: readers are on the other one, unless they are still copying an older
  // publication from this one, and those discard their copies.
  const uint32_t h = 1 - active.load(std::memory_order_relaxed);
  Half& target = half[h];
  target.lock.write([&] {
    std::memcpy(data(h), blob.data(), blob.size());
    target.size.store(blob.size(), std::memory_order_relaxed);
    target.generation.store(generation_number, std::memory_order_relaxed);
  });
  active.store(h, std::memory_order_release);
  generation.store(generation_number, std::memory_order_release);
  return true;
}

uint64_t ConfigSlot::read(std::string& out) const {
  uint64_t gen = 0;
  const bool ok = retryBounded([&] {
    const uint32_t h = active.load(std::memory_order_acquire) & 1;
    const Half& src = half[h];
    return src.lock.readOnce([&] {
      gen = src.generation.load(std::memory_order_relaxed);
      // A torn size is discarded with the copy; clamping keeps the copy inside the half.
      const uint64_t size = std::min(src.size.load(std::memory_order_relaxed), capacity);
      out.assign(data(h), size);
    });
  });
  if (!ok) {
    out.clear();
    return 0;
  }
  return gen;
}

}  // namespace llmproxy::common
