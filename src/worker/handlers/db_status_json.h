// The "database" object of /health/detailed and /admin/v1/status: the master's PostgreSQL
// config source as it last published itself in shared memory (workers never ask PostgreSQL).
#pragma once

#include "common/json/json_writer.h"
#include "common/shm/region.h"

namespace llmproxy::worker::handlers {

// Writes `"database": {...}` into an open object.
void writeDatabaseStatus(common::JsonWriter& w, const common::ShmRegion& shm, bool configured);

}  // namespace llmproxy::worker::handlers
