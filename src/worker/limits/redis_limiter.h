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
//
// Budgets (max_budget) the same way: one script per check on a hash per key and period
// {c = spend + reservations, s = spend}, in micro-dollars, created from the node's own count
// (what it loaded from PostgreSQL and served since) when Redis does not have it yet, and
// expiring after its period; a second script settles the reservation, fire and forget.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "worker/limits/limit_plan.h"
#include "worker/limits/limiter.h"
#include "worker/redis/redis_client.h"

namespace llmproxy::worker {

// The Redis answer to a budget check: admitted, and the key's period totals after it.
struct RedisBudgetReply {
  bool allowed = false;
  uint64_t committed = 0;
  uint64_t spent = 0;
};

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

  // The budget hash of a key and period: "<prefix>budget:<SHA-256 hex>:<period start>".
  static std::string budgetKey(std::string_view prefix, std::string_view key_hash_hex,
                               int64_t period_start_s);
  // Admits while committed < max_micros, then reserves `estimate` under the request's
  // `hold` id (a field of the hash, so the settlement knows what was reserved even when this
  // node never saw the answer); `floor` is this node's spend of the period, used when Redis has
  // no count yet; the hash expires `ttl_s` after its last use. false: not sent (decide
  // locally).
  bool checkBudget(const std::string& key, uint64_t max_micros, uint64_t estimate,
                   uint64_t floor, int64_t ttl_s, std::string_view hold, RedisWaiter* waiter);
  static std::optional<RedisBudgetReply> parseBudget(const RedisResult& result);
  // committed gives back what `hold` reserved (if it reserved anything) and takes `actual`,
  // spent takes `actual`; fire and forget. Also the cancel of a check whose answer never came
  // (actual 0): commands on the connection run in order, so it finds the reservation.
  bool settleBudget(const std::string& key, std::string_view hold, uint64_t actual);

  RedisClient& client() { return redis_; }

 private:
  RedisClient& redis_;
  RedisClient::Script check_;
  RedisClient::Script charge_;
  RedisClient::Script budget_check_;
  RedisClient::Script budget_settle_;
};

}  // namespace llmproxy::worker
