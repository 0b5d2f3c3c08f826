// MemoryCache: std::list for the recency order, a hash map of views into it for lookups.
#include "worker/cache/memory_cache.h"

namespace llmproxy::worker {

MemoryCache::MemoryCache(uint32_t max_entries, uint64_t max_bytes, NowMs now_ms)
    : max_entries_(max_entries), max_bytes_(max_bytes), now_ms_(now_ms) {}

void MemoryCache::get(const std::string& key, GetDone done) {
  auto it = map_.find(key);
  if (it == map_.end()) return done(std::nullopt);
  if (it->second->expires_ms <= now_ms_()) {
    erase(it->second);
    return done(std::nullopt);
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  done(lru_.front().value);
}

void MemoryCache::put(const std::string& key, std::string value, std::chrono::milliseconds ttl) {
  if (max_entries_ == 0) return;
  if (auto it = map_.find(key); it != map_.end()) erase(it->second);
  Entry e{key, std::move(value), now_ms_() + ttl.count()};
  if (cost(e) > max_bytes_) return;
  bytes_ += cost(e);
  lru_.push_front(std::move(e));
  map_.emplace(lru_.front().key, lru_.begin());
  evictToFit();
}

void MemoryCache::setLimits(uint32_t max_entries, uint64_t max_bytes) {
  max_entries_ = max_entries;
  max_bytes_ = max_bytes;
  evictToFit();
}

void MemoryCache::erase(List::iterator it) {
  bytes_ -= cost(*it);
  map_.erase(it->key);
  lru_.erase(it);
}

void MemoryCache::evictToFit() {
  while (!lru_.empty() && (map_.size() > max_entries_ || bytes_ > max_bytes_))
    erase(std::prev(lru_.end()));
}

}  // namespace llmproxy::worker
