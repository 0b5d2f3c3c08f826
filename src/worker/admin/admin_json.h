// Request bodies of the admin API: one JSON object, read member by member with a type and
// bound check each. The first problem found is kept as a FieldError naming the member
// ("weight", "rate_limit.burst", "model_mapping.gpt-*"), which the handler answers as a 400
// with that `param`. Unknown members are errors too (a typo must not be silently ignored),
// and so are duplicate members, NUL characters in strings and nesting deeper than kMaxDepth.
// Value messages are the config schema's (schema.h) behind the member: "weight: must be
// between 1 and 1000 (got 0)", the same text llmproxy.conf and the database rows report.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/scalars.h"
#include "common/config/schema.h"
#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

// Bounds on what the admin API stores.
inline constexpr size_t kMaxNameSize = 4096;      // names, models, patterns, URLs
inline constexpr size_t kMaxSecretSize = 65536;   // provider api_key, client key
inline constexpr size_t kMaxListItems = 4096;     // models, allowed_models, mapping entries
inline constexpr size_t kMaxDepth = 32;           // nesting of a request body

struct FieldError {
  std::string param;    // the member, "" when the body as a whole is wrong
  std::string message;
};

class JsonBody {
 public:
  using Element = simdjson::dom::element;

  JsonBody();
  ~JsonBody();
  JsonBody(const JsonBody&) = delete;
  JsonBody& operator=(const JsonBody&) = delete;

  // Parses `text` as one JSON object whose members are all in `fields` (members listed in
  // `read_only` are refused as read-only). An empty body reads as {} when `empty_ok`.
  bool parse(std::string_view text, std::initializer_list<std::string_view> fields,
             std::initializer_list<std::string_view> read_only = {}, bool empty_ok = false);

  // The member `name`, if present (null included).
  std::optional<Element> get(std::string_view name) const;
  size_t size() const { return members_.size(); }

  // Readers over one value; `param` names it in errors. nullopt = wrong (error() is set).
  std::optional<std::string> string(Element v, std::string_view param, size_t max_size,
                                    bool allow_empty = true);
  std::optional<int64_t> integer(Element v, std::string_view param, int64_t min, int64_t max);
  std::optional<double> number(Element v, std::string_view param, double min, double max);
  std::optional<bool> boolean(Element v, std::string_view param);
  // The same with a schema field's bounds and messages.
  std::optional<std::string> text(Element v, std::string_view param,
                                  const common::schema::Field& field);
  std::optional<int64_t> integer(Element v, std::string_view param,
                                 const common::schema::Field& field);
  std::optional<double> number(Element v, std::string_view param,
                               const common::schema::Field& field);
  // An array of non-empty strings, each at most max_size bytes, at most kMaxListItems.
  std::optional<std::vector<std::string>> stringList(Element v, std::string_view param,
                                                     size_t max_size);
  // The members of an object value (unknown-member checks are the caller's), at most
  // kMaxListItems, no duplicates.
  std::optional<std::vector<std::pair<std::string, Element>>> members(Element v,
                                                                     std::string_view param);

  bool ok() const { return !error_; }
  const FieldError& error() const { return *error_; }
  // Records a problem (the first one wins); returns false for `return fail(...)` chains.
  bool fail(std::string param, std::string message);
  // fail(param, "param: message"): a value problem in the schema's wording.
  bool failValue(std::string_view param, std::string_view message);
  // The value of a schema check, or nullopt after failValue() with its message.
  template <typename T>
  std::optional<T> checked(std::string_view param, common::schema::Checked<T> value) {
    if (value) return std::move(*value);
    failValue(param, value.error());
    return std::nullopt;
  }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::vector<std::pair<std::string, Element>> members_;
  std::optional<FieldError> error_;
};

// The `{id}` of a route as a database id: 1..2^31-1 written in decimal digits only, else nullopt
// (huge, signed, padded or non-numeric ids never reach SQL).
std::optional<int32_t> numericId(std::string_view param);

// 400 with the error's message and param.
Outcome respondFieldError(LocalCall& call, const FieldError& error);

// Times in answers are common::formatRfc3339's; api keys are shown as common::maskSecret's.
using common::maskSecret;

}  // namespace llmproxy::worker::admin
