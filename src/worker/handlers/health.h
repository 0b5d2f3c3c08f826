// GET /health: liveness of this worker, with the config generation it serves.
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::handlers {

Outcome health(Exchange& ex);

}  // namespace llmproxy::worker::handlers
