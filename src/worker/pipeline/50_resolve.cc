// Stage 50: which providers may answer, in failover order. The most specific tier of the
// model index comes first (exact name, then the longest literal prefix); within a tier, smooth
// weighted round-robin over the providers that are up. The shared health table decides the
// rest (common/shm/provider_health.h): a half-open provider whose probe this request claims
// comes first in its tier; down providers go last, so when every candidate is down the best one
// is still tried rather than the request refused; rate-limited providers (a 429's Retry-After)
// are not candidates at all. The list is cut at server.max_attempts. resolveCandidates serves
// the fallback models too (pipeline/fallback.h).
#include "worker/pipeline/resolve.h"

#include <algorithm>
#include <string>

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

// How long a half-open probe is held for this request: the longest its attempt can take
// before it succeeds or fails (then another request may probe).
int64_t probeHoldMs(const RuntimeConfig& config) {
  return config.server.connect_timeout.count() + config.server.ttft_timeout.count();
}

}  // namespace

Resolved resolveCandidates(Exchange& ex, std::string_view model,
                           std::vector<UpstreamCandidate>& out) {
  Resolved result;
  const RuntimeConfig& config = *ex.config;
  std::vector<Tier>& scratch = ex.services.tier_scratch;
  const auto tiers = config.model_index->match(model, scratch);
  if (tiers.empty()) return result;
  result.known = true;
  const size_t first = out.size();
  const int64_t now = common::nowUnixMs();
  std::vector<UpstreamCandidate> down;
  for (const Tier& tier : tiers) {
    uint64_t up = 0;
    const size_t n = std::min<size_t>(tier.candidates.size(), Balancer::kMaxPeers);
    for (size_t i = 0; i < n; ++i) {
      const auto& c = tier.candidates[i];
      const ProviderRuntime& p = config.provider_runtime[c.provider];
      switch (common::ProviderHealth::state(p.health, now)) {
        case common::ProviderState::Up:
          up |= uint64_t{1} << i;
          break;
        case common::ProviderState::RateLimited: {
          const int64_t until = p.health->retry_after_until_ms.load(std::memory_order_relaxed);
          if (result.rate_limited_until == 0 || until < result.rate_limited_until) {
            result.rate_limited_until = until;
            result.rate_limited_provider = p.config->id;
          }
          break;
        }
        case common::ProviderState::HalfOpen:
          // Active checks bring it back; otherwise this request may be its one probe.
          if (!p.health_policy.active_checks) {
            if (const int64_t token =
                    common::ProviderHealth::claimProbe(p.health, now, probeHoldMs(config))) {
              ex.upstream->probes.push_back({p.health, token});
              out.push_back({c.provider, c.target});
              break;
            }
          }
          down.push_back({c.provider, c.target});
          break;
        case common::ProviderState::Down:
          down.push_back({c.provider, c.target});
          break;
      }
    }
    if (up == 0) continue;
    const PickOrder order = balancerFor(config, tier).pick(up);
    for (size_t i = 0; i < order.size(); ++i) {
      const auto& c = tier.candidates[order[i]];
      out.push_back({c.provider, c.target});
    }
  }
  out.insert(out.end(), down.begin(), down.end());
  if (out.size() - first > config.server.max_attempts)
    out.resize(first + config.server.max_attempts);
  return result;
}

Outcome stage::resolve(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  const Resolved r = resolveCandidates(ex, up.model, up.candidates);
  if (!r.known)
    return pipeline::respondError(
        ex, {common::ErrorKind::ModelNotFound,
             "The model '" + up.model + "' does not exist or no provider serves it.", 0},
        "model");
  if (up.candidates.empty()) {
    // Every provider asked to be left alone for a while (Retry-After); the model's fallbacks
    // may still answer (stage 70 tries them when the list is empty).
    up.rate_limited_until_ms = r.rate_limited_until;
    up.rate_limited_provider = r.rate_limited_provider;
  }
  return Outcome::Next;
}

}  // namespace llmproxy::worker
