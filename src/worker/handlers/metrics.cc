// Prometheus exposition from common::renderPrometheus.
#include "worker/handlers/metrics.h"

#include "common/shm/metrics.h"

namespace llmproxy::worker::handlers {

Outcome metrics(LocalCall& call) {
  std::vector<std::string> ids;
  ids.reserve(call.config->provider_runtime.size());
  for (const auto& p : call.config->provider_runtime) ids.push_back(p.config->id);
  Response r = Response::json(200, common::renderPrometheus(call.services.shm, ids));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return call.respond(std::move(r));
}

}  // namespace llmproxy::worker::handlers
