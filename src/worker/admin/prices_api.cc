// Price CRUD: parameterised SQL on the worker's admin connection, JSON out.
#include "worker/admin/prices_api.h"

#include "worker/admin/admin_common.h"
#include "worker/admin/admin_db.h"
#include "worker/admin/admin_output.h"
#include "worker/admin/price_json.h"

namespace llmproxy::worker::admin {
namespace {

namespace pg = common::pg;

std::string onePrice(const pg::QueryResult& r) {
  common::JsonWriter w;
  writePriceRow(w, r, 0);
  return w.take();
}

Outcome list(LocalCall& call) {
  const pg::QueryResult* r = finishedQuery(call);
  if (hasDatabase(call) && !r)
    return runQuery(call, "SELECT " + kPriceColumns + " FROM prices ORDER BY id", {}, false);
  if (r && !r->ok) return respondDbError(call, *r, "model", "a price");
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  if (r)
    for (int i = 0; i < r->rows(); ++i) writePriceRow(w, *r, i);
  for (const auto& p : call.config->prices)
    if (p.db_id == 0) writeFilePrice(w, p);
  w.endArray().endObject();
  return respondJson(call, 200, w.take());
}

// "" (a null price in the body) is SQL NULL; absent stays absent.
std::optional<std::string> nullable(const std::optional<std::string>& v) {
  if (v && v->empty()) return std::nullopt;
  return v;
}

Outcome create(LocalCall& call) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "model", "a price");
    return respondJson(call, 201, onePrice(*r));
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  FieldError error;
  auto f = readPriceBody(call.request.body, true, error);
  if (!f) return respondFieldError(call, error);
  return runQuery(call,
                  "INSERT INTO prices (model, provider, input_per_mtok, output_per_mtok, "
                  "cached_input_per_mtok, cache_write_per_mtok) VALUES ($1, $2, $3::numeric, "
                  "$4::numeric, $5::numeric, $6::numeric) RETURNING " +
                      kPriceColumns,
                  {f->model, f->provider.value_or(""), f->input_per_mtok.value_or("0"),
                   f->output_per_mtok.value_or("0"), nullable(f->cached_input_per_mtok),
                   nullable(f->cache_write_per_mtok)},
                  true);
}

Outcome get(LocalCall& call, int32_t id) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "model", "a price");
    if (r->rows() == 0) return respondNotFound(call, "price");
    return respondJson(call, 200, onePrice(*r));
  }
  if (!hasDatabase(call)) return respondNotFound(call, "price");
  return runQuery(call, "SELECT " + kPriceColumns + " FROM prices WHERE id = $1::integer",
                  {std::to_string(id)}, false);
}

Outcome update(LocalCall& call, int32_t id) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "model", "a price");
    if (r->rows() == 0) return respondNotFound(call, "price");
    return respondJson(call, 200, onePrice(*r));
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  FieldError error;
  auto f = readPriceBody(call.request.body, false, error);
  if (!f) return respondFieldError(call, error);
  // $6/$8 say whether the nullable prices were given at all (a null resets them).
  return runQuery(
      call,
      "UPDATE prices SET model = COALESCE($2, model), provider = COALESCE($3, provider), "
      "input_per_mtok = COALESCE($4::numeric, input_per_mtok), "
      "output_per_mtok = COALESCE($5::numeric, output_per_mtok), "
      "cached_input_per_mtok = CASE WHEN $6::boolean THEN $7::numeric "
      "ELSE cached_input_per_mtok END, "
      "cache_write_per_mtok = CASE WHEN $8::boolean THEN $9::numeric "
      "ELSE cache_write_per_mtok END WHERE id = $1::integer RETURNING " +
          kPriceColumns,
      {std::to_string(id), f->model, f->provider, f->input_per_mtok, f->output_per_mtok,
       f->cached_input_per_mtok ? "true" : "false", nullable(f->cached_input_per_mtok),
       f->cache_write_per_mtok ? "true" : "false", nullable(f->cache_write_per_mtok)},
      true);
}

Outcome remove(LocalCall& call, int32_t id) {
  if (const pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "model", "a price");
    if (r->rows() == 0) return respondNotFound(call, "price");
    common::JsonWriter w;
    w.beginObject()
        .field("id", rowInt(*r, 0, 0))
        .field("model", r->value(0, 1))
        .field("provider", r->value(0, 2))
        .field("deleted", true)
        .endObject();
    return respondJson(call, 200, w.take());
  }
  if (!hasDatabase(call)) return respondFileManaged(call);
  return runQuery(call, "DELETE FROM prices WHERE id = $1::integer RETURNING id, model, provider",
                  {std::to_string(id)}, true);
}

}  // namespace

Outcome prices(LocalCall& call) { return isRead(call) ? list(call) : create(call); }

Outcome price(LocalCall& call) {
  const auto id = numericId(call.route_param);
  if (!id) {
    if (!isRead(call) && !hasDatabase(call)) return respondFileManaged(call);
    return respondNotFound(call, "price");
  }
  const std::string& method = call.request.method;
  if (method == "PUT") return update(call, *id);
  if (method == "DELETE") return remove(call, *id);
  return get(call, *id);
}

}  // namespace llmproxy::worker::admin
