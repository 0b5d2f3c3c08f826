// Row conversion: text values and JSON columns -> config structs, with the rules and messages
// of the config schema (schema.h), as the file loader.
#include "master/db_rows.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <tuple>

#include "common/config/model_pattern.h"
#include "common/config/schema.h"
#include "common/config/upstream_url.h"
#include "common/crypto/sha256.h"

namespace llmproxy::master {
namespace {

namespace dom = simdjson::dom;

// Column positions, matching kSelectProviders / kSelectCredentials.
enum ProviderColumn {
  kPId, kPKey, kPType, kPApiBase, kPApiKey, kPApiVersion, kPMapping, kPModels, kPWeight,
  kPVerifySsl, kPMaxConcurrent, kPEnabled, kPResponses, kPMaxFails, kPFailTimeout,
  kPHealthCheckInterval, kProviderColumns
};
enum CredentialColumn {
  kCId, kCHash, kCName, kCAllowed, kCRps, kCBurst, kCTpm, kCMaxRequests, kCPerModel, kCCache,
  kCNamespace, kCExpires, kCEnabled, kCMaxBudget, kCSoftBudget, kCBudgetDuration,
  kCredentialColumns
};

enum PriceColumn {
  kRId, kRModel, kRProvider, kRInput, kROutput, kRCachedInput, kRCacheWrite, kPriceColumns
};

constexpr size_t kMaxJsonBytes = 1u << 20;  // a jsonb/array column larger than this is refused

// Parses `json` into `doc` with `parser`; an error message on failure.
std::optional<std::string> parseJson(dom::parser& parser, std::string_view json, dom::element& doc) {
  if (json.size() > kMaxJsonBytes) return "larger than 1 MiB";
  const simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(doc); err)
    return std::string("invalid JSON: ") + simdjson::error_message(err);
  return std::nullopt;
}

std::optional<int64_t> toInt(std::string_view text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// expires_at as extract(epoch ...) gives it: any int64 (the schema's bounds apply to what is
// written, not to what the database holds).
constexpr common::schema::Field kExpiresAtEpoch{"expires_at", "expires_at", "expires_at",
                                                common::schema::Kind::Integer,
                                                std::numeric_limits<int64_t>::min(),
                                                std::numeric_limits<int64_t>::max(), ""};

// Builds the problems of one row; `label` is filled in as soon as it is known.
class RowReader {
 public:
  RowReader(std::string table, const DbRow& row, size_t columns)
      : table_(std::move(table)), row_(row), columns_(columns) {}

  std::optional<RowProblem> shape() {
    if (row_.size() != columns_)
      return problem("*", "expected " + std::to_string(columns_) + " columns, got " +
                              std::to_string(row_.size()));
    return std::nullopt;
  }
  void setId(size_t col) {
    if (row_[col]) id_ = toInt(*row_[col]).value_or(0);
  }
  void setLabel(std::string label) { label_ = std::move(label); }
  int64_t id() const { return id_; }

  RowProblem problem(std::string field, std::string message) const {
    return RowProblem{table_, id_, label_, std::move(field), std::move(message)};
  }

  // Text of a NOT NULL column ("" and a problem if NULL).
  std::expected<std::string_view, RowProblem> text(size_t col, std::string_view field) const {
    if (!row_[col]) return std::unexpected(problem(std::string(field), "is NULL"));
    return *row_[col];
  }
  std::expected<bool, RowProblem> flag(size_t col, const common::schema::Field& field) const {
    auto t = text(col, field.column);
    if (!t) return std::unexpected(t.error());
    if (*t == "t" || *t == "true") return true;
    if (*t == "f" || *t == "false") return false;
    return std::unexpected(
        problem(std::string(field.column), common::schema::expected(common::schema::Kind::Bool)));
  }
  std::expected<int64_t, RowProblem> integer(size_t col, const common::schema::Field& field) const {
    auto t = text(col, field.column);
    if (!t) return std::unexpected(t.error());
    return checked(field.column, common::schema::integerText(field, *t));
  }
  // A duration written as in llmproxy.conf ("10s").
  std::expected<common::Millis, RowProblem> duration(size_t col,
                                                     const common::schema::Field& field) const {
    auto t = text(col, field.column);
    if (!t) return std::unexpected(t.error());
    return checked(field.column, common::schema::durationText(field, *t));
  }
  std::expected<double, RowProblem> number(size_t col, const common::schema::Field& field) const {
    auto t = text(col, field.column);
    if (!t) return std::unexpected(t.error());
    return checked(field.column, common::schema::numberText(field, *t));
  }
  std::expected<std::string, RowProblem> string(size_t col, const common::schema::Field& field) const {
    auto t = text(col, field.column);
    if (!t) return std::unexpected(t.error());
    return checked(field.column, common::schema::text(field, *t));
  }
  // A schema check's value, or its message as this row's problem in `column`.
  template <typename T>
  std::expected<T, RowProblem> checked(std::string_view column,
                                       common::schema::Checked<T> value) const {
    if (!value) return std::unexpected(problem(std::string(column), std::move(value.error())));
    return std::move(*value);
  }
  template <typename T>
  std::expected<T, RowProblem> json(size_t col, std::string_view field,
                                    std::expected<T, std::string> (*parse)(std::string_view)) const {
    auto t = text(col, field);
    if (!t) return std::unexpected(t.error());
    auto v = parse(*t);
    if (!v) return std::unexpected(problem(std::string(field), v.error()));
    return std::move(*v);
  }

 private:
  std::string table_;
  const DbRow& row_;
  size_t columns_;
  int64_t id_ = 0;
  std::string label_;
};

// The model-pattern priority for any list keyed by a pattern.
bool patternBefore(std::string_view a, std::string_view b) {
  const bool a_exact = common::classifyModelPattern(a) == common::ModelPatternKind::Exact;
  const bool b_exact = common::classifyModelPattern(b) == common::ModelPatternKind::Exact;
  if (a_exact != b_exact) return a_exact;
  if (!a_exact) {
    const size_t la = common::literalPrefix(a).size();
    const size_t lb = common::literalPrefix(b).size();
    if (la != lb) return la > lb;
  }
  return a < b;
}

}  // namespace

std::string RowProblem::str() const {
  std::string out = table + " id=" + std::to_string(id);
  if (!label.empty()) out += " (\"" + label + "\")";
  return out + " " + field + ": " + message;
}

namespace {

// What a NULL element of a text[] column means: nothing (skipped), or a bad row.
enum class NullElements : uint8_t { Skip, Refuse };

std::expected<std::vector<std::string>, std::string> stringArray(std::string_view json,
                                                                 NullElements nulls) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parseJson(parser, json, doc)) return std::unexpected(*err);
  if (doc.is_null()) return std::vector<std::string>{};  // array_to_json of an empty array
  dom::array array;
  if (doc.get_array().get(array)) return std::unexpected("expected an array of strings");
  std::vector<std::string> out;
  for (dom::element e : array) {
    if (e.is_null()) {
      if (nulls == NullElements::Skip) continue;
      return std::unexpected("holds a NULL element");
    }
    std::string_view s;
    if (e.get_string().get(s)) return std::unexpected("expected an array of strings");
    out.emplace_back(s);
  }
  return out;
}

}  // namespace

std::expected<std::vector<std::string>, std::string> parseJsonStringArray(std::string_view json) {
  return stringArray(json, NullElements::Skip);
}

std::expected<std::vector<std::string>, std::string> parseAllowedModels(std::string_view json) {
  return stringArray(json, NullElements::Refuse);
}

std::expected<std::vector<common::ModelMapping>, std::string> parseJsonModelMapping(
    std::string_view json) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parseJson(parser, json, doc)) return std::unexpected(*err);
  dom::object object;
  if (doc.get_object().get(object))
    return std::unexpected("expected an object of \"pattern\": \"target\"");
  std::vector<common::ModelMapping> out;
  for (dom::key_value_pair field : object) {
    std::string_view target;
    if (field.value.get_string().get(target))
      return std::unexpected("the target of \"" + std::string(field.key) + "\" is not a string");
    if (std::string why = common::schema::modelMappingProblem(field.key, target); !why.empty())
      return std::unexpected(std::move(why));
    out.push_back(common::ModelMapping{std::string(field.key), std::string(target)});
  }
  common::sortModelMapping(out);
  return out;
}

std::expected<std::vector<common::ModelLimit>, std::string> parseJsonModelLimits(
    std::string_view json) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parseJson(parser, json, doc)) return std::unexpected(*err);
  dom::object object;
  if (doc.get_object().get(object))
    return std::unexpected("expected an object of \"pattern\": {requests_per_second, burst, "
                           "tokens_per_minute}");
  std::vector<common::ModelLimit> out;
  for (dom::key_value_pair field : object) {
    const std::string pattern(field.key);
    if (pattern.empty()) return std::unexpected("a model pattern must not be empty");
    dom::object limits;
    if (field.value.get_object().get(limits))
      return std::unexpected("\"" + pattern + "\": expected an object");
    common::ModelLimit limit;
    limit.model = pattern;
    for (dom::key_value_pair entry : limits) {
      const std::string where = "\"" + pattern + "\"." + std::string(entry.key) + ": ";
      if (entry.key == "tokens_per_minute") {
        int64_t n = 0;
        if (entry.value.get_int64().get(n))
          return std::unexpected(where + common::schema::expected(common::schema::Kind::Integer));
        auto checked = common::schema::integer(common::schema::key::kTokensPerMinute, n);
        if (!checked) return std::unexpected(where + checked.error());
        limit.tokens_per_minute = static_cast<uint64_t>(*checked);
        continue;
      }
      const bool rps = entry.key == "requests_per_second";
      if (!rps && entry.key != "burst")
        return std::unexpected("\"" + pattern + "\": unknown field \"" + std::string(entry.key) +
                               "\"");
      double v = 0;
      if (entry.value.get_double().get(v))
        return std::unexpected(where + common::schema::expected(common::schema::Kind::Number));
      auto checked = common::schema::number(
          rps ? common::schema::key::kRequestsPerSecond : common::schema::key::kBurst, v);
      if (!checked) return std::unexpected(where + checked.error());
      (rps ? limit.rate_limit.requests_per_second : limit.rate_limit.burst) = *checked;
    }
    common::schema::applyDefaultBurst(limit.rate_limit);
    out.push_back(std::move(limit));
  }
  std::sort(out.begin(), out.end(), [](const common::ModelLimit& a, const common::ModelLimit& b) {
    return patternBefore(a.model, b.model);
  });
  return out;
}

std::expected<common::ProviderConfig, RowProblem> providerFromRow(const DbRow& row) {
  namespace field = common::schema::provider;
  RowReader r("providers", row, kProviderColumns);
  if (auto bad = r.shape()) return std::unexpected(*bad);
  r.setId(kPId);
  common::ProviderConfig p;
  p.db_id = r.id();
  auto key = r.text(kPKey, field::kId.column);
  if (!key) return std::unexpected(key.error());
  p.id = std::string(*key);
  r.setLabel(p.id);
  if (auto id = r.checked(field::kId.column, common::schema::providerId(*key)); !id)
    return std::unexpected(id.error());

  auto type = r.text(kPType, field::kType.column);
  if (!type) return std::unexpected(type.error());
  auto parsed_type = r.checked(field::kType.column, common::schema::providerType(*type));
  if (!parsed_type) return std::unexpected(parsed_type.error());
  p.type = *parsed_type;

  auto base = r.text(kPApiBase, field::kApiBase.column);
  if (!base) return std::unexpected(base.error());
  auto url = common::parseUpstreamUrl(*base);
  if (!url) return std::unexpected(r.problem(std::string(field::kApiBase.column), url.error()));
  p.api_base = std::string(*base);
  p.url = std::move(*url);

  auto api_key = r.string(kPApiKey, field::kApiKey);
  if (!api_key) return std::unexpected(api_key.error());
  p.api_key = std::move(*api_key);
  auto version = r.string(kPApiVersion, field::kApiVersion);
  if (!version) return std::unexpected(version.error());
  p.api_version = std::move(*version);

  auto mapping = r.json(kPMapping, field::kModelMapping.column, &parseJsonModelMapping);
  if (!mapping) return std::unexpected(mapping.error());
  p.model_mapping = std::move(*mapping);
  auto models = r.json(kPModels, field::kModels.column, &parseJsonStringArray);
  if (!models) return std::unexpected(models.error());
  p.models = std::move(*models);

  auto weight = r.integer(kPWeight, field::kWeight);
  if (!weight) return std::unexpected(weight.error());
  p.weight = static_cast<uint32_t>(*weight);
  auto verify = r.flag(kPVerifySsl, field::kVerifySsl);
  if (!verify) return std::unexpected(verify.error());
  p.verify_ssl = *verify;
  auto concurrent = r.integer(kPMaxConcurrent, field::kMaxConcurrent);
  if (!concurrent) return std::unexpected(concurrent.error());
  p.max_concurrent = static_cast<uint32_t>(*concurrent);
  auto enabled = r.flag(kPEnabled, field::kEnabled);
  if (!enabled) return std::unexpected(enabled.error());
  p.enabled = *enabled;
  if (row[kPResponses]) {  // NULL: the default by type
    auto responses = r.flag(kPResponses, field::kResponses);
    if (!responses) return std::unexpected(responses.error());
    p.responses = *responses ? 1 : 0;
  }
  // NULL (a database without migration 0004): the defaults.
  if (row[kPMaxFails]) {
    auto max_fails = r.integer(kPMaxFails, field::kMaxFails);
    if (!max_fails) return std::unexpected(max_fails.error());
    p.max_fails = static_cast<uint32_t>(*max_fails);
  }
  if (row[kPFailTimeout]) {
    auto fail_timeout = r.duration(kPFailTimeout, field::kFailTimeout);
    if (!fail_timeout) return std::unexpected(fail_timeout.error());
    p.fail_timeout = *fail_timeout;
  }
  if (row[kPHealthCheckInterval]) {
    auto check_interval = r.duration(kPHealthCheckInterval, field::kHealthCheckInterval);
    if (!check_interval) return std::unexpected(check_interval.error());
    p.health_check_interval = *check_interval;
  }
  return p;
}

std::expected<common::KeyConfig, RowProblem> keyFromRow(const DbRow& row) {
  namespace field = common::schema::key;
  RowReader r("credentials", row, kCredentialColumns);
  if (auto bad = r.shape()) return std::unexpected(*bad);
  r.setId(kCId);
  common::KeyConfig k;
  k.db_id = r.id();
  auto name = r.text(kCName, field::kName.column);
  if (!name) return std::unexpected(name.error());
  k.name = std::string(*name);
  r.setLabel(k.name);
  if (auto checked = r.string(kCName, field::kName); !checked)
    return std::unexpected(checked.error());

  auto hash = r.text(kCHash, field::kKeySha256.column);
  if (!hash) return std::unexpected(hash.error());
  auto digest = common::sha256FromHex(*hash);
  if (!digest)
    return std::unexpected(r.problem(std::string(field::kKeySha256.column),
                                     common::schema::expected(common::schema::Kind::Sha256)));
  k.key_sha256 = *digest;

  auto allowed = r.json(kCAllowed, field::kAllowedModels.column, &parseAllowedModels);
  if (!allowed) return std::unexpected(allowed.error());
  k.allowed_models = std::move(*allowed);

  auto rps = r.number(kCRps, field::kRequestsPerSecond);
  if (!rps) return std::unexpected(rps.error());
  auto burst = r.number(kCBurst, field::kBurst);
  if (!burst) return std::unexpected(burst.error());
  k.rate_limit = common::RateLimit{*rps, *burst};
  common::schema::applyDefaultBurst(k.rate_limit);

  auto tpm = r.integer(kCTpm, field::kTokensPerMinute);
  if (!tpm) return std::unexpected(tpm.error());
  k.tokens_per_minute = static_cast<uint64_t>(*tpm);
  auto max_requests = r.integer(kCMaxRequests, field::kMaxRequests);
  if (!max_requests) return std::unexpected(max_requests.error());
  k.max_requests = static_cast<uint64_t>(*max_requests);

  auto limits = r.json(kCPerModel, field::kRateLimitPerModel.column, &parseJsonModelLimits);
  if (!limits) return std::unexpected(limits.error());
  k.model_limits = std::move(*limits);

  auto cache = r.flag(kCCache, field::kCache);
  if (!cache) return std::unexpected(cache.error());
  k.cache = *cache;
  auto ns = r.string(kCNamespace, field::kCacheNamespace);
  if (!ns) return std::unexpected(ns.error());
  k.cache_namespace = std::move(*ns);

  if (row[kCExpires]) {  // NULL = never
    // Before 1970 would read as "never" (0) in KeyConfig; such a key is simply expired.
    auto at = r.integer(kCExpires, kExpiresAtEpoch);
    if (!at) return std::unexpected(at.error());
    k.expires_at = *at > 0 ? *at : 1;
  }
  auto enabled = r.flag(kCEnabled, field::kEnabled);
  if (!enabled) return std::unexpected(enabled.error());
  k.enabled = *enabled;

  for (auto [col, f, out] : {std::tuple{kCMaxBudget, &field::kMaxBudget, &k.max_budget},
                             std::tuple{kCSoftBudget, &field::kSoftBudget, &k.soft_budget}}) {
    auto usd = r.number(col, *f);
    if (!usd) return std::unexpected(usd.error());
    auto micros = r.checked(f->column, common::schema::budgetMicros(*f, *usd));
    if (!micros) return std::unexpected(micros.error());
    *out = *micros;
  }
  auto duration = r.text(kCBudgetDuration, field::kBudgetDuration.column);
  if (!duration) return std::unexpected(duration.error());
  auto period = r.checked(field::kBudgetDuration.column, common::schema::budgetDuration(*duration));
  if (!period) return std::unexpected(period.error());
  k.budget_duration = *period;
  return k;
}

std::expected<common::PriceConfig, RowProblem> priceFromRow(const DbRow& row) {
  namespace field = common::schema::price;
  RowReader r("prices", row, kPriceColumns);
  if (auto bad = r.shape()) return std::unexpected(*bad);
  r.setId(kRId);
  common::PriceConfig p;
  p.db_id = r.id();
  auto model = r.string(kRModel, field::kModel);
  if (!model) return std::unexpected(model.error());
  p.model = std::move(*model);
  r.setLabel(p.model);
  if (std::string problem = common::schema::pricePatternProblem(p.model); !problem.empty())
    return std::unexpected(r.problem(std::string(field::kModel.column), problem));
  auto provider = r.text(kRProvider, field::kProvider.column);
  if (!provider) return std::unexpected(provider.error());
  if (!provider->empty()) {
    auto id = r.checked(field::kProvider.column, common::schema::providerId(*provider));
    if (!id) return std::unexpected(id.error());
    p.provider = std::move(*id);
  }
  // numeric columns come as decimal text; NULL cached/write prices mean "the input price".
  auto micros = [&](size_t col, const common::schema::Field& f,
                    bool nullable) -> std::expected<int64_t, RowProblem> {
    if (nullable && !row[col]) return -1;
    auto usd = r.number(col, f);
    if (!usd) return std::unexpected(usd.error());
    return r.checked(f.column, common::schema::priceMicros(f, *usd));
  };
  auto input = micros(kRInput, field::kInput, false);
  if (!input) return std::unexpected(input.error());
  auto output = micros(kROutput, field::kOutput, false);
  if (!output) return std::unexpected(output.error());
  auto cached = micros(kRCachedInput, field::kCachedInput, true);
  if (!cached) return std::unexpected(cached.error());
  auto write = micros(kRCacheWrite, field::kCacheWrite, true);
  if (!write) return std::unexpected(write.error());
  p.input = *input;
  p.output = *output;
  p.cached_input = *cached;
  p.cache_write = *write;
  return p;
}

}  // namespace llmproxy::master
