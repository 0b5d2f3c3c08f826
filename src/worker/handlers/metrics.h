// GET /metrics: Prometheus text, summed over every worker's slot in shared memory, so it is
// the same whichever worker answers.
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::handlers {

Outcome metrics(Exchange& ex);

}  // namespace llmproxy::worker::handlers
