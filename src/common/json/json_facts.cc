// One validating simdjson pass over a request body, collecting the model/stream facts.
#include "common/json/json_facts.h"

#include <simdjson.h>

#include <cstring>
#include <optional>

#include "common/http/openai_error.h"
#include "common/json/conversation_scan.h"
#include "common/json/json_validate.h"

namespace llmproxy::common {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

static_assert(JsonFactsParser::kPadding == simdjson::SIMDJSON_PADDING);

// Scan entries kept across requests; past this the scan's vectors are freed after the request.
constexpr size_t kRetainedScan = 4096;

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// raw_json_token() runs up to the next token, trailing whitespace included: tokenRange trims it.
ByteRange rangeOf(const char* base, std::string_view token) { return tokenRange(base, token); }

std::unexpected<Error> badRequest(std::string detail) {
  return fail(ErrorKind::BadRequest, std::move(detail));
}

std::unexpected<Error> invalidJson(error_code code) {
  return badRequest(std::string("Invalid JSON in request body: ") + simdjson::error_message(code));
}


// A document whose root is not an object: still validated, to pick the right message.
error_code validateRoot(od::document& doc, od::json_type type) {
  switch (type) {
    case od::json_type::array: {
      od::array array;
      if (auto e = doc.get_array().get(array)) return e;
      for (auto element_result : array) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return e;
        if (auto e = validateJsonValue(element, 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      return doc.get_string().get(s);
    }
    case od::json_type::number: {
      double d;
      return doc.get_double().get(d);
    }
    case od::json_type::boolean: {
      bool b;
      return doc.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = doc.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    case od::json_type::object:
      break;
  }
  return simdjson::TAPE_ERROR;
}

// Only whitespace may follow the root value.
bool atEnd(od::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

std::unexpected<Error> duplicate(std::string_view key) {
  return badRequest("Duplicate key '" + std::string(key) + "' in request body");
}

std::unexpected<Error> wrongType(std::string_view param, std::string_view expected) {
  return badRequest("Invalid type for '" + std::string(param) + "': expected " +
                    std::string(expected));
}

// The members of "stream_options" (an object); fills the include_usage facts.
Result<void> readStreamOptions(od::document& doc, od::value value, const char* base,
                               JsonFacts& facts) {
  od::object object;
  if (auto e = value.get_object().get(object)) return invalidJson(e);
  bool empty = true;
  for (auto field_result : object) {
    empty = false;
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return invalidJson(e);
    if (auto e = field.unescaped_key().get(key)) return invalidJson(e);
    od::value member = field.value();
    if (key != "include_usage") {
      if (auto e = validateJsonValue(member, 2)) return invalidJson(e);
      continue;
    }
    if (!facts.include_usage_token.empty()) return duplicate("stream_options.include_usage");
    std::string_view raw;
    od::json_type type;
    raw = member.raw_json_token();
    if (auto e = member.type().get(type)) return invalidJson(e);
    facts.include_usage_token = rangeOf(base, raw);
    if (type == od::json_type::boolean) {
      bool b = false;
      if (auto e = member.get_bool().get(b)) return invalidJson(e);
      facts.include_usage = b;
    } else if (type == od::json_type::null) {
      if (auto e = validateJsonValue(member, 2)) return invalidJson(e);
    } else {
      return wrongType("stream_options.include_usage", "a boolean");
    }
  }
  facts.stream_options_empty = empty;
  facts.stream_options_token.end = consumedEnd(doc, base);
  return {};
}

// Walks the top-level object: the members we know are read, the conversation of `shape`
// scanned into `scan`, every other member validated.
Result<JsonFacts> readFacts(od::document& doc, const char* base, size_t len,
                            ConversationShape shape, ConversationScan& scan) {
  od::json_type root_type;
  if (auto e = doc.type().get(root_type)) return invalidJson(e);
  if (root_type != od::json_type::object) {
    if (auto e = validateRoot(doc, root_type)) return invalidJson(e);
    if (!atEnd(doc)) return invalidJson(simdjson::TRAILING_CONTENT);
    return badRequest("Request body must be a JSON object");
  }

  JsonFacts facts;
  bool seen_model = false;
  bool seen_stream = false;
  od::object object;
  if (auto e = doc.get_object().get(object)) return invalidJson(e);
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return invalidJson(e);
    if (auto e = field.unescaped_key().get(key)) return invalidJson(e);
    od::value value = field.value();

    if (key == "model") {
      if (seen_model) return duplicate(key);
      seen_model = true;
      std::string_view raw;
      std::string_view model;
      od::json_type type;
      raw = value.raw_json_token();
      if (auto e = value.type().get(type)) return invalidJson(e);
      if (type != od::json_type::string) return wrongType("model", "a string");
      if (auto e = value.get_string().get(model)) return invalidJson(e);
      facts.model.assign(model);
      facts.model_token = rangeOf(base, raw);
    } else if (key == "stream") {
      if (seen_stream) return duplicate(key);
      seen_stream = true;
      od::json_type type;
      if (auto e = value.type().get(type)) return invalidJson(e);
      if (type == od::json_type::boolean) {
        if (auto e = value.get_bool().get(facts.stream)) return invalidJson(e);
      } else if (type == od::json_type::null) {
        if (auto e = validateJsonValue(value, 1)) return invalidJson(e);
      } else {
        return wrongType("stream", "a boolean");
      }
    } else if (key == "stream_options") {
      if (facts.stream_options != JsonFacts::StreamOptions::Absent) return duplicate(key);
      std::string_view raw;
      od::json_type type;
      raw = value.raw_json_token();
      if (auto e = value.type().get(type)) return invalidJson(e);
      facts.stream_options_token = rangeOf(base, raw);
      if (type == od::json_type::null) {
        facts.stream_options = JsonFacts::StreamOptions::Null;
        if (auto e = validateJsonValue(value, 1)) return invalidJson(e);
      } else if (type == od::json_type::object) {
        facts.stream_options = JsonFacts::StreamOptions::Object;
        if (auto r = readStreamOptions(doc, value, base, facts); !r)
          return std::unexpected(r.error());
      } else {
        return wrongType("stream_options", "an object");
      }
    } else if (shape != ConversationShape::None && key == "messages") {
      if (auto e = conversation::scanMessages(doc, value, base, shape, scan)) return invalidJson(e);
    } else if (shape == ConversationShape::AnthropicMessages && key == "system") {
      if (auto e = conversation::scanSystem(doc, value, base, scan)) return invalidJson(e);
    } else if (shape == ConversationShape::AnthropicMessages && key == "thinking") {
      if (auto e = conversation::scanThinking(doc, value, base, scan)) return invalidJson(e);
    } else {
      if (auto e = validateJsonValue(value, 1)) return invalidJson(e);
    }
  }
  if (!atEnd(doc)) return invalidJson(simdjson::TRAILING_CONTENT);

  if (!seen_model || facts.model.empty()) return badRequest("You must provide a model parameter");

  // Valid object with nothing after it: its '}' is the last non-whitespace byte.
  size_t close = len;
  while (close > 0 && isJsonSpace(base[close - 1])) --close;
  facts.object_close = close - 1;
  if (shape != ConversationShape::None && planRepairs(scan, shape, base))
    facts.repairs = std::make_shared<const ConversationScan>(scan);
  return facts;
}

}  // namespace

struct JsonFactsParser::State {
  od::parser parser;
  ConversationScan scan;  // reused: its vectors keep their capacity
  std::unique_ptr<char[]> scratch;
  size_t scratch_size = 0;
};

JsonFactsParser::JsonFactsParser() : state_(std::make_unique<State>()) {}
JsonFactsParser::~JsonFactsParser() = default;

Result<JsonFacts> JsonFactsParser::parse(const char* data, size_t len, size_t capacity,
                                         ConversationShape shape) {
  if (len == 0) return badRequest("Request body is empty: expected a JSON object");

  // Padding: parse in place when the caller's buffer has it, else copy (see the header).
  const char* buf = data;
  std::unique_ptr<char[]> oversize_copy;
  if (capacity < len || capacity - len < simdjson::SIMDJSON_PADDING) {
    const size_t need = len + simdjson::SIMDJSON_PADDING;
    char* copy = nullptr;
    if (len > kRetainedCapacity) {
      oversize_copy = std::make_unique_for_overwrite<char[]>(need);
      copy = oversize_copy.get();
    } else {
      if (state_->scratch_size < need) {
        state_->scratch = std::make_unique_for_overwrite<char[]>(need);
        state_->scratch_size = need;
      }
      copy = state_->scratch.get();
    }
    std::memcpy(copy, data, len);
    std::memset(copy + len, 0, simdjson::SIMDJSON_PADDING);
    buf = copy;
    capacity = need;
  }

  std::optional<od::parser> oversize_parser;
  od::parser* parser = &state_->parser;
  if (len > kRetainedCapacity) parser = &oversize_parser.emplace();

  od::document doc;
  if (auto e = parser->iterate(buf, len, capacity).get(doc)) return invalidJson(e);
  ConversationScan& scan = state_->scan;
  scan.clear();
  auto facts = readFacts(doc, buf, len, shape, scan);
  // A huge conversation's vectors are not kept for good (as for the parser above).
  if (scan.messages.capacity() > kRetainedScan || scan.blocks.capacity() > kRetainedScan)
    scan = ConversationScan{};
  return facts;
}

std::string ModelSplice::joined() const {
  std::string out;
  out.reserve(size());
  out.append(before);
  out.append(value);
  out.append(after);
  return out;
}

ModelSplice spliceModel(std::string_view body, ByteRange model_token, std::string_view new_model) {
  ModelSplice splice;
  splice.before = body.substr(0, model_token.begin);
  appendJsonString(splice.value, new_model);
  splice.after = body.substr(model_token.end);
  return splice;
}

}  // namespace llmproxy::common
