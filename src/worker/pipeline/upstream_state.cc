// UpstreamState: the upstream client's callbacks, routed to stages 70 and 80. An exchange that
// has already finished (client gone) ignores late callbacks until it is freed.
#include "worker/pipeline/upstream_state.h"

#include "worker/pipeline/exchange.h"
#include "worker/pipeline/relay.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {

UpstreamState::UpstreamState(Exchange& exchange) : ex(exchange) {}

UpstreamState::~UpstreamState() {
  if (queued) ex.services.provider_gate.dequeue(ex.id);
}

UpstreamAttempt::~UpstreamAttempt() = default;

void UpstreamAttempt::onUpstreamHead(UpstreamResponseHead head) {
  if (!up || up->ex.stage == Stage::Done || up->finished) return;
  upstream::onHead(*up, std::move(head));
}

void UpstreamAttempt::onUpstreamBody(BodySlice slice) {
  if (!up || up->ex.stage == Stage::Done || up->finished) return;
  relay::onBody(*up, std::move(slice));
}

void UpstreamAttempt::onUpstreamEnd() {
  if (!up || up->ex.stage == Stage::Done || up->finished) return;
  relay::onEnd(*up);
}

void UpstreamAttempt::onUpstreamError(const common::Error& error, bool reused,
                                      bool response_started) {
  if (!up || up->ex.stage == Stage::Done || up->finished) return;
  upstream::onError(*up, error, reused, response_started);
}

void Exchange::onDownstreamDrained() {
  if (upstream && stage != Stage::Done) relay::onDrained(*upstream);
}

}  // namespace llmproxy::worker
