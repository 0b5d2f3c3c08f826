// Stage 60 (transform): what goes to a provider, decided by worker/protocol/. Two parts:
// stage::transform (pipeline.h) runs once before the first attempt (drops the candidates that
// cannot take the request; 400 when none can); buildUpstreamRequest builds each attempt's
// request (called by stage 70 when it has admitted a candidate).
#pragma once

#include <cstddef>
#include <vector>

#include "worker/pipeline/exchange.h"
#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker {

struct UpstreamCandidate;

// Drops the candidates from `from` on that cannot take this request (the checks stage::transform
// makes before the first attempt); used for fallback models' candidates.
void keepServable(Exchange& ex, std::vector<UpstreamCandidate>& candidates, size_t from);

// Fills ex.upstream->outgoing (head and body pieces) for `candidate`, through its translator.
void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate);

}  // namespace llmproxy::worker
