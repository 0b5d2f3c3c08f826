// Active health checks: while a provider with `health_check_interval` is out (down or
// half-open), one GET of its model list every interval, node-wide (the shared health table
// hands each check to one worker), decides when it comes back; no user request is risked on
// it. The request is the cheapest every provider type answers without spending tokens:
// GET <api_base>/models (Azure: <api_base>/openai/models?api-version=...), with the provider's
// key; a 2xx within the check's time limit brings the provider back, anything else keeps it
// out for another fail_timeout. Worker-loop-only; driven by the worker's timer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/shm/provider_health.h"
#include "worker/runtime_config.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

// How long one check may take after its connection is made (connect_timeout comes first).
inline constexpr int64_t kHealthCheckTimeoutMs = 5'000;

class HealthChecker {
 public:
  explicit HealthChecker(UpstreamClient& client);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Settles finished and overdue checks, then starts the checks that are due. Called from a
  // timer (never from an upstream callback: settling destroys calls).
  void tick(const RuntimeConfig& config, int64_t now_ms);
  size_t inFlight() const { return checks_.size(); }

  // The request a check sends (exposed for tests): "GET /v1/models HTTP/1.1\r\n..." .
  static std::string requestHead(const ProviderRuntime& provider);

 private:
  struct Check;
  void start(const ProviderRuntime& provider, int64_t now_ms,
             std::chrono::milliseconds connect_timeout);

  UpstreamClient& client_;
  std::vector<std::unique_ptr<Check>> checks_;
};

}  // namespace llmproxy::worker
