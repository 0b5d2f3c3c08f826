// The response cache in Redis (when [redis] url is set): GET on lookup, SET key value PX ttl on
// store, keys "<redis.key_prefix>cache:<hex sha-256>", so every worker and every node sharing
// the Redis shares the answers. Uses the worker's RedisClient and its per-command deadline
// (redis.timeout): a Redis that is down, slow or answers garbage is a miss, never an error or a
// stall. Owned by the Worker; worker-loop-only.
#pragma once

#include <list>
#include <string>

#include "worker/cache/cache_store.h"
#include "worker/redis/redis_client.h"

namespace llmproxy::worker {

class RedisCache final : public CacheStore {
 public:
  explicit RedisCache(RedisClient& redis) : redis_(redis) {}
  // Lookups still in flight are dropped: their `done` never runs (the worker is stopping).
  ~RedisCache() override = default;

  void get(const std::string& key, GetDone done) override;
  void put(const std::string& key, std::string value, std::chrono::milliseconds ttl) override;

  size_t pending() const { return pending_.size(); }

 private:
  struct Lookup {
    Lookup(RedisCache* c, GetDone d) : cache(c), done(std::move(d)), waiter(this, &onReply) {}
    RedisCache* cache;
    GetDone done;
    std::list<Lookup>::iterator self;
    RedisWaiter waiter;  // last: unhooked first when the Lookup goes
  };
  static void onReply(void* lookup, const RedisResult& result);
  std::string redisKey(const std::string& key) const;

  RedisClient& redis_;
  std::list<Lookup> pending_;  // stable addresses: each waiter points at its Lookup
};

}  // namespace llmproxy::worker
