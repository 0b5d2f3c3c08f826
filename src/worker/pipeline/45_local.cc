// Stage 45: the endpoints the proxy answers itself; proxy endpoints go on to resolve. The
// handlers see the exchange only through the LocalCall built here (handlers/local_call.h).
#include "worker/admin/admin_state.h"
#include "worker/admin/auth_validate_api.h"
#include "worker/admin/config_api.h"
#include "worker/admin/credentials_api.h"
#include "worker/admin/effective_config_api.h"
#include "worker/admin/provider_probe.h"
#include "worker/admin/prices_api.h"
#include "worker/admin/providers_api.h"
#include "worker/admin/recent_requests_api.h"
#include "worker/admin/status_api.h"
#include "worker/admin/usage_api.h"
#include "worker/handlers/health.h"
#include "worker/handlers/health_detailed.h"
#include "worker/handlers/local_call.h"
#include "worker/handlers/metrics.h"
#include "worker/handlers/model_info.h"
#include "worker/handlers/models.h"
#include "worker/handlers/ui_static.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {
namespace {

// The exchange's answers, for its handler.
class ExchangeAnswer final : public Answer {
 public:
  explicit ExchangeAnswer(Exchange& ex) : ex_(ex) {}
  Outcome respond(Response response) override {
    return pipeline::respond(ex_, std::move(response));
  }
  Outcome respondError(const common::Error& error, std::string_view param,
                       std::vector<std::pair<std::string, std::string>> headers) override {
    return pipeline::respondError(ex_, error, param, std::move(headers));
  }

 private:
  Exchange& ex_;
};

WakeRegistry<Exchange>& registry(void* exchanges) {
  return *static_cast<WakeRegistry<Exchange>*>(exchanges);
}
admin::AdminState* adminStateOf(void* exchanges, common::WakeToken token) {
  Exchange* ex = registry(exchanges).find(token);
  return ex ? ex->admin.get() : nullptr;
}
bool wakeExchange(void* exchanges, common::WakeToken token) {
  return pipeline::wake(registry(exchanges), token);
}

Outcome runHandler(LocalCall& call) {
  switch (call.endpoint) {
    case Endpoint::Health:
      return handlers::health(call);
    case Endpoint::HealthDetailed:
      return handlers::healthDetailed(call);
    case Endpoint::Metrics:
      return handlers::metrics(call);
    case Endpoint::AdminConfigVersion:
      return admin::configVersion(call);
    case Endpoint::AdminConfigReload:
      return admin::configReload(call);
    case Endpoint::AdminStatus:
      return admin::status(call);
    case Endpoint::AdminProviders:
      return admin::providers(call);
    case Endpoint::AdminProvider:
      return admin::provider(call);
    case Endpoint::AdminProviderHealth:
      return admin::providerHealth(call);
    case Endpoint::AdminCredentials:
      return admin::credentials(call);
    case Endpoint::AdminCredential:
      return admin::credential(call);
    case Endpoint::AdminAuthValidate:
      return admin::authValidate(call);
    case Endpoint::AdminUsage:
      return admin::usage(call);
    case Endpoint::AdminRecentRequests:
      return admin::recentRequests(call);
    case Endpoint::AdminConfig:
      return admin::effectiveConfig(call);
    case Endpoint::UiRedirect:
      return handlers::uiRedirect(call);
    case Endpoint::UiFile:
      return handlers::uiFile(call);
    case Endpoint::AdminPrices:
      return admin::prices(call);
    case Endpoint::AdminPrice:
      return admin::price(call);
    case Endpoint::AdminSpend:
      return admin::spend(call);
    case Endpoint::AdminResetSpend:
      return admin::resetSpend(call);
    case Endpoint::ModelInfo:
      return handlers::modelInfo(call);
    case Endpoint::Models:
      return handlers::models(call);
    case Endpoint::EventLogging:
      return handlers::eventLogging(call);
    case Endpoint::ChatCompletions:
    case Endpoint::Completions:
    case Endpoint::Embeddings:
    case Endpoint::Messages:
    case Endpoint::CountTokens:
    case Endpoint::Responses:
    case Endpoint::None: break;
  }
  return call.respondError({common::ErrorKind::Internal, "no handler", 0});
}

}  // namespace

Outcome stage::local(Exchange& ex) {
  if (isProxyEndpoint(ex.endpoint)) return Outcome::Next;
  Services& s = ex.services;
  const LocalServices services{s.loop,     s.shm,   s.master_pid,      s.config_view,
                               s.draining, s.redis, s.upstream_client, s.admin_db};
  ExchangeAnswer answer(ex);
  LocalCall call{ex.request,
                 ex.config.get(),
                 ex.endpoint,
                 ex.route_param,
                 ex.request_id,
                 ex.client_key,
                 services,
                 ex.admin,
                 Waker{&s.exchanges, &adminStateOf, &wakeExchange, pipeline::wakeToken(ex)},
                 answer};
  return runHandler(call);
}

}  // namespace llmproxy::worker
