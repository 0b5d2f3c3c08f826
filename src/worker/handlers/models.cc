// GET /v1/models in OpenAI's list shape, or in Anthropic's when the request carries an
// anthropic-version header (what the Anthropic SDK's models.list sends).
#include "worker/handlers/models.h"

#include <string_view>
#include <vector>

#include "common/json/json_writer.h"
#include "worker/auth/key_matcher.h"

namespace llmproxy::worker::handlers {
namespace {

std::vector<std::string_view> visibleModels(const LocalCall& call) {
  std::vector<std::string_view> names;
  for (const std::string& name : call.config->model_index->exactModels())
    if (!call.client_key || KeyMatcher::allowedModel(*call.client_key, name))
      names.push_back(name);
  return names;
}

// {"data":[{"type":"model","id":…,"display_name":…,"created_at":…}],"has_more":false,
//  "first_id":…,"last_id":…}. created_at is the Unix epoch: the gateway knows no model dates.
std::string anthropicList(const std::vector<std::string_view>& names) {
  common::JsonWriter w;
  w.beginObject().key("data").beginArray();
  for (std::string_view name : names) {
    w.beginObject()
        .field("type", "model")
        .field("id", name)
        .field("display_name", name)
        .field("created_at", "1970-01-01T00:00:00Z")
        .endObject();
  }
  w.endArray().field("has_more", false);
  if (names.empty()) {
    w.key("first_id").null().key("last_id").null();
  } else {
    w.field("first_id", names.front()).field("last_id", names.back());
  }
  w.endObject();
  return w.take();
}

std::string openAIList(const std::vector<std::string_view>& names) {
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  for (std::string_view name : names) {
    w.beginObject()
        .field("id", name)
        .field("object", "model")
        .field("created", static_cast<int64_t>(0))
        .field("owned_by", "llmproxy")
        .endObject();
  }
  w.endArray().endObject();
  return w.take();
}

}  // namespace

Outcome models(LocalCall& call) {
  const std::vector<std::string_view> names = visibleModels(call);
  const bool anthropic = call.request.header("anthropic-version") != nullptr;
  return call.respond(Response::json(200, anthropic ? anthropicList(names) : openAIList(names)));
}

Outcome eventLogging(LocalCall& call) {
  return call.respond(Response::json(200, R"({"status":"ok"})"));
}

}  // namespace llmproxy::worker::handlers
