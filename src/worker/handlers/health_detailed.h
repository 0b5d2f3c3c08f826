// GET /health/detailed: workers, config version and source, every provider's health state,
// PostgreSQL and Redis when configured. No secrets.
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::handlers {

Outcome healthDetailed(Exchange& ex);

}  // namespace llmproxy::worker::handlers
