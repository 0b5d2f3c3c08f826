// Migrator: lock, read the version, run each step in its own transaction.
#include "master/migrate/migrator.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace llmproxy::master::migrate {

namespace {

using Clock = std::chrono::steady_clock;

// Another node migrating at the same moment is waited for, up to this long.
constexpr auto kLockWait = std::chrono::seconds(120);

std::string sqlError(const pgcli::SqlError& e) { return e.str(); }

std::string fileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

std::string locateError(const std::string& file, const std::string& text, int position,
                        const std::string& message) {
  if (position <= 0) return file + ": " + message;
  int line = 1;
  int column = 1;
  int chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;  // UTF-8 continuation: same character
    if (++chars == position) break;
    if (byte == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

Migrator::Migrator(pgcli::Session& session, std::vector<MigrationFile> files, std::ostream& out)
    : session_(session), files_(std::move(files)), out_(out) {}

std::expected<SchemaVersion, std::string> Migrator::current() {
  auto exists = session_.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists) return std::unexpected(sqlError(exists.error()));
  if (exists->empty() || (*exists)[0][0] != "t") return SchemaVersion{};
  auto rows = session_.exec("SELECT version, dirty FROM schema_migrations LIMIT 1");
  if (!rows) return std::unexpected(sqlError(rows.error()));
  if (rows->empty() || !(*rows)[0][0]) return SchemaVersion{};
  SchemaVersion v;
  v.version = std::stoll(*(*rows)[0][0]);
  v.dirty = (*rows)[0][1] == "t";
  return v;
}

std::expected<void, std::string> Migrator::lock() {
  if (locked_) return {};
  // Quiet "already exists, skipping" notices: they are expected on every run.
  if (auto r = session_.exec("SET client_min_messages = warning"); !r) {
    return std::unexpected(sqlError(r.error()));
  }
  const auto deadline = Clock::now() + kLockWait;
  bool told = false;
  while (true) {
    auto r = session_.exec("SELECT pg_try_advisory_lock($1)",
                           {std::to_string(kAdvisoryLockKey)});
    if (!r) return std::unexpected(sqlError(r.error()));
    if (!r->empty() && (*r)[0][0] == "t") break;
    if (Clock::now() >= deadline) {
      return std::unexpected("another llmproxy migrate still holds the migration lock after " +
                             std::to_string(kLockWait.count()) + " s");
    }
    if (!told) {
      out_ << "waiting for another llmproxy migrate to finish\n" << std::flush;
      told = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  locked_ = true;
  auto created = session_.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations "
      "(version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)");
  if (!created) return std::unexpected(sqlError(created.error()));
  return {};
}

std::expected<SchemaVersion, std::string> Migrator::lockedCurrent() {
  if (auto r = lock(); !r) return std::unexpected(r.error());
  auto v = current();
  if (v && v->dirty) {
    return std::unexpected(
        "database version " + std::to_string(*v->version) +
        " is dirty (a migration failed half-way, outside a transaction): repair the schema by "
        "hand, then run `llmproxy migrate force VERSION`");
  }
  return v;
}

std::expected<size_t, std::string> Migrator::indexOf(int64_t version) const {
  for (size_t i = 0; i < files_.size(); ++i) {
    if (files_[i].version == version) return i;
  }
  return std::unexpected("the database is at version " + std::to_string(version) +
                         ", which has no migration file here (newer llmproxy? wrong "
                         "--migrations directory?)");
}

std::expected<void, std::string> Migrator::up(std::optional<int64_t> steps) {
  auto v = lockedCurrent();
  if (!v) return std::unexpected(v.error());
  size_t next = 0;
  if (v->version) {
    auto at = indexOf(*v->version);
    if (!at) return std::unexpected(at.error());
    next = *at + 1;
  }
  if (next >= files_.size()) {
    out_ << "no change: database at version "
         << (v->version ? std::to_string(*v->version) : std::string("none")) << "\n";
    return {};
  }
  for (int64_t done = 0; next < files_.size() && (!steps || done < *steps); ++next, ++done) {
    if (auto r = step(files_[next].up_path, files_[next].version); !r) return r;
  }
  return {};
}

std::expected<void, std::string> Migrator::down(std::optional<int64_t> steps) {
  auto v = lockedCurrent();
  if (!v) return std::unexpected(v.error());
  if (!v->version) {
    out_ << "no change: no migration applied\n";
    return {};
  }
  auto at = indexOf(*v->version);
  if (!at) return std::unexpected(at.error());
  for (int64_t done = 0, i = static_cast<int64_t>(*at); i >= 0 && (!steps || done < *steps);
       --i, ++done) {
    const MigrationFile& m = files_[static_cast<size_t>(i)];
    if (m.down_path.empty()) {
      return std::unexpected("migration " + m.name + " has no .down.sql: it cannot be rolled back");
    }
    std::optional<int64_t> to;
    if (i > 0) to = files_[static_cast<size_t>(i - 1)].version;
    if (auto r = step(m.down_path, to); !r) return r;
  }
  return {};
}

std::expected<void, std::string> Migrator::force(int64_t version) {
  if (auto r = lock(); !r) return r;
  std::optional<int64_t> to;
  if (version >= 0) to = version;
  auto r = session_.exec("BEGIN");
  if (!r) return std::unexpected(sqlError(r.error()));
  if (auto set = setVersion(to); !set) {
    (void)session_.exec("ROLLBACK");
    return set;
  }
  if (auto c = session_.exec("COMMIT"); !c) return std::unexpected(sqlError(c.error()));
  out_ << "version forced to " << (to ? std::to_string(*to) : std::string("none")) << "\n";
  return {};
}

std::expected<void, std::string> Migrator::setVersion(std::optional<int64_t> to) {
  if (auto r = session_.exec("TRUNCATE schema_migrations"); !r) {
    return std::unexpected(sqlError(r.error()));
  }
  if (!to) return {};
  auto r = session_.exec("INSERT INTO schema_migrations (version, dirty) VALUES ($1, false)",
                         {std::to_string(*to)});
  if (!r) return std::unexpected(sqlError(r.error()));
  return {};
}

std::expected<void, std::string> Migrator::step(const std::string& path,
                                                std::optional<int64_t> to) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string sql = text.str();

  const auto started = Clock::now();
  if (auto r = session_.exec("BEGIN"); !r) return std::unexpected(sqlError(r.error()));
  // The file alone in its statement: PostgreSQL's error position is an offset into it.
  if (auto r = session_.exec(sql); !r) {
    (void)session_.exec("ROLLBACK");
    return std::unexpected(locateError(path, sql, r.error().position, r.error().str()) +
                           "\n  (rolled back: the database stays at the previous version)");
  }
  if (auto r = setVersion(to); !r) {
    (void)session_.exec("ROLLBACK");
    return r;
  }
  if (auto r = session_.exec("COMMIT"); !r) {
    return std::unexpected(path + ": COMMIT failed: " + sqlError(r.error()));
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  out_ << (path.ends_with(".down.sql") ? "rolled back " : "applied ") << fileName(path) << " ("
       << ms << " ms)\n";
  return {};
}

}  // namespace llmproxy::master::migrate
