// What a request asks for, decided by the route stage from (listener, method, path). Kept in
// http/, a lower layer, so cache/ can name it; the route table itself is in pipeline/20_route.
#pragma once

#include <cstdint>

namespace llmproxy::worker {

enum class Endpoint : uint8_t {
  None,
  Health,
  HealthDetailed,
  Metrics,
  AdminConfigVersion,
  AdminConfigReload,
  AdminStatus,
  AdminProviders,       // GET, POST /admin/v1/providers
  AdminProvider,        // GET, PUT, DELETE /admin/v1/providers/{id}
  AdminProviderHealth,  // POST /admin/v1/providers/{id}/health
  AdminCredentials,     // GET, POST /admin/v1/credentials
  AdminCredential,      // GET, PUT, DELETE /admin/v1/credentials/{id}
  AdminAuthValidate,    // POST /admin/v1/auth/validate
  AdminUsage,       // GET /admin/v1/usage
  AdminRecentRequests,  // GET /admin/v1/usage/requests
  AdminConfig,      // GET /admin/v1/config (the running configuration, secrets masked)
  UiRedirect,       // GET / and /ui on the admin listener: 302 to /ui/
  UiFile,           // GET /ui/... on the admin listener: the web UI's files (no key needed)
  AdminPrices,      // GET, POST /admin/v1/prices
  AdminPrice,       // GET, PUT, DELETE /admin/v1/prices/{id}
  AdminSpend,       // GET /admin/v1/spend
  AdminResetSpend,  // POST /admin/v1/credentials/{id}/reset_spend
  ModelInfo,        // GET /v1/model/info, /model/info (LiteLLM's shape)
  Models,           // GET /v1/models
  ChatCompletions,  // POST /v1/chat/completions
  Completions,      // POST /v1/completions
  Embeddings,       // POST /v1/embeddings
  Messages,         // POST /v1/messages (Anthropic Messages)
  CountTokens,      // POST /v1/messages/count_tokens
  Responses,        // POST /v1/responses (OpenAI Responses)
  EventLogging,     // POST /api/event_logging/batch (Claude Code telemetry, answered locally)
};

// Admin endpoints need the admin key; the others are public (issue 3 adds client keys).
bool isAdminEndpoint(Endpoint e);
// A fixed name per endpoint, for metric labels (never the raw path).
const char* endpointLabel(Endpoint e);
// Forwarded to a provider.
bool isProxyEndpoint(Endpoint e);
// Needs a client key (when keys are configured).
inline bool needsClientKey(Endpoint e) {
  return e == Endpoint::Models || e == Endpoint::ModelInfo || e == Endpoint::EventLogging ||
         isProxyEndpoint(e);
}
// Answers in Anthropic's shapes (errors, the models list asked with anthropic-version).
inline bool isAnthropicEndpoint(Endpoint e) {
  return e == Endpoint::Messages || e == Endpoint::CountTokens || e == Endpoint::EventLogging;
}

}  // namespace llmproxy::worker
