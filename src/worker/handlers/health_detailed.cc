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
    const bool cooling = common::ProviderHealth::coolingDown(h, now);
    w.beginObject();
    w.field("id", p.config->id);
    w.field("enabled", p.config->enabled);
    w.field("state", !p.config->enabled ? "disabled" : cooling ? "cooling_down" : "healthy");
    if (h) {
      if (cooling) w.field("cooling_down_until_unix_ms", h->cooldown_until_ms.load());
      w.field("consecutive_failures",
              static_cast<uint64_t>(h->consecutive_failures.load(std::memory_order_relaxed)));
      w.field("failures_total", h->failures_total.load(std::memory_order_relaxed));
      w.field("successes_total", h->successes_total.load(std::memory_order_relaxed));
      if (const int64_t at = h->last_failure_ms.load(std::memory_order_relaxed); at > 0) {
        w.field("last_failure_unix_ms", at);
        w.field("last_failure_status",
                static_cast<int64_t>(h->last_status.load(std::memory_order_relaxed)));
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
