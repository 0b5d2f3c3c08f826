// Admin: GET /admin/v1/config/version and POST /admin/v1/config/reload.
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::admin {

Outcome configVersion(Exchange& ex);
// Signals the master (SIGHUP) and waits, with a deadline, for the reload outcome it
// publishes in shared memory. Re-entered by pipeline::resume while waiting.
Outcome configReload(Exchange& ex);

}  // namespace llmproxy::worker::admin
