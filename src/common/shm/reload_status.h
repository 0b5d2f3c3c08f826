// The outcome of the last reload, written by the master, read by the admin API.
// `completed` counts finished reload attempts; the admin endpoint signals the master and waits
// for it to move. The outcome itself (ok, time, generation, message) sits under a seqlock, so a
// reader never sees half a message and never waits for ever.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/shm/seqlock.h"

namespace llmproxy::common {

struct ReloadStatus {
  static constexpr size_t kMessageCapacity = 2048;

  std::atomic<uint64_t> completed;    // reload attempts finished (ok or failed)
  std::atomic<uint64_t> succeeded;
  std::atomic<uint64_t> failed;
  SeqLock lock;                       // over the fields below
  bool last_ok;
  int64_t last_at_ms;                 // unix milliseconds
  uint64_t last_generation;           // generation published by the last good reload
  uint32_t message_size;
  char message[kMessageCapacity];     // "" on success, the first error(s) on failure

  void init();
  // Master only. The outcome is stored before `completed` moves, so a reader that saw the
  // counter move reads this attempt's outcome (or a later one).
  void record(bool ok, int64_t at_ms, uint64_t generation, const std::string& msg);

  struct Snapshot {
    uint64_t completed = 0;
    uint64_t succeeded = 0;
    uint64_t failed = 0;
    bool ok = true;
    int64_t at_ms = 0;
    uint64_t generation = 0;
    std::string message;
  };
  // Any process. The counters are always filled in; false when the outcome fields could not be
  // copied consistently within the seqlock's bound (they are then left at their defaults and
  // mean "unknown").
  bool read(Snapshot& out) const;
};

}  // namespace llmproxy::common
