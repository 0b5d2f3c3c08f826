// Stage 20: (listener, method, path) -> Endpoint, or 404 / 405. A path segment written `{id}`
// in the table matches any one non-empty segment, which the handler reads as ex.route_param;
// a last segment `{*}` matches the rest of the path (possibly empty), read the same way.
#include <array>
#include <string_view>

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
    // Names the config file, providers' failures and the database's state: admin only.
    RouteEntry{"/health/detailed", "GET", Endpoint::HealthDetailed, kAdmin},
    RouteEntry{"/metrics", "GET", Endpoint::Metrics, kBoth},
    RouteEntry{"/admin/v1/config/version", "GET", Endpoint::AdminConfigVersion, kAdmin},
    RouteEntry{"/admin/v1/config/reload", "POST", Endpoint::AdminConfigReload, kAdmin},
    RouteEntry{"/admin/v1/status", "GET", Endpoint::AdminStatus, kAdmin},
    RouteEntry{"/admin/v1/providers", "GET", Endpoint::AdminProviders, kAdmin},
    RouteEntry{"/admin/v1/providers", "POST", Endpoint::AdminProviders, kAdmin},
    RouteEntry{"/admin/v1/providers/{id}", "GET", Endpoint::AdminProvider, kAdmin},
    RouteEntry{"/admin/v1/providers/{id}", "PUT", Endpoint::AdminProvider, kAdmin},
    RouteEntry{"/admin/v1/providers/{id}", "DELETE", Endpoint::AdminProvider, kAdmin},
    RouteEntry{"/admin/v1/providers/{id}/health", "POST", Endpoint::AdminProviderHealth, kAdmin},
    RouteEntry{"/admin/v1/credentials", "GET", Endpoint::AdminCredentials, kAdmin},
    RouteEntry{"/admin/v1/credentials", "POST", Endpoint::AdminCredentials, kAdmin},
    RouteEntry{"/admin/v1/credentials/{id}", "GET", Endpoint::AdminCredential, kAdmin},
    RouteEntry{"/admin/v1/credentials/{id}", "PUT", Endpoint::AdminCredential, kAdmin},
    RouteEntry{"/admin/v1/credentials/{id}", "DELETE", Endpoint::AdminCredential, kAdmin},
    RouteEntry{"/admin/v1/auth/validate", "POST", Endpoint::AdminAuthValidate, kAdmin},
    RouteEntry{"/admin/v1/usage", "GET", Endpoint::AdminUsage, kAdmin},
    RouteEntry{"/admin/v1/usage/requests", "GET", Endpoint::AdminRecentRequests, kAdmin},
    RouteEntry{"/admin/v1/config", "GET", Endpoint::AdminConfig, kAdmin},
    // The web UI (docs/ui.md): its files, and its playground's way into the proxy pipeline
    // with a client key, so the browser needs no CORS on the API port.
    RouteEntry{"/", "GET", Endpoint::UiRedirect, kAdmin},
    RouteEntry{"/ui", "GET", Endpoint::UiRedirect, kAdmin},
    RouteEntry{"/ui/{*}", "GET", Endpoint::UiFile, kAdmin},
    RouteEntry{"/playground/v1/chat/completions", "POST", Endpoint::ChatCompletions, kAdmin},
    RouteEntry{"/playground/v1/messages", "POST", Endpoint::Messages, kAdmin},
    RouteEntry{"/playground/v1/models", "GET", Endpoint::Models, kAdmin},
    RouteEntry{"/admin/v1/prices", "GET", Endpoint::AdminPrices, kAdmin},
    RouteEntry{"/admin/v1/prices", "POST", Endpoint::AdminPrices, kAdmin},
    RouteEntry{"/admin/v1/prices/{id}", "GET", Endpoint::AdminPrice, kAdmin},
    RouteEntry{"/admin/v1/prices/{id}", "PUT", Endpoint::AdminPrice, kAdmin},
    RouteEntry{"/admin/v1/prices/{id}", "DELETE", Endpoint::AdminPrice, kAdmin},
    RouteEntry{"/admin/v1/spend", "GET", Endpoint::AdminSpend, kAdmin},
    RouteEntry{"/admin/v1/credentials/{id}/reset_spend", "POST", Endpoint::AdminResetSpend,
               kAdmin},
    RouteEntry{"/v1/chat/completions", "POST", Endpoint::ChatCompletions, kApi},
    RouteEntry{"/v1/completions", "POST", Endpoint::Completions, kApi},
    RouteEntry{"/v1/embeddings", "POST", Endpoint::Embeddings, kApi},
    RouteEntry{"/v1/models", "GET", Endpoint::Models, kApi},
    RouteEntry{"/v1/model/info", "GET", Endpoint::ModelInfo, kApi},
    RouteEntry{"/model/info", "GET", Endpoint::ModelInfo, kApi},
    RouteEntry{"/v1/messages", "POST", Endpoint::Messages, kApi},
    RouteEntry{"/v1/messages/count_tokens", "POST", Endpoint::CountTokens, kApi},
    RouteEntry{"/v1/responses", "POST", Endpoint::Responses, kApi},
    RouteEntry{"/api/event_logging/batch", "POST", Endpoint::EventLogging, kApi},
    // The seeds' aliases without /v1, and with /v2.
    RouteEntry{"/chat/completions", "POST", Endpoint::ChatCompletions, kApi},
    RouteEntry{"/completions", "POST", Endpoint::Completions, kApi},
    RouteEntry{"/embeddings", "POST", Endpoint::Embeddings, kApi},
    RouteEntry{"/models", "GET", Endpoint::Models, kApi},
    RouteEntry{"/messages", "POST", Endpoint::Messages, kApi},
    RouteEntry{"/messages/count_tokens", "POST", Endpoint::CountTokens, kApi},
    RouteEntry{"/responses", "POST", Endpoint::Responses, kApi},
    RouteEntry{"/v2/chat/completions", "POST", Endpoint::ChatCompletions, kApi},
    RouteEntry{"/v2/messages", "POST", Endpoint::Messages, kApi},
    RouteEntry{"/v2/messages/count_tokens", "POST", Endpoint::CountTokens, kApi},
    RouteEntry{"/v2/responses", "POST", Endpoint::Responses, kApi},
};

constexpr size_t kMaxParamSize = 256;  // longer segments match no route (404)

// True when `path` fits `pattern`; a `{id}` segment captures one non-empty segment.
bool matchPath(std::string_view pattern, std::string_view path, std::string_view& param) {
  while (!pattern.empty() && !path.empty()) {
    const size_t pe = pattern.find('/', 1);
    const size_t se = path.find('/', 1);
    const std::string_view pseg = pattern.substr(0, pe);
    const std::string_view sseg = path.substr(0, se);
    if (pseg == "/{*}") {
      if (path.size() > kMaxParamSize + 1) return false;
      param = path.substr(1);
      return true;
    }
    if (pseg == "/{id}") {
      if (sseg.size() < 2 || sseg.size() > kMaxParamSize + 1) return false;
      param = sseg.substr(1);
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view{} : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view{} : path.substr(se);
  }
  return pattern.empty() && path.empty();
}

}  // namespace

Outcome stage::route(Exchange& ex) {
  const uint8_t listener = ex.conn.isAdminListener() ? kAdmin : kApi;
  const std::string_view path = ex.request.path();
  std::string_view method = ex.request.method;
  if (method == "HEAD") method = "GET";  // answered like GET, without the body
  std::string allow;
  for (const auto& r : kRoutes) {
    std::string_view param;
    if (!(r.listeners & listener) || !matchPath(r.path, path, param)) continue;
    if (r.method == method) {
      ex.endpoint = r.endpoint;
      ex.route_param = param;
      // Only POST and PUT routes read a body. Any other refuses one before it is read (the
      // connection closes after the answer): nothing is buffered for an endpoint that
      // ignores it, and most of those need no key.
      if (ex.request.has_body && r.method != "POST" && r.method != "PUT")
        return pipeline::respondError(
            ex, {common::ErrorKind::PayloadTooLarge,
                 ex.request.method + " " + std::string(path) + " takes no request body", 0});
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
  return pipeline::respondError(ex,
                                {common::ErrorKind::MethodNotAllowed,
                                 "Method " + ex.request.method + " is not allowed for " +
                                     std::string(path) + " (allowed: " + allow + ")",
                                 0},
                                {}, {{"Allow", allow}});
}

}  // namespace llmproxy::worker
