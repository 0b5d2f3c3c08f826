// Admin: GET /admin/v1/config/version and POST /admin/v1/config/reload.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome configVersion(LocalCall& call);
// Signals the master (SIGHUP) and waits, with a deadline, for the reload outcome it
// publishes in shared memory. Re-entered (woken by its poll timer) while waiting.
Outcome configReload(LocalCall& call);

}  // namespace llmproxy::worker::admin
