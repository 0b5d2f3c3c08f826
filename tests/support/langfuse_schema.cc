// The ingestion schema as tables of field -> type, walked over a simdjson DOM.
#include "support/langfuse_schema.h"

#include <simdjson.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>

namespace llmproxy::testing {
namespace {

namespace dom = simdjson::dom;

using Errors = std::vector<std::string>;
using Check = std::function<void(dom::element, const std::string&, Errors&)>;
using Fields = std::map<std::string, Check, std::less<>>;

void fail(Errors& errors, const std::string& path, const std::string& what) {
  errors.push_back(path + ": " + what);
}

Check string() {
  return [](dom::element e, const std::string& path, Errors& errors) {
    if (!e.is_string()) fail(errors, path, "not a string");
  };
}

Check nullableString() {
  return [](dom::element e, const std::string& path, Errors& errors) {
    if (!e.is_string() && !e.is_null()) fail(errors, path, "not a string or null");
  };
}

// Langfuse's datetime: ISO 8601 with a date, a time and a zone.
Check datetime() {
  return [](dom::element e, const std::string& path, Errors& errors) {
    static const std::regex kIso(
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))");
    std::string_view s;
    if (e.get_string().get(s) || !std::regex_match(s.begin(), s.end(), kIso))
      fail(errors, path, "not an ISO 8601 datetime");
  };
}

Check integer() {
  return [](dom::element e, const std::string& path, Errors& errors) {
    if (!e.is_int64() && !e.is_uint64()) fail(errors, path, "not an integer");
  };
}

Check number() {
  return [](dom::element e, const std::string& path, Errors& errors) {
    if (!e.is_number()) fail(errors, path, "not a number");
  };
}

Check boolean() {
  return [](dom::element e, const std::string& path, Errors& errors) {
    if (!e.is_bool()) fail(errors, path, "not a boolean");
  };
}

Check anything() {
  return [](dom::element, const std::string&, Errors&) {};
}

Check oneOf(std::vector<std::string> values) {
  return [values](dom::element e, const std::string& path, Errors& errors) {
    std::string_view s;
    if (e.get_string().get(s) || std::find(values.begin(), values.end(), s) == values.end())
      fail(errors, path, "not one of the enum's values");
  };
}

Check listOf(Check item) {
  return [item](dom::element e, const std::string& path, Errors& errors) {
    dom::array a;
    if (e.get_array().get(a)) return fail(errors, path, "not a list");
    size_t i = 0;
    for (dom::element x : a) item(x, path + "[" + std::to_string(i++) + "]", errors);
  };
}

Check mapOf(Check value) {
  return [value](dom::element e, const std::string& path, Errors& errors) {
    dom::object o;
    if (e.get_object().get(o)) return fail(errors, path, "not a map");
    for (auto [key, x] : o) value(x, path + "." + std::string(key), errors);
  };
}

// An object: every member named in `fields` (and of its type), the `required` ones present.
Check object(Fields fields, std::vector<std::string> required = {}) {
  return [fields, required](dom::element e, const std::string& path, Errors& errors) {
    dom::object o;
    if (e.get_object().get(o)) return fail(errors, path, "not an object");
    for (auto [key, x] : o) {
      auto it = fields.find(key);
      if (it == fields.end()) {
        fail(errors, path + "." + std::string(key), "not a field of the schema");
        continue;
      }
      it->second(x, path + "." + std::string(key), errors);
    }
    for (const std::string& name : required)
      if (o[name].error()) fail(errors, path + "." + name, "missing");
  };
}

// One of several shapes (an undiscriminated union): the first that takes the value wins.
Check anyOf(std::vector<Check> shapes) {
  return [shapes](dom::element e, const std::string& path, Errors& errors) {
    Errors first;
    for (const Check& shape : shapes) {
      Errors these;
      shape(e, path, these);
      if (these.empty()) return;
      if (first.empty()) first = these;
    }
    errors.insert(errors.end(), first.begin(), first.end());
  };
}

// commons.MapValue: string, integer, float, boolean or list of strings (each optional).
Check mapValue() {
  return anyOf({nullableString(), number(), boolean(), listOf(string())});
}

// IngestionUsage: commons.Usage or OpenAIUsage.
Check ingestionUsage() {
  Check usage = object({{"input", integer()},
                        {"output", integer()},
                        {"total", integer()},
                        {"unit", oneOf({"CHARACTERS", "TOKENS", "MILLISECONDS", "SECONDS",
                                        "IMAGES", "REQUESTS"})},
                        {"inputCost", number()},
                        {"outputCost", number()},
                        {"totalCost", number()}});
  Check openai = object(
      {{"promptTokens", integer()}, {"completionTokens", integer()}, {"totalTokens", integer()}});
  return anyOf({usage, openai});
}

Fields traceBody() {
  return {{"id", string()},        {"timestamp", datetime()}, {"name", string()},
          {"userId", string()},    {"input", anything()},     {"output", anything()},
          {"sessionId", string()}, {"release", string()},     {"version", string()},
          {"metadata", anything()}, {"tags", listOf(string())}, {"environment", string()},
          {"public", boolean()}};
}

// CreateGenerationBody: OptionalObservationBody + id, endTime and the generation's fields.
Fields createGenerationBody() {
  return {{"traceId", string()},
          {"name", string()},
          {"startTime", datetime()},
          {"metadata", anything()},
          {"input", anything()},
          {"output", anything()},
          {"level", oneOf({"DEBUG", "DEFAULT", "WARNING", "ERROR"})},
          {"statusMessage", string()},
          {"parentObservationId", string()},
          {"version", string()},
          {"environment", string()},
          {"id", string()},
          {"endTime", datetime()},
          {"completionStartTime", datetime()},
          {"model", string()},
          {"modelParameters", mapOf(mapValue())},
          {"usage", ingestionUsage()},
          {"usageDetails", mapOf(integer())},
          {"costDetails", mapOf(number())},
          {"promptName", string()},
          {"promptVersion", integer()}};
}

// BaseEvent (id, timestamp, metadata) with the body of its type.
Check event(Fields body) {
  return object({{"id", string()},
                 {"timestamp", datetime()},
                 {"metadata", anything()},
                 {"type", string()},
                 {"body", object(std::move(body))}},
                {"id", "timestamp", "type", "body"});
}

}  // namespace

std::vector<std::string> langfuseSchemaErrors(std::string_view body) {
  Errors errors;
  dom::parser parser;
  dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) return {"not JSON"};
  const std::map<std::string, Check, std::less<>> events = {
      {"trace-create", event(traceBody())},
      {"generation-create", event(createGenerationBody())}};
  object({{"batch", anything()}, {"metadata", anything()}}, {"batch"})(doc, "", errors);
  dom::array batch;
  if (doc["batch"].get_array().get(batch)) {
    errors.push_back("batch: not a list");
    return errors;
  }
  size_t i = 0;
  for (dom::element e : batch) {
    const std::string path = "batch[" + std::to_string(i++) + "]";
    std::string_view type;
    if (e["type"].get_string().get(type)) {
      fail(errors, path + ".type", "missing");
      continue;
    }
    auto it = events.find(type);
    if (it == events.end()) {
      fail(errors, path + ".type", "an event type this check does not know: " + std::string(type));
      continue;
    }
    it->second(e, path, errors);
  }
  return errors;
}

}  // namespace llmproxy::testing
