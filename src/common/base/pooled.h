// Pooled<T>: class-level operator new/delete keeping the memory of destroyed objects on a
// per-thread free list, so an object made and destroyed once per request (an exchange, its
// upstream state, its timer) costs no malloc in the steady state. Up to kKeep blocks are kept
// per class and thread; beyond that, and for any other size (a derived class), memory goes back
// to the global allocator. Under AddressSanitizer nothing is kept (use-after-free stays visible).
#pragma once

#include <cstddef>
#include <new>

namespace llmproxy::common {

template <class T, size_t kKeep = 256>
class Pooled {
 public:
  static void* operator new(size_t size) {
#ifndef __SANITIZE_ADDRESS__
    FreeList& list = freeList();
    if (size == sizeof(T) && list.head != nullptr) {
      Block* block = list.head;
      list.head = block->next;
      --list.count;
      return block;
    }
#endif
    return ::operator new(size);
  }

  static void operator delete(void* p, size_t size) {
    if (p == nullptr) return;
#ifndef __SANITIZE_ADDRESS__
    FreeList& list = freeList();
    if (size == sizeof(T) && list.count < kKeep) {
      auto* block = static_cast<Block*>(p);
      block->next = list.head;
      list.head = block;
      ++list.count;
      return;
    }
#endif
    ::operator delete(p, size);
  }

 private:
  struct Block {
    Block* next;
  };
  struct FreeList {
    Block* head = nullptr;
    size_t count = 0;
    ~FreeList() {
      while (head != nullptr) {
        Block* next = head->next;
        ::operator delete(static_cast<void*>(head), sizeof(T));
        head = next;
      }
    }
  };
  static FreeList& freeList() {
    thread_local FreeList list;
    return list;
  }
};

}  // namespace llmproxy::common
