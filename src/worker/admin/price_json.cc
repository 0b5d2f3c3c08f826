// Price bodies in, price objects out.
#include "worker/admin/price_json.h"

#include "common/config/schema.h"
#include "worker/admin/admin_output.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker::admin {
namespace {

namespace field = common::schema::price;

// A price member: a number within the schema's bounds, as six-decimal text.
std::optional<std::string> readPrice(JsonBody& body, JsonBody::Element v,
                                     const common::schema::Field& f) {
  auto usd = body.number(v, f.member, f);
  if (!usd) return std::nullopt;
  auto micros = body.checked(f.member, common::schema::priceMicros(f, *usd));
  if (!micros) return std::nullopt;
  return formatUsd(*micros);
}

void writePriceValue(common::JsonWriter& w, std::string_view key, int64_t micros) {
  if (micros < 0)
    w.key(key).null();
  else
    w.key(key).raw(formatUsd(micros));
}

}  // namespace

const std::string kPriceColumns =
    "id, model, provider, input_per_mtok::numeric(18,6)::text, "
    "output_per_mtok::numeric(18,6)::text, cached_input_per_mtok::numeric(18,6)::text, "
    "cache_write_per_mtok::numeric(18,6)::text, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

std::optional<PriceFields> readPriceBody(std::string_view text, bool create, FieldError& error) {
  JsonBody body;
  PriceFields f;
  auto done = [&]() -> std::optional<PriceFields> {
    if (body.ok()) return f;
    error = body.error();
    return std::nullopt;
  };
  if (!body.parse(text,
                  {"model", "provider", "input_per_mtok", "output_per_mtok",
                   "cached_input_per_mtok", "cache_write_per_mtok"},
                  {"id", "created_at", "updated_at", "source"}))
    return done();

  if (auto v = body.get("model")) {
    f.model = body.text(*v, "model", field::kModel);
    if (f.model) {
      if (const std::string why = common::schema::pricePatternProblem(*f.model); !why.empty())
        body.failValue("model", why);
    }
  } else if (create) {
    body.fail("model", "'model' is required");
  }
  if (auto v = body.get("provider"); v && body.ok()) {
    if (auto id = body.string(*v, "provider", 128)) {
      if (id->empty())
        f.provider = "";
      else if (auto checked = body.checked("provider", common::schema::providerId(*id)))
        f.provider = std::move(*checked);
    }
  }
  if (auto v = body.get("input_per_mtok"); v && body.ok())
    f.input_per_mtok = readPrice(body, *v, field::kInput);
  if (auto v = body.get("output_per_mtok"); v && body.ok())
    f.output_per_mtok = readPrice(body, *v, field::kOutput);
  // null: back to the input price.
  if (auto v = body.get("cached_input_per_mtok"); v && body.ok())
    f.cached_input_per_mtok = v->is_null() ? std::optional<std::string>("")
                                           : readPrice(body, *v, field::kCachedInput);
  if (auto v = body.get("cache_write_per_mtok"); v && body.ok())
    f.cache_write_per_mtok = v->is_null() ? std::optional<std::string>("")
                                          : readPrice(body, *v, field::kCacheWrite);
  if (body.ok() && !create && body.size() == 0) body.fail("", "the body sets no field");
  return done();
}

void writePriceRow(common::JsonWriter& w, const common::pg::QueryResult& r, int row) {
  w.beginObject();
  w.field("id", rowInt(r, row, 0));
  w.field("model", r.value(row, 1));
  w.field("provider", r.value(row, 2));
  w.key("input_per_mtok").raw(r.value(row, 3));
  w.key("output_per_mtok").raw(r.value(row, 4));
  for (int col : {5, 6}) {
    w.key(col == 5 ? "cached_input_per_mtok" : "cache_write_per_mtok");
    if (r.isNull(row, col))
      w.null();
    else
      w.raw(r.value(row, col));
  }
  writeRowTail(w, r, row, 7);
  w.endObject();
}

void writeFilePrice(common::JsonWriter& w, const common::PriceConfig& p) {
  w.beginObject();
  w.key("id").null();
  w.field("model", p.model);
  w.field("provider", p.provider);
  writePriceValue(w, "input_per_mtok", p.input);
  writePriceValue(w, "output_per_mtok", p.output);
  writePriceValue(w, "cached_input_per_mtok", p.cached_input);
  writePriceValue(w, "cache_write_per_mtok", p.cache_write);
  writeFileTail(w);
  w.endObject();
}

}  // namespace llmproxy::worker::admin
