// The request pipeline driver: runs the named stages of an Exchange in order.
//
//   20_route -> 30_authenticate -> 35_read_body -> 37_parse -> 40_authorize -> 45_local
//     -> 50_resolve -> 55_cache -> 60_transform -> 70_upstream -> 80_relay -> 90_finish
//
// Stage 10 (read) is the DownstreamConn's llhttp parser; it starts the pipeline once the
// request head is complete. Each stage returns an Outcome; the driver loops while it is Next.
// Everything that happens later comes back through the driver: the request body (resume), an
// asynchronous completion (wake), the upstream attempt's events and the client draining
// (onUpstream: the current stage, 70 or 80, handles the event), and the end of the response
// or of the client (complete: stage 90, exactly once).
#pragma once

#include "common/base/result.h"
#include "worker/handlers/local_call.h"  // Outcome
#include "worker/http/response.h"
#include "worker/pipeline/exchange.h"
#include "worker/pipeline/upstream_event.h"
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

// An event of the upstream attempt (or the client drained): run by stage 70 or 80, whichever
// the exchange is in; dropped once the exchange answers or is done.
void onUpstream(Exchange& ex, const UpstreamEvent& event);

// The response is written, or the client is gone: stage 90 runs (once).
void complete(Exchange& ex);

// The exchange starts answering (its response head is on its way): wake tokens and upstream
// events from now on are stale. Before anything is handed to the writer, whose end may
// complete the exchange at once.
void beginResponse(Exchange& ex);

// The one place a response leaves a stage: queue it on the connection and stop the driver.
Outcome respond(Exchange& ex, Response response);
// The admin listener's Content-Security-Policy: scripts, styles and API calls from its own
// origin only, nothing inline, no framing (docs/ui.md).
inline constexpr const char* kAdminContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";
// Adds it and the other security headers to an answer of the admin listener.
void addAdminSecurityHeaders(Response& r);
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
// 52: admits the request against its key's max_budget and reserves its estimate.
Outcome budget(Exchange& ex);
Outcome cache(Exchange& ex);
Outcome transform(Exchange& ex);
// 70: the attempt loop; without an event it starts (or, queued, retries) the first attempt.
Outcome upstream(Exchange& ex);
// 80: the chosen answer to the client; runs only with an event.
Outcome relay(Exchange& ex);
// Runs exactly once per exchange (through pipeline::complete).
void finish(Exchange& ex);
}  // namespace stage

}  // namespace llmproxy::worker
