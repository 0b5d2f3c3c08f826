// Active provider health checks (see health_checker.h).
#include "worker/upstream/health_checker.h"

#include <algorithm>
#include <span>

#include "common/log/log.h"
#include "worker/protocol/path_segment.h"
#include "worker/protocol/request_head.h"

namespace llmproxy::worker {

struct HealthChecker::Check final : UpstreamCallbacks {
  std::string provider_id;
  common::ProviderHealthEntry* health = nullptr;
  common::HealthPolicy policy;
  std::string head;
  std::unique_ptr<UpstreamCall> call;
  int64_t deadline_ms = 0;
  int status = 0;
  bool done = false;
  std::string error;

  void onUpstreamHead(UpstreamResponseHead h) override { status = h.status; }
  void onUpstreamBody(BodySlice) override {}
  void onUpstreamEnd() override { done = true; }
  void onUpstreamError(const common::Error& e, bool, bool) override {
    if (done) return;
    done = true;
    error = e.detail;
  }
};

HealthChecker::HealthChecker(UpstreamClient& client) : client_(client) {}
HealthChecker::~HealthChecker() = default;

std::string HealthChecker::requestHead(const ProviderRuntime& provider) {
  const common::ProviderConfig& pc = *provider.config;
  std::string h = "GET " + pc.url.base_path;
  if (pc.type == common::ProviderType::Azure) {
    h += "/openai/models?api-version=";
    protocol::appendPercentEncoded(h, pc.api_version);
  } else {
    h += "/models";
  }
  h += " HTTP/1.1\r\n";
  h += provider.host_header;
  h += provider.auth_header;
  h += provider.version_header;
  h += "User-Agent: llmproxy-health-check\r\n";
  protocol::appendHeadEnd(h, "health-check", 0);
  return h;
}

void HealthChecker::start(const ProviderRuntime& provider, int64_t now_ms,
                          std::chrono::milliseconds connect_timeout) {
  auto check = std::make_unique<Check>();
  check->provider_id = provider.config->id;
  check->health = provider.health;
  check->policy = provider.health_policy;
  check->head = requestHead(provider);
  check->deadline_ms = now_ms + connect_timeout.count() + kHealthCheckTimeoutMs;
  const uv_buf_t piece = uv_buf_init(check->head.data(), static_cast<unsigned>(check->head.size()));
  check->call = client_.start(provider.origin, std::span<const uv_buf_t>(&piece, 1), check.get(),
                              connect_timeout);
  if (!check->call) {
    check->done = true;
    check->error = "the request could not be started";
  }
  checks_.push_back(std::move(check));
}

void HealthChecker::tick(const RuntimeConfig& config, int64_t now_ms) {
  for (auto it = checks_.begin(); it != checks_.end();) {
    Check& c = **it;
    if (!c.done && now_ms < c.deadline_ms) {
      ++it;
      continue;
    }
    const bool ok = c.done && c.error.empty() && c.status >= 200 && c.status < 300;
    common::ProviderHealth::recordCheck(c.health, c.policy, ok, c.status, now_ms);
    if (ok) {
      LLMP_LOG_INFO("provider \"{}\" passed its health check (status {}), back in rotation",
                    c.provider_id, c.status);
    } else {
      LLMP_LOG_DEBUG("provider \"{}\" failed its health check: {}", c.provider_id,
                     !c.done            ? std::string("no answer in time")
                     : !c.error.empty() ? c.error
                                        : "status " + std::to_string(c.status));
    }
    it = checks_.erase(it);  // destroys the call: never inside its callbacks
  }
  for (const ProviderRuntime& p : config.provider_runtime) {
    if (!p.config->enabled || p.config->health_check_interval.count() <= 0 || !p.health) continue;
    const auto state = common::ProviderHealth::state(p.health, now_ms);
    if (state != common::ProviderState::Down && state != common::ProviderState::HalfOpen) continue;
    const bool running = std::any_of(checks_.begin(), checks_.end(), [&](const auto& c) {
      return c->provider_id == p.config->id;
    });
    if (running) continue;
    if (!common::ProviderHealth::claimCheck(p.health, now_ms,
                                            p.config->health_check_interval.count()))
      continue;
    start(p, now_ms, config.server.connect_timeout);
  }
}

}  // namespace llmproxy::worker
