// Reload through the master, observed through the shared-memory reload status.
#include "worker/admin/config_api.h"

#include <csignal>

#include "common/json/json_writer.h"
#include "common/shm/reload_status.h"
#include "common/time/clock.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker::admin {
namespace {

constexpr uint64_t kReloadDeadlineUs = 15'000'000;  // a reload reads one file (or the DB)
constexpr uint64_t kPollMs = 5;

void onPoll(void* owner) { pipeline::resume(*static_cast<Exchange*>(owner)); }

}  // namespace

Outcome configVersion(Exchange& ex) {
  const auto& slot = ex.services.shm.configSlot();
  common::JsonWriter w;
  w.beginObject()
      .field("version", slot.currentGeneration())
      .field("worker_version", ex.services.config_view.generation())
      .field("source", ex.config->source)
      .endObject();
  return pipeline::respond(ex, Response::json(200, w.take()));
}

Outcome configReload(Exchange& ex) {
  auto& status = ex.services.shm.reloadStatus();
  if (!ex.wait_timer) {
    // First entry: remember where the counter stands, then ask the master.
    ex.wait_baseline = status.completed.load(std::memory_order_acquire);
    ex.wait_deadline_us = common::nowMonotonicUs() + kReloadDeadlineUs;
    if (kill(ex.services.master_pid, SIGHUP) != 0)
      return pipeline::respondError(
          ex, {common::ErrorKind::Unavailable, "cannot signal the master process", 0});
    ex.wait_timer = std::make_unique<common::UvTimer>(ex.services.loop, &ex, &onPoll);
    ex.wait_timer->start(kPollMs, kPollMs);
    return Outcome::Wait;
  }
  if (status.completed.load(std::memory_order_acquire) == ex.wait_baseline) {
    if (common::nowMonotonicUs() < ex.wait_deadline_us) return Outcome::Wait;
    ex.wait_timer->stop();
    return pipeline::respondError(
        ex, {common::ErrorKind::ReloadTimeout, "the master did not finish the reload in time", 0});
  }
  ex.wait_timer->stop();
  common::ReloadStatus::Snapshot outcome;
  if (!status.read(outcome))
    return pipeline::respondError(ex, {common::ErrorKind::Unavailable,
                                       "the reload finished but its outcome could not be read; "
                                       "see GET /admin/v1/status",
                                       0});
  if (!outcome.ok)
    return pipeline::respondError(
        ex, {common::ErrorKind::InvalidConfig, "configuration reload failed: " + outcome.message, 0});
  common::JsonWriter w;
  w.beginObject()
      .field("status", "ok")
      .field("config_version", outcome.generation)
      .endObject();
  return pipeline::respond(ex, Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::admin
