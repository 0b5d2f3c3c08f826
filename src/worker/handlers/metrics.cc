// Prometheus exposition from common::renderPrometheus.
#include "worker/handlers/metrics.h"

#include "common/shm/metrics.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker::handlers {

Outcome metrics(Exchange& ex) {
  std::vector<std::string> ids;
  ids.reserve(ex.config->provider_runtime.size());
  for (const auto& p : ex.config->provider_runtime) ids.push_back(p.config->id);
  Response r = Response::json(200, common::renderPrometheus(ex.services.shm, ids));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return pipeline::respond(ex, std::move(r));
}

}  // namespace llmproxy::worker::handlers
