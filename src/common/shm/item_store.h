// The node's store of streamed Responses output items: a bounded cache that every worker of one
// node shares, so that a client's later {"type":"item_reference","id":…} to an item the gateway
// streamed can be rebuilt on whichever worker gets the next request. Its own anonymous
// MAP_SHARED mapping (not a section of region.h), created by the master before it forks and
// kept for the master's life: reloads keep it, respawned workers inherit it, and its size is
// read only at start.
//
// Fixed-size slots; an item may live in two of them (the one its id hashes to and the next)
// and goes to the one holding its id, else an empty or expired one, else the older: it
// replaces whatever was there (a cache: an evicted, expired or never-stored item is simply a
// miss). Each slot has its own
// sequence lock (seqlock.h) so readers in any worker take no lock, and an atomic writer flag so
// two workers never write one slot at once (the second drops its item). The slot keeps the id
// with the item and a read compares it; an entry older than kItemStoreTtlMs is a miss.
//
// What it holds is conversation text: it lives in memory only (never written to disk, never
// logged), and a size of 0 creates no mapping at all.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/result.h"
#include "common/shm/seqlock.h"

namespace llmproxy::common {

inline constexpr size_t kItemStoreMaxId = 256;          // longer ids are not stored
inline constexpr size_t kItemStoreMaxItem = 16 * 1024;  // the item JSON's bytes, at most
inline constexpr int64_t kItemStoreTtlMs = 60 * 60 * 1000;  // entries older than this are misses

class ItemStore {
 public:
  // `bytes` of slots (at least one slot when not 0); 0 gives a store that is off.
  static Result<ItemStore> create(uint64_t bytes);
  // The bytes of one slot: create(n * slotBytes()) has n slots.
  static size_t slotBytes();

  ItemStore() = default;
  ItemStore(ItemStore&& other) noexcept;
  ItemStore& operator=(ItemStore&& other) noexcept;
  ItemStore(const ItemStore&) = delete;
  ItemStore& operator=(const ItemStore&) = delete;
  ~ItemStore();

  bool enabled() const { return slot_count_ != 0; }
  size_t slotCount() const { return slot_count_; }

  // Keeps `item` under `id`, stamped `now_ms`. False when the store is off, the id is empty or
  // over kItemStoreMaxId, the item is over kItemStoreMaxItem, or another worker is writing the
  // same slot right now (the item is then not kept).
  bool put(std::string_view id, std::string_view item, int64_t now_ms);
  // The item kept under `id` into `out` (emptied on a miss), when its slot still holds that id and the entry is
  // not older than kItemStoreTtlMs at `now_ms`. Bounded: a slot that keeps changing is a miss.
  bool get(std::string_view id, int64_t now_ms, std::string& out) const;

  // Tests: leaves `id`'s slot as a worker killed inside put() would (flag taken at `now_ms`,
  // count odd).
  void simulateDeadWriter(std::string_view id, int64_t now_ms);

 private:
  struct Slot {
    std::atomic<int64_t> writer;  // 0 when free, else when the writer took the slot (ms)
    SeqLock lock;
    int64_t stored_at_ms;
    uint32_t id_size;
    uint32_t item_size;
    char id[kItemStoreMaxId];
    char item[kItemStoreMaxItem];
  };
  // Slot `which` (0 or 1) of the two an id may live in: the one its hash names and the next.
  Slot& candidate(std::string_view id, int which) const;
  // Whether `slot` holds `id`, not expired at `now_ms`; its item into `out` when given.
  bool copyIf(const Slot& slot, std::string_view id, int64_t now_ms, std::string* out) const;
  Slot& target(std::string_view id, int64_t now_ms) const;

  void* base_ = nullptr;
  size_t size_ = 0;
  size_t slot_count_ = 0;
};

}  // namespace llmproxy::common
