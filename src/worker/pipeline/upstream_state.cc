// UpstreamState: the attempt's callbacks handed to the pipeline driver as UpstreamEvents, and
// the two pieces of attempt bookkeeping stages 70 and 80 share (the deadline, dropping the
// attempt).
#include "worker/pipeline/upstream_state.h"

#include <algorithm>

#include "common/time/clock.h"
#include "worker/pipeline/exchange.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/services.h"
#include "worker/protocol/translator.h"

namespace llmproxy::worker {

UpstreamState::UpstreamState(Exchange& exchange) : ex(exchange) {}

UpstreamState::~UpstreamState() {
  if (queued) ex.services.provider_gate.dequeue(ex.id);
  for (const ProbeClaim& p : probes) common::ProviderHealth::releaseProbe(p.health, p.token);
}

void UpstreamState::dropAttempt() {
  if (!attempt) return;
  attempt->up = nullptr;
  ex.services.deferDelete(std::move(attempt));
}

void UpstreamState::armDeadline(std::chrono::milliseconds phase_timeout) {
  const uint64_t elapsed_ms = (common::nowMonotonicUs() - ex.started_us) / 1000;
  const uint64_t total = static_cast<uint64_t>(ex.config->server.request_timeout.count());
  const uint64_t left = total > elapsed_ms ? total - elapsed_ms : 1;
  timer->arm(std::min<uint64_t>(left, static_cast<uint64_t>(phase_timeout.count())));
}

UpstreamAttempt::~UpstreamAttempt() = default;

void UpstreamAttempt::onUpstreamHead(UpstreamResponseHead head) {
  if (!up) return;
  UpstreamEvent e{UpstreamEvent::Kind::Head};
  e.head = &head;
  pipeline::onUpstream(up->ex, e);
}

void UpstreamAttempt::onUpstreamBody(BodySlice slice) {
  if (!up) return;
  UpstreamEvent e{UpstreamEvent::Kind::Body};
  e.slice = &slice;
  pipeline::onUpstream(up->ex, e);
}

void UpstreamAttempt::onUpstreamEnd() {
  if (!up) return;
  pipeline::onUpstream(up->ex, {UpstreamEvent::Kind::End});
}

void UpstreamAttempt::onUpstreamError(const common::Error& error, bool reused,
                                      bool response_started) {
  if (!up) return;
  UpstreamEvent e{UpstreamEvent::Kind::Error};
  e.error = &error;
  e.reused = reused;
  e.response_started = response_started;
  pipeline::onUpstream(up->ex, e);
}

}  // namespace llmproxy::worker
