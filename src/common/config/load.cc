// loadConfigFile / loadConfigText: the order of the steps, and ConfigError's printed form.
#include "common/config/load.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <tuple>

#include "common/config/config_positions.h"
#include "common/config/env_overrides.h"
#include "common/config/load_toml.h"
#include "common/config/validate.h"

namespace llmproxy::common {

std::string ConfigError::str() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out + ": " + message;
}

EnvLookup processEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::expected<Config, ConfigErrors> loadConfigText(std::string_view text, const std::string& name,
                                                   const EnvLookup& env) {
  Config config;
  config.source = "file " + name;
  ConfigPositions positions;
  ConfigErrors errors;
  if (!loadTomlConfig(text, name, env, config, positions, errors)) {
    return std::unexpected(std::move(errors));
  }
  applyEnvOverrides(config, env, errors, &positions);
  validateConfig(config, name, &positions, errors);
  if (errors.empty()) return config;

  // File order, errors without a position (env overrides) last.
  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    auto rank = [](const ConfigError& e) { return std::tuple(e.line == 0, e.line, e.column); };
    return rank(a) < rank(b);
  });
  return std::unexpected(std::move(errors));
}

std::expected<Config, ConfigErrors> loadConfigFile(const std::string& path, const EnvLookup& env) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    return std::unexpected(
        ConfigErrors{{path, 0, 0, std::string("cannot open: ") + std::strerror(errno)}});
  }
  std::string text;
  char buffer[16384];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) {
    return std::unexpected(
        ConfigErrors{{path, 0, 0, std::string("cannot read: ") + std::strerror(errno)}});
  }
  return loadConfigText(text, path, env);
}

}  // namespace llmproxy::common
