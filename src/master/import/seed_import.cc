// importSeed: rows as one jsonb parameter per table, jsonb_to_recordset, INSERT .. ON CONFLICT.
#include "master/import/seed_import.h"

#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"

namespace llmproxy::master::import {

namespace {

constexpr const char* kUpsertProviders = R"SQL(
INSERT INTO providers AS p (provider_key, provider_type, api_base, api_key, api_version,
                            model_mapping, models, weight, verify_ssl, is_enabled)
SELECT x.provider_key, x.provider_type, x.api_base, x.api_key, x.api_version, x.model_mapping,
       ARRAY(SELECT m FROM jsonb_array_elements_text(x.models) WITH ORDINALITY AS t(m, i)
             ORDER BY i),
       x.weight, x.verify_ssl, x.is_enabled
  FROM jsonb_to_recordset($1::jsonb) AS x(provider_key text, provider_type text, api_base text,
       api_key text, api_version text, model_mapping jsonb, models jsonb, weight integer,
       verify_ssl boolean, is_enabled boolean)
ON CONFLICT (provider_key) DO UPDATE SET
  provider_type = EXCLUDED.provider_type, api_base = EXCLUDED.api_base,
  api_key = EXCLUDED.api_key, api_version = EXCLUDED.api_version,
  model_mapping = EXCLUDED.model_mapping, models = EXCLUDED.models, weight = EXCLUDED.weight,
  verify_ssl = EXCLUDED.verify_ssl, is_enabled = EXCLUDED.is_enabled
WHERE (p.provider_type, p.api_base, p.api_key, p.api_version, p.model_mapping, p.models,
       p.weight, p.verify_ssl, p.is_enabled)
  IS DISTINCT FROM (EXCLUDED.provider_type, EXCLUDED.api_base, EXCLUDED.api_key,
       EXCLUDED.api_version, EXCLUDED.model_mapping, EXCLUDED.models, EXCLUDED.weight,
       EXCLUDED.verify_ssl, EXCLUDED.is_enabled)
RETURNING (xmax = 0)
)SQL";

constexpr const char* kUpsertCredentials = R"SQL(
INSERT INTO credentials AS c (key_hash, name, allowed_models, rate_limit_rps, rate_limit_burst,
                              tokens_per_minute, max_requests, expires_at, is_enabled)
SELECT x.key_hash, x.name,
       ARRAY(SELECT m FROM jsonb_array_elements_text(x.allowed_models) WITH ORDINALITY
             AS t(m, i) ORDER BY i),
       x.rate_limit_rps, x.rate_limit_burst, x.tokens_per_minute, x.max_requests,
       x.expires_at::timestamptz, x.is_enabled
  FROM jsonb_to_recordset($1::jsonb) AS x(key_hash text, name text, allowed_models jsonb,
       rate_limit_rps double precision, rate_limit_burst double precision,
       tokens_per_minute bigint, max_requests bigint, expires_at text, is_enabled boolean)
ON CONFLICT (key_hash) DO UPDATE SET
  name = EXCLUDED.name, allowed_models = EXCLUDED.allowed_models,
  rate_limit_rps = EXCLUDED.rate_limit_rps, rate_limit_burst = EXCLUDED.rate_limit_burst,
  tokens_per_minute = EXCLUDED.tokens_per_minute, max_requests = EXCLUDED.max_requests,
  expires_at = EXCLUDED.expires_at, is_enabled = EXCLUDED.is_enabled
WHERE (c.name, c.allowed_models, c.rate_limit_rps, c.rate_limit_burst, c.tokens_per_minute,
       c.max_requests, c.expires_at, c.is_enabled)
  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.allowed_models, EXCLUDED.rate_limit_rps,
       EXCLUDED.rate_limit_burst, EXCLUDED.tokens_per_minute, EXCLUDED.max_requests,
       EXCLUDED.expires_at, EXCLUDED.is_enabled)
RETURNING (xmax = 0)
)SQL";

void stringArray(common::JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.key(key).beginArray();
  for (const auto& s : v) w.value(s);
  w.endArray();
}

std::string providersJson(const std::vector<SeedProvider>& providers) {
  common::JsonWriter w;
  w.beginArray();
  for (const SeedProvider& p : providers) {
    w.beginObject()
        .field("provider_key", p.key)
        .field("provider_type", p.type)
        .field("api_base", p.api_base)
        .field("api_key", p.api_key)
        .field("api_version", p.api_version);
    w.key("model_mapping").beginObject();
    for (const auto& [pattern, target] : p.model_mapping) w.field(pattern, target);
    w.endObject();
    stringArray(w, "models", p.models);
    w.field("weight", p.weight).field("verify_ssl", p.verify_ssl).field("is_enabled", p.enabled);
    w.endObject();
  }
  w.endArray();
  return w.take();
}

std::string credentialsJson(const std::vector<SeedKey>& keys) {
  common::JsonWriter w;
  w.beginArray();
  for (const SeedKey& k : keys) {
    w.beginObject().field("key_hash", k.key_hash).field("name", k.name);
    stringArray(w, "allowed_models", k.allowed_models);
    w.field("rate_limit_rps", k.rps)
        .field("rate_limit_burst", k.burst)
        .field("tokens_per_minute", k.tokens_per_minute)
        .field("max_requests", k.max_requests);
    w.key("expires_at");
    if (k.expires_at) {
      w.value(*k.expires_at);
    } else {
      w.null();
    }
    w.field("is_enabled", k.enabled);
    w.endObject();
  }
  w.endArray();
  return w.take();
}

std::string describe(const pgcli::SqlError& e, const char* table) {
  std::string text = std::string(table) + ": " + e.str();
  if (e.sqlstate == common::pg::kUndefinedTable) {
    text += "\n  (the schema is missing: run `llmproxy migrate up` first)";
  }
  return text;
}

std::expected<UpsertCounts, std::string> upsert(pgcli::Session& session, const char* sql,
                                                std::string json, size_t total,
                                                const char* table) {
  UpsertCounts counts;
  if (total == 0) return counts;
  auto rows = session.exec(sql, {std::move(json)});
  if (!rows) return std::unexpected(describe(rows.error(), table));
  for (const auto& row : *rows) (row[0] == "t" ? counts.inserted : counts.updated)++;
  counts.unchanged = total - rows->size();
  return counts;
}

}  // namespace

std::expected<ImportCounts, std::string> importSeed(pgcli::Session& session,
                                                    const SeedConfig& seed) {
  if (auto r = session.exec("BEGIN"); !r) return std::unexpected(r.error().str());
  ImportCounts counts;
  auto providers = upsert(session, kUpsertProviders, providersJson(seed.providers),
                          seed.providers.size(), "providers");
  std::expected<UpsertCounts, std::string> credentials = UpsertCounts{};
  if (providers) {
    credentials = upsert(session, kUpsertCredentials, credentialsJson(seed.keys), seed.keys.size(),
                         "credentials");
  }
  if (!providers || !credentials) {
    (void)session.exec("ROLLBACK");
    return std::unexpected(!providers ? providers.error() : credentials.error());
  }
  // Nothing new: roll back, so the statement triggers' version bumps and notifications vanish
  // and no node reloads for an import that changed nothing.
  const bool changed = providers->inserted + providers->updated + credentials->inserted +
                           credentials->updated > 0;
  if (auto r = session.exec(changed ? "COMMIT" : "ROLLBACK"); !r) {
    return std::unexpected("COMMIT: " + r.error().str());
  }
  counts.providers = *providers;
  counts.credentials = *credentials;
  return counts;
}

}  // namespace llmproxy::master::import
