// Building the per-key limit plans at config load.
#include "worker/limits/limit_plan.h"

#include <fmt/format.h>

namespace llmproxy::worker {
namespace {

LimitScope makeScope(const KeyLimits& limits, std::string model, const std::string& prefix,
                     const std::string& limit_id) {
  LimitScope s;
  s.limits = limits;
  s.model = std::move(model);
  const std::string base = prefix + "rl:{" + limit_id + "}:";
  // The parameters as configured (the loaders applied schema::defaultBurst), not the bucket's
  // capacity (KeyLimits::requestsBurst): a name must not change while its limit does not.
  const double burst = limits.burst > 0 ? limits.burst : limits.requests_per_second;
  s.redis_requests =
      fmt::format("{}{}:req:{}:{}", base, s.model, limits.requests_per_second, burst);
  s.redis_tokens = fmt::format("{}{}:tpm:{}", base, s.model, limits.tokens_per_minute);
  s.redis_quota = fmt::format("{}quota:{}", base, limits.max_requests);
  return s;
}

}  // namespace

const LimitScope& KeyLimitPlan::forModel(std::string_view model) const {
  for (const Override& o : overrides)
    if (o.matcher.matches(model)) return o.scope;
  return own;
}

std::vector<KeyLimitPlan> buildLimitPlans(const common::Config& config) {
  std::vector<KeyLimitPlan> plans;
  plans.reserve(config.keys.size());
  const std::string& prefix = config.redis.key_prefix;
  for (const common::KeyConfig& key : config.keys) {
    KeyLimitPlan plan;
    const KeyLimits own = KeyLimits::of(key);
    const std::string id = limitId(key.key_sha256);
    plan.own = makeScope(own, "", prefix, id);
    for (const common::ModelLimit& ml : key.model_limits) {
      KeyLimits l = own;
      if (ml.rate_limit.requests_per_second > 0) {
        l.requests_per_second = ml.rate_limit.requests_per_second;
        l.burst = ml.rate_limit.burst;
      }
      if (ml.tokens_per_minute > 0) l.tokens_per_minute = ml.tokens_per_minute;
      plan.overrides.push_back(
          KeyLimitPlan::Override{ml.model, StarPattern(ml.model), makeScope(l, ml.model, prefix, id)});
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace llmproxy::worker
