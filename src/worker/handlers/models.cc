// {"object":"list","data":[{"id":...,"object":"model","created":0,"owned_by":"llmproxy"}]}
#include "worker/handlers/models.h"

#include "common/json/json_writer.h"
#include "worker/auth/key_matcher.h"

namespace llmproxy::worker::handlers {

Outcome models(Exchange& ex) {
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  for (const std::string& name : ex.config->model_index->exactModels()) {
    if (ex.client_key && !KeyMatcher::allowedModel(*ex.client_key, name)) continue;
    w.beginObject()
        .field("id", name)
        .field("object", "model")
        .field("created", static_cast<int64_t>(0))
        .field("owned_by", "llmproxy")
        .endObject();
  }
  w.endArray().endObject();
  return pipeline::respond(ex, Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::handlers
