// Stage 20: (listener, method, path) -> Endpoint, or 404 / 405.
#include <array>
#include <string_view>

#include "worker/http/downstream_conn.h"
#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker {
namespace {

enum Listeners : uint8_t { kApi = 1, kAdmin = 2, kBoth = 3 };

struct RouteEntry {
  std::string_view path;
  std::string_view method;
  Endpoint endpoint;
  uint8_t listeners;
};

constexpr std::array kRoutes{
    RouteEntry{"/health", "GET", Endpoint::Health, kBoth},
    RouteEntry{"/health/detailed", "GET", Endpoint::HealthDetailed, kBoth},
    RouteEntry{"/metrics", "GET", Endpoint::Metrics, kBoth},
    RouteEntry{"/admin/v1/config/version", "GET", Endpoint::AdminConfigVersion, kAdmin},
    RouteEntry{"/admin/v1/config/reload", "POST", Endpoint::AdminConfigReload, kAdmin},
    RouteEntry{"/admin/v1/status", "GET", Endpoint::AdminStatus, kAdmin},
    RouteEntry{"/v1/chat/completions", "POST", Endpoint::ChatCompletions, kApi},
    RouteEntry{"/v1/completions", "POST", Endpoint::Completions, kApi},
    RouteEntry{"/v1/embeddings", "POST", Endpoint::Embeddings, kApi},
    RouteEntry{"/v1/models", "GET", Endpoint::Models, kApi},
    // The seeds' aliases without /v1.
    RouteEntry{"/chat/completions", "POST", Endpoint::ChatCompletions, kApi},
    RouteEntry{"/completions", "POST", Endpoint::Completions, kApi},
    RouteEntry{"/embeddings", "POST", Endpoint::Embeddings, kApi},
    RouteEntry{"/models", "GET", Endpoint::Models, kApi},
};

}  // namespace

bool isAdminEndpoint(Endpoint e) {
  return e == Endpoint::AdminConfigVersion || e == Endpoint::AdminConfigReload ||
         e == Endpoint::AdminStatus;
}

const char* endpointLabel(Endpoint e) {
  switch (e) {
    case Endpoint::None: return "other";
    case Endpoint::Health: return "/health";
    case Endpoint::HealthDetailed: return "/health/detailed";
    case Endpoint::Metrics: return "/metrics";
    case Endpoint::AdminConfigVersion: return "/admin/v1/config/version";
    case Endpoint::AdminConfigReload: return "/admin/v1/config/reload";
    case Endpoint::AdminStatus: return "/admin/v1/status";
    case Endpoint::Models: return "/v1/models";
    case Endpoint::ChatCompletions: return "/v1/chat/completions";
    case Endpoint::Completions: return "/v1/completions";
    case Endpoint::Embeddings: return "/v1/embeddings";
  }
  return "other";
}

bool isProxyEndpoint(Endpoint e) {
  return e == Endpoint::ChatCompletions || e == Endpoint::Completions ||
         e == Endpoint::Embeddings;
}

Outcome stage::route(Exchange& ex) {
  const uint8_t listener = ex.conn.isAdminListener() ? kAdmin : kApi;
  const std::string_view path = ex.request.path();
  std::string_view method = ex.request.method;
  if (method == "HEAD") method = "GET";  // answered like GET, without the body
  std::string allow;
  for (const auto& r : kRoutes) {
    if (!(r.listeners & listener) || r.path != path) continue;
    if (r.method == method) {
      ex.endpoint = r.endpoint;
      return Outcome::Next;
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (allow.empty())
    return pipeline::respondError(
        ex, {common::ErrorKind::NotFound, "Unknown request URL: " + ex.request.method + " " +
                                              std::string(path),
             0});
  Response r = Response::error({common::ErrorKind::MethodNotAllowed,
                                "Method " + ex.request.method + " is not allowed for " +
                                    std::string(path) + " (allowed: " + allow + ")",
                                0});
  r.headers.emplace_back("Allow", allow);
  return pipeline::respond(ex, std::move(r));
}

}  // namespace llmproxy::worker
