// Reload through the master, observed through the shared-memory reload status.
#include "worker/admin/config_api.h"

#include <csignal>

#include "common/json/json_writer.h"
#include "common/shm/reload_status.h"
#include "common/time/clock.h"
#include "worker/admin/admin_state.h"

namespace llmproxy::worker::admin {
namespace {

constexpr uint64_t kReloadDeadlineUs = 15'000'000;  // a reload reads one file (or the DB)
constexpr uint64_t kPollMs = 5;

void onPoll(void* owner) { static_cast<AdminState*>(owner)->poll_waker.wake(); }

}  // namespace

Outcome configVersion(LocalCall& call) {
  const auto& slot = call.services.shm.configSlot();
  common::JsonWriter w;
  w.beginObject()
      .field("version", slot.currentGeneration())
      .field("worker_version", call.services.config_view.generation())
      .field("source", call.config->source)
      .endObject();
  return call.respond(Response::json(200, w.take()));
}

Outcome configReload(LocalCall& call) {
  auto& status = call.services.shm.reloadStatus();
  AdminState& st = adminState(call);
  if (!st.poll_timer) {
    // First entry: remember where the counter stands, then ask the master.
    st.poll_baseline = status.completed.load(std::memory_order_acquire);
    st.poll_deadline_us = common::nowMonotonicUs() + kReloadDeadlineUs;
    if (kill(call.services.master_pid, SIGHUP) != 0)
      return call.respondError(
          {common::ErrorKind::Unavailable, "cannot signal the master process", 0});
    st.poll_waker = call.waker;
    st.poll_timer = std::make_unique<common::UvTimer>(call.services.loop, &st, &onPoll);
    st.poll_timer->start(kPollMs, kPollMs);
    return Outcome::Wait;
  }
  if (status.completed.load(std::memory_order_acquire) == st.poll_baseline) {
    if (common::nowMonotonicUs() < st.poll_deadline_us) return Outcome::Wait;
    st.poll_timer->stop();
    return call.respondError(
        {common::ErrorKind::ReloadTimeout, "the master did not finish the reload in time", 0});
  }
  st.poll_timer->stop();
  common::ReloadStatus::Snapshot outcome;
  if (!status.read(outcome))
    return call.respondError({common::ErrorKind::Unavailable,
                              "the reload finished but its outcome could not be read; "
                              "see GET /admin/v1/status",
                              0});
  if (!outcome.ok)
    return call.respondError(
        {common::ErrorKind::InvalidConfig, "configuration reload failed: " + outcome.message, 0});
  common::JsonWriter w;
  w.beginObject()
      .field("status", "ok")
      .field("config_version", outcome.generation)
      .endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::admin
