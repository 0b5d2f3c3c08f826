// The facts the pipeline needs from a request body (model, stream, stream_options), found in
// one validating parse, with the byte offsets that let later stages splice the body in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.h"

namespace llmproxy::common {

// Which conversation a body holds, for the repair scan (conversation_scan.h): none (any other
// body), OpenAI chat messages, or Anthropic Messages.
enum class ConversationShape : uint8_t { None, OpenAIChat, AnthropicMessages };

struct ConversationScan;

// A half-open byte range [begin, end) in the request body.
struct ByteRange {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  std::string_view in(std::string_view body) const { return body.substr(begin, end - begin); }
  bool operator==(const ByteRange&) const = default;
};

struct JsonFacts {
  enum class StreamOptions : uint8_t { Absent, Null, Object };

  std::string model;      // the top-level "model" value, unescaped; never empty
  ByteRange model_token;  // its JSON string token, both quotes included
  bool stream = false;    // "stream": true; absent or null = false

  // What is needed to make the upstream report usage on a stream (inject include_usage):
  //  - Absent: insert `,"stream_options":{...}` at object_close;
  //  - Null:   replace stream_options_token;
  //  - Object: replace include_usage_token when present (its value is true, false or null),
  //            else insert after the '{' at stream_options_token.begin (followed by ',' unless
  //            stream_options_empty).
  StreamOptions stream_options = StreamOptions::Absent;
  ByteRange stream_options_token;     // the whole value ("null" or "{...}") when present
  bool stream_options_empty = false;  // the object has no member
  std::optional<bool> include_usage;  // stream_options.include_usage when a boolean
  ByteRange include_usage_token;      // its value token when the key is present (bool or null)

  size_t object_close = 0;  // offset of the top-level object's closing '}'

  // The conversation's repairs for a provider of the body's own protocol; null when it needs
  // none (always, for ConversationShape::None).
  std::shared_ptr<const ConversationScan> repairs;
};

// Parses request bodies. Owns a simdjson parser and a padded scratch buffer, both reused
// across calls: one instance per worker, used only on the worker loop (not thread-safe).
//
// Contract of parse(data, len, capacity):
//  - `data` holds `len` bytes of body; `capacity` >= len is how many bytes are readable from
//    `data`. simdjson reads up to SIMDJSON_PADDING (64) bytes past the end: when
//    capacity - len >= SIMDJSON_PADDING the body is parsed in place (no copy; the bytes past
//    len are read, never written, and need not be zero); otherwise it is first copied into a
//    padded scratch buffer. The body buffer should reserve kPadding bytes so the copy never
//    happens.
//  - The WHOLE document is validated (syntax, UTF-8, string escapes, numbers, literals,
//    trailing content), not only the members read: what we forward is what we checked.
//  - Only the top-level object's members count: a "model" nested anywhere else is ignored.
//  - Keys are compared after unescaping, so "mod\u0065l" is "model".
//  - Duplicate top-level "model", "stream" or "stream_options" keys (and duplicate
//    "include_usage" inside stream_options) are rejected with 400. JSON leaves duplicates
//    undefined and upstream parsers usually keep the last one; accepting them would let a
//    body pass our allowed_models check with one model and reach the provider with another.
//    Duplicates of other keys are passed through untouched.
//  - Errors are ErrorKind::BadRequest with a message naming the offending parameter:
//    invalid JSON, not an object, missing/empty/non-string model, non-boolean stream,
//    stream_options neither object nor null, non-boolean include_usage, duplicates.
//  - `shape` names the conversation the body holds: its messages are scanned in the same walk
//    for the repairs of conversation_scan.h (JsonFacts::repairs).
//  - Cost: one simdjson pass over the body (SIMD stage 1 + an on-demand walk of every value);
//    no allocation in steady state except the model string (and the copy of the scan when a
//    repair is needed). Bodies over kRetainedCapacity
//    are parsed by a temporary parser so a rare 16 MiB body does not pin its parser memory
//    in the worker for good.
class JsonFactsParser {
 public:
  static constexpr size_t kPadding = 64;  // == SIMDJSON_PADDING (static_assert in the .cc)
  static constexpr size_t kRetainedCapacity = 1u << 20;

  JsonFactsParser();
  ~JsonFactsParser();
  JsonFactsParser(const JsonFactsParser&) = delete;
  JsonFactsParser& operator=(const JsonFactsParser&) = delete;

  Result<JsonFacts> parse(const char* data, size_t len, size_t capacity,
                          ConversationShape shape = ConversationShape::None);
  Result<JsonFacts> parse(std::string_view body,
                          ConversationShape shape = ConversationShape::None) {
    return parse(body.data(), body.size(), body.size(), shape);
  }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The body with the model value replaced, as three pieces for one writev: `before` and `after`
// view the original body (which must outlive the splice), `value` is the new JSON string token
// (quotes included, escaped with appendJsonString). No re-serialisation of anything else.
struct ModelSplice {
  std::string_view before;
  std::string value;
  std::string_view after;

  size_t size() const { return before.size() + value.size() + after.size(); }  // Content-Length
  std::string joined() const;  // the whole new body in one string (tests, non-writev paths)
};

// `model_token` must be JsonFacts::model_token for this very body.
ModelSplice spliceModel(std::string_view body, ByteRange model_token, std::string_view new_model);

}  // namespace llmproxy::common
