// {"object":"list","data":[{"id":...,"object":"model","created":0,"owned_by":"llmproxy"}]}
#include "worker/handlers/models.h"

#include "common/json/json_writer.h"
#include "worker/auth/key_matcher.h"

namespace llmproxy::worker::handlers {

Outcome models(LocalCall& call) {
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  for (const std::string& name : call.config->model_index->exactModels()) {
    if (call.client_key && !KeyMatcher::allowedModel(*call.client_key, name)) continue;
    w.beginObject()
        .field("id", name)
        .field("object", "model")
        .field("created", static_cast<int64_t>(0))
        .field("owned_by", "llmproxy")
        .endObject();
  }
  w.endArray().endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::handlers
