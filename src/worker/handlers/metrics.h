// GET /metrics: Prometheus text, summed over every worker's slot in shared memory, so it is
// the same whichever worker answers.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome metrics(LocalCall& call);

}  // namespace llmproxy::worker::handlers
