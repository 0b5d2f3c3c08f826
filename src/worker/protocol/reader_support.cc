// The request readers' shared walk, views and errors.
#include "worker/protocol/reader_support.h"

#include <algorithm>
#include <cstring>

#include "common/json/json_validate.h"

namespace llmproxy::worker::protocol::reading {
namespace {

using simdjson::error_code;

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// raw_json_token() and raw_json() run up to the next token, trailing whitespace included.
std::string_view trimRight(std::string_view s) {
  while (!s.empty() && isJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

JsonText textOf(std::string_view content) {
  return {content, std::memchr(content.data(), '\\', content.size()) != nullptr};
}


// Whether `text` (followed by kPadding readable bytes) is exactly one JSON object.
bool isJsonObject(od::parser& parser, std::string_view text) {
  od::document doc;
  if (parser.iterate(text.data(), text.size(), text.size() + kPadding).get(doc)) return false;
  od::json_type type;
  if (doc.type().get(type) || type != od::json_type::object) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
    if (common::validateJsonValue(field.value(), 1)) return false;
  }
  const char* rest = nullptr;
  return doc.current_location().get(rest) == simdjson::OUT_OF_BOUNDS;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

int partRank(PartKind kind) {
  switch (kind) {
    case PartKind::Thinking:
      return 0;
    case PartKind::ToolUse:
      return 2;
    default:
      return 1;
  }
}

}  // namespace

void Path::append(std::string& out) const {
  if (parent_) parent_->append(out);
  if (is_index_) {
    out += '[';
    out += std::to_string(index_);
    out += ']';
  } else if (!key_.empty()) {
    if (!out.empty()) out += '.';
    out += key_;
  }
}

std::string Path::str() const {
  std::string out;
  append(out);
  return out;
}

std::unexpected<common::Error> badRequest(std::string detail, const Path& path) {
  common::Error error{common::ErrorKind::BadRequest, std::move(detail), 0};
  error.param = path.str();
  return std::unexpected(std::move(error));
}

std::unexpected<common::Error> missing(const Path& path) {
  return badRequest("Missing required parameter: '" + path.str() + "'", path);
}

std::unexpected<common::Error> wrongType(const Path& path, std::string_view expected) {
  return badRequest("Invalid type for '" + path.str() + "': expected " + std::string(expected),
                    path);
}

std::unexpected<common::Error> invalidValue(const Path& path, std::string_view value,
                                            std::string_view allowed) {
  return badRequest("Invalid value for '" + path.str() + "': '" + std::string(value) +
                        "'; expected " + std::string(allowed),
                    path);
}

std::unexpected<common::Error> untranslatable(const Path& path, std::string_view what) {
  return badRequest("Unsupported " + std::string(what) + " in '" + path.str() +
                        "': it has no equivalent in the provider's API",
                    path);
}

std::unexpected<common::Error> duplicate(const Path& path) {
  return badRequest("Duplicate key '" + path.str() + "' in request body", path);
}

std::unexpected<common::Error> invalidJson(error_code code) {
  return common::fail(common::ErrorKind::BadRequest, std::string("Invalid JSON in request body: ") +
                                                         simdjson::error_message(code));
}

Result<od::json_type> typeOf(od::value& v) {
  od::json_type type;
  if (auto e = v.type().get(type)) return invalidJson(e);
  return type;
}

Result<JsonText> readText(const Scope& sc, od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type != od::json_type::string) return wrongType(path, "a string");
  const std::string_view token = trimRight(v.raw_json_token());
  if (token.size() < 2) return invalidJson(simdjson::STRING_ERROR);
  return textOf(sc.view(token.substr(1, token.size() - 2)));
}

Result<JsonText> readTextOrNull(const Scope& sc, od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return JsonText{};
  if (*type != od::json_type::string) return wrongType(path, "a string");
  return readText(sc, v, path);
}

Result<od::object> readObject(od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type != od::json_type::object) return wrongType(path, "an object");
  od::object object;
  if (auto e = v.get_object().get(object)) return invalidJson(e);
  return object;
}

Result<od::array> readArray(od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type != od::json_type::array) return wrongType(path, "an array");
  od::array array;
  if (auto e = v.get_array().get(array)) return invalidJson(e);
  return array;
}

Result<std::string_view> readRawObject(const Scope& sc, od::value& v, const Path& path) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  std::string_view raw;
  if (auto e = object->raw_json().get(raw)) return invalidJson(e);
  return sc.view(trimRight(raw));
}

Result<std::string_view> readRawValue(const Scope& sc, od::value& v) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  std::string_view raw;
  if (*type == od::json_type::object) {
    od::object object;
    if (auto e = v.get_object().get(object)) return invalidJson(e);
    if (auto e = object.raw_json().get(raw)) return invalidJson(e);
  } else if (*type == od::json_type::array) {
    od::array array;
    if (auto e = v.get_array().get(array)) return invalidJson(e);
    if (auto e = array.raw_json().get(raw)) return invalidJson(e);
  } else {
    raw = v.raw_json_token();
  }
  return sc.view(trimRight(raw));
}

Result<std::string_view> readNumberOrNull(const Scope& sc, od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return std::string_view{};
  if (*type != od::json_type::number) return wrongType(path, "a number");
  const std::string_view token = trimRight(v.raw_json_token());
  double d;
  if (auto e = v.get_double().get(d)) return invalidJson(e);
  return sc.view(token);
}

Result<std::optional<uint64_t>> readCountOrNull(od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return std::optional<uint64_t>{};
  uint64_t n = 0;
  if (*type != od::json_type::number || v.get_uint64().get(n))
    return wrongType(path, "a non-negative integer");
  return std::optional<uint64_t>{n};
}

Result<std::optional<bool>> readBoolOrNull(od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return std::optional<bool>{};
  bool b = false;
  if (*type != od::json_type::boolean) return wrongType(path, "a boolean");
  if (auto e = v.get_bool().get(b)) return invalidJson(e);
  return std::optional<bool>{b};
}

Result<std::string_view> readName(od::value& v, const Path& path) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type != od::json_type::string) return wrongType(path, "a string");
  std::string_view s;
  if (auto e = v.get_string().get(s)) return invalidJson(e);
  return s;
}

Result<std::string_view> peekName(od::object& object, std::string_view key, const Path& path,
                                  bool required) {
  od::value v;
  bool ignored = false;
  if (auto e = object.find_field_unordered(key).get(v)) {
    if (e != simdjson::NO_SUCH_FIELD) return invalidJson(e);
    if (required) return missing(path.member(key));
    if (auto e2 = object.reset().get(ignored)) return invalidJson(e2);
    return std::string_view{};
  }
  auto name = readName(v, path.member(key));
  if (!name) return name;
  if (auto e = object.reset().get(ignored)) return invalidJson(e);
  return name;
}

Result<int> knownKey(std::span<const std::string_view> keys, std::string_view key, uint64_t& seen) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] != key) continue;
    if (seen & (uint64_t{1} << i)) return duplicate(kRoot.member(keys[i]));
    seen |= uint64_t{1} << i;
    return static_cast<int>(i);
  }
  return -1;
}

JsonText rawKey(const Scope& sc, const char* begin) {
  const char* p = begin;
  while (*p != '"') p += *p == '\\' ? 2 : 1;
  return textOf(sc.view({begin, static_cast<size_t>(p - begin)}));
}

Result<void> imageFromUrl(JsonText url, Part& part, const Path& path) {
  part.kind = PartKind::Image;
  const std::string_view s = url.s;
  if (startsWith(s, "http:") || startsWith(s, "https:")) {
    part.image_url = true;
    part.text = url;
    return {};
  }
  if (startsWith(s, "data:")) {
    // data:<media type>[;<parameter>...];base64,<data>
    const size_t comma = s.find(',');
    const std::string_view header = s.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    const std::string_view media = header.substr(0, header.find(';'));
    if (comma != std::string_view::npos && !media.empty() && header.ends_with(";base64")) {
      part.media_type = textOf(media);
      part.text = textOf(s.substr(comma + 1));
      return {};
    }
  }
  return badRequest("Invalid value for '" + path.str() +
                        "': expected an http(s) URL or a base64 data URL "
                        "(data:<media type>;base64,<data>)",
                    path);
}

Result<void> readArguments(const Scope& sc, od::value& v, Part& part, const Path& path) {
  auto text = readTextOrNull(sc, v, path);
  if (!text) return std::unexpected(text.error());
  if (!text->present()) return {};  // null: no arguments, input stays "{}"
  part.arguments = *text;
  std::string_view value = text->s;
  if (text->escaped && v.get_string().get(value)) return invalidJson(simdjson::STRING_ERROR);
  // Owned, with simdjson's padding after it, so validateToolInputs parses it in place.
  auto block = std::make_unique_for_overwrite<char[]>(value.size() + kPadding);
  std::memcpy(block.get(), value.data(), value.size());
  std::memset(block.get() + value.size(), 0, kPadding);
  part.input = {block.get(), value.size()};
  sc.ir.owned.push_back(std::move(block));
  return {};
}

void validateToolInputs(od::parser& parser, InternalRequest& ir) {
  for (Part& part : ir.parts) {
    if (part.kind != PartKind::ToolUse || !part.arguments.present()) continue;
    const std::string_view input = part.input;
    if (std::all_of(input.begin(), input.end(), isJsonSpace)) {
      part.input = "{}";
    } else if (!isJsonObject(parser, input)) {
      part.input = "{}";
      ++ir.unparseable_arguments;
    }
  }
}

void orderAssistantParts(InternalRequest& ir, Range range) {
  auto begin = ir.parts.begin() + range.first;
  std::stable_sort(begin, begin + range.count, [](const Part& a, const Part& b) {
    return partRank(a.kind) < partRank(b.kind);
  });
}

}  // namespace llmproxy::worker::protocol::reading
