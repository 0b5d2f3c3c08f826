// Status from the shared-memory tables.
#include "worker/admin/status_api.h"

#include "common/json/json_writer.h"
#include "common/shm/reload_status.h"
#include "common/time/clock.h"
#include "worker/handlers/db_status_json.h"

namespace llmproxy::worker::admin {
namespace {

std::string_view stateName(common::WorkerState s) {
  switch (s) {
    case common::WorkerState::Empty: return "empty";
    case common::WorkerState::Starting: return "starting";
    case common::WorkerState::Running: return "running";
    case common::WorkerState::Draining: return "draining";
    case common::WorkerState::Exited: return "exited";
  }
  return "unknown";
}

}  // namespace

Outcome status(LocalCall& call) {
  auto& shm = call.services.shm;
  const int64_t now = common::nowUnixMs();
  common::JsonWriter w;
  w.beginObject();
  w.field("version", LLMPROXY_VERSION);
  w.field("master_pid", static_cast<int64_t>(shm.header().master_pid.load()));
  w.field("uptime_seconds", (now - shm.header().master_started_at_ms) / 1000);
  w.field("config_version", shm.configSlot().currentGeneration());
  w.field("config_source", call.config->source);
  w.key("workers").beginArray();
  for (uint32_t i = 0; i < shm.maxWorkers(); ++i) {
    const auto& ws = shm.worker(i);
    const int32_t pid = ws.pid.load(std::memory_order_relaxed);
    const auto st = ws.currentState();
    if (pid == 0 || (st != common::WorkerState::Running && st != common::WorkerState::Draining))
      continue;
    const int64_t started = ws.started_at_ms.load(std::memory_order_relaxed);
    w.beginObject()
        .field("slot", i)
        .field("pid", static_cast<int64_t>(pid))
        .field("state", stateName(st))
        .field("config_version", ws.config_generation.load(std::memory_order_relaxed))
        .field("uptime_seconds", (now - started) / 1000)
        .field("connections", ws.connections.load(std::memory_order_relaxed))
        .field("requests", ws.requests.load(std::memory_order_relaxed))
        .field("respawns", static_cast<uint64_t>(ws.respawns.load(std::memory_order_relaxed)))
        .endObject();
  }
  w.endArray();
  common::ReloadStatus::Snapshot reload;
  const bool settled = shm.reloadStatus().read(reload);  // false: the outcome is unknown
  w.key("last_reload").beginObject();
  w.field("attempts", reload.completed);
  w.field("succeeded", reload.succeeded);
  w.field("failed", reload.failed);
  if (reload.completed > 0 && settled) {
    w.field("ok", reload.ok);
    w.field("at_unix_ms", reload.at_ms);
    w.field("message", reload.message);
  }
  w.endObject();
  handlers::writeDatabaseStatus(w, shm, !call.config->database.url.empty(),
                                handlers::DbErrorText::Show);
  w.endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::admin
