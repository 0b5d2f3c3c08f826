// Stage 40: what the authenticated client asks for, and whether it may. Parses the JSON body
// once (json_facts: model value + its byte offsets, stream flag), strips the model prefix and
// checks the key's allowed_models.
#include <string_view>

#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/worker.h"

namespace llmproxy::worker {

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
  return Outcome::Next;
}

}  // namespace llmproxy::worker
