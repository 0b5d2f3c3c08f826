// The Config plus everything a worker builds from it once per generation: the client-key
// index, the model index, the price table, and per-provider request prefixes. Immutable after
// build except the balancer rotation state, which is per worker and per generation. Exchanges
// pin it.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/result.h"
#include "common/config/config.h"
#include "common/shm/provider_health.h"
#include "common/shm/provider_slots.h"
#include "worker/auth/key_matcher.h"
#include "worker/limits/limit_plan.h"
#include "worker/routing/model_matcher.h"
#include "worker/ui/ui_files.h"
#include "worker/upstream/balancer.h"
#include "worker/usage/price_table.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

// What the upstream stage needs of one provider, computed at load.
struct ProviderRuntime {
  const common::ProviderConfig* config = nullptr;
  OriginKey origin;
  std::string host_header;  // "Host: api.openai.com\r\n"
  std::string auth_header;  // "Authorization: Bearer ...\r\n" or "api-key: ...\r\n" (secret)
  std::string version_header;  // "anthropic-version: ...\r\n" for Anthropic, else empty
  common::ProviderHealthEntry* health = nullptr;  // shared-memory health slot (bound per worker)
  common::HealthPolicy health_policy;             // max_fails, fail_timeout, active checks
  uint32_t slots = common::ProviderSlots::kNone;  // its in-flight counter (max_concurrent)
};

// Whether clients need a key: always, unless server.allow_unauthenticated is set and the
// config has no key source at all (no [[key]], no [database]).
bool authRequired(const common::Config& config);

struct RuntimeConfig : common::Config {
  // `health` may be null (unit tests); then every provider counts as healthy.
  static common::Result<std::shared_ptr<RuntimeConfig>> build(common::Config config,
                                                             common::ProviderHealth* health);

  KeyMatcher key_index{std::span<const common::KeyConfig>{}};
  std::vector<KeyLimitPlan> limit_plans;  // index = key index
  std::unique_ptr<ModelMatcher> model_index;
  std::unique_ptr<PriceTable> price_table;  // the [[price]] rules, resolved per served name
  std::vector<ProviderRuntime> provider_runtime;  // index = provider index
  bool auth_required = true;
  // The admin UI's files (server.admin_ui_root), read by ConfigView when it swaps this
  // generation in; null in unit tests and without an admin listener.
  std::shared_ptr<const UiFiles> ui_files;

  // Smooth WRR state per candidate tier (Tier::key); mutated by the resolve stage.
  mutable std::unordered_map<uint64_t, Balancer> balancers;
};

}  // namespace llmproxy::worker
