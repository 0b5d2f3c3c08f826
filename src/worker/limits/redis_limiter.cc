// The Redis limiter's Lua scripts and the reply decoding.
#include "worker/limits/redis_limiter.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <string>

namespace llmproxy::worker {
namespace {

// Returns {allowed, reason (0 none, 1 requests, 2 tokens, 3 quota), requests remaining × 1000,
// requests reset ms, tokens remaining (may be negative), tokens reset ms, retry after ms,
// quota used}.
constexpr const char* kCheckScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rps, burst, tpm, maxq = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local allowed, reason, retry = 1, 0, 0
local tok_rem, tok_reset, req_rem, req_reset, used = 0, 0, 0, 0, 0

local function load(key, cap, rate)
  local b = redis.call('HMGET', key, 'v', 't')
  local v = tonumber(b[1]) or cap
  local ts = tonumber(b[2]) or now
  if now > ts then v = math.min(cap, v + (now - ts) * rate) end
  return v
end

if tpm > 0 then
  local rate = tpm / 60000
  local v = load(KEYS[2], tpm, rate)
  tok_rem = v
  tok_reset = math.ceil((tpm - v) / rate)
  if v <= 0 then
    allowed, reason = 0, 2
    retry = math.floor(-v / rate) + 1
  end
end

local req_v = nil
if rps > 0 then
  local rate = rps / 1000
  req_v = load(KEYS[1], burst, rate)
  if allowed == 1 then
    if req_v >= 1 then
      req_v = req_v - 1
      redis.call('HSET', KEYS[1], 'v', req_v, 't', now)
      redis.call('PEXPIRE', KEYS[1], math.ceil((burst - req_v) / rate) + 1000)
    else
      allowed, reason = 0, 1
      retry = math.ceil((1 - req_v) / rate)
    end
  end
  req_rem = req_v
  req_reset = math.ceil((burst - req_v) / rate)
end

if allowed == 1 and maxq > 0 then
  used = tonumber(redis.call('GET', KEYS[3]) or '0')
  if used >= maxq then
    allowed, reason = 0, 3
    if req_v then
      local rate = rps / 1000
      req_v = math.min(burst, req_v + 1)
      redis.call('HSET', KEYS[1], 'v', req_v, 't', now)
      req_rem = req_v
      req_reset = math.ceil((burst - req_v) / rate)
    end
  else
    used = redis.call('INCR', KEYS[3])
  end
end

return {allowed, reason, math.floor(req_rem * 1000 + 0.5), req_reset, math.floor(tok_rem), tok_reset, retry, used}
)lua";

// KEYS: tokens bucket; ARGV: tokens/minute, tokens used.
constexpr const char* kChargeScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tpm, cost = tonumber(ARGV[1]), tonumber(ARGV[2])
local rate = tpm / 60000
local b = redis.call('HMGET', KEYS[1], 'v', 't')
local v = tonumber(b[1]) or tpm
local ts = tonumber(b[2]) or now
if now > ts then v = math.min(tpm, v + (now - ts) * rate) end
v = v - cost
redis.call('HSET', KEYS[1], 'v', v, 't', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((tpm - v) / rate) + 1000)
return 1
)lua";

// KEYS: the budget hash; ARGV: max, estimate, floor, ttl seconds, hold id. Returns
// {allowed, c, s}. An admitted request's reservation is also kept as field "r:<hold id>".
constexpr const char* kBudgetCheckScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'c', ARGV[3], 's', ARGV[3])
end
local c = redis.call('HGET', KEYS[1], 'c') or '0'
local s = redis.call('HGET', KEYS[1], 's') or '0'
redis.call('EXPIRE', KEYS[1], ARGV[4])
if tonumber(c) >= tonumber(ARGV[1]) then return {0, tonumber(c), tonumber(s)} end
c = redis.call('HINCRBY', KEYS[1], 'c', ARGV[2])
redis.call('HSET', KEYS[1], 'r:' .. ARGV[5], ARGV[2])
return {1, c, tonumber(s)}
)lua";

// KEYS: the budget hash; ARGV: hold id, actual. The hold's reservation (if the check made
// one) is given back once; committed never goes below 0; nothing for a hash that is gone
// (expired or reset).
constexpr const char* kBudgetSettleScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local c = redis.call('HINCRBY', KEYS[1], 'c', ARGV[2])
local held = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if held then
  redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1])
  if held ~= '0' then c = redis.call('HINCRBY', KEYS[1], 'c', '-' .. held) end
end
if c < 0 then redis.call('HSET', KEYS[1], 'c', '0') end
redis.call('HINCRBY', KEYS[1], 's', ARGV[2])
return 1
)lua";

}  // namespace

RedisLimiter::RedisLimiter(RedisClient& redis)
    : redis_(redis),
      check_(redis.addScript(kCheckScript)),
      charge_(redis.addScript(kChargeScript)),
      budget_check_(redis.addScript(kBudgetCheckScript)),
      budget_settle_(redis.addScript(kBudgetSettleScript)) {}

std::string RedisLimiter::budgetKey(std::string_view prefix, std::string_view key_hash_hex,
                                    int64_t period_start_s) {
  return fmt::format("{}budget:{}:{}", prefix, key_hash_hex, period_start_s);
}

bool RedisLimiter::checkBudget(const std::string& key, uint64_t max_micros, uint64_t estimate,
                               uint64_t floor, int64_t ttl_s, std::string_view hold,
                               RedisWaiter* waiter) {
  const std::string max = std::to_string(max_micros);
  const std::string est = std::to_string(estimate);
  const std::string low = std::to_string(floor);
  const std::string ttl = std::to_string(std::max<int64_t>(60, ttl_s));
  const std::string_view keys[] = {key};
  const std::string_view args[] = {max, est, low, ttl, hold};
  return redis_.evalScript(budget_check_, keys, args, waiter);
}

std::optional<RedisBudgetReply> RedisLimiter::parseBudget(const RedisResult& r) {
  if (!r.ok() || r.elements() != 3) return std::nullopt;
  RedisBudgetReply reply;
  reply.allowed = r.integerAt(0) == 1;
  reply.committed = static_cast<uint64_t>(std::max<int64_t>(0, r.integerAt(1)));
  reply.spent = static_cast<uint64_t>(std::max<int64_t>(0, r.integerAt(2)));
  return reply;
}

bool RedisLimiter::settleBudget(const std::string& key, std::string_view hold, uint64_t actual) {
  const std::string cost = std::to_string(actual);
  const std::string_view keys[] = {key};
  const std::string_view args[] = {hold, cost};
  return redis_.evalScript(budget_settle_, keys, args, nullptr);
}


bool RedisLimiter::check(const LimitScope& scope, RedisWaiter* waiter) {
  const KeyLimits& l = scope.limits;
  const std::string rps = fmt::format("{}", l.requests_per_second);
  const std::string burst = fmt::format("{}", l.requests_per_second > 0 ? l.requestsBurst() : 0.0);
  const std::string tpm = std::to_string(l.tokens_per_minute);
  const std::string maxq = std::to_string(l.max_requests);
  const std::string_view keys[] = {scope.redis_requests, scope.redis_tokens, scope.redis_quota};
  const std::string_view args[] = {rps, burst, tpm, maxq};
  return redis_.evalScript(check_, keys, args, waiter);
}

std::optional<LimitCheck> RedisLimiter::parse(const KeyLimits& limits, const RedisResult& r) {
  if (!r.ok() || r.elements() != 8) return std::nullopt;
  LimitCheck c;
  c.allowed = r.integerAt(0) == 1;
  switch (r.integerAt(1)) {
    case 1: c.reason = LimitReason::Requests; break;
    case 2: c.reason = LimitReason::Tokens; break;
    case 3: c.reason = LimitReason::Quota; break;
    default: c.reason = LimitReason::None; break;
  }
  if (limits.requests_per_second > 0) {
    c.has_requests = true;
    c.limit_requests = static_cast<uint64_t>(std::ceil(limits.requestsBurst()));
    const int64_t milli = r.integerAt(2);
    c.remaining_requests = milli <= 0 ? 0 : static_cast<uint64_t>(milli / 1000);
    c.reset_requests_ms = std::max<int64_t>(0, r.integerAt(3));
  }
  if (limits.tokens_per_minute > 0) {
    c.has_tokens = true;
    c.limit_tokens = limits.tokens_per_minute;
    c.remaining_tokens = static_cast<uint64_t>(std::max<int64_t>(0, r.integerAt(4)));
    c.reset_tokens_ms = std::max<int64_t>(0, r.integerAt(5));
  }
  if (limits.max_requests > 0) {
    c.has_quota = true;
    c.quota_limit = limits.max_requests;
    c.quota_used = static_cast<uint64_t>(std::max<int64_t>(0, r.integerAt(7)));
  }
  if (!c.allowed) c.retry_after_ms = std::max<int64_t>(1, r.integerAt(6));
  if (c.reason == LimitReason::Quota) c.retry_after_ms = 0;
  return c;
}

bool RedisLimiter::chargeTokens(const LimitScope& scope, uint64_t tokens) {
  if (scope.limits.tokens_per_minute == 0 || tokens == 0) return true;
  const std::string tpm = std::to_string(scope.limits.tokens_per_minute);
  const std::string cost = std::to_string(tokens);
  const std::string_view keys[] = {scope.redis_tokens};
  const std::string_view args[] = {tpm, cost};
  return redis_.evalScript(charge_, keys, args, nullptr);
}

}  // namespace llmproxy::worker
