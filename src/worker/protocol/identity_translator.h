// The identity translator: client and provider speak the same protocol (bypass). The request
// is the client's body with the body edits of body_edits.h (model splice, include_usage), never
// re-serialised; only a conversation the provider would refuse gets the bypass repairs of
// bypass_repairs.h, in a new body. The response is relayed as the provider sent it
// (rewritesResponse() is false, so the relay never calls its hooks).
#pragma once

#include "worker/protocol/translator.h"

namespace llmproxy::worker::protocol {

class IdentityTranslator final : public Translator {
 public:
  void request(const RequestContext& ctx, OutgoingRequest& out) const override;
  bool rewritesResponse() const override { return false; }
  // Never called (rewritesResponse() is false).
  void responseHead(UpstreamResponseHead&, TranslationState*) const override {}
  void responseBody(std::string_view, TranslationState*, std::string&) const override {}
  void responseEnd(TranslationState*, std::string&) const override {}
  void streamEvent(const SseEvent&, TranslationState*, std::string&) const override {}
  void streamEnd(TranslationState*, std::string&) const override {}
  void streamError(const common::Error&, TranslationState*, std::string&) const override {}
};

// The one shared instance.
const IdentityTranslator& identityTranslator();

}  // namespace llmproxy::worker::protocol
