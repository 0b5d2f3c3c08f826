// Admin request bodies: parse once with simdjson's DOM, then checked readers per member.
#include "worker/admin/admin_json.h"

#include <climits>
#include <cmath>
#include <ctime>

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

std::optional<std::string> JsonBody::string(Element v, std::string_view param, size_t max_size,
                                            bool allow_empty) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    fail(std::string(param), "'" + std::string(param) + "' must be a string");
    return std::nullopt;
  }
  if (s.size() > max_size) {
    fail(std::string(param), "'" + std::string(param) + "' is longer than " +
                                 std::to_string(max_size) + " bytes");
    return std::nullopt;
  }
  if (!allow_empty && s.empty()) {
    fail(std::string(param), "'" + std::string(param) + "' must not be empty");
    return std::nullopt;
  }
  if (s.find('\0') != std::string_view::npos) {
    fail(std::string(param), "'" + std::string(param) + "' must not contain NUL characters");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<int64_t> JsonBody::integer(Element v, std::string_view param, int64_t min,
                                         int64_t max) {
  const std::string p(param);
  const auto t = v.type();
  if (t == element_type::UINT64) {
    fail(p, "'" + p + "' must be at most " + std::to_string(max));
    return std::nullopt;
  }
  if (t != element_type::INT64) {
    fail(p, "'" + p + "' must be an integer");
    return std::nullopt;
  }
  const int64_t n = v.get_int64().value_unsafe();
  if (n < min || n > max) {
    fail(p, "'" + p + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<double> JsonBody::number(Element v, std::string_view param, double min,
                                       double max) {
  const std::string p(param);
  double d;
  if (v.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) {
    fail(p, "'" + p + "' must be a number");
    return std::nullopt;
  }
  if (d < min || d > max) {
    fail(p, "'" + p + "' must be between " + std::to_string(static_cast<int64_t>(min)) + " and " +
                std::to_string(static_cast<int64_t>(max)));
    return std::nullopt;
  }
  return d;
}

std::optional<bool> JsonBody::boolean(Element v, std::string_view param) {
  bool b;
  if (v.get_bool().get(b) != simdjson::SUCCESS) {
    fail(std::string(param), "'" + std::string(param) + "' must be true or false");
    return std::nullopt;
  }
  return b;
}

std::optional<std::vector<std::string>> JsonBody::stringList(Element v, std::string_view param,
                                                             size_t max_size) {
  simdjson::dom::array array;
  const std::string p(param);
  if (v.get_array().get(array) != simdjson::SUCCESS) {
    fail(p, "'" + p + "' must be an array of strings");
    return std::nullopt;
  }
  if (array.size() > kMaxListItems) {
    fail(p, "'" + p + "' has more than " + std::to_string(kMaxListItems) + " entries");
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
    fail(p, "'" + p + "' must be an object");
    return std::nullopt;
  }
  if (object.size() > kMaxListItems) {
    fail(p, "'" + p + "' has more than " + std::to_string(kMaxListItems) + " members");
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

Outcome respondFieldError(Exchange& ex, const FieldError& error) {
  return pipeline::respondError(ex, {common::ErrorKind::BadRequest, error.message, 0},
                                error.param);
}

std::string rfc3339(int64_t unix_seconds) {
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

bool isRfc3339(std::string_view s) {
  // 2026-01-31T12:00:00
  if (s.size() < 20) return false;
  auto digits = [&](size_t at, size_t n) { return isDigits(s.substr(at, n)); };
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' || !digits(14, 2) ||
      s[16] != ':' || !digits(17, 2))
    return false;
  size_t at = 19;
  if (s[at] == '.') {
    const size_t start = ++at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
    if (at == start || at - start > 9) return false;
  }
  const std::string_view zone = s.substr(at);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && isDigits(zone.substr(1, 2)) &&
         zone[3] == ':' && isDigits(zone.substr(4, 2));
}

std::string maskSecret(std::string_view secret) {
  if (secret.empty()) return "";
  if (secret.size() < 12) return "****";
  return "****" + std::string(secret.substr(secret.size() - 4));
}

}  // namespace llmproxy::worker::admin
