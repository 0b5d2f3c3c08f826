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
// (a stream; the relay's SseScanner already finds the events).
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
};

// What a translator keeps for one exchange (say, the open content block of a stream).
class TranslationState {
 public:
  virtual ~TranslationState() = default;
};

// Where a translated response body goes (the relay implements it).
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void pass(BodySlice slice) = 0;     // provider bytes, kept alive by their owner
  virtual void write(std::string bytes) = 0;  // bytes the translator made
};

// What becomes of one event of the provider's stream.
enum class EventAction : uint8_t {
  Keep,     // relayed as the provider sent it
  Drop,     // cut from the client's stream
  Replace,  // cut, and the translator's bytes (complete events, wire form) sent in its place
};

class Translator {
 public:
  virtual ~Translator() = default;

  // Once per attempt: out.head (request line, provider headers, the client's forwarded
  // headers, framing) and out.bufs (the head, then the body pieces). Infallible: whatever can
  // refuse a request (checkTarget) is decided before the first attempt.
  virtual void request(const RequestContext& ctx, OutgoingRequest& out) const = 0;

  // Whether the response hooks below are called at all.
  virtual bool rewritesResponse() const = 0;
  // Per-exchange state for the response hooks; null when none is needed.
  virtual std::unique_ptr<TranslationState> newState() const { return nullptr; }
  // The provider's response head, before the response-header filter and the relay see it.
  virtual void responseHead(UpstreamResponseHead& head, TranslationState* state) const = 0;
  // A slice of a plain (non-stream) body, then its end.
  virtual void responseBody(BodySlice slice, TranslationState* state, BodySink& sink) const = 0;
  virtual void responseEnd(TranslationState* state, BodySink& sink) const = 0;
  // One complete event of a stream. Replace: the bytes to send instead are appended to `out`.
  virtual EventAction streamEvent(const SseEvent& event, TranslationState* state,
                                  std::string& out) const = 0;
};

// The translator between a client's `op` and a provider of `type`. Shared, never null; today
// the identity for every pair (config validation refuses "anthropic" providers until their
// translator exists).
const Translator& translatorFor(Operation op, common::ProviderType type);

}  // namespace llmproxy::worker::protocol
