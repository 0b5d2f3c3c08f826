// TOML text -> Config: types, units, ${VAR} expansion and unknown-key checks, with the source
// position of every value. Whole-config checks are validate.h's.
#pragma once

#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/config/config_positions.h"
#include "common/config/load.h"

namespace llmproxy::common {

// Fills `config` (which keeps its defaults for anything not written) and `positions`, appending
// every problem found to `errors`. Returns false on a TOML syntax error: then nothing was read and
// `errors` holds that one error.
bool loadTomlConfig(std::string_view text, const std::string& file, const EnvLookup& env,
                    Config& config, ConfigPositions& positions, ConfigErrors& errors);

}  // namespace llmproxy::common
