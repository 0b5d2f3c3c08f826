// DbStatus seqlock.
#include "common/shm/db_status.h"

#include <algorithm>
#include <cstring>

namespace llmproxy::common {

std::string_view dbStateName(DbState state) {
  switch (state) {
    case DbState::NotConfigured: return "not_configured";
    case DbState::Connecting: return "connecting";
    case DbState::Connected: return "connected";
    case DbState::Unavailable: return "unavailable";
  }
  return "unknown";
}

void DbStatus::init() {
  seq.store(0);
  state = static_cast<uint32_t>(DbState::NotConfigured);
  providers = keys = skipped_rows = error_size = 0;
  since_ms = last_load_ms = 0;
  loads = 0;
  last_error[0] = '\0';
}

void DbStatus::write(const Snapshot& s) {
  const uint64_t v = seq.load(std::memory_order_relaxed);
  seq.store(v + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  state = static_cast<uint32_t>(s.state);
  since_ms = s.since_ms;
  last_load_ms = s.last_load_ms;
  loads = s.loads;
  providers = s.providers;
  keys = s.keys;
  skipped_rows = s.skipped_rows;
  error_size = static_cast<uint32_t>(std::min(s.last_error.size(), kErrorCapacity));
  std::memcpy(last_error, s.last_error.data(), error_size);
  seq.store(v + 2, std::memory_order_release);
}

bool DbStatus::read(Snapshot& out) const {
  for (int attempt = 0; attempt < 10'000; ++attempt) {
    const uint64_t v = seq.load(std::memory_order_acquire);
    if (v & 1) continue;
    Snapshot s;
    s.state = static_cast<DbState>(state);
    s.since_ms = since_ms;
    s.last_load_ms = last_load_ms;
    s.loads = loads;
    s.providers = providers;
    s.keys = keys;
    s.skipped_rows = skipped_rows;
    s.last_error.assign(last_error, std::min<uint32_t>(error_size, kErrorCapacity));
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq.load(std::memory_order_relaxed) == v) {
      out = std::move(s);
      return true;
    }
  }
  return false;
}

}  // namespace llmproxy::common
