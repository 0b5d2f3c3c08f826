// The one sequence lock for records in shared memory (config slot, reload status, database
// status): one writer, readers in any process, no mutex, and every read bounded.
//
// The count is even while the record is stable and odd while the writer is inside write(). A
// reader copies the record and keeps the copy only if the count was even and unchanged across
// the copy. A reader never waits for ever: a writer that died mid-write (count left odd) or one
// that keeps rewriting the record makes read() return false after kSeqlockReadAttempts tries,
// and the caller decides what an unknown value means (see each record's read()).
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>

namespace llmproxy::common {

// Tries of one bounded read: the first kSeqlockSpinAttempts back to back, the rest each after
// sched_yield() (so a writer preempted on this CPU can finish). Milliseconds at worst.
inline constexpr uint32_t kSeqlockSpinAttempts = 64;
inline constexpr uint32_t kSeqlockReadAttempts = 4096;

// Runs `attempt` (returns true when it got a consistent copy) at most `attempts` times, yielding
// the CPU between tries after the first kSeqlockSpinAttempts. True as soon as one try succeeds.
template <typename Attempt>
bool retryBounded(Attempt&& attempt, uint32_t attempts = kSeqlockReadAttempts) {
  for (uint32_t i = 0; i < attempts; ++i) {
    if (attempt()) return true;
    if (i + 1 >= kSeqlockSpinAttempts) sched_yield();
  }
  return false;
}

// Lives inside the shared-memory region (POD plus one atomic). One writer at a time: the master.
class SeqLock {
 public:
  void init() { seq_.store(0, std::memory_order_relaxed); }

  // Writer only. `change()` edits the guarded record; readers meanwhile discard their copies.
  template <typename Change>
  void write(Change&& change) {
    const uint64_t s = seq_.load(std::memory_order_relaxed);
    seq_.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    change();
    seq_.store(s + 2, std::memory_order_release);
  }

  // One try: runs `copy()` and returns true if no write overlapped it. `copy` must tolerate torn
  // values (clamp sizes before using them); a torn copy is thrown away by the caller on false.
  template <typename Copy>
  bool readOnce(Copy&& copy) const {
    const uint64_t s1 = seq_.load(std::memory_order_acquire);
    if (s1 & 1) return false;
    copy();
    // NOTE: the copy may race with a writer; this fence orders it before the second load, and a
    // changed count discards the copy.
    std::atomic_thread_fence(std::memory_order_acquire);
    return seq_.load(std::memory_order_relaxed) == s1;
  }

  // Bounded: false when no try out of `attempts` got a stable copy.
  template <typename Copy>
  bool read(Copy&& copy, uint32_t attempts = kSeqlockReadAttempts) const {
    return retryBounded([&] { return readOnce(copy); }, attempts);
  }

  // The raw count: tests use it to simulate a writer that died mid-write.
  std::atomic<uint64_t>& sequence() { return seq_; }

 private:
  std::atomic<uint64_t> seq_;
};

}  // namespace llmproxy::common
