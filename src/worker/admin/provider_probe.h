// Admin: POST /admin/v1/providers/{id}/health — probe a provider of the running configuration
// ({id} = provider_key, or the numeric database id) by sending each of its listed models a
// minimal chat completion (max_tokens 1, one-word message) through the worker's upstream
// client, kProbeConcurrency at a time, all within kProbeTimeoutMs. The body may name the models
// to probe: {"models": ["a", "b"]}; otherwise the provider's `models` are probed (at most
// kMaxProbedModels). Answers 200:
//   {"provider":"openai-main","ok":false,"models":[{"model":"gpt-4o","ok":true,"status":200,
//     "latency_ms":312.5,"error":null}, ...]}
// The provider's api key is never part of the answer (it is also cut out of upstream error
// messages quoted in "error").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/uv/uv_timer.h"
#include "worker/handlers/local_call.h"
#include "worker/runtime_config.h"

namespace llmproxy::worker::admin {

inline constexpr size_t kProbeConcurrency = 4;
inline constexpr size_t kMaxProbedModels = 32;
inline constexpr uint64_t kProbeTimeoutMs = 15'000;

Outcome providerHealth(LocalCall& call);

// The probes of one request; owned by the exchange's AdminState. Worker-loop-only.
class ProviderProbe {
 public:
  ProviderProbe(LocalCall& call, const ProviderRuntime& provider, std::vector<std::string> models);
  ~ProviderProbe();
  ProviderProbe(const ProviderProbe&) = delete;
  ProviderProbe& operator=(const ProviderProbe&) = delete;

  void start();
  bool done() const { return finished_ == items_.size(); }
  std::string render() const;

 private:
  struct Item;
  static void onTimeout(void* self);
  void launch(Item& item);
  void itemDone(Item& item);
  void resumeExchange();

  UpstreamClient& upstream_client_;
  Waker waker_;  // resumes the waiting exchange once every model has answered
  std::string request_id_;
  std::chrono::milliseconds connect_timeout_;
  const ProviderRuntime& provider_;
  std::vector<std::unique_ptr<Item>> items_;
  size_t next_ = 0;
  size_t finished_ = 0;
  common::UvTimer timer_;
  bool resumed_ = false;
  bool starting_ = false;  // inside start(): completions do not resume the exchange
};

}  // namespace llmproxy::worker::admin
