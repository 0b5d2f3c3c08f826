// GET /admin/v1/usage/requests?limit=N: the latest rows of the usage log, newest first
// (time, key, model, provider, status, stream, tokens, latency, TTFT). For the web UI's Usage
// page. `limit` 1-500, default 50. Needs a database like /admin/v1/usage.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome recentRequests(LocalCall& call);

}  // namespace llmproxy::worker::admin
