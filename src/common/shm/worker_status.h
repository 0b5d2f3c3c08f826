// Per-worker status slots in shared memory: each worker writes only its own slot, the master
// and the admin API read all of them. Relaxed atomics: these are statistics, not locks.
#pragma once

#include <atomic>
#include <cstdint>

namespace llmproxy::common {

enum class WorkerState : uint32_t { Empty = 0, Starting, Running, Draining, Exited };

struct alignas(64) WorkerStatus {
  std::atomic<int32_t> pid;
  std::atomic<uint32_t> state;              // WorkerState
  std::atomic<uint64_t> config_generation;  // the config this worker serves new requests with
  std::atomic<int64_t> started_at_ms;       // unix milliseconds
  std::atomic<uint64_t> connections;        // open client connections now
  std::atomic<uint64_t> requests;           // requests handled by this process
  std::atomic<uint32_t> respawns;           // how often the master refilled this slot

  void clear() {
    pid.store(0, std::memory_order_relaxed);
    state.store(static_cast<uint32_t>(WorkerState::Empty), std::memory_order_relaxed);
    config_generation.store(0, std::memory_order_relaxed);
    started_at_ms.store(0, std::memory_order_relaxed);
    connections.store(0, std::memory_order_relaxed);
    requests.store(0, std::memory_order_relaxed);
  }
  WorkerState currentState() const {
    return static_cast<WorkerState>(state.load(std::memory_order_acquire));
  }
};

}  // namespace llmproxy::common
