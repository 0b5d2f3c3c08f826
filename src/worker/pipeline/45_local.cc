// Stage 45: the endpoints the proxy answers itself; proxy endpoints go on to resolve.
#include "worker/admin/auth_validate_api.h"
#include "worker/admin/config_api.h"
#include "worker/admin/credentials_api.h"
#include "worker/admin/provider_probe.h"
#include "worker/admin/providers_api.h"
#include "worker/admin/status_api.h"
#include "worker/admin/usage_api.h"
#include "worker/handlers/health.h"
#include "worker/handlers/health_detailed.h"
#include "worker/handlers/metrics.h"
#include "worker/handlers/models.h"
#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker {

Outcome stage::local(Exchange& ex) {
  switch (ex.endpoint) {
    case Endpoint::Health: return handlers::health(ex);
    case Endpoint::HealthDetailed: return handlers::healthDetailed(ex);
    case Endpoint::Metrics: return handlers::metrics(ex);
    case Endpoint::AdminConfigVersion: return admin::configVersion(ex);
    case Endpoint::AdminConfigReload: return admin::configReload(ex);
    case Endpoint::AdminStatus: return admin::status(ex);
    case Endpoint::AdminProviders: return admin::providers(ex);
    case Endpoint::AdminProvider: return admin::provider(ex);
    case Endpoint::AdminProviderHealth: return admin::providerHealth(ex);
    case Endpoint::AdminCredentials: return admin::credentials(ex);
    case Endpoint::AdminCredential: return admin::credential(ex);
    case Endpoint::AdminAuthValidate: return admin::authValidate(ex);
    case Endpoint::AdminUsage: return admin::usage(ex);
    case Endpoint::Models: return handlers::models(ex);
    case Endpoint::ChatCompletions:
    case Endpoint::Completions:
    case Endpoint::Embeddings: return Outcome::Next;
    case Endpoint::None: break;
  }
  return pipeline::respondError(ex, {common::ErrorKind::Internal, "no handler", 0});
}

}  // namespace llmproxy::worker
