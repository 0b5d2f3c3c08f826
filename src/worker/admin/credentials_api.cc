// Credential CRUD: parameterised SQL on the worker's admin connection, JSON out.
#include "worker/admin/credentials_api.h"

#include "common/config/budget_period.h"
#include "common/crypto/sha256.h"
#include "common/time/clock.h"
#include "worker/admin/admin_common.h"
#include "worker/admin/admin_db.h"
#include "worker/admin/credential_json.h"
#include "worker/limits/budget.h"
#include "worker/limits/redis_limiter.h"

namespace llmproxy::worker::admin {
namespace {

namespace pg = common::pg;

// The row, plus the plain key when this request generated it (the one time it is shown).
std::string oneCredential(const LocalCall& call, const pg::QueryResult& r) {
  common::JsonWriter w;
  writeCredentialRow(w, r, 0, &call.services.shm.budgets());
  std::string out = w.take();
  if (call.admin && !call.admin->plain_key.empty()) {
    out.pop_back();  // the row's closing brace
    out += ",\"key\":";
    common::appendJsonString(out, call.admin->plain_key);
    out += '}';
  }
  return out;
}

// The stored form of a key given in the body, or of a newly generated one (kept to show once).
std::optional<std::string> keyHash(LocalCall& call, const CredentialFields& f, bool generate) {
  if (f.key) return common::toHex(common::sha256(*f.key));
  if (!generate) return std::nullopt;
  auto key = generateClientKey();
  if (!key) return std::nullopt;
  std::string hash = common::toHex(common::sha256(*key));
  adminState(call).plain_key = std::move(*key);
  return hash;
}

Outcome list(LocalCall& call) {
  const pg::QueryResult* r = finishedQuery(call);
  if (hasDatabase(call) && !r)
    return runQuery(call,
                    "SELECT " + std::string(kCredentialColumns) + " FROM credentials ORDER BY id",
                    {}, false);
  if (r && !r->ok) return respondDbError(call, *r, "key", "a credential");
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  if (r)
    for (int i = 0; i < r->rows(); ++i)
      writeCredentialRow(w, *r, i, &call.services.shm.budgets());
  for (const auto& k : call.config->keys)
    if (k.db_id == 0) writeFileCredential(w, k, &call.services.shm.budgets());
  w.endArray().endObject();
  return respondJson(call, 200, w.take());
}

// A name another credential already has (a file [[key]], or a row as last loaded): 409.
// Names are how logs, usage and this API tell credentials apart. Checked against the loaded
// config, so two racing writes can still both pass; the loader then skips the later row.
std::optional<Outcome> nameTaken(LocalCall& call, const std::optional<std::string>& name,
                                 int64_t own_id) {
  if (!name) return std::nullopt;
  for (const common::KeyConfig& k : call.config->keys) {
    if (k.name != *name || (own_id != 0 && k.db_id == own_id)) continue;
    return call.respondError(
        {common::ErrorKind::Conflict, "a credential with this name already exists", 0}, "name");
  }
  return std::nullopt;
}

Outcome randomFailed(LocalCall& call) {
  return call.respondError(
      {common::ErrorKind::Unavailable, "the random generator failed; try again", 0});
}

Outcome create(LocalCall& call) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "key", "a credential");
    return respondJson(call, 201, oneCredential(call, *r));
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  FieldError error;
  auto f = readCredentialBody(call.request.body, true, error);
  if (!f) return respondFieldError(call, error);
  if (auto taken = nameTaken(call, f->name, 0)) return *taken;
  auto hash = keyHash(call, *f, true);
  if (!hash) return randomFailed(call);
  return runQuery(
      call,
      "INSERT INTO credentials (key_hash, name, allowed_models, rate_limit_rps, rate_limit_burst, "
      "tokens_per_minute, max_requests, rate_limit_per_model, cache, cache_namespace, expires_at, "
      "is_enabled, max_budget, soft_budget, budget_duration) VALUES ($1, $2, "
      "ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), "
      "$4::float8, $5::float8, $6::bigint, $7::bigint, $8::jsonb, $9::boolean, $10, "
      "$11::timestamptz, $12::boolean, $13::numeric, $14::numeric, $15) RETURNING " +
          std::string(kCredentialColumns),
      {hash, f->name, f->allowed_models.value_or("[]"),
       numberParam(f->requests_per_second).value_or("0"), numberParam(f->burst).value_or("0"),
       numberParam(f->tokens_per_minute).value_or("0"), numberParam(f->max_requests).value_or("0"),
       f->rate_limit_per_model.value_or("{}"), boolParam(f->cache).value_or("false"),
       f->cache_namespace.value_or(""), f->expires_at, boolParam(f->is_enabled).value_or("true"),
       f->max_budget.value_or("0"), f->soft_budget.value_or("0"),
       f->budget_duration.value_or("")},
      true);
}

Outcome get(LocalCall& call, int32_t id) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "key", "a credential");
    if (r->rows() == 0) return respondNotFound(call, "credential");
    return respondJson(call, 200, oneCredential(call, *r));
  }
  return runQuery(
      call,
      "SELECT " + std::string(kCredentialColumns) + " FROM credentials WHERE id = $1::integer",
      {std::to_string(id)}, false);
}

Outcome update(LocalCall& call, int32_t id) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "key", "a credential");
    if (r->rows() == 0) return respondNotFound(call, "credential");
    return respondJson(call, 200, oneCredential(call, *r));
  }
  FieldError error;
  auto f = readCredentialBody(call.request.body, false, error);
  if (!f) return respondFieldError(call, error);
  if (auto taken = nameTaken(call, f->name, id)) return *taken;
  std::optional<std::string> hash;
  if (f->key || f->regenerate_key) {
    hash = keyHash(call, *f, f->regenerate_key);
    if (!hash) return randomFailed(call);
  }
  return runQuery(
      call,
      "UPDATE credentials SET key_hash = COALESCE($2, key_hash), name = COALESCE($3, name), "
      "allowed_models = CASE WHEN $4::jsonb IS NULL THEN allowed_models "
      "ELSE ARRAY(SELECT jsonb_array_elements_text($4::jsonb)) END, "
      "rate_limit_rps = COALESCE($5::float8, rate_limit_rps), "
      "rate_limit_burst = COALESCE($6::float8, rate_limit_burst), "
      "tokens_per_minute = COALESCE($7::bigint, tokens_per_minute), "
      "max_requests = COALESCE($8::bigint, max_requests), "
      "rate_limit_per_model = COALESCE($9::jsonb, rate_limit_per_model), "
      "cache = COALESCE($10::boolean, cache), "
      "cache_namespace = COALESCE($11, cache_namespace), "
      "expires_at = CASE WHEN $12::boolean THEN $13::timestamptz ELSE expires_at END, "
      "is_enabled = COALESCE($14::boolean, is_enabled), "
      "max_budget = COALESCE($15::numeric, max_budget), "
      "soft_budget = COALESCE($16::numeric, soft_budget), "
      "budget_duration = COALESCE($17, budget_duration) "
      "WHERE id = $1::integer RETURNING " +
          std::string(kCredentialColumns),
      {std::to_string(id), hash, f->name, f->allowed_models, numberParam(f->requests_per_second),
       numberParam(f->burst), numberParam(f->tokens_per_minute), numberParam(f->max_requests),
       f->rate_limit_per_model, boolParam(f->cache), f->cache_namespace,
       boolParam(f->expires_at_set), f->expires_at, boolParam(f->is_enabled), f->max_budget,
       f->soft_budget, f->budget_duration},
      true);
}

Outcome remove(LocalCall& call, int32_t id) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "key", "a credential");
    if (r->rows() == 0) return respondNotFound(call, "credential");
    common::JsonWriter w;
    w.beginObject()
        .field("id", static_cast<int64_t>(id))
        .field("name", r->value(0, 0))
        .field("deleted", true)
        .endObject();
    return respondJson(call, 200, w.take());
  }
  return runQuery(call, "DELETE FROM credentials WHERE id = $1::integer RETURNING name",
                  {std::to_string(id)}, true);
}

// The running config's key that {id} names: a database id, else a key name.
const common::KeyConfig* keyOf(const LocalCall& call) {
  const auto id = numericId(call.route_param);
  for (const common::KeyConfig& k : call.config->keys) {
    if (id && k.db_id == *id) return &k;
    if (!id && k.name == call.route_param) return &k;
  }
  return nullptr;
}

}  // namespace

Outcome resetSpend(LocalCall& call) {
  const common::KeyConfig* key = keyOf(call);
  if (!key) return respondNotFound(call, "credential");
  const int64_t now_s = common::nowUnixMs() / 1000;
  const common::BudgetWindow window = common::budgetWindow(key->budget_duration, now_s);
  auto answer = [&]() {
    common::JsonWriter w;
    w.beginObject();
    if (key->db_id != 0)
      w.field("id", key->db_id);
    else
      w.key("id").null();
    w.field("name", key->name).field("reset", true);
    writeFileCredentialSpend(w, *key, call.services.shm.budgets());
    w.endObject();
    return respondJson(call, 200, w.take());
  };
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "", "a credential's spend");
    return answer();
  }
  // This node's shared table now; the stored spend of the period too, so a restart does not
  // bring it back.
  Budgets(call.services.shm.budgets()).reset(*key);
  if (call.services.redis.configured()) {
    const std::string redis_key = RedisLimiter::budgetKey(
        call.config->redis.key_prefix, common::toHex(key->key_sha256), window.start_s);
    const std::string_view argv[] = {"DEL", redis_key};
    call.services.redis.command(argv, nullptr);
  }
  if (!hasDatabase(call)) return answer();
  return runQuery(call,
                  "UPDATE key_spend SET spent_usd = 0, updated_at = now() WHERE key_hash = $1 "
                  "AND period_start = timestamptz 'epoch' + $2::bigint * interval '1 second'",
                  {common::toHex(key->key_sha256), std::to_string(window.start_s)}, false);
}

Outcome credentials(LocalCall& call) { return isRead(call) ? list(call) : create(call); }

Outcome credential(LocalCall& call) {
  const std::string& method = call.request.method;
  if (!isRead(call) && !hasDatabase(call)) return respondFileManaged(call);
  const auto id = numericId(call.route_param);
  if (!id || !hasDatabase(call)) return respondNotFound(call, "credential");
  if (method == "PUT") return update(call, *id);
  if (method == "DELETE") return remove(call, *id);
  return get(call, *id);
}

}  // namespace llmproxy::worker::admin
