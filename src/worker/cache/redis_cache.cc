// RedisCache: one GET per lookup (a pending Lookup per command), fire-and-forget SET PX.
#include "worker/cache/redis_cache.h"

namespace llmproxy::worker {

std::string RedisCache::redisKey(const std::string& key) const {
  return redis_.config().key_prefix + "cache:" + key;
}

void RedisCache::get(const std::string& key, GetDone done) {
  pending_.emplace_front(this, std::move(done));
  Lookup& lookup = pending_.front();
  lookup.self = pending_.begin();
  if (redis_.get(redisKey(key), &lookup.waiter)) return;
  // Not connected or too busy: a miss, at once.
  GetDone d = std::move(lookup.done);
  pending_.erase(lookup.self);
  d(std::nullopt);
}

void RedisCache::onReply(void* p, const RedisResult& result) {
  auto* lookup = static_cast<Lookup*>(p);
  std::optional<std::string> value;
  if (result.ok() && !result.isNil() && !result.text().empty()) value.emplace(result.text());
  GetDone done = std::move(lookup->done);
  lookup->cache->pending_.erase(lookup->self);  // the waiter is no longer pending: safe
  done(std::move(value));
}

void RedisCache::put(const std::string& key, std::string value, std::chrono::milliseconds ttl) {
  redis_.set(redisKey(key), value, static_cast<uint64_t>(ttl.count()), nullptr);
}

}  // namespace llmproxy::worker
