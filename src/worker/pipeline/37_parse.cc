// Stage 37: what a proxy request asks for. Parses the JSON body once (json_facts: the model
// value and its byte offsets, the stream flag and stream_options), strips the configured
// model prefix and creates the exchange's proxy state. The same walk scans a chat or Messages
// conversation for the repairs a provider of its own protocol would need (JsonFacts::repairs).
// Local endpoints pass through untouched.
#include <string_view>

#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/services.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/protocol/operation.h"

namespace llmproxy::worker {

Outcome stage::parse(Exchange& ex) {
  if (!isProxyEndpoint(ex.endpoint)) return Outcome::Next;
  auto& body = ex.request.body;
  const auto shape = protocol::conversationShape(protocol::operationOf(ex.endpoint));
  auto facts = ex.services.json_parser.parse(body.data(), body.size(), body.capacity(), shape);
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
  return Outcome::Next;
}

}  // namespace llmproxy::worker
