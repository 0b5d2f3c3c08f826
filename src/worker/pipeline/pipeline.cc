// The driver loop over the stages.
#include "worker/pipeline/pipeline.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "worker/http/downstream_conn.h"
#include "worker/pipeline/services.h"
#include "worker/pipeline/stage_dispatch.h"
#include "worker/pipeline/upstream_state.h"

namespace llmproxy::worker::pipeline {

Stage nextStage(Stage s) {
  switch (s) {
    case Stage::Route: return Stage::Authenticate;
    case Stage::Authenticate: return Stage::ReadBody;
    case Stage::ReadBody: return Stage::Parse;
    case Stage::Parse: return Stage::Authorize;
    case Stage::Authorize: return Stage::Local;
    case Stage::Local: return Stage::Resolve;
    case Stage::Resolve: return Stage::Budget;
    case Stage::Budget: return Stage::Cache;
    case Stage::Cache: return Stage::Transform;
    case Stage::Transform: return Stage::Upstream;
    case Stage::Upstream: return Stage::Relay;
    case Stage::Relay: return Stage::Respond;
    case Stage::Respond:
    case Stage::Done: return Stage::Done;
  }
  return Stage::Done;
}

Outcome runStage(Exchange& ex) {
  switch (ex.stage) {
    case Stage::Route: return stage::route(ex);
    case Stage::Authenticate: return stage::authenticate(ex);
    case Stage::ReadBody: return stage::readBody(ex);
    case Stage::Parse: return stage::parse(ex);
    case Stage::Authorize: return stage::authorize(ex);
    case Stage::Local: return stage::local(ex);
    case Stage::Resolve: return stage::resolve(ex);
    case Stage::Budget: return stage::budget(ex);
    case Stage::Cache: return stage::cache(ex);
    case Stage::Transform: return stage::transform(ex);
    case Stage::Upstream: return stage::upstream(ex);
    case Stage::Relay: return stage::relay(ex);
    case Stage::Respond:
    case Stage::Done: break;
  }
  return respondError(ex, {common::ErrorKind::Internal, "no response produced", 0});
}

namespace {

void advance(Exchange& ex) {
  for (;;) {
    switch (runStage(ex)) {
      case Outcome::Next:
        ex.stage = nextStage(ex.stage);
        ++ex.generation;  // tokens of the stage left behind are stale now
        continue;
      case Outcome::Wait:
        return;
      case Outcome::Respond:
        return;
    }
  }
}

// Keep the client's x-request-id when it is sane, otherwise make one; it goes both ways.
void assignRequestId(Exchange& ex) {
  if (const std::string* rid = ex.request.header("x-request-id");
      rid && !rid->empty() && rid->size() <= 128 &&
      std::all_of(rid->begin(), rid->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      })) {
    ex.request_id = *rid;
  } else {
    ex.request_id = ex.services.newRequestId();
  }
}

}  // namespace

void start(Exchange& ex) {
  ex.stage = Stage::Route;
  assignRequestId(ex);
  ex.services.tracer.begin(ex.trace, ex.request.header("traceparent"),
                           ex.request.header("tracestate"));
  advance(ex);
}

void resume(Exchange& ex) {
  if (ex.stage == Stage::Respond || ex.stage == Stage::Done) return;
  // The stage that waited has finished its async part: re-run it to collect the outcome.
  advance(ex);
}

common::WakeToken wakeToken(const Exchange& ex) { return WakeRegistry<Exchange>::tokenOf(ex); }

bool wake(WakeRegistry<Exchange>& exchanges, common::WakeToken token) {
  Exchange* ex = exchanges.find(token);
  if (!ex) return false;
  resume(*ex);
  return true;
}

void onUpstream(Exchange& ex, const UpstreamEvent& event) {
  if (ex.stage != Stage::Upstream && ex.stage != Stage::Relay) return;  // answered, or done
  UpstreamState& up = *ex.upstream;
  up.event = &event;
  advance(ex);
  up.event = nullptr;  // the exchange outlives this call: it is freed after the loop turn
}

void complete(Exchange& ex) {
  if (ex.stage == Stage::Done) return;
  stage::finish(ex);
}

// Every answer of the admin listener (the web UI's files, the admin API, its errors) tells the
// browser: no inline or foreign script, no framing, no referrer, no sniffing, and, unless the
// handler chose otherwise, no caching of what may hold configuration or usage data.
void addAdminSecurityHeaders(Response& r) {
  bool cache_control = false;
  for (const auto& [name, value] : r.headers) cache_control |= name == "Cache-Control";
  if (!cache_control) r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Security-Policy", kAdminContentSecurityPolicy);
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

void beginResponse(Exchange& ex) {
  ex.stage = Stage::Respond;
  ++ex.generation;
}

Outcome respond(Exchange& ex, Response response) {
  beginResponse(ex);
  if (ex.conn.isAdminListener()) addAdminSecurityHeaders(response);
  ex.conn.writer().send(std::move(response));
  return Outcome::Respond;
}

Outcome respondError(Exchange& ex, const common::Error& error, std::string_view param,
                     std::vector<std::pair<std::string, std::string>> headers) {
  // Each client in its own protocol's shape (PROTOCOLS.md §5).
  Response r = isAnthropicEndpoint(ex.endpoint) ? Response::anthropicError(error)
                                                : Response::error(error, param.empty()
                                                                             ? error.param
                                                                             : param);
  for (auto& h : headers) r.headers.push_back(std::move(h));
  ex.error = error;
  return respond(ex, std::move(r));
}

}  // namespace llmproxy::worker::pipeline

namespace llmproxy::worker {

std::string Services::newRequestId() {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%08x%08llx",
                static_cast<unsigned long long>(request_id_seed), static_cast<unsigned>(pid),
                static_cast<unsigned long long>(++request_ids));
  return buf;
}

}  // namespace llmproxy::worker
