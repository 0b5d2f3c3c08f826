// GET /health: liveness of this worker, with the config generation it serves.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome health(LocalCall& call);

}  // namespace llmproxy::worker::handlers
