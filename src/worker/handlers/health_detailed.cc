// Health details from the shared-memory tables.
#include "worker/handlers/health_detailed.h"

#include <unistd.h>

#include "common/json/json_writer.h"
#include "common/time/clock.h"
#include "worker/handlers/db_status_json.h"

namespace llmproxy::worker::handlers {

Outcome healthDetailed(LocalCall& call) {
  auto& shm = call.services.shm;
  const int64_t now = common::nowUnixMs();
  common::JsonWriter w;
  w.beginObject();
  w.field("status", call.services.draining ? "draining" : "ok");
  w.field("version", LLMPROXY_VERSION);
  w.field("pid", static_cast<int64_t>(getpid()));
  w.field("config_version", shm.configSlot().currentGeneration());
  w.field("config_source", call.config->source);

  uint32_t running = 0;
  for (uint32_t i = 0; i < shm.maxWorkers(); ++i)
    if (shm.worker(i).currentState() == common::WorkerState::Running) ++running;
  w.field("workers_running", running);

  w.key("providers").beginArray();
  for (const ProviderRuntime& p : call.config->provider_runtime) {
    const common::ProviderHealthEntry* h = p.health;
    const auto state = common::ProviderHealth::state(h, now);
    const common::ProviderConfig& pc = *p.config;
    w.beginObject();
    w.field("id", pc.id);
    w.field("enabled", pc.enabled);
    w.field("state", !pc.enabled ? std::string_view("disabled")
                                 : common::ProviderHealth::stateName(state));
    w.field("max_fails", static_cast<uint64_t>(pc.max_fails));
    w.field("fail_timeout_ms", static_cast<int64_t>(pc.fail_timeout.count()));
    w.field("health_check_interval_ms", static_cast<int64_t>(pc.health_check_interval.count()));
    if (h) {
      const auto relaxed = std::memory_order_relaxed;
      if (state == common::ProviderState::Down || state == common::ProviderState::HalfOpen)
        w.field("down_until_unix_ms", h->down_until_ms.load(relaxed));
      if (state == common::ProviderState::RateLimited)
        w.field("retry_after_until_unix_ms", h->retry_after_until_ms.load(relaxed));
      w.field("failures_in_window", static_cast<uint64_t>(h->window_failures.load(relaxed)));
      w.field("failures_total", h->failures_total.load(relaxed));
      w.field("successes_total", h->successes_total.load(relaxed));
      w.field("times_down", h->downs_total.load(relaxed));
      if (const int64_t at = h->last_failure_ms.load(relaxed); at > 0) {
        w.field("last_failure_unix_ms", at);
        w.field("last_failure_status", static_cast<int64_t>(h->last_status.load(relaxed)));
      }
      if (pc.health_check_interval.count() > 0) {
        w.key("health_checks").beginObject();
        w.field("total", h->checks_total.load(relaxed));
        w.field("failed", h->checks_failed_total.load(relaxed));
        if (const int64_t at = h->last_check_ms.load(relaxed); at > 0) {
          w.field("last_unix_ms", at);
          w.field("last_status", static_cast<int64_t>(h->last_check_status.load(relaxed)));
        }
        w.endObject();
      }
    }
    w.endObject();
  }
  w.endArray();
  writeDatabaseStatus(w, shm, !call.config->database.url.empty(), DbErrorText::Omit);
  w.key("redis").beginObject();
  w.field("configured", !call.config->redis.url.empty());
  if (!call.config->redis.url.empty()) {
    // This worker's connection ("up", "connecting", "down"); limits fall back unless up.
    const auto state = call.services.redis.state();
    w.field("state", state == RedisClient::State::Up           ? "up"
                     : state == RedisClient::State::Connecting ? "connecting"
                                                               : "down");
    w.field("on_failure", call.config->redis.on_failure);
  }
  w.endObject();
  w.endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::handlers
