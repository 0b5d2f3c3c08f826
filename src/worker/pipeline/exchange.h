// One request/response pair on a client connection. Owned by its DownstreamConn (at most one
// active per HTTP/1.1 connection) as its RequestHandler: the connection's events drive the
// pipeline through it, and it answers through the connection's ClientConnection side (so the
// stage tests can run one without a socket). Destroyed only after `finish` ran.
// Worker-loop-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/base/pooled.h"
#include "common/base/result.h"
#include "worker/http/client_connection.h"
#include "worker/http/endpoint.h"
#include "worker/http/request_handler.h"
#include "worker/runtime_config.h"
#include "worker/tracing/exchange_trace.h"

namespace llmproxy::worker {

struct Services;

enum class Stage : uint8_t {
  Route,         // 20
  Authenticate,  // 30
  ReadBody,      // 35
  Parse,         // 37: the body's model and stream facts (proxy endpoints)
  Authorize,     // 40
  Local,         // 45: endpoints the proxy answers itself
  Resolve,       // 50
  Budget,        // 52: the key's budget (over it: answered here)
  Cache,         // 55: response cache lookup (hit: answered here)
  Transform,     // 60: which candidates the provider protocol accepts
  Upstream,      // 70: attempts (each request built by 60) until an answer is chosen
  Relay,         // 80: the chosen answer goes to the client as it arrives
  Respond,       // a response is being written (nothing left to run but 90)
  Done,          // 90 ran
};

class UpstreamState;
namespace admin {
struct AdminState;
}

// The request, request_id, status, byte counts and body_complete are RequestHandler's: the
// connection fills and updates them.
struct Exchange : RequestHandler, common::Pooled<Exchange> {
  Exchange(Services& s, ClientConnection& c, uint64_t exchange_id,
           std::shared_ptr<const RuntimeConfig> cfg);
  ~Exchange() override;

  // RequestHandler: the connection's events, handed to the pipeline.
  void onRequestHead() override;
  void onRequestBody() override;
  void onRequestError(const common::Error& failure) override;
  void onResponseSent() override;
  void onClientGone() override;
  void onDrained() override;

  Services& services;
  ClientConnection& conn;
  const uint64_t id;
  // Moves on whenever the exchange leaves a stage and when it finishes: a WakeToken issued
  // for one wait is stale afterwards (wake_registry.h).
  uint32_t generation = 1;
  std::shared_ptr<const RuntimeConfig> config;  // pinned for the whole exchange
  Stage stage = Stage::Route;
  Endpoint endpoint = Endpoint::None;
  std::string route_param;     // the `{id}` segment of an admin route ("" if none)
  std::string key_name;        // the client key's name once authenticated ("-" before)
  const ClientKey* client_key = nullptr;  // into `config`; null when unauthenticated mode
  const uint64_t started_us;   // monotonic
  // Why the exchange failed, when it did: set with the error answer (or the aborted stream),
  // read by finish for the one error-log line.
  std::optional<common::Error> error;
  // W3C trace context (the client's or a new one) and, when exported, what the span needs.
  tracing::ExchangeTrace trace;

  // Proxy endpoints: candidates, the upstream attempt, the relay (stages 50-80).
  std::unique_ptr<UpstreamState> upstream;

  // The admin resource APIs' state (database query, probe, reload poll), handed to the
  // handlers through their LocalCall; its destruction cancels what would wake the exchange.
  std::unique_ptr<admin::AdminState> admin;
};

}  // namespace llmproxy::worker
