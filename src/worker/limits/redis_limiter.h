// Limits exact across nodes: the same checks as Limiter, decided by one atomic Lua script per
// request on the shared Redis ([redis] url), with the Redis server's clock (TIME), so the nodes'
// clocks do not matter.
//
// The check script (KEYS: requests bucket, tokens bucket, quota counter; ARGV: requests/s,
// burst, tokens/minute, max_requests, 0 = none) applies the same order as the local limiter:
// tokens/minute admission (read only: admit while positive), then one request from the token
// bucket, then the quota, giving the request token back when the quota denies. Buckets are
// hashes {v = tokens, t = ms} that expire once they would be full again. Tokens are charged
// after the response by a second script, fire and forget.
#pragma once

#include <cstdint>
#include <optional>

#include "worker/limits/limit_plan.h"
#include "worker/limits/limiter.h"
#include "worker/redis/redis_client.h"

namespace llmproxy::worker {

class RedisLimiter {
 public:
  // Registers the scripts (SCRIPT LOAD on every connect).
  explicit RedisLimiter(RedisClient& redis);

  // Sends the check; the answer goes to `waiter`. false: Redis cannot take it now (not up or
  // too busy): decide without it, no callback will come.
  bool check(const LimitScope& scope, RedisWaiter* waiter);
  // The check's reply as a LimitCheck; nullopt when it is not one (timeout, error): fall back.
  static std::optional<LimitCheck> parse(const KeyLimits& limits, const RedisResult& result);
  // Charges the real usage to the tokens/minute bucket. false: not sent (charge locally).
  bool chargeTokens(const LimitScope& scope, uint64_t tokens);

  RedisClient& client() { return redis_; }

 private:
  RedisClient& redis_;
  RedisClient::Script check_;
  RedisClient::Script charge_;
};

}  // namespace llmproxy::worker
