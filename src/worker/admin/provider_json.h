// Providers as the admin API reads and writes them: the request body checked field by field
// (the same rules the configuration loader applies, so a row the API accepts is a row the
// master can load), the SQL column list every provider statement returns, and the JSON
// object written for a database row or for a provider of the configuration file.
// The api_key is never written back: only its mask (common::maskSecret), computed in SQL
// (common::maskSecretSql) so the secret does not even reach the worker on reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"
#include "worker/admin/admin_json.h"

namespace llmproxy::worker::admin {

// What a POST or PUT body sets; absent members stay nullopt (PUT keeps the stored value).
struct ProviderFields {
  std::optional<std::string> provider_key;
  std::optional<std::string> provider_type;
  std::optional<std::string> api_base;
  std::optional<std::string> api_key;
  std::optional<std::string> api_version;
  std::optional<std::string> model_mapping;  // JSON object text, re-serialised after checks
  std::optional<std::string> models;         // JSON array text, re-serialised after checks
  std::optional<int64_t> weight;
  std::optional<bool> verify_ssl;
  std::optional<int64_t> max_concurrent;
  std::optional<bool> is_enabled;
  // `responses`: true or false, or null for the default by type (the column's NULL).
  std::optional<std::optional<bool>> responses;
  std::optional<int64_t> max_fails;
  std::optional<std::string> fail_timeout;           // checked duration text ("10s")
  std::optional<std::string> health_check_interval;  // checked duration text ("0s" = off)
};

// Checks a body; `create` requires provider_key and api_base. On failure `error` names the field.
std::optional<ProviderFields> readProviderBody(std::string_view body, bool create,
                                               FieldError& error);

// The select list of every provider statement (SELECT / RETURNING), in writeProviderRow's order.
extern const std::string kProviderColumns;

void writeProviderRow(common::JsonWriter& w, const common::pg::QueryResult& r, int row);
void writeFileProvider(common::JsonWriter& w, const common::ProviderConfig& p);

}  // namespace llmproxy::worker::admin
