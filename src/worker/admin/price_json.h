// Prices as the admin API reads and writes them: the request body checked field by field with
// the configuration loader's rules (so a row the API accepts is a row the master loads), the
// SQL column list every price statement returns, and the JSON object written for a database
// row or for a [[price]] of the configuration file. Prices are USD per million tokens,
// written with six decimals (the micro-dollar precision they are kept in).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"
#include "worker/admin/admin_json.h"

namespace llmproxy::worker::admin {

// What a POST or PUT body sets; absent members stay nullopt (PUT keeps the stored value).
// Prices are decimal text with six places, ready for a numeric parameter; `null` for
// cached_input_per_mtok / cache_write_per_mtok is "" (the input price).
struct PriceFields {
  std::optional<std::string> model;
  std::optional<std::string> provider;
  std::optional<std::string> input_per_mtok;
  std::optional<std::string> output_per_mtok;
  std::optional<std::string> cached_input_per_mtok;
  std::optional<std::string> cache_write_per_mtok;
};

// Checks a body; `create` requires model. On failure `error` names the field.
std::optional<PriceFields> readPriceBody(std::string_view body, bool create, FieldError& error);

// The select list of every price statement (SELECT / RETURNING), in writePriceRow's order.
extern const std::string kPriceColumns;

void writePriceRow(common::JsonWriter& w, const common::pg::QueryResult& r, int row);
void writeFilePrice(common::JsonWriter& w, const common::PriceConfig& p);

}  // namespace llmproxy::worker::admin
