// Admin: GET /admin/v1/usage — aggregates over usage_log (requests, tokens, errors, average
// latency and TTFT), filtered and grouped as usage_query.h describes. Runs on the admin API's
// connection (AdminDb); 400 names a bad parameter, 409 without a database, 503 when PostgreSQL
// is away.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

// Starts the query and waits; re-entered (woken through call.waker) when the answer is in.
Outcome usage(LocalCall& call);

}  // namespace llmproxy::worker::admin
