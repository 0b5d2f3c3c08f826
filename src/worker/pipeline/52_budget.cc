// Stage 52: the key's budget. A key with max_budget is admitted while what it has spent in the
// current period plus what its requests in flight have reserved is under the budget; the
// request then reserves its own estimate (its body at a token per 4 bytes at the input price,
// plus max_tokens — or server.budget_estimate_tokens — at the output price of the first
// candidate's [[price]]), which finish settles with the real cost, also when the request
// fails or the client goes away. Over budget: 429 budget_exceeded in the client's protocol,
// before anything goes upstream. Exact across the node's workers (shared memory) and, with
// [redis] url, across nodes: one script per check (asynchronous: the stage waits for the
// answer and is re-entered through its wake token), the node's own count when Redis is down
// or slower than redis.timeout (redis.on_failure = "deny": 503).
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>

#include "common/config/budget_period.h"
#include "common/config/scalars.h"
#include "common/crypto/sha256.h"
#include "common/time/clock.h"
#include "worker/limits/budget.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/services.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker {
namespace {

std::string overBudgetMessage(const common::KeyConfig& key, uint64_t committed,
                              int64_t period_end_s) {
  std::string message = "Budget exceeded: this API key has spent (or reserved) $" +
                        formatUsd(static_cast<int64_t>(committed)) + " of its $" +
                        formatUsd(key.max_budget) + " budget";
  if (key.budget_duration != 0)
    message += " for this " + common::formatBudgetDuration(key.budget_duration) +
               " period; it resets at " + common::formatRfc3339(period_end_s);
  return message + ".";
}

Outcome overBudget(Exchange& ex, const common::KeyConfig& key, uint64_t committed,
                   uint64_t spent, int64_t now_s) {
  const common::BudgetWindow window = common::budgetWindow(key.budget_duration, now_s);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"x-llmproxy-budget-remaining-usd", "0.000000"},
      {"x-llmproxy-spend-usd", formatUsd(static_cast<int64_t>(spent))}};
  if (key.budget_duration != 0)
    headers.emplace_back("retry-after",
                         std::to_string(std::max<int64_t>(1, window.end_s - now_s)));
  return pipeline::respondError(
      ex, {common::ErrorKind::BudgetExceeded, overBudgetMessage(key, committed, window.end_s), 0},
      {}, std::move(headers));
}

// This node's shared table decides.
Outcome admitLocally(Exchange& ex, const common::KeyConfig& key, uint64_t estimate,
                     int64_t now_s) {
  Budgets budgets(ex.services.shm.budgets());
  if (budgets.admit(key, estimate, now_s, ex.upstream->budget)) return Outcome::Next;
  const BudgetState state = budgets.state(key, now_s);
  return overBudget(ex, key, state.committed, state.spent, now_s);
}

// A request's reservation id in the Redis hash: unique across nodes and workers (a random
// per-worker prefix and a counter), since client request ids need not be.
std::string holdId() {
  thread_local const uint64_t prefix = [] {
    uint64_t v = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) v = 0;
    return v;
  }();
  thread_local uint64_t next = 0;
  char buf[40];
  const int n =
      std::snprintf(buf, sizeof buf, "%016llx%llx", static_cast<unsigned long long>(prefix),
                    static_cast<unsigned long long>(++next));
  return std::string(buf, static_cast<size_t>(n));
}

void onRedisBudget(void* owner, const RedisResult& result) {
  auto& wait = *static_cast<RedisBudgetWait*>(owner);
  wait.answered = true;
  wait.reply = RedisLimiter::parseBudget(result);
  pipeline::wake(wait.exchanges, wait.token);
}

// Redis could not decide: redis.on_failure.
Outcome fallBack(Exchange& ex, const common::KeyConfig& key, uint64_t estimate, int64_t now_s) {
  ex.services.metrics.redisFallback();
  if (ex.config->redis.on_failure != "deny") return admitLocally(ex, key, estimate, now_s);
  return pipeline::respondError(
      ex,
      {common::ErrorKind::Unavailable,
       "The budget check is unavailable (Redis is not answering); please retry shortly.", 0},
      {}, {{"retry-after", "1"}});
}

// Re-entered with the Redis answer (or its timeout).
Outcome afterRedis(Exchange& ex, const common::KeyConfig& key) {
  UpstreamState& up = *ex.upstream;
  if (!up.budget_wait->answered) return Outcome::Wait;
  const std::unique_ptr<RedisBudgetWait> wait = std::move(up.budget_wait);
  const int64_t now_s = common::nowUnixMs() / 1000;
  if (!wait->reply) {
    // Failed or too slow: a check that still runs in Redis may reserve; this takes it back.
    ex.services.redis_limiter.settleBudget(wait->key, wait->hold, 0);
    return fallBack(ex, key, wait->estimate, now_s);
  }
  if (!wait->reply->allowed)
    return overBudget(ex, key, wait->reply->committed, wait->reply->spent, now_s);
  up.budget.redis_key = wait->key;
  up.budget.redis_hold = wait->hold;
  up.budget.estimate = wait->estimate;
  up.budget.redis_committed = wait->reply->committed;
  up.budget.redis_spent = wait->reply->spent;
  return Outcome::Next;
}

}  // namespace

Outcome stage::budget(Exchange& ex) {
  if (!ex.client_key || !isProxyEndpoint(ex.endpoint) || ex.endpoint == Endpoint::CountTokens)
    return Outcome::Next;
  const common::KeyConfig& key = ex.config->keys[ex.client_key->index];
  if (key.max_budget <= 0) return Outcome::Next;
  UpstreamState& up = *ex.upstream;
  if (up.budget_wait) return afterRedis(ex, key);
  const common::PriceConfig* price = nullptr;
  if (!up.candidates.empty() && ex.config->price_table)
    price = ex.config->price_table->find(up.candidates.front().provider,
                                         up.candidates.front().target);
  const uint64_t output = ex.endpoint == Endpoint::Embeddings
                              ? 0
                              : maxTokensOf(ex.request.body)
                                    .value_or(ex.config->server.budget_estimate_tokens);
  const uint64_t estimate = reservationMicros(price, ex.request.body.size(), output);
  const int64_t now_s = common::nowUnixMs() / 1000;
  if (ex.config->redis.url.empty()) return admitLocally(ex, key, estimate, now_s);

  // Across nodes: the period's hash in Redis, created from this node's count.
  const common::BudgetWindow window = common::budgetWindow(key.budget_duration, now_s);
  const uint64_t floor = Budgets(ex.services.shm.budgets()).state(key, now_s).spent;
  up.budget_wait = std::make_unique<RedisBudgetWait>(ex.services.exchanges,
                                                     pipeline::wakeToken(ex), &onRedisBudget);
  up.budget_wait->key = RedisLimiter::budgetKey(ex.config->redis.key_prefix,
                                                common::toHex(key.key_sha256), window.start_s);
  up.budget_wait->hold = holdId();
  up.budget_wait->estimate = estimate;
  const int64_t ttl_s = key.budget_duration == 0 ? 400 * 86400 : window.end_s - now_s + 3600;
  if (!ex.services.redis_limiter.checkBudget(
          up.budget_wait->key, static_cast<uint64_t>(key.max_budget), estimate, floor, ttl_s,
          up.budget_wait->hold, &up.budget_wait->waiter)) {
    up.budget_wait.reset();
    return fallBack(ex, key, estimate, now_s);
  }
  return Outcome::Wait;
}

}  // namespace llmproxy::worker
