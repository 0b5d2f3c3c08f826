// Admin request bodies: parse once with simdjson's DOM, then checked readers per member.
#include "worker/admin/admin_json.h"

#include <climits>

namespace llmproxy::worker::admin {
namespace {

using simdjson::dom::element_type;

std::string joinParam(std::string_view param, std::string_view member) {
  std::string out(param);
  if (!out.empty()) out += '.';
  out += member;
  return out;
}

bool isDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

}  // namespace

JsonBody::JsonBody() : parser_(std::make_unique<simdjson::dom::parser>()) {}

JsonBody::~JsonBody() = default;

bool JsonBody::fail(std::string param, std::string message) {
  if (!error_) error_ = FieldError{std::move(param), std::move(message)};
  return false;
}

bool JsonBody::parse(std::string_view text, std::initializer_list<std::string_view> fields,
                     std::initializer_list<std::string_view> read_only, bool empty_ok) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (empty_ok) return true;
    return fail("", "the request body must be a JSON object");
  }
  if (parser_->allocate(text.size(), kMaxDepth) != simdjson::SUCCESS)
    return fail("", "the request body is too large to parse");
  Element root;
  if (auto err = parser_->parse(text.data(), text.size(), true).get(root); err) {
    if (err == simdjson::DEPTH_ERROR)
      return fail("", "the request body is nested deeper than " + std::to_string(kMaxDepth) +
                          " levels");
    return fail("", std::string("invalid JSON in the request body: ") +
                        simdjson::error_message(err));
  }
  auto got = members(root, "");
  if (!got) {
    if (root.type() != element_type::OBJECT) {
      error_.reset();
      return fail("", "the request body must be a JSON object");
    }
    return false;
  }
  for (auto& [name, value] : *got) {
    bool known = false;
    for (std::string_view f : fields) known = known || f == name;
    for (std::string_view f : read_only)
      if (f == name) return fail(name, "'" + name + "' is read-only");
    if (!known) return fail(name, "unknown field '" + name + "'");
  }
  members_ = std::move(*got);
  return true;
}

std::optional<JsonBody::Element> JsonBody::get(std::string_view name) const {
  for (const auto& [k, v] : members_)
    if (k == name) return v;
  return std::nullopt;
}

bool JsonBody::failValue(std::string_view param, std::string_view message) {
  if (param.empty()) return fail("", std::string(message));
  return fail(std::string(param), std::string(param) + ": " + std::string(message));
}

std::optional<std::string> JsonBody::string(Element v, std::string_view param, size_t max_size,
                                            bool allow_empty) {
  const common::schema::Field field{"", "", "", common::schema::Kind::String,
                                    allow_empty ? 0 : 1, static_cast<int64_t>(max_size), ""};
  return text(v, param, field);
}

std::optional<std::string> JsonBody::text(Element v, std::string_view param,
                                          const common::schema::Field& field) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    failValue(param, common::schema::expected(common::schema::Kind::String));
    return std::nullopt;
  }
  return checked(param, common::schema::text(field, s));
}

std::optional<int64_t> JsonBody::integer(Element v, std::string_view param, int64_t min,
                                         int64_t max) {
  const common::schema::Field field{"", "", "", common::schema::Kind::Integer, min, max, ""};
  return integer(v, param, field);
}

std::optional<int64_t> JsonBody::integer(Element v, std::string_view param,
                                         const common::schema::Field& field) {
  const auto t = v.type();
  if (t == element_type::UINT64)
    return checked(param, common::schema::unsignedInteger(field, v.get_uint64().value_unsafe()));
  if (t != element_type::INT64) {
    failValue(param, common::schema::expected(common::schema::Kind::Integer));
    return std::nullopt;
  }
  return checked(param, common::schema::integer(field, v.get_int64().value_unsafe()));
}

std::optional<double> JsonBody::number(Element v, std::string_view param, double min,
                                       double max) {
  const common::schema::Field field{"", "", "", common::schema::Kind::Number,
                                    static_cast<int64_t>(min), static_cast<int64_t>(max), ""};
  return number(v, param, field);
}

std::optional<double> JsonBody::number(Element v, std::string_view param,
                                       const common::schema::Field& field) {
  double d;
  if (v.get_double().get(d) != simdjson::SUCCESS) {
    failValue(param, common::schema::expected(common::schema::Kind::Number));
    return std::nullopt;
  }
  return checked(param, common::schema::number(field, d));
}

std::optional<bool> JsonBody::boolean(Element v, std::string_view param) {
  bool b;
  if (v.get_bool().get(b) != simdjson::SUCCESS) {
    failValue(param, common::schema::expected(common::schema::Kind::Bool));
    return std::nullopt;
  }
  return b;
}

std::optional<std::vector<std::string>> JsonBody::stringList(Element v, std::string_view param,
                                                             size_t max_size) {
  simdjson::dom::array array;
  const std::string p(param);
  if (v.get_array().get(array) != simdjson::SUCCESS) {
    failValue(p, common::schema::expected(common::schema::Kind::StringList));
    return std::nullopt;
  }
  if (array.size() > kMaxListItems) {
    failValue(p, "must have at most " + std::to_string(kMaxListItems) + " entries");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(array.size());
  for (Element item : array) {
    auto s = string(item, param, max_size, false);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, JsonBody::Element>>> JsonBody::members(
    Element v, std::string_view param) {
  simdjson::dom::object object;
  const std::string p(param);
  if (v.get_object().get(object) != simdjson::SUCCESS) {
    failValue(p, common::schema::expected(common::schema::Kind::Mapping));
    return std::nullopt;
  }
  if (object.size() > kMaxListItems) {
    failValue(p, "must have at most " + std::to_string(kMaxListItems) + " members");
    return std::nullopt;
  }
  std::vector<std::pair<std::string, Element>> out;
  out.reserve(object.size());
  for (auto field : object) {
    const std::string_view key = field.key;
    const std::string name = joinParam(param, key);
    if (key.find('\0') != std::string_view::npos) {
      fail(p, "member names must not contain NUL characters");
      return std::nullopt;
    }
    if (key.size() > kMaxNameSize) {
      fail(p, "a member name is longer than " + std::to_string(kMaxNameSize) + " bytes");
      return std::nullopt;
    }
    for (const auto& [k, ignored] : out) {
      if (k == key) {
        fail(name, "duplicate member '" + name + "'");
        return std::nullopt;
      }
    }
    out.emplace_back(std::string(key), field.value);
  }
  return out;
}

std::optional<int32_t> numericId(std::string_view param) {
  if (!isDigits(param) || param.size() > 10 || param.front() == '0') return std::nullopt;
  const int64_t v = std::stoll(std::string(param));
  if (v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

Outcome respondFieldError(LocalCall& call, const FieldError& error) {
  return call.respondError({common::ErrorKind::BadRequest, error.message, 0}, error.param);
}

}  // namespace llmproxy::worker::admin
