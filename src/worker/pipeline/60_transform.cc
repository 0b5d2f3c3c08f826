// Stage 60: the request a provider receives, as worker/protocol/ decides it. This file only
// connects the exchange to the protocol module: the candidate check (a model name that cannot
// be an Azure deployment never reaches a request line) and, per attempt, the translator's
// request (today the identity: the client's body with the model spliced in and include_usage
// asked for, under a head with the provider's key and the client's allowed headers).
#include "worker/pipeline/transform.h"

#include <algorithm>
#include <optional>

#include "worker/pipeline/services.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/protocol/cross_translator.h"
#include "worker/protocol/request_head.h"
#include "worker/protocol/token_estimate.h"
#include "worker/protocol/translator.h"

namespace llmproxy::worker {
namespace {

// Why `provider` cannot take the request, if it cannot.
std::optional<common::Error> refusal(const common::ProviderConfig& provider,
                                     protocol::Operation op, std::string_view target,
                                     Endpoint endpoint) {
  if (!protocol::canServe(provider, op)) {
    return common::Error{common::ErrorKind::BadRequest,
                         "The model is served by provider \"" + provider.id +
                             "\", an Anthropic provider, which has no " +
                             endpointLabel(endpoint) + " operation.",
                         0};
  }
  if (!protocol::translates(provider, op)) {
    return common::Error{
        common::ErrorKind::BadRequest,
        "The model is served by provider \"" + provider.id + "\", which speaks the " +
            std::string(protocol::apiName(protocol::providerApi(provider, op))) +
            " protocol; translation from " + std::string(protocol::apiName(protocol::clientApi(op))) +
            " is not available yet.",
        0};
  }
  return protocol::checkTarget(provider, target);
}

// count_tokens without an Anthropic provider behind the model: the documented estimate.
Outcome answerTokenEstimate(Exchange& ex) {
  auto tokens = protocol::estimateInputTokens(ex.request.body);
  if (!tokens) return pipeline::respondError(ex, tokens.error());
  return pipeline::respond(
      ex, Response::json(200, "{\"input_tokens\":" + std::to_string(*tokens) + "}"));
}

}  // namespace

Outcome stage::transform(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  const protocol::Operation op = protocol::operationOf(ex.endpoint);
  if (op == protocol::Operation::CountTokens) {
    // Forwarded only to Anthropic providers; without one the gateway estimates.
    std::erase_if(up.candidates, [&](const UpstreamCandidate& c) {
      return ex.config->provider_runtime[c.provider].config->type !=
             common::ProviderType::Anthropic;
    });
    if (up.candidates.empty()) return answerTokenEstimate(ex);
  }
  std::optional<common::Error> first_error;
  std::erase_if(up.candidates, [&](const UpstreamCandidate& c) {
    auto error = refusal(*ex.config->provider_runtime[c.provider].config, op, c.target,
                         ex.endpoint);
    if (error && !first_error) first_error = std::move(error);
    return error.has_value();
  });
  if (up.candidates.empty() && first_error)
    return pipeline::respondError(ex, *first_error, "model");
  // A request that some candidate must get translated is read as the internal form once here:
  // what cannot be translated is the client's 400 now, not a failure in the middle of failover.
  const protocol::Api client = protocol::clientApi(op);
  const bool translated = std::any_of(up.candidates.begin(), up.candidates.end(), [&](auto& c) {
    return protocol::providerApi(*ex.config->provider_runtime[c.provider].config, op) != client;
  });
  if (translated) {
    if (auto error = protocol::checkTranslatable(client, ex.request.body))
      return pipeline::respondError(ex, *error);
  }
  return Outcome::Next;
}

void keepServable(Exchange& ex, std::vector<UpstreamCandidate>& candidates, size_t from) {
  const protocol::Operation op = protocol::operationOf(ex.endpoint);
  const protocol::Api client = protocol::clientApi(op);
  std::optional<bool> translatable;  // read once, when a candidate needs it
  auto servable = [&](const UpstreamCandidate& c) {
    const common::ProviderConfig& pc = *ex.config->provider_runtime[c.provider].config;
    if (op == protocol::Operation::CountTokens && pc.type != common::ProviderType::Anthropic)
      return false;
    if (refusal(pc, op, c.target, ex.endpoint)) return false;
    if (protocol::providerApi(pc, op) == client) return true;
    if (!translatable) translatable = !protocol::checkTranslatable(client, ex.request.body);
    return *translatable;
  };
  candidates.erase(std::remove_if(candidates.begin() + static_cast<ptrdiff_t>(from),
                                  candidates.end(), [&](const auto& c) { return !servable(c); }),
                   candidates.end());
}

// NOTE: the trace headers are the ones Tracer::beginAttempt just wrote for this attempt.
void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate) {
  UpstreamState& up = *ex.upstream;
  const ProviderRuntime& provider = ex.config->provider_runtime[candidate.provider];
  const protocol::Operation op = protocol::operationOf(ex.endpoint);
  const protocol::RequestContext ctx{provider,   op,       candidate.target,
                                     ex.request, up.facts, ex.request_id,
                                     ex.services.tracer.attemptHeaders()};
  up.client_api = protocol::clientApi(op);
  up.provider_api = protocol::providerApi(*provider.config, op);
  up.translator = &protocol::translatorFor(op, *provider.config);
  up.translator->request(ctx, up.outgoing);
  ex.services.metrics.requestRepairs(up.outgoing.repairs);
}

}  // namespace llmproxy::worker
