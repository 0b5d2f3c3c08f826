// GET /health/detailed: workers, config version and source, every provider's health state,
// PostgreSQL and Redis when configured. No secrets.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome healthDetailed(LocalCall& call);

}  // namespace llmproxy::worker::handlers
