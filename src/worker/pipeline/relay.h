// Stages 70 (upstream attempts) and 80 (relay) as called from UpstreamState's callbacks and
// the exchange's deadline timer.
#pragma once

#include <chrono>

#include "common/base/result.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

class UpstreamState;

namespace upstream {
// Detach the attempt in flight; freed (and its connection pooled) after this callback chain.
void dropCall(UpstreamState& up);
bool startAttempt(UpstreamState& up, size_t candidate_index);
// A queued exchange (every candidate at max_concurrent): try again, or 429 past queue_timeout.
void onQueueWake(UpstreamState& up);
// The response head: a 5xx/429 with another candidate left fails over, else it goes to relay.
void onHead(UpstreamState& up, UpstreamResponseHead head);
void onError(UpstreamState& up, const common::Error& error, bool reused, bool response_started);
void onTtftTimeout(UpstreamState& up);
// (Re)arms the exchange's deadline: min(phase timeout, what is left of request_timeout).
void armTimer(UpstreamState& up, std::chrono::milliseconds phase_timeout);
}  // namespace upstream

namespace relay {
void onHead(UpstreamState& up, UpstreamResponseHead head);
void onBody(UpstreamState& up, BodySlice slice);
void onEnd(UpstreamState& up);
void onTimeout(UpstreamState& up);
void onDrained(UpstreamState& up);
// After the first byte went to the client: SSE error event + end for streams, else abort.
void abortStream(UpstreamState& up, const common::Error& error);
}  // namespace relay

}  // namespace llmproxy::worker
