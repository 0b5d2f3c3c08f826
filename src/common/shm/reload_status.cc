// Reload outcome published by the master.
#include "common/shm/reload_status.h"

#include <algorithm>
#include <cstring>

namespace llmproxy::common {

void ReloadStatus::init() {
  completed.store(0);
  succeeded.store(0);
  failed.store(0);
  lock.init();
  last_ok = true;
  last_at_ms = 0;
  last_generation = 0;
  message_size = 0;
  message[0] = '\0';
}

void ReloadStatus::record(bool ok, int64_t at_ms, uint64_t generation, const std::string& msg) {
  lock.write([&] {
    last_ok = ok;
    last_at_ms = at_ms;
    if (ok) last_generation = generation;
    message_size = static_cast<uint32_t>(std::min(msg.size(), kMessageCapacity));
    std::memcpy(message, msg.data(), message_size);
  });
  (ok ? succeeded : failed).fetch_add(1, std::memory_order_relaxed);
  completed.fetch_add(1, std::memory_order_release);
}

bool ReloadStatus::read(Snapshot& out) const {
  out = Snapshot{};
  out.completed = completed.load(std::memory_order_acquire);
  out.succeeded = succeeded.load(std::memory_order_relaxed);
  out.failed = failed.load(std::memory_order_relaxed);
  Snapshot copy;
  const bool ok = lock.read([&] {
    copy.ok = last_ok;
    copy.at_ms = last_at_ms;
    copy.generation = last_generation;
    copy.message.assign(message, std::min<uint32_t>(message_size, kMessageCapacity));
  });
  if (!ok) return false;
  out.ok = copy.ok;
  out.at_ms = copy.at_ms;
  out.generation = copy.generation;
  out.message = std::move(copy.message);
  return true;
}

}  // namespace llmproxy::common
