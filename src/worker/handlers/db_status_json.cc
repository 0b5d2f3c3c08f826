// DbStatus -> JSON.
#include "worker/handlers/db_status_json.h"

namespace llmproxy::worker::handlers {

void writeDatabaseStatus(common::JsonWriter& w, const common::ShmRegion& shm, bool configured,
                         DbErrorText error_text) {
  w.key("database").beginObject();
  w.field("configured", configured);
  common::DbStatus::Snapshot s;
  if (configured && shm.dbStatus().read(s)) {
    w.field("state", common::dbStateName(s.state));
    if (s.since_ms > 0) w.field("since_unix_ms", s.since_ms);
    if (s.last_load_ms > 0) w.field("last_load_unix_ms", s.last_load_ms);
    w.field("loads", s.loads);
    w.field("providers", s.providers);
    w.field("keys", s.keys);
    w.field("skipped_rows", s.skipped_rows);
    if (!s.last_error.empty() && error_text == DbErrorText::Show)
      w.field("last_error", s.last_error);
  }
  w.endObject();
}

}  // namespace llmproxy::worker::handlers
