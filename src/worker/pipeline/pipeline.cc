// The driver loop over the stages.
#include "worker/pipeline/pipeline.h"

#include <algorithm>
#include <cctype>

#include "worker/http/downstream_conn.h"
#include "worker/worker.h"

namespace llmproxy::worker::pipeline {
namespace {

Stage nextStage(Stage s) {
  switch (s) {
    case Stage::Route: return Stage::Authenticate;
    case Stage::Authenticate: return Stage::ReadBody;
    case Stage::ReadBody: return Stage::Authorize;
    case Stage::Authorize: return Stage::Local;
    case Stage::Local: return Stage::Resolve;
    case Stage::Resolve: return Stage::Cache;
    case Stage::Cache: return Stage::Upstream;
    case Stage::Upstream: return Stage::Respond;
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
    case Stage::Authorize: return stage::authorize(ex);
    case Stage::Local: return stage::local(ex);
    case Stage::Resolve: return stage::resolve(ex);
    case Stage::Cache: return stage::cache(ex);
    case Stage::Upstream: return stage::upstream(ex);
    case Stage::Respond:
    case Stage::Done: break;
  }
  return respondError(ex, {common::ErrorKind::Internal, "no response produced", 0});
}

void advance(Exchange& ex) {
  for (;;) {
    switch (runStage(ex)) {
      case Outcome::Next:
        ex.stage = nextStage(ex.stage);
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
    ex.request_id = ex.worker.newRequestId();
  }
}

}  // namespace

void start(Exchange& ex) {
  ex.stage = Stage::Route;
  assignRequestId(ex);
  advance(ex);
}

void resume(Exchange& ex) {
  if (ex.stage == Stage::Respond || ex.stage == Stage::Done) return;
  // The stage that waited has finished its async part: re-run it to collect the outcome.
  advance(ex);
}

Outcome respond(Exchange& ex, Response response) {
  ex.stage = Stage::Respond;
  ex.conn.writer().send(std::move(response));
  return Outcome::Respond;
}

Outcome respondError(Exchange& ex, const common::Error& error, std::string_view param) {
  return respond(ex, Response::error(error, param));
}

}  // namespace llmproxy::worker::pipeline
