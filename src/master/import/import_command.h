// `llmproxy import-config FILE.yaml [-d URL]`: loads a seed-style YAML configuration (providers
// and master keys of the older llm-proxy projects) into the database, in one transaction,
// upserting on provider_key / key_hash. Returns the exit code (0/1). Keys are never printed.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "common/config/load.h"

namespace llmproxy::master::import {

int runImportConfig(const std::string& yaml_file, const std::optional<std::string>& database,
                    const std::string& config_file, const common::EnvLookup& env,
                    std::ostream& out, std::ostream& err);

}  // namespace llmproxy::master::import
