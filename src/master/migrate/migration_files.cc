// listMigrations: scan, parse NNNN_name.(up|down).sql, pair and sort.
#include "master/migrate/migration_files.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <system_error>

namespace llmproxy::master::migrate {

namespace {

struct Parsed {
  int64_t version = 0;
  std::string stem;
  bool up = false;
};

// "0001_init.up.sql" -> {1, "0001_init", up}; false for any other name.
bool parseName(const std::string& file, Parsed& out) {
  std::string_view name(file);
  if (name.ends_with(".up.sql")) {
    out.up = true;
    name.remove_suffix(7);
  } else if (name.ends_with(".down.sql")) {
    out.up = false;
    name.remove_suffix(9);
  } else {
    return false;
  }
  const size_t digits = name.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos || name[digits] != '_') return false;
  auto [end, ec] = std::from_chars(name.data(), name.data() + digits, out.version);
  if (ec != std::errc{} || out.version <= 0) return false;
  out.stem = std::string(name);
  return true;
}

}  // namespace

std::expected<std::vector<MigrationFile>, std::string> listMigrations(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return std::unexpected("cannot read migrations directory " + dir + ": " + ec.message());
  std::map<int64_t, MigrationFile> by_version;
  for (const auto& entry : it) {
    Parsed parsed;
    if (!entry.is_regular_file(ec) || !parseName(entry.path().filename().string(), parsed)) {
      continue;
    }
    MigrationFile& m = by_version[parsed.version];
    m.version = parsed.version;
    std::string& slot = parsed.up ? m.up_path : m.down_path;
    if (!slot.empty()) {
      return std::unexpected("two " + std::string(parsed.up ? "up" : "down") +
                             " migrations for version " + std::to_string(parsed.version) +
                             " in " + dir + ": " + fs::path(slot).filename().string() + " and " +
                             entry.path().filename().string());
    }
    slot = entry.path().string();
    if (m.name.empty() || parsed.up) m.name = parsed.stem;
  }
  std::vector<MigrationFile> out;
  for (auto& [version, m] : by_version) {
    if (m.up_path.empty()) {
      return std::unexpected("migration " + m.name + " has a .down.sql but no .up.sql in " + dir);
    }
    out.push_back(std::move(m));
  }
  if (out.empty()) return std::unexpected("no migrations (NNNN_name.up.sql) in " + dir);
  return out;
}

}  // namespace llmproxy::master::migrate
