// The request pipeline driver: runs the named stages of an Exchange in order.
//
//   20_route -> 30_authenticate -> 35_read_body -> 37_parse -> 40_authorize -> 45_local
//     -> 50_resolve -> 55_cache -> 60_transform -> 70_upstream -> 80_relay -> 90_finish
//
// Stage 10 (read) is the DownstreamConn's llhttp parser; it starts the pipeline once the
// request head is complete. Each stage returns an Outcome; the driver loops while it is Next.
#pragma once

#include "common/base/result.h"
#include "worker/handlers/local_call.h"  // Outcome
#include "worker/http/response.h"
#include "worker/pipeline/exchange.h"
#include "worker/pipeline/wake_registry.h"

namespace llmproxy::worker {

namespace pipeline {

// Starts an exchange whose request head (and, for bodyless requests, whole request) is parsed.
void start(Exchange& ex);
// Continues after a Wait (body fully read, async handler done).
void resume(Exchange& ex);

// The token an asynchronous completion keeps to come back to this exchange in its current
// stage; wake() resumes the exchange it names, or does nothing (false) when the token is
// stale: the exchange is gone or has left that stage.
common::WakeToken wakeToken(const Exchange& ex);
bool wake(WakeRegistry<Exchange>& exchanges, common::WakeToken token);

// The one place a response leaves a stage: queue it on the connection and stop the driver.
Outcome respond(Exchange& ex, Response response);
// Every error answer: status, type and code from the error table; the exchange keeps `error`
// for finish's error-log line. `headers` go on the answer (Allow, Retry-After, x-ratelimit-*).
Outcome respondError(Exchange& ex, const common::Error& error, std::string_view param = {},
                     std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace pipeline

namespace stage {
Outcome route(Exchange& ex);
Outcome authenticate(Exchange& ex);
Outcome readBody(Exchange& ex);
Outcome parse(Exchange& ex);
Outcome authorize(Exchange& ex);
Outcome local(Exchange& ex);
Outcome resolve(Exchange& ex);
Outcome cache(Exchange& ex);
Outcome upstream(Exchange& ex);
// Runs exactly once per exchange, when its response is written or the client is gone.
void finish(Exchange& ex);
}  // namespace stage

}  // namespace llmproxy::worker
