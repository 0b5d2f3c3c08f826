// `llmproxy import-config FILE.yaml [-d URL]`: loads a seed-style YAML configuration (providers
// and master keys of the older llm-proxy projects) into the database, in one transaction,
// upserting on provider_key / key_hash. Returns the exit code (0/1). Keys are never printed.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "common/config/load.h"

namespace llmproxy::master::import {

// `llmproxy import-config --from litellm FILE`: prints the llmproxy.conf that FILE (a LiteLLM
// proxy config) becomes on `out`, and on `err` one line per setting it could not map, with its
// line. Exit code 0, or 1 when FILE cannot be read or is not a LiteLLM config.
int runImportLitellm(const std::string& yaml_file, std::ostream& out, std::ostream& err);

int runImportConfig(const std::string& yaml_file, const std::optional<std::string>& database,
                    const std::string& config_file, const common::EnvLookup& env,
                    std::ostream& out, std::ostream& err);

}  // namespace llmproxy::master::import
