// Stage 60 (transform), called by stage 70 for each attempt.
#pragma once

#include "worker/pipeline/exchange.h"

namespace llmproxy::worker {

struct UpstreamCandidate;

// Fills ex.upstream's request_head / splice / request_bufs for `candidate`.
void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate);

}  // namespace llmproxy::worker
