// Building the per-generation indexes.
#include "worker/runtime_config.h"

#include <arpa/inet.h>

#include "worker/protocol/item_ids.h"
#include "worker/protocol/provider_headers.h"

namespace llmproxy::worker {
namespace {

bool isNumericHost(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

bool authRequired(const common::Config& config) {
  // allow_unauthenticated opens the API only when no key source exists at all. With a
  // database, the keys are its rows: deleting or breaking every one of them must leave the
  // API closed (every call 401), never open.
  return !config.server.allow_unauthenticated || !config.keys.empty() ||
         !config.database.url.empty();
}

common::Result<std::shared_ptr<RuntimeConfig>> RuntimeConfig::build(common::Config config,
                                                                    common::ProviderHealth* health) {
  auto rc = std::make_shared<RuntimeConfig>();
  static_cast<common::Config&>(*rc) = std::move(config);
  rc->key_index = KeyMatcher(rc->keys);
  rc->limit_plans = buildLimitPlans(*rc);
  rc->auth_required = authRequired(*rc);
  auto matcher = ModelMatcher::build(rc->providers);
  if (!matcher) return std::unexpected(matcher.error());
  rc->model_index = std::make_unique<ModelMatcher>(std::move(*matcher));
  protocol::setItemIdKey(*rc);  // Responses item ids carry items under this config's key
  rc->price_table = std::make_unique<PriceTable>(rc->prices, rc->providers);
  rc->provider_runtime.reserve(rc->providers.size());
  for (const auto& p : rc->providers) {
    ProviderRuntime pr;
    pr.config = &p;
    pr.origin.tls = p.url.tls;
    pr.origin.host = p.url.host;
    pr.origin.port = p.url.port;
    pr.origin.sni = isNumericHost(p.url.host) ? "" : p.url.host;
    pr.origin.verify = p.verify_ssl;
    pr.origin.ca_file = p.ca_file;
    pr.host_header = protocol::hostHeaderLine(p);
    pr.auth_header = protocol::authHeaderLine(p);
    pr.version_header = protocol::versionHeaderLine(p);
    if (health) pr.health = health->entry(p.id);
    pr.health_policy.max_fails = p.max_fails;
    pr.health_policy.fail_timeout_ms = p.fail_timeout.count();
    pr.health_policy.active_checks = p.health_check_interval.count() > 0;
    rc->provider_runtime.push_back(std::move(pr));
  }
  return rc;
}

}  // namespace llmproxy::worker
