// Admin: GET /admin/v1/usage — aggregates over usage_log (requests, tokens, errors, average
// latency and TTFT), filtered and grouped as usage_query.h describes. Runs on the admin API's
// connection (AdminDb); 400 names a bad parameter, 409 without a database, 503 when PostgreSQL
// is away.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

// Starts the query and waits; re-entered (woken through call.waker) when the answer is in.
Outcome usage(LocalCall& call);
// GET /admin/v1/spend: the same query (the same parameters; group_by=key,model,provider,day),
// answered as {"object":"spend","group_by":[...],"data":[{<groups>,"requests":N,
// "spend_usd":1.234567}],"truncated":false}.
Outcome spend(LocalCall& call);

}  // namespace llmproxy::worker::admin
