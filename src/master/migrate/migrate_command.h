// `llmproxy migrate up [N] | down [N|all] | version | force V`: finds the database and the
// migrations directory, runs the Migrator, prints what happened. Returns the exit code (0/1).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/config/load.h"

namespace llmproxy::master::migrate {

struct MigrateRequest {
  std::vector<std::string> args;               // action and its argument: {"down", "2"}
  bool all = false;                            // --all (golang-migrate's `down -all`)
  std::optional<std::string> database;         // -d / --database
  std::optional<std::string> migrations_dir;   // --migrations
  std::string config_file;                     // -c (for [database] url)
};

int runMigrate(const MigrateRequest& request, const common::EnvLookup& env, std::ostream& out,
               std::ostream& err);

// --migrations, else the packaged /usr/share/llmproxy/migrations, else
// <dir of the binary>/../share/llmproxy/migrations (another install prefix), else a developer
// build's source tree (<dir of the binary>/../migrations, i.e. build/../migrations).
// "" if none exists.
std::string findMigrationsDir(const std::optional<std::string>& flag);

}  // namespace llmproxy::master::migrate
