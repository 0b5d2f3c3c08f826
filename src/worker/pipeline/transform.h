// Stage 60 (transform): what goes to a provider, decided by worker/protocol/. Two calls:
// stage::transform once before the first attempt (drops the candidates that cannot take the
// request; 400 when none can), buildUpstreamRequest for each attempt (called by stage 70).
#pragma once

#include "worker/pipeline/exchange.h"
#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker {

struct UpstreamCandidate;

namespace stage {
// Removes the candidates the request cannot be sent to (a model name that cannot be an Azure
// deployment); when none is left, answers 400 about "model". Next otherwise.
Outcome transform(Exchange& ex);
}  // namespace stage

// Fills ex.upstream->outgoing (head and body pieces) for `candidate`, through its translator.
void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate);

}  // namespace llmproxy::worker
