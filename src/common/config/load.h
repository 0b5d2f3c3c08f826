// Loading llmproxy.conf: TOML -> ${VAR} expansion -> env overrides -> validation -> Config.
// Runs in the master at start-up and on reload (and in `llmproxy -t`); never on the data path.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace llmproxy::common {

// One problem in a config file, printed as "file:line:col: message".
// line/column are 1-based; 0 means "no position" (e.g. an env override or a missing file).
struct ConfigError {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string message;
  std::string str() const;
};

using ConfigErrors = std::vector<ConfigError>;

// Reads one environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup processEnv();

// Loads, expands, overrides and validates. All errors found in one pass are returned.
std::expected<Config, ConfigErrors> loadConfigFile(const std::string& path, const EnvLookup& env);
std::expected<Config, ConfigErrors> loadConfigText(std::string_view text, const std::string& name,
                                                   const EnvLookup& env);

}  // namespace llmproxy::common
