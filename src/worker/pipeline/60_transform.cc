// Stage 60: the request a provider receives, as worker/protocol/ decides it. This file only
// connects the exchange to the protocol module: the candidate check (a model name that cannot
// be an Azure deployment never reaches a request line) and, per attempt, the translator's
// request (today the identity: the client's body with the model spliced in and include_usage
// asked for, under a head with the provider's key and the client's allowed headers).
#include "worker/pipeline/transform.h"

#include <algorithm>
#include <optional>

#include "worker/pipeline/upstream_state.h"
#include "worker/protocol/request_head.h"
#include "worker/protocol/translator.h"

namespace llmproxy::worker {
namespace {

protocol::Operation operationOf(Endpoint e) {
  switch (e) {
    case Endpoint::Completions: return protocol::Operation::Completions;
    case Endpoint::Embeddings: return protocol::Operation::Embeddings;
    default: return protocol::Operation::ChatCompletions;
  }
}

}  // namespace

Outcome stage::transform(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  std::optional<common::Error> first_error;
  const auto refused = [&](const UpstreamCandidate& c) {
    auto error = protocol::checkTarget(*ex.config->provider_runtime[c.provider].config, c.target);
    if (error && !first_error) first_error = std::move(error);
    return error.has_value();
  };
  up.candidates.erase(std::remove_if(up.candidates.begin(), up.candidates.end(), refused),
                      up.candidates.end());
  if (up.candidates.empty() && first_error)
    return pipeline::respondError(ex, *first_error, "model");
  return Outcome::Next;
}

void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate) {
  UpstreamState& up = *ex.upstream;
  const ProviderRuntime& provider = ex.config->provider_runtime[candidate.provider];
  const protocol::Operation op = operationOf(ex.endpoint);
  const protocol::RequestContext ctx{provider,    op,       candidate.target,
                                     ex.request, up.facts, ex.request_id};
  protocol::translatorFor(op, provider.config->type).request(ctx, up.outgoing);
}

}  // namespace llmproxy::worker
