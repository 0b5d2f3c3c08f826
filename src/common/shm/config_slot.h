// The published config snapshot: a double buffer in shared memory guarded by a seqlock per
// half (seqlock.h). One writer (the master), many readers (the workers); no mutex, so a worker
// that dies mid-read can never block anyone, and a read is bounded.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/shm/seqlock.h"

namespace llmproxy::common {

// Lives inside the shared-memory region; laid out by ShmRegion. Only POD and atomics.
struct ConfigSlot {
  struct Half {
    SeqLock lock;                      // guards generation, size and the blob bytes
    std::atomic<uint64_t> generation;  // the config generation stored in this half
    std::atomic<uint64_t> size;        // bytes of blob in this half
  };
  std::atomic<uint64_t> generation;    // newest published generation (workers poll this)
  std::atomic<uint32_t> active;        // index of the half that holds `generation`
  uint32_t reserved;
  uint64_t capacity;                   // bytes per half
  Half half[2];
  // followed by 2 * capacity bytes of blob storage

  static size_t bytesFor(uint64_t capacity) { return sizeof(ConfigSlot) + 2 * capacity; }
  void init(uint64_t capacity_bytes);

  // Master only. Returns false when the blob is larger than one half.
  bool publish(const std::string& blob, uint64_t generation_number);

  // Any process. Copies the active blob into `out` and returns its generation. Returns 0 (and
  // an empty `out`) when nothing has been published yet, or when no consistent copy was seen
  // within the seqlock's bound (the master published twice during every try): the caller keeps
  // what it has and tries again later.
  uint64_t read(std::string& out) const;

  uint64_t currentGeneration() const { return generation.load(std::memory_order_acquire); }

 private:
  char* data(uint32_t h) { return reinterpret_cast<char*>(this + 1) + h * capacity; }
  const char* data(uint32_t h) const {
    return reinterpret_cast<const char*>(this + 1) + h * capacity;
  }
};

}  // namespace llmproxy::common
