// Stage 40: what the authenticated client asks for, and whether it may. Parses the JSON body
// once (json_facts: model value + its byte offsets, stream flag), strips the model prefix and
// checks the key's allowed_models.
#include <string_view>

#include "common/http/openai_error.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/worker.h"

namespace llmproxy::worker {

namespace {

// Per-key limits, exact across the node's workers (shared-memory token buckets).
Outcome checkLimits(Exchange& ex, UpstreamState& up) {
  if (!ex.client_key) return Outcome::Next;
  up.limits = KeyLimits::of(ex.config->keys[ex.client_key->index]);
  if (!up.limits.any()) return Outcome::Next;
  LimitCheck check = ex.worker.limiter().check(up.limits, ex.client_key->name, "", Limiter::nowMs());
  if (check.allowed) {
    up.limit_check = check;
    return Outcome::Next;
  }
  const std::string message = check.message();
  const auto& info = common::errorInfo(common::ErrorKind::RateLimited);
  Response r = Response::json(
      429, common::openAIErrorBody(common::OpenAIErrorFields{message, info.openai_type,
                                                             std::nullopt, check.errorCode()}));
  for (auto& [name, value] : check.headers()) r.headers.emplace_back(name, std::move(value));
  return pipeline::respond(ex, std::move(r));
}

}  // namespace

Outcome stage::authorize(Exchange& ex) {
  if (!isProxyEndpoint(ex.endpoint)) return Outcome::Next;
  auto& body = ex.request.body;
  auto facts = ex.worker.jsonParser().parse(body.data(), body.size(), body.capacity());
  if (!facts) return pipeline::respondError(ex, facts.error());
  ex.upstream = std::make_unique<UpstreamState>(ex);
  UpstreamState& up = *ex.upstream;
  up.facts = std::move(*facts);

  std::string_view model = up.facts.model;
  const std::string& prefix = ex.config->server.provider_prefix;
  if (!prefix.empty() && model.starts_with(prefix)) model.remove_prefix(prefix.size());
  up.model = model;
  if (up.model.empty())
    return pipeline::respondError(
        ex, {common::ErrorKind::BadRequest, "The model name is empty after the prefix.", 0},
        "model");
  if (ex.client_key && !KeyMatcher::allowedModel(*ex.client_key, up.model))
    return pipeline::respondError(ex, {common::ErrorKind::ModelNotAllowed,
                                       "This API key is not allowed to use the model '" +
                                           up.model + "'.",
                                       0});
  return checkLimits(ex, up);
}

}  // namespace llmproxy::worker
