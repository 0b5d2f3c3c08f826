// Admin: GET /admin/v1/usage — aggregates over usage_log (requests, tokens, errors, average
// latency and TTFT), filtered and grouped as usage_query.h describes. Runs on the admin API's
// connection (AdminDb); 400 names a bad parameter, 409 without a database, 503 when PostgreSQL
// is away.
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::admin {

// Starts the query and waits; re-entered by pipeline::resume when the answer is in.
Outcome usage(Exchange& ex);

}  // namespace llmproxy::worker::admin
