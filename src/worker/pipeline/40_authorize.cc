// Stage 40: whether the authenticated client may have what it asks for (stage 37 parsed the
// body and found the model): the key's allowed_models, then its limits, in the node's shared
// memory or, with [redis] url set, in Redis (asynchronous: the stage waits for the script's
// answer and is re-entered through its wake token; a Redis that is down or slower than
// redis.timeout is replaced by redis.on_failure for that request).
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {

namespace {

Outcome decide(Exchange& ex, UpstreamState& up, const LimitCheck& check) {
  if (check.allowed) {
    up.limit_check = check;
    return Outcome::Next;
  }
  std::vector<std::pair<std::string, std::string>> headers;
  for (auto& [name, value] : check.headers()) headers.emplace_back(name, std::move(value));
  return pipeline::respondError(
      ex, {common::ErrorKind::RateLimited, check.message(), 0, std::string(check.errorCode())},
      {}, std::move(headers));
}

Outcome checkLocally(Exchange& ex, UpstreamState& up) {
  return decide(ex, up,
                ex.services.limiter.check(up.limits, ex.client_key->limit_id, up.limit_scope->model,
                                          Limiter::nowMs()));
}

// Redis could not decide: redis.on_failure.
Outcome fallBack(Exchange& ex, UpstreamState& up) {
  ex.services.metrics.redisFallback();
  if (ex.config->redis.on_failure != "deny") return checkLocally(ex, up);
  return pipeline::respondError(
      ex,
      {common::ErrorKind::Unavailable,
       "The rate limiter is unavailable (Redis is not answering); please retry shortly.", 0},
      {}, {{"retry-after", "1"}});
}

void onRedisCheck(void* owner, const RedisResult& result) {
  auto& wait = *static_cast<RedisLimitWait*>(owner);
  wait.answered = true;
  wait.check = RedisLimiter::parse(wait.limits, result);
  pipeline::wake(wait.exchanges, wait.token);
}

// Re-entered after the Redis answer (or its timeout).
Outcome afterRedis(Exchange& ex, UpstreamState& up) {
  if (!up.redis_wait->answered) return Outcome::Wait;
  const std::unique_ptr<RedisLimitWait> wait = std::move(up.redis_wait);
  if (!wait->check) return fallBack(ex, up);
  return decide(ex, up, *wait->check);
}

// Per-key limits (or the key's override for this model).
Outcome checkLimits(Exchange& ex, UpstreamState& up) {
  if (!ex.client_key) return Outcome::Next;
  const LimitScope& scope = ex.config->limit_plans[ex.client_key->index].forModel(up.model);
  up.limit_scope = &scope;
  up.limits = scope.limits;
  if (!up.limits.any()) return Outcome::Next;
  if (ex.config->redis.url.empty()) return checkLocally(ex, up);
  up.redis_wait = std::make_unique<RedisLimitWait>(up.limits, ex.services.exchanges,
                                                   pipeline::wakeToken(ex), &onRedisCheck);
  if (!ex.services.redis_limiter.check(scope, &up.redis_wait->waiter)) {
    up.redis_wait.reset();
    return fallBack(ex, up);
  }
  return Outcome::Wait;
}

}  // namespace

Outcome stage::authorize(Exchange& ex) {
  if (!isProxyEndpoint(ex.endpoint)) return Outcome::Next;
  UpstreamState& up = *ex.upstream;  // made by stage 37
  if (up.redis_wait) return afterRedis(ex, up);
  if (ex.client_key && !KeyMatcher::allowedModel(*ex.client_key, up.model))
    return pipeline::respondError(ex, {common::ErrorKind::ModelNotAllowed,
                                       "This API key is not allowed to use the model '" +
                                           up.model + "'.",
                                       0});
  if (ex.endpoint == Endpoint::CountTokens) return Outcome::Next;  // counting is not using
  return checkLimits(ex, up);
}

}  // namespace llmproxy::worker
