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
  lock.init();
  state = static_cast<uint32_t>(DbState::NotConfigured);
  providers = keys = skipped_rows = error_size = 0;
  since_ms = last_load_ms = 0;
  loads = 0;
  last_error[0] = '\0';
}

void DbStatus::write(const Snapshot& s) {
  lock.write([&] {
    state = static_cast<uint32_t>(s.state);
    since_ms = s.since_ms;
    last_load_ms = s.last_load_ms;
    loads = s.loads;
    providers = s.providers;
    keys = s.keys;
    skipped_rows = s.skipped_rows;
    error_size = static_cast<uint32_t>(std::min(s.last_error.size(), kErrorCapacity));
    std::memcpy(last_error, s.last_error.data(), error_size);
  });
}

bool DbStatus::read(Snapshot& out) const {
  Snapshot s;
  const bool ok = lock.read([&] {
    s.state = static_cast<DbState>(state);
    s.since_ms = since_ms;
    s.last_load_ms = last_load_ms;
    s.loads = loads;
    s.providers = providers;
    s.keys = keys;
    s.skipped_rows = skipped_rows;
    s.last_error.assign(last_error, std::min<uint32_t>(error_size, kErrorCapacity));
  });
  if (ok) out = std::move(s);
  return ok;
}

}  // namespace llmproxy::common
