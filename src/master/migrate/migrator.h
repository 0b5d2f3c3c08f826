// Migrator: applies and rolls back migration files on one PostgreSQL session, keeping
// golang-migrate's bookkeeping table so either tool can take over from the other:
//   schema_migrations(version bigint PRIMARY KEY, dirty boolean NOT NULL), at most one row,
//   empty = nothing applied.
// Each step (the file's SQL and the new version row) runs in ONE transaction: a failing file
// leaves the previous version and schema untouched, so "dirty" never comes from us (only from
// golang-migrate, which we then refuse to touch until `force`). A session advisory lock
// serialises concurrent runs from several nodes.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "master/migrate/migration_files.h"
#include "master/pgcli/session.h"

namespace llmproxy::master::migrate {

struct SchemaVersion {
  std::optional<int64_t> version;  // nullopt: no migration applied
  bool dirty = false;
};

// The advisory lock key: "llmproxy" in ASCII.
inline constexpr int64_t kAdvisoryLockKey = 0x6c6c6d70726f7879;

class Migrator {
 public:
  // `out` receives one line per step ("applied 0001_init.up.sql (12 ms)").
  Migrator(pgcli::Session& session, std::vector<MigrationFile> files, std::ostream& out);

  // Current version (no lock, creates nothing).
  std::expected<SchemaVersion, std::string> current();
  // Applies every pending migration, or only the next `steps`.
  std::expected<void, std::string> up(std::optional<int64_t> steps);
  // Rolls back `steps` migrations (nullopt: all of them).
  std::expected<void, std::string> down(std::optional<int64_t> steps);
  // Sets the version without running anything (after fixing a dirty database by hand);
  // -1 = no migration applied.
  std::expected<void, std::string> force(int64_t version);

 private:
  std::expected<void, std::string> lock();
  std::expected<SchemaVersion, std::string> lockedCurrent();
  std::expected<size_t, std::string> indexOf(int64_t version) const;
  // Runs `path` and sets the version to `to` in one transaction.
  std::expected<void, std::string> step(const std::string& path, std::optional<int64_t> to);
  std::expected<void, std::string> setVersion(std::optional<int64_t> to);

  pgcli::Session& session_;
  std::vector<MigrationFile> files_;
  std::ostream& out_;
  bool locked_ = false;
};

// "file:line:col: message" from an error `position` (1-based, in characters) in `text`.
std::string locateError(const std::string& file, const std::string& text, int position,
                        const std::string& message);

}  // namespace llmproxy::master::migrate
