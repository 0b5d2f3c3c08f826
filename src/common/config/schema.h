// The one description of the provider and key fields, read by every front end: the TOML loader
// (load_toml.cc), the database rows (master/db_rows.cc), the admin API bodies
// (worker/admin/{provider,credential}_json.cc) and the seed YAML import
// (master/import/seed_config.cc). Each Field gives a field's names, kind, bounds and default;
// the checks below turn a value into the config value or into the one message all front ends
// print. A front end adds only its own location before the message:
//
//   llmproxy.conf   t.conf:7:10: provider.weight: must be between 1 and 1000 (got 0)
//   YAML import     seeds.yaml:4:13: provider.weight: must be between 1 and 1000 (got 0)
//   database row    providers id=7 ("p1") weight: must be between 1 and 1000 (got 0)
//   admin API       400, param "weight", message "weight: must be between 1 and 1000 (got 0)"
//
// Adding a field: one Field below (plus its struct member in config.h), the line that reads it
// in each front end that has it, and its row in docs/configuration.md (and docs/admin-api.md when
// it has a column); schema_test checks that the docs name every field.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <limits>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common::schema {

enum class Kind : uint8_t {
  String,      // text, length within [min, max] bytes (max 0 = any)
  Secret,      // text never shown back (a provider api_key, a client key)
  Sha256,      // 64 hex digits
  Bool,
  Integer,     // whole number within [min, max]
  Number,      // finite number within [min, max]
  Duration,    // "250ms", "30s", "5m", "1h" (a bare integer means seconds), within [min, max] ms
  Timestamp,   // RFC 3339 date-time (scalars.h), after 1970-01-01
  ProviderType,
  Url,         // an upstream base URL (upstream_url.h)
  StringList,  // array of non-empty strings
  Mapping,     // object keyed by model name or pattern
};

struct Field {
  std::string_view name;    // in llmproxy.conf ("weight", "rate_limit.burst")
  std::string_view member;  // in admin API bodies and answers ("weight", "is_enabled")
  std::string_view column;  // in the database; "" when the database has no such column
  Kind kind;
  int64_t min = 0;
  int64_t max = 0;
  std::string_view default_text;  // as the docs show it
};

inline constexpr int64_t kMaxCount = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMaxRate = 1'000'000'000;  // requests per second, burst

// ---- [[provider]] ------------------------------------------------------------------------
namespace provider {
inline constexpr Field kId{"id", "provider_key", "provider_key", Kind::String, 1, 128, ""};
inline constexpr Field kType{"type", "provider_type", "provider_type", Kind::ProviderType, 0, 0,
                             "\"openai\""};
inline constexpr Field kApiBase{"api_base", "api_base", "api_base", Kind::Url, 1, 4096, ""};
inline constexpr Field kApiKey{"api_key", "api_key", "api_key", Kind::Secret, 0, 65536, "\"\""};
inline constexpr Field kApiVersion{"api_version", "api_version", "api_version", Kind::String, 0,
                                   256, "\"\""};
inline constexpr Field kWeight{"weight", "weight", "weight", Kind::Integer, 1, 1000, "1"};
inline constexpr Field kEnabled{"enabled", "is_enabled", "is_enabled", Kind::Bool, 0, 0, "true"};
inline constexpr Field kVerifySsl{"verify_ssl", "verify_ssl", "verify_ssl", Kind::Bool, 0, 0,
                                  "true"};
inline constexpr Field kCaFile{"ca_file", "", "", Kind::String, 0, 4096, "\"\""};
// Configuration file only (no admin member, no column): database providers never forward.
inline constexpr Field kForwardOrganizationHeaders{"forward_organization_headers", "", "",
                                                   Kind::Bool, 0, 0, "false"};
// Whether Responses requests pass through unchanged. The column is NULL (the admin API's
// null) for the default by type.
inline constexpr Field kResponses{"responses", "responses", "responses", Kind::Bool, 0, 0,
                                  "true for \"openai\", else false"};
inline constexpr Field kModels{"models", "models", "models", Kind::StringList, 0, 4096, "[]"};
inline constexpr Field kModelMapping{"model_mapping", "model_mapping", "model_mapping",
                                     Kind::Mapping, 0, 4096, "{}"};
inline constexpr Field kMaxConcurrent{"max_concurrent", "max_concurrent", "max_concurrent",
                                      Kind::Integer, 0, 1'000'000, "0"};
inline constexpr Field kQueueTimeout{"queue_timeout", "", "", Kind::Duration, 1, 60'000, "\"1s\""};
inline constexpr Field kMaxFails{"max_fails", "max_fails", "max_fails", Kind::Integer, 0, 1000, "3"};
inline constexpr Field kFailTimeout{"fail_timeout", "fail_timeout", "fail_timeout", Kind::Duration,
                                    1'000, 3'600'000, "\"10s\""};
inline constexpr Field kHealthCheckInterval{"health_check_interval", "health_check_interval",
                                            "health_check_interval", Kind::Duration, 0,
                                            3'600'000, "\"0s\" (off)"};

inline constexpr std::array kAll = {&kId,         &kType,         &kApiBase,   &kApiKey,
                                    &kApiVersion, &kWeight,       &kEnabled,   &kVerifySsl,
                                    &kCaFile,     &kForwardOrganizationHeaders, &kResponses,
                                    &kModels,     &kModelMapping, &kMaxConcurrent,
                                    &kQueueTimeout, &kMaxFails,   &kFailTimeout,
                                    &kHealthCheckInterval};
}  // namespace provider

// ---- [[key]] -----------------------------------------------------------------------------
namespace key {
inline constexpr Field kName{"name", "name", "name", Kind::String, 1, 4096, ""};
inline constexpr Field kKey{"key", "key", "", Kind::Secret, 1, 65536, ""};
inline constexpr Field kKeySha256{"key_sha256", "", "key_hash", Kind::Sha256, 0, 0, ""};
inline constexpr Field kAllowedModels{"allowed_models", "allowed_models", "allowed_models",
                                      Kind::StringList, 0, 4096, "[] (all)"};
inline constexpr Field kEnabled{"enabled", "is_enabled", "is_enabled", Kind::Bool, 0, 0, "true"};
inline constexpr Field kExpiresAt{"expires_at", "expires_at", "expires_at", Kind::Timestamp, 0, 0,
                                  "never"};
inline constexpr Field kRequestsPerSecond{"rate_limit.requests_per_second",
                                          "rate_limit.requests_per_second", "rate_limit_rps",
                                          Kind::Number, 0, kMaxRate, "0 (unlimited)"};
inline constexpr Field kBurst{"rate_limit.burst", "rate_limit.burst", "rate_limit_burst",
                              Kind::Number, 0, kMaxRate, "requests_per_second, at least 1"};
inline constexpr Field kTokensPerMinute{"tokens_per_minute", "tokens_per_minute",
                                        "tokens_per_minute", Kind::Integer, 0, kMaxCount,
                                        "0 (unlimited)"};
inline constexpr Field kMaxRequests{"max_requests", "max_requests", "max_requests",
                                    Kind::Integer, 0, kMaxCount, "0 (unlimited)"};
inline constexpr Field kRateLimitPerModel{"rate_limit_per_model", "rate_limit_per_model",
                                          "rate_limit_per_model", Kind::Mapping, 0, 4096, "{}"};
// USD per budget period, kept as micro-dollars; 0 = no budget.
inline constexpr Field kMaxBudget{"max_budget", "max_budget", "max_budget", Kind::Number, 0,
                                  1'000'000'000, "0 (no budget)"};
inline constexpr Field kSoftBudget{"soft_budget", "soft_budget", "soft_budget", Kind::Number, 0,
                                   1'000'000'000, "0 (no warning)"};
inline constexpr Field kBudgetDuration{"budget_duration", "budget_duration", "budget_duration",
                                       Kind::String, 0, 16, "\"\" (never resets)"};
inline constexpr Field kCache{"cache", "cache", "cache", Kind::Bool, 0, 0, "false"};
inline constexpr Field kCacheNamespace{"cache_namespace", "cache_namespace", "cache_namespace",
                                       Kind::String, 0, 128, "\"\""};

inline constexpr std::array kAll = {
    &kName,  &kKey,          &kKeySha256,        &kAllowedModels,
    &kEnabled, &kExpiresAt,  &kRequestsPerSecond, &kBurst,
    &kTokensPerMinute, &kMaxRequests, &kRateLimitPerModel, &kMaxBudget, &kSoftBudget,
    &kBudgetDuration, &kCache, &kCacheNamespace};
}  // namespace key

// ---- [[price]] (USD per million tokens; kept as integer micro-dollars) -------------------
namespace price {
inline constexpr int64_t kMaxUsdPerMtok = 1'000'000;
inline constexpr Field kModel{"model", "model", "model", Kind::String, 1, 4096, ""};
inline constexpr Field kProvider{"provider", "provider", "provider", Kind::String, 0, 128,
                                 "\"\" (any)"};
inline constexpr Field kInput{"input_per_mtok", "input_per_mtok", "input_per_mtok", Kind::Number,
                              0, kMaxUsdPerMtok, "0"};
inline constexpr Field kOutput{"output_per_mtok", "output_per_mtok", "output_per_mtok",
                               Kind::Number, 0, kMaxUsdPerMtok, "0"};
inline constexpr Field kCachedInput{"cached_input_per_mtok", "cached_input_per_mtok",
                                    "cached_input_per_mtok", Kind::Number, 0, kMaxUsdPerMtok,
                                    "input_per_mtok"};
inline constexpr Field kCacheWrite{"cache_write_per_mtok", "cache_write_per_mtok",
                                   "cache_write_per_mtok", Kind::Number, 0, kMaxUsdPerMtok,
                                   "input_per_mtok"};

inline constexpr std::array kAll = {&kModel,  &kProvider,    &kInput,
                                    &kOutput, &kCachedInput, &kCacheWrite};
}  // namespace price

template <typename T>
using Checked = std::expected<T, std::string>;  // the value, or the message (no location)

// What a front end says when the value has the wrong type for `kind`, before reading it:
// "expected a string", "expected true or false", "expected an integer", ...
std::string expected(Kind kind);

// Bounds, for values a front end has already read as the right type.
Checked<int64_t> integer(const Field& field, int64_t value);
Checked<int64_t> unsignedInteger(const Field& field, uint64_t value);  // JSON above 2^63
Checked<double> number(const Field& field, double value);
// Length bounds and no NUL characters.
Checked<std::string> text(const Field& field, std::string_view value);
Checked<Millis> duration(const Field& field, Millis value);

// Text forms (database columns, YAML scalars): whole text, no spaces, else expected(kind).
Checked<int64_t> integerText(const Field& field, std::string_view text);
Checked<double> numberText(const Field& field, std::string_view text);
// "30s", "250ms" ... (units.h), then duration().
Checked<Millis> durationText(const Field& field, std::string_view text);
// A bare integer: whole seconds, then duration().
Checked<Millis> durationSeconds(const Field& field, int64_t seconds);

// "openai" | "openai-compatible" | "azure" | "anthropic".
Checked<ProviderType> providerType(std::string_view text);
std::string_view providerTypeName(ProviderType type);
// Whether OpenAI Responses requests go to `provider` unchanged: its `responses` setting, by
// default only for type "openai" (others get them translated to Chat Completions).
bool speaksResponses(const ProviderConfig& provider);

// A provider id: 1 to 128 of letters, digits, '.', '_' and '-'.
Checked<std::string> providerId(std::string_view text);

// A model_mapping entry: "" when usable, else why ("patterns and targets must not be empty",
// "bad regex \"x[\": missing ]: [").
std::string modelMappingProblem(std::string_view pattern, std::string_view target);

// Key expiry as unix seconds, after 1970-01-01: from RFC 3339 text or from a number.
Checked<int64_t> expiresAt(std::string_view text);
Checked<int64_t> expiresAtSeconds(int64_t unix_seconds);

// A price in USD per million tokens (within the field's bounds) as integer micro-dollars,
// rounded to the nearest micro-dollar: 2.5 -> 2'500'000, 0.15 -> 150'000.
Checked<int64_t> priceMicros(const Field& field, double usd_per_mtok);
// A budget in USD (within the field's bounds) as integer micro-dollars.
Checked<int64_t> budgetMicros(const Field& field, double usd);
// budget_duration text (budget_period.h) -> its KeyConfig value.
Checked<int64_t> budgetDuration(std::string_view text);

// A model price pattern: "" when usable (not empty, a regex that compiles), else why.
std::string pricePatternProblem(std::string_view pattern);

// The burst a rate limit gets when none is written: one second's worth, at least one request.
double defaultBurst(double requests_per_second, double burst);
inline void applyDefaultBurst(RateLimit& limit) {
  limit.burst = defaultBurst(limit.requests_per_second, limit.burst);
}

}  // namespace llmproxy::common::schema
