// One request/response pair on a client connection. Owned by its DownstreamConn (at most one
// active per HTTP/1.1 connection) as its RequestHandler: the connection's events drive the
// pipeline through it. Destroyed only after `finish` ran. Worker-loop-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "worker/runtime_config.h"
#include "common/uv/uv_timer.h"
#include "worker/http/endpoint.h"
#include "worker/http/request_handler.h"

namespace llmproxy::worker {

class Worker;
class DownstreamConn;

enum class Stage : uint8_t {
  Route,         // 20
  Authenticate,  // 30
  ReadBody,      // 35
  Authorize,     // 40
  Local,         // 45: endpoints the proxy answers itself
  Resolve,       // 50
  Cache,         // 55: response cache lookup (hit: answered here)
  Upstream,      // 60 + 70 (+ 80 through the upstream callbacks)
  Respond,       // a response is being written
  Done,          // 90 ran
};

class UpstreamState;
namespace admin {
struct AdminState;
}

// The request, request_id, status, byte counts and body_complete are RequestHandler's: the
// connection fills and updates them.
struct Exchange : RequestHandler {
  Exchange(Worker& w, DownstreamConn& c, uint64_t exchange_id,
           std::shared_ptr<const RuntimeConfig> cfg);
  ~Exchange() override;

  // RequestHandler: the connection's events, handed to the pipeline.
  void onRequestHead() override;
  void onRequestBody() override;
  void onRequestError(const common::Error& error) override;
  void onResponseSent() override;
  void onClientGone() override;
  void onDrained() override;

  Worker& worker;
  DownstreamConn& conn;
  const uint64_t id;
  std::shared_ptr<const RuntimeConfig> config;  // pinned for the whole exchange
  Stage stage = Stage::Route;
  Endpoint endpoint = Endpoint::None;
  std::string route_param;     // the `{id}` segment of an admin route ("" if none)
  std::string key_name;        // the client key's name once authenticated ("-" before)
  const ClientKey* client_key = nullptr;  // into `config`; null when unauthenticated mode
  const uint64_t started_us;   // monotonic

  // Proxy endpoints: candidates, the upstream attempt, the relay (stages 50-80).
  std::unique_ptr<UpstreamState> upstream;

  // The client drained queued bytes (relay backpressure).
  void onDownstreamDrained();

  // State of a local handler that waits (e.g. the admin reload); freed with the exchange.
  std::unique_ptr<common::UvTimer> wait_timer;
  uint64_t wait_baseline = 0;
  uint64_t wait_deadline_us = 0;
  // The admin resource APIs' state (database query, probe); its destruction cancels callbacks.
  std::unique_ptr<admin::AdminState> admin;
};

}  // namespace llmproxy::worker
