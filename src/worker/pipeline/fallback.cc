// Model-level fallbacks (see fallback.h).
#include "worker/pipeline/fallback.h"

#include "common/log/log.h"
#include "worker/pipeline/resolve.h"
#include "worker/pipeline/transform.h"
#include "worker/pipeline/upstream_state.h"

namespace llmproxy::worker {
namespace {

// The requested model's fallback list, or null.
const std::vector<std::string>* fallbacksOf(const UpstreamState& up) {
  for (const auto& f : up.ex.config->fallbacks)
    if (f.model == up.model) return &f.fallbacks;
  return nullptr;
}

}  // namespace

bool fallbacksLeft(const UpstreamState& up) {
  const auto* list = fallbacksOf(up);
  return list && up.next_fallback < list->size();
}

bool takeFallback(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  const auto* list = fallbacksOf(up);
  if (!list) return false;
  while (up.next_fallback < list->size()) {
    const std::string& model = (*list)[up.next_fallback++];
    const size_t at = up.candidates.size();
    resolveCandidates(ex, model, up.candidates);
    keepServable(ex, up.candidates, at);
    if (up.candidates.size() == at) continue;
    up.next_candidate = at;
    up.fallback_model = model;
    LLMP_LOG_INFO("request {}: every provider of '{}' failed, falling back to '{}'",
                  ex.request_id, up.model, model);
    return true;
  }
  return false;
}

}  // namespace llmproxy::worker
