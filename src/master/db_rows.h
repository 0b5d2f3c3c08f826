// Rows of the providers, credentials and prices tables -> ProviderConfig / KeyConfig /
// PriceConfig. Pure functions over
// PostgreSQL's text values (no connection needed), in the column order of the two SELECTs below,
// which DbConfigSource runs in one read-only REPEATABLE READ transaction.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace llmproxy::master {

// jsonb and text[] columns come as JSON text (array_to_json), expires_at as unix seconds.
// `responses` (migration 0003) and the health columns (0004) are read through the row's JSON so
// that a database not yet migrated reads them as NULL (the defaults) instead of failing the
// whole load.
inline constexpr std::string_view kSelectProviders =
    "SELECT id, provider_key, provider_type, api_base, api_key, api_version, "
    "model_mapping::text, array_to_json(models)::text, weight, verify_ssl, max_concurrent, "
    "is_enabled, to_jsonb(providers) ->> 'responses', to_jsonb(providers) ->> 'max_fails', "
    "to_jsonb(providers) ->> 'fail_timeout', to_jsonb(providers) ->> 'health_check_interval' "
    "FROM providers ORDER BY id";
inline constexpr std::string_view kSelectCredentials =
    "SELECT id, key_hash, name, array_to_json(allowed_models)::text, rate_limit_rps, "
    "rate_limit_burst, tokens_per_minute, max_requests, rate_limit_per_model::text, cache, "
    "cache_namespace, extract(epoch from expires_at)::bigint, is_enabled, max_budget, "
    "soft_budget, budget_duration FROM credentials ORDER BY id";
// The same for a database before migration 0005 (no budget columns): no budgets.
inline constexpr std::string_view kSelectCredentialsBeforeBudgets =
    "SELECT id, key_hash, name, array_to_json(allowed_models)::text, rate_limit_rps, "
    "rate_limit_burst, tokens_per_minute, max_requests, rate_limit_per_model::text, cache, "
    "cache_namespace, extract(epoch from expires_at)::bigint, is_enabled, 0, 0, '' "
    "FROM credentials ORDER BY id";

inline constexpr std::string_view kSelectPrices =
    "SELECT id, model, provider, input_per_mtok, output_per_mtok, cached_input_per_mtok, "
    "cache_write_per_mtok FROM prices ORDER BY id";

// One row as text values in the SELECT's column order; nullopt is SQL NULL.
using DbRow = std::vector<std::optional<std::string_view>>;

// Why a row was left out: enough to find it (table, id, field), never a secret.
struct RowProblem {
  std::string table;    // "providers" | "credentials" | "prices"
  int64_t id = 0;       // the row's id column (0 if unreadable)
  std::string label;    // provider_key or credential name, for the reader of the log
  std::string field;    // column name
  std::string message;
  std::string str() const;  // providers id=7 ("openai-eu") api_base: ...
};

std::expected<common::ProviderConfig, RowProblem> providerFromRow(const DbRow& row);
std::expected<common::KeyConfig, RowProblem> keyFromRow(const DbRow& row);
std::expected<common::PriceConfig, RowProblem> priceFromRow(const DbRow& row);

// Field parsers, exposed for unit tests. Errors are short messages without the value.
// A JSON array of strings (array_to_json of a text[]); NULL elements are dropped.
std::expected<std::vector<std::string>, std::string> parseJsonStringArray(std::string_view json);
// credentials.allowed_models: a NULL element makes the row bad. Skipping it could leave the
// list empty, and an empty list means every model.
std::expected<std::vector<std::string>, std::string> parseAllowedModels(std::string_view json);
// {"pattern": "target", ...} -> mapping sorted by the model-pattern priority (as the file).
std::expected<std::vector<common::ModelMapping>, std::string> parseJsonModelMapping(
    std::string_view json);
// {"pattern": {"requests_per_second": N, "burst": N, "tokens_per_minute": N}, ...}. jsonb keeps
// no key order, so the entries are ordered by the model-pattern priority (exact names first,
// then longest literal prefix): the first match then is the most specific one.
std::expected<std::vector<common::ModelLimit>, std::string> parseJsonModelLimits(
    std::string_view json);

}  // namespace llmproxy::master
