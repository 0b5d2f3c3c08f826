// What the three request readers share: the walk over a simdjson on-demand document, views that
// point into the client's body, and the 400 errors that name the parameter at fault. Included
// only by the readers' .cc files (it brings in simdjson).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/base/result.h"
#include "worker/protocol/internal_request.h"

namespace llmproxy::worker::protocol::reading {

namespace od = simdjson::ondemand;
using common::Result;

// Where a value lies in the request, for error messages: "messages[2].content[0].type". Lives on
// the stack: a Path refers to its parent, and a key to a string that outlives the walk.
class Path {
 public:
  Path() = default;  // the root
  Path member(std::string_view key) const { return Path(this, key, 0, false); }
  Path index(size_t i) const { return Path(this, {}, i, true); }
  std::string str() const;

 private:
  Path(const Path* parent, std::string_view key, size_t index, bool is_index)
      : parent_(parent), key_(key), index_(index), is_index_(is_index) {}
  void append(std::string& out) const;

  const Path* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool is_index_ = false;
};

// The root path: top-level members hang from it (a Path must outlive the paths below it, so
// never from a temporary Path()).
inline const Path kRoot;

// One reading: the internal form being filled and where its views must point. simdjson reads
// `parsed` (the body itself, or a padded copy of it); every view handed to the internal form is
// moved to the same offset in `body`.
struct Scope {
  InternalRequest& ir;
  const char* parsed;
  const char* body;
  // For the items a Responses item_reference carries (item_ids.h): parsed apart, as the body's
  // document is still being read. Null inside such an item.
  od::parser* items = nullptr;

  std::string_view view(std::string_view in_parsed) const {
    return {body + (in_parsed.data() - parsed), in_parsed.size()};
  }
};

// The errors, all ErrorKind::BadRequest with `param` set to the path.
std::unexpected<common::Error> badRequest(std::string detail, const Path& path);
std::unexpected<common::Error> missing(const Path& path);
std::unexpected<common::Error> wrongType(const Path& path, std::string_view expected);
std::unexpected<common::Error> invalidValue(const Path& path, std::string_view value,
                                            std::string_view allowed);
// A value the other protocol has no place for ("content type 'document'").
std::unexpected<common::Error> untranslatable(const Path& path, std::string_view what);
std::unexpected<common::Error> duplicate(const Path& path);
std::unexpected<common::Error> invalidJson(simdjson::error_code code);

// Value readers. Each consumes the value; `path` names it in errors. The *OrNull forms give an
// absent result for JSON null.
Result<od::json_type> typeOf(od::value& v);
Result<JsonText> readText(const Scope& sc, od::value& v, const Path& path);
Result<JsonText> readTextOrNull(const Scope& sc, od::value& v, const Path& path);
Result<od::object> readObject(od::value& v, const Path& path);
Result<od::array> readArray(od::value& v, const Path& path);
// An object's raw JSON text in the body.
Result<std::string_view> readRawObject(const Scope& sc, od::value& v, const Path& path);
// Any value's raw JSON text in the body.
Result<std::string_view> readRawValue(const Scope& sc, od::value& v);
// A number's raw token; empty for null.
Result<std::string_view> readNumberOrNull(const Scope& sc, od::value& v, const Path& path);
// A non-negative integer; nullopt for null.
Result<std::optional<uint64_t>> readCountOrNull(od::value& v, const Path& path);
Result<std::optional<bool>> readBoolOrNull(od::value& v, const Path& path);
// A string compared at once (roles, types): a view into the parser, valid until the next read.
Result<std::string_view> readName(od::value& v, const Path& path);

// The string member `key` of `object` wherever it lies (roles and types decide how the other
// members read), then the object rewound to its start. Missing: an error naming it, or an
// empty view when not `required`.
Result<std::string_view> peekName(od::object& object, std::string_view key, const Path& path,
                                  bool required = true);

// The index of top-level member `key` in `keys`, or -1 for a member the reader does not know.
// A second occurrence of a known member is an error (two "messages" would read as one).
Result<int> knownKey(std::span<const std::string_view> keys, std::string_view key, uint64_t& seen);

// A key as it lies in the body (escapes kept), from the start of its content (what
// field.key().raw() gives before unescaped_key() consumes the key).
JsonText rawKey(const Scope& sc, const char* begin);

// Stores a read value: `return store(part.text, readText(...));`.
template <typename T, typename U>
Result<void> store(T& target, Result<U>&& result) {
  if (!result) return std::unexpected(std::move(result.error()));
  target = std::move(*result);
  return {};
}

// Calls f(key, field) for each member, `key` unescaped; stops at the first error.
template <typename F>
Result<void> forEachField(od::object& object, F&& f) {
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return invalidJson(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return invalidJson(e);
    if (auto r = f(key, field); !r) return r;
  }
  return {};
}

// forEachField for a top level: f(key, raw_key_begin, field), raw_key_begin for rawKey.
template <typename F>
Result<void> forEachTopField(od::object& object, F&& f) {
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return invalidJson(e);
    const char* raw_key = field.key().raw();
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return invalidJson(e);
    if (auto r = f(key, raw_key, field); !r) return r;
  }
  return {};
}

// Calls f(index, value) for each element; stops at the first error.
template <typename F>
Result<void> forEachElement(od::array& array, F&& f) {
  size_t i = 0;
  for (auto element : array) {
    od::value value;
    if (auto e = std::move(element).get(value)) return invalidJson(e);
    if (auto r = f(i++, value); !r) return r;
  }
  return {};
}

// Fills an Image part from an OpenAI image URL: a base64 data URL becomes base64 data and a
// media type, an http(s) URL stays a URL. Anything else is an error naming `path`.
Result<void> imageFromUrl(JsonText url, Part& part, const Path& path);

// A ToolUse part's OpenAI arguments string: kept as it is (`arguments`), and its value copied
// unescaped into ir.owned as `input`, to be checked by validateToolInputs once the document is
// read (the parser is busy until then).
Result<void> readArguments(const Scope& sc, od::value& v, Part& part, const Path& path);

// Every ToolUse input copied by readArguments, checked: a JSON object stays, anything else
// becomes "{}" (counted in ir.unparseable_arguments unless it was empty).
void validateToolInputs(od::parser& parser, InternalRequest& ir);

// The index the next part appended to ir.parts gets.
inline uint32_t partsEnd(const InternalRequest& ir) {
  return static_cast<uint32_t>(ir.parts.size());
}

// Reorders one assistant message's parts as Anthropic requires: thinking, text, tool use (each
// kind keeps its order).
void orderAssistantParts(InternalRequest& ir, Range range);

}  // namespace llmproxy::worker::protocol::reading
