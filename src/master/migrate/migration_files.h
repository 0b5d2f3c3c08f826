// The migrations directory in golang-migrate's naming: NNNN_name.up.sql / NNNN_name.down.sql,
// NNNN a positive integer version (any number of digits), applied in ascending version order.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace llmproxy::master::migrate {

struct MigrationFile {
  int64_t version = 0;
  std::string name;       // "0001_init" (the file name without .up.sql / .down.sql)
  std::string up_path;    // "" if there is no .up.sql
  std::string down_path;  // "" if there is no .down.sql (that step cannot be rolled back)
};

// Every migration of `dir`, sorted by version. Other files (README, ...) are ignored. Errors:
// unreadable directory, no migration at all, two files for the same version and direction,
// a version with only a down file.
std::expected<std::vector<MigrationFile>, std::string> listMigrations(const std::string& dir);

}  // namespace llmproxy::master::migrate
