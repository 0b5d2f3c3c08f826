// The proxy half of an Exchange: the chosen candidates, the upstream attempt in flight and the
// relay's state. Owned by its Exchange. The attempt receives the upstream client's callbacks
// and hands each to the pipeline driver as an UpstreamEvent (stage 70 or 80 takes it).
// Worker-loop-only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/pooled.h"
#include "common/json/json_facts.h"
#include "common/protocol/api.h"
#include "common/shm/provider_health.h"
#include "common/uv/uv_timer.h"
#include "worker/auth/key_matcher.h"
#include "worker/limits/limit_plan.h"
#include "worker/cache/cache_policy.h"
#include "worker/limits/budget.h"
#include "worker/limits/limiter.h"
#include "worker/limits/redis_limiter.h"
#include "worker/pipeline/upstream_event.h"
#include "worker/pipeline/wake_registry.h"
#include "worker/protocol/outgoing_request.h"
#include "worker/redis/redis_client.h"
#include "worker/sse/sse_scanner.h"
#include "worker/sse/usage_extractor.h"
#include "worker/upstream/provider_gate.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

struct Exchange;
namespace protocol {
class Translator;
class TranslationState;
}  // namespace protocol

struct UpstreamCandidate {
  uint32_t provider;        // index into RuntimeConfig::providers
  std::string_view target;  // model name to send (views the pinned RuntimeConfig)
};

class UpstreamState;

// Stage 40 waiting for the Redis limit check. The reply is parsed into `check` and the
// exchange woken through its token (the waiter also unhooks itself when the exchange dies).
struct RedisLimitWait {
  RedisLimitWait(const KeyLimits& key_limits, WakeRegistry<Exchange>& registry,
                 common::WakeToken wake_token, RedisCallback cb)
      : limits(key_limits), exchanges(registry), token(wake_token), waiter(this, cb) {}
  const KeyLimits& limits;  // the exchange's (outlives this wait)
  WakeRegistry<Exchange>& exchanges;
  common::WakeToken token;
  bool answered = false;
  std::optional<LimitCheck> check;  // nullopt: Redis failed or was too slow (fall back)
  RedisWaiter waiter;               // last: unhooked first
};

// Stage 52 waiting for the Redis budget check (as RedisLimitWait).
struct RedisBudgetWait {
  RedisBudgetWait(WakeRegistry<Exchange>& registry, common::WakeToken wake_token,
                  RedisCallback cb)
      : exchanges(registry), token(wake_token), waiter(this, cb) {}
  WakeRegistry<Exchange>& exchanges;
  common::WakeToken token;
  bool answered = false;
  std::optional<RedisBudgetReply> reply;  // nullopt: Redis failed or was too slow
  std::string key;                        // the budget hash
  std::string hold;                       // this request's reservation there (r:<hold>)
  uint64_t estimate = 0;
  RedisWaiter waiter;                     // last: unhooked first
};

// The response cache's part of an exchange (stage 55 and the relay).
struct ExchangeCache {
  enum class Phase : uint8_t {
    Off,      // caching does not apply: no lookup, no store, no header
    Start,    // stage 55 not run yet
    Pending,  // lookup in flight (Redis)
    Looked,   // lookup done, result in `found`
    Miss,     // proxied: the answer is collected and stored if it ends as a complete 200
  };
  Phase phase = Phase::Start;
  CachePolicy policy;
  std::string key;                   // hex SHA-256 (see cache_key.h)
  std::optional<std::string> found;  // the stored entry's bytes (Looked)
  std::string body;                  // the answer being collected (Miss)
  std::string content_type;          // of the answer being collected
  bool collecting = false;           // false once the answer is not storable
  bool hit = false;                  // answered from the cache
  bool in_get = false;               // inside CacheStore::get (an answer now is synchronous)
};

// One attempt: the receiver of one UpstreamCall's callbacks, which it hands to the driver.
// When the exchange moves on to another attempt (failover) the old one is detached — its late
// callbacks (the rest of a 500 body, say) go nowhere — and freed with its call after the
// current callback chain.
class UpstreamAttempt : public UpstreamCallbacks, public common::Pooled<UpstreamAttempt> {
 public:
  explicit UpstreamAttempt(UpstreamState* state) : up(state) {}
  ~UpstreamAttempt() override;

  void onUpstreamHead(UpstreamResponseHead head) override;
  void onUpstreamBody(BodySlice slice) override;
  void onUpstreamEnd() override;
  void onUpstreamError(const common::Error& error, bool reused, bool response_started) override;

  UpstreamState* up;                  // null once detached
  ProviderLease lease;                // the provider's max_concurrent slot, freed with the attempt
  std::unique_ptr<UpstreamCall> call;  // declared last: destroyed before the callbacks object
};

class UpstreamState : public common::Pooled<UpstreamState> {
 public:
  explicit UpstreamState(Exchange& ex);
  ~UpstreamState();

  Exchange& ex;
  common::JsonFacts facts;
  std::string model;                       // requested model, prefix stripped
  KeyLimits limits;                        // the limits that apply (stage 40)
  const LimitScope* limit_scope = nullptr; // their buckets (into the pinned config)
  std::unique_ptr<RedisLimitWait> redis_wait;
  std::optional<LimitCheck> limit_check;   // its x-ratelimit-* headers go on the response
  BudgetHold budget;                       // the key's budget reservation (stage 52 -> 90)
  std::unique_ptr<RedisBudgetWait> budget_wait;
  std::vector<UpstreamCandidate> candidates;  // in failover order (fallback models' appended)
  size_t next_candidate = 0;
  size_t next_fallback = 0;                // into the model's [fallbacks] list
  std::string_view fallback_model;         // the fallback model answering (views the config)
  int64_t rate_limited_until_ms = 0;       // every provider is in a Retry-After (stage 50)
  // Half-open probes this request claimed (stage 50): released when it ends, so a probe that
  // was never sent (cache hit, cut by max_attempts, client gone) does not hold the provider out.
  struct ProbeClaim {
    common::ProviderHealthEntry* health;
    int64_t token;
  };
  std::vector<ProbeClaim> probes;
  std::string rate_limited_provider;
  uint32_t attempts = 0;
  int current = -1;                        // provider index of the attempt in flight
  std::string_view target;                 // the model name that attempt asked for (pricing)
  bool fresh_retry_used = false;           // the one retry on a new connection after a stale one
  ProviderLease next_lease;                // taken for the next attempt (stage 70)
  bool queued = false;                     // waiting in the ProviderGate for a slot
  uint64_t queue_deadline_us = 0;

  protocol::OutgoingRequest outgoing;  // the request being sent (valid while in flight)
  const protocol::Translator* translator = nullptr;  // of the attempt in flight (stage 60)
  common::Api client_api = common::Api::OpenAIChat;    // what the client speaks
  common::Api provider_api = common::Api::OpenAIChat;  // what the attempt's provider speaks
  std::unique_ptr<UpstreamAttempt> attempt;  // the attempt in flight
  UpstreamCall* call() const { return attempt ? attempt->call.get() : nullptr; }
  // Detach the attempt in flight; it and its call are freed after this callback chain (a
  // completed call returns its connection to the pool then).
  void dropAttempt();
  // (Re)arms the deadline: min(phase timeout, what is left of server.request_timeout).
  void armDeadline(std::chrono::milliseconds phase_timeout);
  // The event the driver is handing to stage 70 or 80 (null outside a dispatch).
  const UpstreamEvent* event = nullptr;
  uint64_t attempt_started_us = 0;
  uint64_t first_attempt_us = 0;           // for x-llmproxy-overhead-us

  // Relay.
  std::optional<UpstreamResponseHead> held_head;  // waits for the first body byte (failover)
  bool head_sent = false;
  bool chunked_to_client = false;
  bool sse = false;
  bool paused = false;
  uint64_t head_us = 0;                     // response head of the answering attempt
  uint64_t first_byte_us = 0;               // TTFT mark (monotonic)
  uint64_t last_byte_us = 0;
  std::unique_ptr<SseScanner> scanner;
  // A translated answer (translator->rewritesResponse()): the translator's state for the
  // chosen attempt, and the client's bytes it wrote for the slice being relayed.
  bool translating = false;
  std::unique_ptr<protocol::TranslationState> translation;
  std::string translated;
  uint64_t stream_offset = 0;               // bytes of body relayed before the current slice
  std::vector<std::pair<uint64_t, uint64_t>> cuts;  // events to drop, stream offsets
  // The last bytes of a JSON body (its usage object): the last slice itself while it holds
  // them (no copy: the common case, a body in one read), else a copy of what several held.
  BodySlice tail_slice;
  std::string body_tail;
  std::optional<Usage> usage;               // tokens reported by the provider
  std::unique_ptr<common::UvTimer> timer;   // TTFT / idle / total deadline
  std::string provider_id;                  // of the attempt that answered (access log)
  std::optional<common::Error> last_failure;  // of the last failed attempt (finish logs it)
  std::string last_failed_provider;

  ExchangeCache cache;
};

}  // namespace llmproxy::worker
