// What an endpoint the proxy answers itself (handlers/, admin/) sees of its request: the
// request, the pinned config, the route, the worker's tools it may use, and the ways to answer
// and to come back later. Stage 45 of the pipeline builds one each time it runs a handler
// (again after every wake-up); the handlers never see the Exchange or the pipeline.
// Worker-loop-only.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/result.h"
#include "common/base/wake_token.h"
#include "common/shm/region.h"
#include "worker/auth/key_matcher.h"
#include "worker/config_view.h"
#include "worker/http/endpoint.h"
#include "worker/http/request.h"
#include "worker/http/response.h"
#include "worker/redis/redis_client.h"
#include "worker/runtime_config.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

// What a pipeline stage (and a local handler) tells the driver.
enum class Outcome : uint8_t {
  Next,     // go on with the following stage
  Wait,     // an async operation started; its completion wakes the exchange again
  Respond,  // a response was queued on the connection; the exchange ends in finish
};

namespace admin {
class AdminDb;
struct AdminState;
}  // namespace admin

// The part of the worker the local handlers use.
struct LocalServices {
  uv_loop_t* loop;
  common::ShmRegion& shm;
  pid_t master_pid;
  const ConfigView& config_view;  // the generation this worker serves
  const bool& draining;           // the worker is shutting down gracefully
  RedisClient& redis;
  UpstreamClient& upstream_client;
  admin::AdminDb& admin_db;  // the admin API's PostgreSQL connection
};

// How an asynchronous completion comes back to a waiting handler: the pipeline's functions
// over its live exchanges, and the token of the wait. A token whose exchange is gone or has
// left the wait finds nothing, and the completion is dropped.
struct Waker {
  void* exchanges = nullptr;  // the pipeline's registry, opaque here
  admin::AdminState* (*admin_state)(void* exchanges, common::WakeToken token) = nullptr;
  bool (*resume)(void* exchanges, common::WakeToken token) = nullptr;
  common::WakeToken token;

  // The admin state of the waiting exchange, null when the token is stale.
  admin::AdminState* adminState() const { return admin_state(exchanges, token); }
  // Runs the handler again; false (nothing done) when the token is stale.
  bool wake() const { return resume(exchanges, token); }
};

// The answers, implemented by the pipeline: each queues the response and returns Respond.
class Answer {
 public:
  virtual Outcome respond(Response response) = 0;
  // Status, type and code from the error table; `headers` go on the answer.
  virtual Outcome respondError(const common::Error& error, std::string_view param,
                               std::vector<std::pair<std::string, std::string>> headers) = 0;

 protected:
  ~Answer() = default;
};

struct LocalCall {
  const Request& request;
  const RuntimeConfig* config;  // pinned for the whole exchange
  Endpoint endpoint;
  const std::string& route_param;  // the `{id}` segment of an admin route ("" if none)
  const std::string& request_id;
  const ClientKey* client_key;  // into `config`; null when unauthenticated
  const LocalServices& services;
  // The admin resource APIs' state, owned by the exchange and destroyed with it.
  std::unique_ptr<admin::AdminState>& admin;
  Waker waker;  // for the wait this call may start
  Answer& answer;

  Outcome respond(Response response) { return answer.respond(std::move(response)); }
  Outcome respondError(const common::Error& error, std::string_view param = {},
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    return answer.respondError(error, param, std::move(headers));
  }
};

}  // namespace llmproxy::worker
