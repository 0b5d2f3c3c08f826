// Client credentials as the admin API reads and writes them: the request body checked field by
// field, the SQL column list every credential statement returns, and the JSON object written
// for a database row or a [[key]] of the configuration file. Neither the key nor its full
// SHA-256 is ever shown: only "key_sha256_prefix", the first 8 hex digits of the digest, so an
// operator holding a key can tell which entry it is (`printf %s "$KEY" | sha256sum | cut -c1-8`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"
#include "common/shm/budget_table.h"
#include "worker/admin/admin_json.h"

namespace llmproxy::worker::admin {

struct CredentialFields {
  std::optional<std::string> name;
  std::optional<std::string> key;             // plain, as given (never stored)
  bool regenerate_key = false;                // PUT: a new generated key, shown once
  std::optional<std::string> allowed_models;  // JSON array text
  std::optional<double> requests_per_second;
  std::optional<double> burst;
  std::optional<int64_t> tokens_per_minute;
  std::optional<int64_t> max_requests;
  std::optional<std::string> rate_limit_per_model;  // JSON object text, re-serialised
  std::optional<bool> cache;
  std::optional<std::string> cache_namespace;
  bool expires_at_set = false;            // the body has expires_at (a time or null)
  std::optional<std::string> expires_at;  // RFC 3339 UTC; nullopt with expires_at_set = never
  std::optional<bool> is_enabled;
  std::optional<std::string> max_budget;       // USD as six-decimal text
  std::optional<std::string> soft_budget;
  std::optional<std::string> budget_duration;  // canonical form ("" = never resets)
};

// Checks a body; `create` requires name and refuses regenerate_key.
std::optional<CredentialFields> readCredentialBody(std::string_view body, bool create,
                                                   FieldError& error);

// "sk-llmp-" + 43 url-safe base64 characters of 32 random bytes (OpenSSL RAND_bytes);
// nullopt when the random generator fails.
std::optional<std::string> generateClientKey();

extern const std::string_view kCredentialColumns;

// With `budgets`, the object also has the key's spend in its current budget period
// ("spend_usd", "reserved_usd", "budget_remaining_usd" (null without max_budget),
// "budget_period_start", "budget_period_end" (null when it never resets)) from this node's
// shared memory.
void writeCredentialRow(common::JsonWriter& w, const common::pg::QueryResult& r, int row,
                        common::BudgetTable* budgets = nullptr);
void writeFileCredential(common::JsonWriter& w, const common::KeyConfig& k,
                         common::BudgetTable* budgets = nullptr);
// Only the spend members above, for a key of the running config.
void writeFileCredentialSpend(common::JsonWriter& w, const common::KeyConfig& k,
                              common::BudgetTable& budgets);

}  // namespace llmproxy::worker::admin
