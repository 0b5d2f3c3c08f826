// {"status":"ok","version":...,"config_version":N,"pid":P}
#include "worker/handlers/health.h"

#include <unistd.h>

#include "common/json/json_writer.h"

namespace llmproxy::worker::handlers {

Outcome health(LocalCall& call) {
  common::JsonWriter w;
  w.beginObject()
      .field("status", call.services.draining ? "draining" : "ok")
      .field("version", LLMPROXY_VERSION)
      .field("config_version", call.services.config_view.generation())
      .field("pid", static_cast<int64_t>(getpid()))
      .endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::handlers
