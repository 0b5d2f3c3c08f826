// Per-thread free list of 16 KiB read chunks.
#include "worker/net/chunk_pool.h"

#include <vector>

namespace llmproxy::worker {
namespace {

thread_local bool t_list_gone = false;

struct FreeList {
  std::vector<Chunk*> chunks;
  ~FreeList() {
    for (Chunk* c : chunks) delete c;
    chunks.clear();
    t_list_gone = true;  // chunks released after thread exit started are simply freed
  }
};

FreeList& freeList() {
  thread_local FreeList list;
  return list;
}

void release(Chunk* chunk) {
  if (t_list_gone) {
    delete chunk;
    return;
  }
  FreeList& list = freeList();
  if (list.chunks.size() < ChunkPool::kMaxFree) {
    list.chunks.push_back(chunk);
  } else {
    delete chunk;
  }
}

}  // namespace

ChunkRef ChunkPool::acquire() {
  FreeList& list = freeList();
  Chunk* chunk;
  if (list.chunks.empty()) {
    // NOTE: no value-initialisation: 16 KiB of zeroes per read buffer would be wasted work.
    chunk = new Chunk;
  } else {
    chunk = list.chunks.back();
    list.chunks.pop_back();
  }
  return ChunkRef(chunk, release);
}

size_t ChunkPool::freeCount() { return freeList().chunks.size(); }

}  // namespace llmproxy::worker
