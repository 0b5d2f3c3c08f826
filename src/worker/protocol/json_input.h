// Reading a provider's JSON with simdjson on-demand: one padded buffer and parser per thread,
// reused by every converter, plus the few lenient readers the converters share.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace llmproxy::worker::protocol {

namespace od = simdjson::ondemand;

// One parsed document. Small inputs use the thread's retained parser and buffer, so only one
// JsonDoc may be alive per thread at a time (a second one would overwrite the first); inputs
// above kRetainedCapacity get their own, freed with the JsonDoc. Views read from the document
// (strings, raw_json) are valid while the JsonDoc lives.
class JsonDoc {
 public:
  static constexpr size_t kRetainedCapacity = 1u << 20;

  explicit JsonDoc(std::string_view json);
  JsonDoc(const JsonDoc&) = delete;
  JsonDoc& operator=(const JsonDoc&) = delete;

  // The root object; an error when the input is not JSON or its root is not an object.
  simdjson::simdjson_result<od::object> root();

 private:
  std::unique_ptr<char[]> own_buffer_;
  std::optional<od::parser> own_parser_;
  od::document doc_;
  simdjson::error_code error_ = simdjson::SUCCESS;
};

// Lenient readers: a value of another type reads as empty / 0 / false.
std::string_view stringOr(od::value value, std::string_view otherwise = {});
uint64_t countOr(od::value value);
int64_t intOr(od::value value, int64_t otherwise);
bool isNull(od::value value);

// The object's raw text with the whitespace after it trimmed (on-demand's raw_json runs up to
// the next token); empty when `value` is not an object.
std::string_view rawObject(od::value value);

// Whether `json` is exactly one valid JSON object (every byte checked, not only what
// on-demand would visit). Uses the thread's DOM parser, so it never disturbs a live JsonDoc.
bool isJsonObject(std::string_view json);

// Appends `json` with the whitespace outside strings removed (no validation).
void appendMinified(std::string& out, std::string_view json);

}  // namespace llmproxy::worker::protocol
