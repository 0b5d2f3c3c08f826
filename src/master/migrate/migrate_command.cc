// runMigrate: argument checks, database and directory lookup, then one Migrator call.
#include "master/migrate/migrate_command.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <limits>

#include "master/migrate/migrator.h"
#include "master/pgcli/database_url.h"
#include "master/pgcli/session.h"

namespace llmproxy::master::migrate {

namespace {

constexpr const char* kPackagedDir = "/usr/share/llmproxy/migrations";

std::optional<int64_t> parseInt(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

int fail(std::ostream& err, const std::string& message) {
  err << "llmproxy: migrate: " << message << "\n";
  return 1;
}

std::string executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::string findMigrationsDir(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  std::error_code ec;
  if (std::filesystem::is_directory(kPackagedDir, ec)) return kPackagedDir;
  const std::string exe_dir = executableDir();
  if (exe_dir.empty()) return {};
  // Installed under another prefix (<prefix>/sbin/llmproxy), then a developer build
  // (<source>/build/llmproxy next to <source>/migrations).
  for (const char* relative : {"/../share/llmproxy/migrations", "/../migrations"}) {
    const std::string dir = exe_dir + relative;
    if (std::filesystem::is_directory(dir, ec)) return std::filesystem::weakly_canonical(dir, ec);
  }
  return {};
}

int runMigrate(const MigrateRequest& request, const common::EnvLookup& env, std::ostream& out,
               std::ostream& err) {
  const std::vector<std::string>& args = request.args;
  if (args.empty()) return fail(err, "expected up, down, version or force (see llmproxy -h)");
  const std::string& action = args[0];
  const std::optional<std::string> arg =
      args.size() > 1 ? std::optional<std::string>(args[1]) : std::nullopt;
  if (args.size() > 2) return fail(err, "too many arguments");

  // Validate the arguments before touching the database.
  std::optional<int64_t> steps;
  if (action == "up" || action == "down") {
    if (request.all && action == "up") return fail(err, "--all only goes with down");
    if (arg && *arg == "all" && action == "down") {
      steps.reset();
    } else if (arg) {
      steps = parseInt(*arg);
      if (!steps || *steps <= 0) return fail(err, action + ": N must be a positive integer");
      if (request.all) return fail(err, "give either N or --all");
    } else if (action == "down" && !request.all) {
      steps = 1;  // `down` alone rolls back one step
    }
  } else if (action == "force") {
    if (!arg) return fail(err, "force: expected a VERSION (-1 = no migration applied)");
    steps = parseInt(*arg);
    if (!steps || *steps < -1) return fail(err, "force: VERSION must be an integer >= -1");
  } else if (action == "version") {
    if (arg) return fail(err, "version takes no argument");
  } else {
    return fail(err, "unknown action \"" + action + "\": expected up, down, version or force");
  }

  std::vector<MigrationFile> files;
  if (action == "up" || action == "down") {
    const std::string dir = findMigrationsDir(request.migrations_dir);
    if (dir.empty()) {
      return fail(err, "no migrations directory: give --migrations DIR (packaged: " +
                           std::string(kPackagedDir) + ")");
    }
    auto listed = listMigrations(dir);
    if (!listed) return fail(err, listed.error());
    files = std::move(*listed);
  }

  auto target = pgcli::resolveDatabase(request.database, request.config_file, env);
  if (!target) return fail(err, target.error());
  auto session = pgcli::Session::connect(target->url, target->connect_timeout, "llmproxy migrate");
  if (!session) return fail(err, session.error());

  Migrator migrator(*session, std::move(files), out);
  std::expected<void, std::string> result;
  if (action == "version") {
    auto v = migrator.current();
    if (!v) return fail(err, v.error());
    if (!v->version) {
      out << "none (no migration applied)\n";
    } else {
      out << *v->version << (v->dirty ? " (dirty)" : "") << "\n";
    }
    return 0;
  }
  if (action == "up") result = migrator.up(steps);
  if (action == "down") result = migrator.down(steps);
  if (action == "force") result = migrator.force(*steps);
  if (!result) return fail(err, result.error());
  return 0;
}

}  // namespace llmproxy::master::migrate
