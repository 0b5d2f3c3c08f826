// What a database load contributes to the configuration, and how it joins the file's:
// rows that would make the config invalid are left out (each with its reason), the rest merge
// with the file's [[provider]] / [[key]] (the database row wins on the same provider id or key).
#pragma once

#include <cstdint>
#include <vector>

#include "common/config/config.h"
#include "master/db_rows.h"

namespace llmproxy::master {

struct DbRows {
  std::vector<common::ProviderConfig> providers;  // by providers.id
  std::vector<common::KeyConfig> keys;            // by credentials.id
  std::vector<common::PriceConfig> prices;        // by prices.id
  std::vector<RowProblem> skipped;                // rows left out, with why
};

// Checks each row with the same validateConfig as the file (in a config holding the file's
// [server] and that one row) and moves the rows it refuses to `skipped`.
void dropInvalidRows(DbRows& rows, const common::Config& file);

// The file's config with the rows merged in: a row replaces the file's provider with the same
// id (provider_key), the file's key with the same SHA-256 and the file's price with the same
// (model, provider), in place; other rows follow the file's entries in id order. `source` gains " + database".
common::Config mergeDbRows(const common::Config& file, const DbRows& rows);

}  // namespace llmproxy::master
