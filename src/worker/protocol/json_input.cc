// Per-thread simdjson parsers and lenient readers.
#include "worker/protocol/json_input.h"

#include <cstring>

namespace llmproxy::worker::protocol {
namespace {

struct Scratch {
  od::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
  simdjson::dom::parser dom;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

JsonDoc::JsonDoc(std::string_view json) {
  const size_t need = json.size() + simdjson::SIMDJSON_PADDING;
  char* buffer = nullptr;
  od::parser* parser = nullptr;
  if (json.size() > kRetainedCapacity) {
    own_buffer_ = std::make_unique_for_overwrite<char[]>(need);
    buffer = own_buffer_.get();
    parser = &own_parser_.emplace();
  } else {
    Scratch& s = scratch();
    if (s.capacity < need) {
      s.buffer = std::make_unique_for_overwrite<char[]>(need);
      s.capacity = need;
    }
    buffer = s.buffer.get();
    parser = &s.parser;
  }
  std::memcpy(buffer, json.data(), json.size());
  std::memset(buffer + json.size(), 0, simdjson::SIMDJSON_PADDING);
  error_ = parser->iterate(buffer, json.size(), need).get(doc_);
}

simdjson::simdjson_result<od::object> JsonDoc::root() {
  if (error_) return error_;
  return doc_.get_object();
}

std::string_view stringOr(od::value value, std::string_view otherwise) {
  std::string_view s;
  if (value.get_string().get(s)) return otherwise;
  return s;
}

uint64_t countOr(od::value value) {
  uint64_t n = 0;
  if (value.get_uint64().get(n)) return 0;
  return n;
}

int64_t intOr(od::value value, int64_t otherwise) {
  int64_t n = 0;
  if (value.get_int64().get(n)) return otherwise;
  return n;
}

bool isNull(od::value value) {
  bool null = false;
  if (value.is_null().get(null)) return false;
  return null;
}

std::string_view rawObject(od::value value) {
  od::object object;
  std::string_view raw;
  if (value.get_object().get(object) || object.raw_json().get(raw)) return {};
  while (!raw.empty() && isJsonSpace(raw.back())) raw.remove_suffix(1);
  return raw;
}

bool isJsonObject(std::string_view json) {
  simdjson::dom::element element;
  if (scratch().dom.parse(json.data(), json.size(), true).get(element)) return false;
  return element.is_object();
}

void appendMinified(std::string& out, std::string_view json) {
  bool in_string = false;
  bool escaped = false;
  out.reserve(out.size() + json.size());
  for (char c : json) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (!isJsonSpace(c)) {
      out += c;
      if (c == '"') in_string = true;
    }
  }
}

}  // namespace llmproxy::worker::protocol
