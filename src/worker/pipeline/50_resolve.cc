// Stage 50: which providers may answer, in failover order. The most specific tier of the
// model index comes first (exact name, then the longest literal prefix); within a tier, smooth
// weighted round-robin over the providers that are not cooling down. Cooling-down providers go
// last, so when every candidate is cooling the best one is probed rather than the request
// refused. The list is cut at server.max_attempts.
#include <unordered_set>

#include "common/time/clock.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {
namespace {

Balancer& balancerFor(const RuntimeConfig& config, const Tier& tier) {
  auto it = config.balancers.find(tier.key);
  if (it == config.balancers.end()) {
    std::vector<uint32_t> weights;
    weights.reserve(tier.candidates.size());
    for (const auto& c : tier.candidates) weights.push_back(c.weight);
    it = config.balancers.emplace(tier.key, Balancer(weights)).first;
  }
  return it->second;
}

}  // namespace

Outcome stage::resolve(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  const RuntimeConfig& config = *ex.config;
  std::vector<Tier>& scratch = ex.services.tier_scratch;
  const auto tiers = config.model_index->match(up.model, scratch);
  if (tiers.empty())
    return pipeline::respondError(
        ex, {common::ErrorKind::ModelNotFound,
             "The model '" + up.model + "' does not exist or no provider serves it.", 0},
        "model");

  const int64_t now = common::nowUnixMs();
  std::vector<UpstreamCandidate> cooling;
  for (const Tier& tier : tiers) {
    uint64_t healthy = 0;
    const size_t n = std::min<size_t>(tier.candidates.size(), Balancer::kMaxPeers);
    for (size_t i = 0; i < n; ++i) {
      const auto& c = tier.candidates[i];
      if (!common::ProviderHealth::coolingDown(config.provider_runtime[c.provider].health, now)) {
        healthy |= uint64_t{1} << i;
      } else {
        cooling.push_back({c.provider, c.target});
      }
    }
    if (healthy == 0) continue;
    const PickOrder order = balancerFor(config, tier).pick(healthy);
    for (size_t i = 0; i < order.size(); ++i) {
      const auto& c = tier.candidates[order[i]];
      up.candidates.push_back({c.provider, c.target});
    }
  }
  up.candidates.insert(up.candidates.end(), cooling.begin(), cooling.end());
  if (up.candidates.size() > config.server.max_attempts)
    up.candidates.resize(config.server.max_attempts);
  return Outcome::Next;
}

}  // namespace llmproxy::worker
