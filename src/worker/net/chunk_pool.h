// ChunkPool: fixed-size, refcounted read buffers recycled through a per-worker free list.
#pragma once

#include <cstddef>
#include <memory>

namespace llmproxy::worker {

// One read buffer. Readers fill it front to back; body slices point into the filled part and
// keep the chunk alive through their shared_ptr, so bytes are never copied on their way out.
struct Chunk {
  static constexpr size_t kSize = 16 * 1024;
  char data[kSize];
};

using ChunkRef = std::shared_ptr<Chunk>;

// A free list of chunks for the current thread (one worker process = one loop thread). The last
// reference to a chunk puts it back on the list of the thread that drops it; the list keeps at
// most kMaxFree chunks and frees the rest. No locking: a chunk is only ever touched by the
// thread of the loop that reads into it.
class ChunkPool {
 public:
  static constexpr size_t kMaxFree = 64;  // 1 MiB of spare buffers per worker at most

  static ChunkRef acquire();
  // Chunks currently on this thread's free list (tests).
  static size_t freeCount();
};

}  // namespace llmproxy::worker
