// UpstreamState: the upstream client's callbacks, routed to stages 70 and 80. An exchange that
// has already finished (client gone) ignores late callbacks until it is freed.
#include "worker/pipeline/upstream_state.h"

#include "worker/pipeline/exchange.h"
#include "worker/pipeline/relay.h"

namespace llmproxy::worker {

UpstreamState::UpstreamState(Exchange& exchange) : ex(exchange) {}

UpstreamState::~UpstreamState() = default;

void UpstreamState::onUpstreamHead(UpstreamResponseHead head) {
  if (ex.stage == Stage::Done || finished) return;
  if (upstream::wantsFailover(*this, head)) {
    upstream::onHeadFailure(*this, head);
    return;
  }
  relay::onHead(*this, std::move(head));
}

void UpstreamState::onUpstreamBody(BodySlice slice) {
  if (ex.stage == Stage::Done || finished) return;
  relay::onBody(*this, std::move(slice));
}

void UpstreamState::onUpstreamEnd() {
  if (ex.stage == Stage::Done || finished) return;
  relay::onEnd(*this);
}

void UpstreamState::onUpstreamError(const common::Error& error, bool reused,
                                    bool response_started) {
  if (ex.stage == Stage::Done || finished) return;
  upstream::onError(*this, error, reused, response_started);
}

void Exchange::onDownstreamDrained() {
  if (upstream && stage != Stage::Done) relay::onDrained(*upstream);
}

}  // namespace llmproxy::worker
