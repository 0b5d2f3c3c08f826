// Writes a SeedConfig into PostgreSQL in ONE transaction: one upsert statement for providers
// (on provider_key) and one for credentials (on key_hash), so the config_version triggers fire
// at most twice and listeners see the whole import at once. Rows that would not change are left
// alone (and counted as unchanged): importing the same file twice changes nothing.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

#include "master/import/seed_config.h"
#include "master/pgcli/session.h"

namespace llmproxy::master::import {

struct UpsertCounts {
  size_t inserted = 0;
  size_t updated = 0;
  size_t unchanged = 0;
};

struct ImportCounts {
  UpsertCounts providers;
  UpsertCounts credentials;
};

// On error everything is rolled back; the message is PostgreSQL's (never a key).
std::expected<ImportCounts, std::string> importSeed(pgcli::Session& session,
                                                    const SeedConfig& seed);

}  // namespace llmproxy::master::import
