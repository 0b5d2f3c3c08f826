// The per-worker response cache: an LRU bounded by entry count and by bytes (keys + values),
// with a per-entry expiry. Owned by the Worker; worker-loop-only; never shared with other
// workers (each worker warms its own).
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "worker/cache/cache_store.h"

namespace llmproxy::worker {

class MemoryCache final : public CacheStore {
 public:
  using NowMs = int64_t (*)();
  // `now_ms` is a monotonic millisecond clock (injectable for tests).
  MemoryCache(uint32_t max_entries, uint64_t max_bytes, NowMs now_ms);

  void get(const std::string& key, GetDone done) override;
  void put(const std::string& key, std::string value, std::chrono::milliseconds ttl) override;

  // New bounds (a reload); evicts the least recently used entries that no longer fit.
  void setLimits(uint32_t max_entries, uint64_t max_bytes);

  size_t entries() const { return map_.size(); }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Entry {
    std::string key;
    std::string value;
    int64_t expires_ms;
  };
  using List = std::list<Entry>;  // front = most recently used

  static uint64_t cost(const Entry& e) { return e.key.size() + e.value.size() + 64; }
  void erase(List::iterator it);
  void evictToFit();

  uint32_t max_entries_;
  uint64_t max_bytes_;
  NowMs now_ms_;
  List lru_;
  std::unordered_map<std::string_view, List::iterator> map_;  // views each Entry's key
  uint64_t bytes_ = 0;
};

}  // namespace llmproxy::worker
