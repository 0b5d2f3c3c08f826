// The state of the master's PostgreSQL config source, written by the master, read by workers
// for /admin/v1/status and /health/detailed. A seqlock (seqlock.h) over a small fixed-size
// record: the master never waits, a reader retries a bounded number of times.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/shm/seqlock.h"

namespace llmproxy::common {

enum class DbState : uint32_t { NotConfigured = 0, Connecting, Connected, Unavailable };

std::string_view dbStateName(DbState state);

struct DbStatus {
  static constexpr size_t kErrorCapacity = 512;

  struct Snapshot {
    DbState state = DbState::NotConfigured;
    int64_t since_ms = 0;         // unix ms of the last state change
    int64_t last_load_ms = 0;     // unix ms of the last successful load, 0 = none yet
    uint64_t loads = 0;           // successful loads
    uint32_t providers = 0;       // rows used by the last load
    uint32_t keys = 0;
    uint32_t skipped_rows = 0;    // rows the last load left out (logged with their reason)
    std::string last_error;       // "" = none; never holds a password
  };

  SeqLock lock;  // over every field below
  uint32_t state;
  uint32_t providers;
  int64_t since_ms;
  int64_t last_load_ms;
  uint64_t loads;
  uint32_t keys;
  uint32_t skipped_rows;
  uint32_t error_size;
  char last_error[kErrorCapacity];

  void init();
  void write(const Snapshot& s);  // master only
  // False if no stable copy was seen within the seqlock's bound (a writer died mid-update, or
  // kept rewriting): `out` is then left as it was.
  bool read(Snapshot& out) const;
};

}  // namespace llmproxy::common
