// The "database" object of /health/detailed and /admin/v1/status: the master's PostgreSQL
// config source as it last published itself in shared memory (workers never ask PostgreSQL).
#pragma once

#include "common/json/json_writer.h"
#include "common/shm/region.h"

namespace llmproxy::worker::handlers {

// Whether the database's last error message (libpq's own words, redacted of passwords but
// naming hosts and users) is shown: /admin/v1/status shows it, /health/detailed does not.
enum class DbErrorText : bool { Omit, Show };

// Writes `"database": {...}` into an open object.
void writeDatabaseStatus(common::JsonWriter& w, const common::ShmRegion& shm, bool configured,
                         DbErrorText error_text);

}  // namespace llmproxy::worker::handlers
