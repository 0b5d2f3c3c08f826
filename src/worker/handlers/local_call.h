// LocalCall: what a local handler (handlers/, admin/) sees of the request it answers and how it
// answers, so handlers know nothing of the pipeline. Stage 45 fills one from the exchange and
// implements respond(). A handler either answers at once or starts something asynchronous and
// returns LocalOutcome::Wait; the completion wakes the exchange through `token` and the
// waker (the pipeline's one wake mechanism: a stale token — the exchange is gone or moved on —
// is dropped), and stage 45 runs the handler again. State kept between runs lives in the
// exchange's LocalState, created on first use and freed with the exchange. Worker-loop-only.
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
#include "worker/config_view.h"
#include "worker/http/request.h"
#include "worker/http/response.h"
#include "worker/runtime_config.h"

namespace llmproxy::worker {

struct ClientKey;
class RedisClient;
class UpstreamClient;
namespace admin {
class AdminDb;
}

enum class LocalOutcome : uint8_t {
  Responded,  // the answer is queued on the connection
  Wait,       // an asynchronous step started; its completion wakes the exchange
};

// What a waiting handler keeps between its runs (e.g. admin::AdminState).
struct LocalState {
  virtual ~LocalState() = default;
};

// The pipeline's side of waking: find the waiting call's state, run the handler again. Both
// do nothing for a stale token.
class LocalWaker {
 public:
  virtual LocalState* stateFor(common::WakeToken token) = 0;
  virtual void wake(common::WakeToken token) = 0;

 protected:
  ~LocalWaker() = default;
};

// What local handlers use of their worker.
struct LocalServices {
  uv_loop_t* loop;
  common::ShmRegion& shm;
  pid_t master_pid;
  const ConfigView& config_view;
  const bool& draining;
  RedisClient& redis;
  UpstreamClient& upstream_client;
  admin::AdminDb& admin_db;
  LocalWaker& waker;
};

class LocalCall {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  LocalCall(const Request& req, const std::shared_ptr<const RuntimeConfig>& cfg,
            std::string_view param, std::string_view rid, const ClientKey* key,
            LocalServices& svc, common::WakeToken wake_token, std::unique_ptr<LocalState>& st)
      : request(req),
        config(cfg),
        route_param(param),
        request_id(rid),
        client_key(key),
        services(svc),
        token(wake_token),
        state_slot(st) {}
  LocalCall(const LocalCall&) = delete;
  LocalCall& operator=(const LocalCall&) = delete;

  const Request& request;
  const std::shared_ptr<const RuntimeConfig>& config;  // pinned by the exchange
  std::string_view route_param;   // the `{id}` segment of an admin route ("" if none)
  std::string_view request_id;
  const ClientKey* client_key;    // null for admin calls and unauthenticated mode
  LocalServices& services;
  common::WakeToken token;        // for completions of this call's asynchronous steps

  // The call's state of type T (a LocalState), created on first use.
  template <typename T>
  T& state() {
    if (!state_slot) state_slot = std::make_unique<T>();
    return static_cast<T&>(*state_slot);
  }
  template <typename T>
  T* existingState() {
    return static_cast<T*>(state_slot.get());
  }

  virtual LocalOutcome respond(Response response) = 0;
  // The error answer from the error table (the exchange keeps `error` for its log line).
  virtual LocalOutcome respondError(const common::Error& error, std::string_view param = {},
                                    Headers headers = {}) = 0;

 protected:
  ~LocalCall() = default;

 private:
  std::unique_ptr<LocalState>& state_slot;
};

}  // namespace llmproxy::worker
