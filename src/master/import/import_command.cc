// runImportConfig: read and check the whole YAML first, then one transaction of upserts.
#include "master/import/import_command.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "master/import/litellm_config.h"
#include "master/import/seed_config.h"
#include "master/import/seed_import.h"
#include "master/pgcli/database_url.h"
#include "master/pgcli/session.h"

namespace llmproxy::master::import {

namespace {

constexpr size_t kMaxFileSize = 64u << 20;  // a seed config is a few KB; refuse anything huge

void printCounts(std::ostream& out, const char* what, const UpsertCounts& c) {
  out << what << ": " << c.inserted << " inserted, " << c.updated << " updated, " << c.unchanged
      << " unchanged\n";
}

// The whole file, or nullopt after saying why.
std::optional<std::string> readYaml(const std::string& yaml_file, std::ostream& err) {
  std::ifstream in(yaml_file, std::ios::binary);
  if (!in) {
    err << "llmproxy: import-config: cannot read " << yaml_file << "\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxFileSize) {
    err << "llmproxy: import-config: " << yaml_file << " is larger than 64 MB\n";
    return std::nullopt;
  }
  return std::move(text).str();
}

}  // namespace

int runImportLitellm(const std::string& yaml_file, std::ostream& out, std::ostream& err) {
  const auto text = readYaml(yaml_file, err);
  if (!text) return 1;
  auto imported = importLitellmConfig(*text, yaml_file);
  if (!imported) {
    for (const std::string& e : imported.error()) err << "llmproxy: import-config: " << e << "\n";
    return 1;
  }
  for (const std::string& u : imported->unmapped)
    err << "llmproxy: import-config: not imported: " << u << "\n";
  err << "llmproxy: import-config: " << imported->models << " model deployments on "
      << imported->providers << " providers, " << imported->prices << " prices, "
      << imported->unmapped.size() << " settings not imported\n";
  out << imported->conf;
  return 0;
}

int runImportConfig(const std::string& yaml_file, const std::optional<std::string>& database,
                    const std::string& config_file, const common::EnvLookup& env,
                    std::ostream& out, std::ostream& err) {
  const auto text = readYaml(yaml_file, err);
  if (!text) return 1;
  auto seed = parseSeedConfig(*text, yaml_file, env);
  if (!seed) {
    for (const std::string& e : seed.error()) err << "llmproxy: import-config: " << e << "\n";
    err << "llmproxy: import-config: nothing imported\n";
    return 1;
  }
  for (const std::string& w : seed->warnings) err << "llmproxy: import-config: " << w << "\n";

  auto target = pgcli::resolveDatabase(database, config_file, env);
  if (!target) {
    err << "llmproxy: import-config: " << target.error() << "\n";
    return 1;
  }
  auto session =
      pgcli::Session::connect(target->url, target->connect_timeout, "llmproxy import-config");
  if (!session) {
    err << "llmproxy: import-config: " << session.error() << "\n";
    return 1;
  }
  auto counts = importSeed(*session, *seed);
  if (!counts) {
    err << "llmproxy: import-config: " << counts.error() << "\nllmproxy: import-config: "
        << "nothing imported\n";
    return 1;
  }
  printCounts(out, "providers", counts->providers);
  printCounts(out, "credentials", counts->credentials);
  return 0;
}

}  // namespace llmproxy::master::import
