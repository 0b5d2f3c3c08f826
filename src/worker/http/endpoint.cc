// Facts about each Endpoint: admin or not, proxied or not, its fixed metric label.
#include "worker/http/endpoint.h"

namespace llmproxy::worker {

bool isAdminEndpoint(Endpoint e) {
  switch (e) {
    case Endpoint::AdminConfigVersion:
    case Endpoint::AdminConfigReload:
    case Endpoint::AdminStatus:
    case Endpoint::AdminProviders:
    case Endpoint::AdminProvider:
    case Endpoint::AdminProviderHealth:
    case Endpoint::AdminCredentials:
    case Endpoint::AdminCredential:
    case Endpoint::AdminAuthValidate:
    case Endpoint::AdminUsage:
    case Endpoint::HealthDetailed:
    case Endpoint::AdminRecentRequests:
    case Endpoint::AdminConfig: return true;
    case Endpoint::AdminPrices:
    case Endpoint::AdminPrice:
    case Endpoint::AdminSpend:
    case Endpoint::AdminResetSpend: return true;
    // No default: a new Endpoint must be classified here (-Wswitch), so an admin route can
    // never be added without the admin key check by forgetting this list.
    case Endpoint::None:
    case Endpoint::Health:
    case Endpoint::Metrics:
    case Endpoint::UiRedirect:
    case Endpoint::UiFile:
    case Endpoint::Models:
    case Endpoint::ModelInfo:
    case Endpoint::ChatCompletions:
    case Endpoint::Completions:
    case Endpoint::Embeddings:
    case Endpoint::Messages:
    case Endpoint::CountTokens:
    case Endpoint::Responses:
    case Endpoint::EventLogging: return false;
  }
  return false;
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
    case Endpoint::AdminProviders: return "/admin/v1/providers";
    case Endpoint::AdminProvider: return "/admin/v1/providers/{id}";
    case Endpoint::AdminProviderHealth: return "/admin/v1/providers/{id}/health";
    case Endpoint::AdminCredentials: return "/admin/v1/credentials";
    case Endpoint::AdminCredential: return "/admin/v1/credentials/{id}";
    case Endpoint::AdminAuthValidate: return "/admin/v1/auth/validate";
    case Endpoint::AdminUsage: return "/admin/v1/usage";
    case Endpoint::AdminRecentRequests: return "/admin/v1/usage/requests";
    case Endpoint::AdminConfig: return "/admin/v1/config";
    case Endpoint::UiRedirect: return "/";
    case Endpoint::UiFile: return "/ui/";
    case Endpoint::AdminPrices: return "/admin/v1/prices";
    case Endpoint::AdminPrice: return "/admin/v1/prices/{id}";
    case Endpoint::AdminSpend: return "/admin/v1/spend";
    case Endpoint::AdminResetSpend: return "/admin/v1/credentials/{id}/reset_spend";
    case Endpoint::ModelInfo: return "/v1/model/info";
    case Endpoint::Models: return "/v1/models";
    case Endpoint::ChatCompletions: return "/v1/chat/completions";
    case Endpoint::Completions: return "/v1/completions";
    case Endpoint::Embeddings: return "/v1/embeddings";
    case Endpoint::Messages: return "/v1/messages";
    case Endpoint::CountTokens: return "/v1/messages/count_tokens";
    case Endpoint::Responses: return "/v1/responses";
    case Endpoint::EventLogging: return "/api/event_logging/batch";
  }
  return "other";
}

bool isProxyEndpoint(Endpoint e) {
  return e == Endpoint::ChatCompletions || e == Endpoint::Completions ||
         e == Endpoint::Embeddings || e == Endpoint::Messages || e == Endpoint::CountTokens ||
         e == Endpoint::Responses;
}

}  // namespace llmproxy::worker
