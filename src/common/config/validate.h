// Checks on a whole Config that no single value can make alone (duplicates, required
// combinations), run after loading and env overrides, whatever the source (file or database).
#pragma once

#include <string>

#include "common/config/config.h"
#include "common/config/config_positions.h"
#include "common/config/load.h"

namespace llmproxy::common {

// Appends one ConfigError per problem found, all of them, each at the position recorded for the
// value in `positions` (may be null: errors then carry no position). `file` names the source.
void validateConfig(const Config& config, const std::string& file, const ConfigPositions* positions,
                    ConfigErrors& errors);

// [A-Za-z0-9._-]+ : the ids a provider may have.
bool isValidProviderId(std::string_view id);

}  // namespace llmproxy::common
