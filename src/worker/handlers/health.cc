// {"status":"ok","version":...,"config_version":N,"pid":P}
#include "worker/handlers/health.h"

#include <unistd.h>

#include "common/json/json_writer.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker::handlers {

Outcome health(Exchange& ex) {
  common::JsonWriter w;
  w.beginObject()
      .field("status", ex.services.draining ? "draining" : "ok")
      .field("version", LLMPROXY_VERSION)
      .field("config_version", ex.services.config_view.generation())
      .field("pid", static_cast<int64_t>(getpid()))
      .endObject();
  return pipeline::respond(ex, Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::handlers
