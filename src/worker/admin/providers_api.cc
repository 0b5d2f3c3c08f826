// Provider CRUD: parameterised SQL on the worker's admin connection, JSON out.
#include "worker/admin/providers_api.h"

#include "common/config/validate.h"
#include "worker/admin/admin_common.h"
#include "worker/admin/admin_db.h"
#include "worker/admin/admin_output.h"
#include "worker/admin/provider_json.h"

namespace llmproxy::worker::admin {
namespace {

namespace pg = common::pg;

// How a route's {id} selects a provider row: by id, by provider_key, or not at all.
struct ProviderRef {
  enum Kind : uint8_t { None, Id, Key } kind = None;
  std::string value;
};

ProviderRef providerRef(std::string_view param) {
  if (auto id = numericId(param)) return {ProviderRef::Id, std::to_string(*id)};
  if (param.size() <= 128 && common::isValidProviderId(param))
    return {ProviderRef::Key, std::string(param)};
  return {};
}

std::string whereClause(const ProviderRef& ref) {
  return ref.kind == ProviderRef::Id ? " WHERE id = $1::integer" : " WHERE provider_key = $1";
}

// A provider of the configuration file (not from the database) named `key`, or null.
const common::ProviderConfig* fileProvider(const LocalCall& call, std::string_view key) {
  for (const auto& p : call.config->providers)
    if (p.db_id == 0 && p.id == key) return &p;
  return nullptr;
}

// The columns later migrations added (0003 responses, 0004 health) are named only when the body
// sets them, so a database not yet migrated still takes every other field. Each one set adds its
// parameter to `params`; `columns`/`values` extend an INSERT, `assignments` an UPDATE (a null
// `responses` sets the column back to NULL: the default by type).
struct OptionalColumns {
  std::string columns, values, assignments;
};

OptionalColumns optionalColumns(const ProviderFields& f, pg::Connection::Params& params) {
  OptionalColumns out;
  auto add = [&](const char* column, const char* cast, std::optional<std::string> value) {
    params.push_back(std::move(value));
    const std::string param = "$" + std::to_string(params.size()) + cast;
    out.columns += std::string(", ") + column;
    out.values += ", " + param;
    out.assignments += std::string(", ") + column + " = " + param;
  };
  if (f.responses) add("responses", "::boolean", boolParam(*f.responses));
  if (f.max_fails) add("max_fails", "::integer", numberParam(f.max_fails));
  if (f.fail_timeout) add("fail_timeout", "", f.fail_timeout);
  if (f.health_check_interval) add("health_check_interval", "", f.health_check_interval);
  return out;
}

std::string oneProvider(const pg::QueryResult& r) {
  common::JsonWriter w;
  writeProviderRow(w, r, 0);
  return w.take();
}

// No row: a provider of the file under that name cannot be changed here (409), else 404.
Outcome missingRow(LocalCall& call, bool write) {
  const common::ProviderConfig* p = fileProvider(call, call.route_param);
  if (!p) return respondNotFound(call, "provider");
  if (!write) {
    common::JsonWriter w;
    writeFileProvider(w, *p);
    return respondJson(call, 200, w.take());
  }
  return call.respondError(
      {common::ErrorKind::Conflict,
       "provider '" + p->id + "' comes from the configuration file: edit the file and reload", 0});
}

Outcome list(LocalCall& call) {
  const pg::QueryResult* r = finishedQuery(call);
  if (hasDatabase(call) && !r)
    return runQuery(call, "SELECT " + std::string(kProviderColumns) + " FROM providers ORDER BY id",
                    {}, false);
  if (r && !r->ok) return respondDbError(call, *r, "provider_key", "a provider");
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  if (r)
    for (int i = 0; i < r->rows(); ++i) writeProviderRow(w, *r, i);
  for (const auto& p : call.config->providers)
    if (p.db_id == 0) writeFileProvider(w, p);
  w.endArray().endObject();
  return respondJson(call, 200, w.take());
}

Outcome create(LocalCall& call) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "provider_key", "a provider");
    return respondJson(call, 201, oneProvider(*r));
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  FieldError error;
  auto f = readProviderBody(call.request.body, true, error);
  if (!f) return respondFieldError(call, error);
  pg::Connection::Params params{
      f->provider_key, f->provider_type.value_or("openai"), f->api_base, f->api_key.value_or(""),
      f->api_version.value_or(""), f->model_mapping.value_or("{}"), f->models.value_or("[]"),
      numberParam(f->weight).value_or("1"), boolParam(f->verify_ssl).value_or("true"),
      numberParam(f->max_concurrent).value_or("0"), boolParam(f->is_enabled).value_or("true")};
  const OptionalColumns optional = optionalColumns(*f, params);
  return runQuery(
      call,
      "INSERT INTO providers (provider_key, provider_type, api_base, api_key, "
      "api_version, model_mapping, models, weight, verify_ssl, max_concurrent, "
      "is_enabled" + optional.columns + ") VALUES ($1, $2, $3, $4, $5, $6::jsonb, "
      "ARRAY(SELECT jsonb_array_elements_text($7::jsonb)), $8::integer, $9::boolean, "
      "$10::integer, $11::boolean" + optional.values + ") RETURNING " +
          std::string(kProviderColumns),
      std::move(params), true);
}

Outcome get(LocalCall& call, const ProviderRef& ref) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "provider_key", "a provider");
    if (r->rows() == 0) return missingRow(call, false);
    return respondJson(call, 200, oneProvider(*r));
  }
  if (!hasDatabase(call)) return missingRow(call, false);
  return runQuery(call,
                  "SELECT " + std::string(kProviderColumns) + " FROM providers" + whereClause(ref),
                  {ref.value}, false);
}

Outcome update(LocalCall& call, const ProviderRef& ref) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "provider_key", "a provider");
    if (r->rows() == 0) return missingRow(call, true);
    return respondJson(call, 200, oneProvider(*r));
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  FieldError error;
  auto f = readProviderBody(call.request.body, false, error);
  if (!f) return respondFieldError(call, error);
  pg::Connection::Params params{
      ref.value, f->provider_key, f->provider_type, f->api_base, f->api_key, f->api_version,
      f->model_mapping, f->models, numberParam(f->weight), boolParam(f->verify_ssl),
      numberParam(f->max_concurrent), boolParam(f->is_enabled)};
  const OptionalColumns optional = optionalColumns(*f, params);
  return runQuery(
      call,
      "UPDATE providers SET provider_key = COALESCE($2, provider_key), "
      "provider_type = COALESCE($3, provider_type), api_base = COALESCE($4, api_base), "
      "api_key = COALESCE($5, api_key), api_version = COALESCE($6, api_version), "
      "model_mapping = COALESCE($7::jsonb, model_mapping), "
      "models = CASE WHEN $8::jsonb IS NULL THEN models "
      "ELSE ARRAY(SELECT jsonb_array_elements_text($8::jsonb)) END, "
      "weight = COALESCE($9::integer, weight), verify_ssl = COALESCE($10::boolean, verify_ssl), "
      "max_concurrent = COALESCE($11::integer, max_concurrent), "
      "is_enabled = COALESCE($12::boolean, is_enabled)" + optional.assignments +
          whereClause(ref) + " RETURNING " + std::string(kProviderColumns),
      std::move(params), true);
}

Outcome remove(LocalCall& call, const ProviderRef& ref) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "provider_key", "a provider");
    if (r->rows() == 0) return missingRow(call, true);
    common::JsonWriter w;
    w.beginObject()
        .field("id", rowInt(*r, 0, 0))
        .field("provider_key", r->value(0, 1))
        .field("deleted", true)
        .endObject();
    return respondJson(call, 200, w.take());
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  return runQuery(call, "DELETE FROM providers" + whereClause(ref) + " RETURNING id, provider_key",
                  {ref.value}, true);
}

}  // namespace

Outcome providers(LocalCall& call) { return isRead(call) ? list(call) : create(call); }

Outcome provider(LocalCall& call) {
  const ProviderRef ref = providerRef(call.route_param);
  const std::string& method = call.request.method;
  if (ref.kind == ProviderRef::None) {
    if (!isRead(call) && !hasDatabase(call)) return respondFileManaged(call);
    return respondNotFound(call, "provider");
  }
  if (method == "PUT") return update(call, ref);
  if (method == "DELETE") return remove(call, ref);
  return get(call, ref);
}

}  // namespace llmproxy::worker::admin
