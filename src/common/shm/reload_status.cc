// Reload outcome published by the master.
#include "common/shm/reload_status.h"

#include <algorithm>
#include <cstring>

namespace llmproxy::common {

void ReloadStatus::init() {
  completed.store(0);
  succeeded.store(0);
  failed.store(0);
  seq.store(0);
  last_ok = true;
  last_at_ms = 0;
  last_generation = 0;
  message_size = 0;
  message[0] = '\0';
}

void ReloadStatus::record(bool ok, int64_t at_ms, uint64_t generation, const std::string& msg) {
  const uint64_t s = seq.load(std::memory_order_relaxed);
  seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  last_ok = ok;
  last_at_ms = at_ms;
  if (ok) last_generation = generation;
  message_size = static_cast<uint32_t>(std::min(msg.size(), kMessageCapacity));
  std::memcpy(message, msg.data(), message_size);
  seq.store(s + 2, std::memory_order_release);
  (ok ? succeeded : failed).fetch_add(1, std::memory_order_relaxed);
  completed.fetch_add(1, std::memory_order_release);
}

ReloadStatus::Snapshot ReloadStatus::read() const {
  Snapshot out;
  for (;;) {
    const uint64_t s1 = seq.load(std::memory_order_acquire);
    if (s1 & 1) continue;
    out.ok = last_ok;
    out.at_ms = last_at_ms;
    out.generation = last_generation;
    const uint32_t n = std::min<uint32_t>(message_size, kMessageCapacity);
    out.message.assign(message, n);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq.load(std::memory_order_relaxed) == s1) break;
  }
  out.completed = completed.load(std::memory_order_acquire);
  out.succeeded = succeeded.load(std::memory_order_relaxed);
  out.failed = failed.load(std::memory_order_relaxed);
  return out;
}

}  // namespace llmproxy::common
