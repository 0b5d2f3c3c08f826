// The seam between the API a client speaks and the API a provider speaks. A Translator builds
// the request an attempt sends and may rewrite the response on its way back. Translators are
// stateless and shared (one per pair of protocols, chosen by translatorFor); what one needs
// per exchange lives in the TranslationState it creates. Today only the identity exists
// (OpenAI-compatible on both sides, identity_translator.h); the cross-protocol translators of
// ../shared/PROTOCOLS.md (Anthropic Messages and OpenAI Responses in front, Anthropic behind)
// plug in here.
//
// Cost rules, so the identity stays the plain pass-through it was: no allocation or copy per
// request or per chunk that the pass-through did not make, and no call per byte. A translator
// for which rewritesResponse() is false is never called for the response: the relay sends the
// provider's bytes as they arrive. Otherwise the relay calls responseHead once, then
// responseBody per slice and responseEnd (a plain body), or streamEvent per complete SSE event
// and streamEnd or streamError (a stream; the relay's SseScanner already finds the events).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/json/json_facts.h"
#include "worker/http/request.h"
#include "worker/protocol/operation.h"
#include "worker/protocol/outgoing_request.h"
#include "worker/runtime_config.h"
#include "worker/sse/sse_scanner.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker::protocol {

// What a translator reads to build one attempt's request.
struct RequestContext {
  const ProviderRuntime& provider;  // the candidate: its config, Host and credential lines
  Operation operation;              // what the client asked for
  std::string_view target;          // the model name the provider expects (checkTarget passed)
  const Request& request;           // the client's request: headers and body
  const common::JsonFacts& facts;   // the client's body, as stage 40 parsed it
  std::string_view request_id;
  std::string_view trace_headers = {};  // traceparent / tracestate lines of this attempt
};

// What a translator keeps for one attempt's response (say, the open content block of a
// stream, or the plain body so far).
class TranslationState {
 public:
  virtual ~TranslationState() = default;
};

// What the response hooks need to know about the client's request.
struct ResponseContext {
  std::string_view client_model;  // restored in every response and event (outlives the state)
  bool stream = false;            // the client asked for a stream
  bool include_usage = false;     // ... and for its usage chunk (Chat Completions clients)
  std::string_view request_id;    // ids when the provider gives none (outlives the state)
};

class Translator {
 public:
  virtual ~Translator() = default;

  // Once per attempt: out.head (request line, provider headers, the client's forwarded
  // headers, framing) and out.bufs (the head, then the body pieces). Infallible: whatever can
  // refuse a request (checkTarget, canServe) is decided before the first attempt.
  virtual void request(const RequestContext& ctx, OutgoingRequest& out) const = 0;

  // Whether the response hooks below are called at all. When they are, the relay sends only
  // what they write (chunked to the client: the length changes), never the provider's bytes.
  virtual bool rewritesResponse() const = 0;
  // Per-attempt state for the response hooks, made when the attempt's answer is chosen.
  virtual std::unique_ptr<TranslationState> newState(const ResponseContext&) const {
    return nullptr;
  }
  // The provider's response head, before the response-header filter and the relay see it
  // (the content type of the client's protocol, say).
  virtual void responseHead(UpstreamResponseHead& head, TranslationState* state) const = 0;
  // A plain (non-stream) body: its pieces as they arrive, then its end. The client's bytes are
  // appended to `out` (typically all at the end: a body translates whole).
  virtual void responseBody(std::string_view bytes, TranslationState* state,
                            std::string& out) const = 0;
  virtual void responseEnd(TranslationState* state, std::string& out) const = 0;
  // One complete event of a stream; the client's events for it (wire form) go to `out`.
  virtual void streamEvent(const SseEvent& event, TranslationState* state,
                           std::string& out) const = 0;
  // The provider's stream ended: whatever still closes the client's stream.
  virtual void streamEnd(TranslationState* state, std::string& out) const = 0;
  // A failure after the first byte: the client protocol's error event, grammar closed.
  virtual void streamError(const common::Error& error, TranslationState* state,
                           std::string& out) const = 0;
};

// The translator between a client's `op` and `provider`. Shared, never null: the identity when
// both speak the same protocol (providerApi), a cross-protocol translator otherwise. Only for
// pairs canServe() accepts.
const Translator& translatorFor(Operation op, const common::ProviderConfig& provider);

// A request head every translator writes the same way: the request line for `provider_op`,
// the provider's Host, credential and (Anthropic) version lines, the client's forwarded
// headers, x-request-id, Content-Length and keep-alive.
void appendRequestHead(std::string& out, const RequestContext& ctx, Operation provider_op,
                       size_t body_size);

}  // namespace llmproxy::worker::protocol
