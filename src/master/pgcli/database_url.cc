// resolveDatabase: the flag, the environment, then the config file.
#include "master/pgcli/database_url.h"

#include <algorithm>

namespace llmproxy::master::pgcli {

std::expected<DatabaseTarget, std::string> resolveDatabase(const std::optional<std::string>& flag,
                                                           const std::string& config_file,
                                                           const common::EnvLookup& env) {
  if (flag && !flag->empty()) return DatabaseTarget{*flag};
  if (auto from_env = env ? env("DB_URL") : std::nullopt; from_env && !from_env->empty()) {
    return DatabaseTarget{*from_env};
  }
  auto config = common::loadConfigFile(config_file, env);
  if (!config) {
    std::string text = "no database given (-d URL or DB_URL) and " + config_file +
                       " cannot be used:";
    for (const auto& e : config.error()) text += "\n  " + e.str();
    return std::unexpected(text);
  }
  if (config->database.url.empty()) {
    return std::unexpected("no database given: use -d URL, set DB_URL, or set [database] url in " +
                           config_file);
  }
  const auto secs = std::chrono::ceil<std::chrono::seconds>(config->database.connect_timeout);
  return DatabaseTarget{config->database.url, std::max(secs, std::chrono::seconds{1})};
}

}  // namespace llmproxy::master::pgcli
