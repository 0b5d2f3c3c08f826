// The seeds' environment variables, applied over the file before validation so their users can
// switch without rewriting anything: HOST, PORT, ADMIN_KEY, DB_URL, VERIFY_SSL,
// REQUEST_TIMEOUT_SECS, TTFT_TIMEOUT_SECS, PROVIDER_SUFFIX.
#pragma once

#include "common/config/config.h"
#include "common/config/config_positions.h"
#include "common/config/load.h"

namespace llmproxy::common {

// A variable set to the empty string counts as unset. Errors name the variable and carry file
// "env" and no position. `positions` (may be null) forgets the file position of every value an
// override replaced, so later errors about it are not blamed on the file.
void applyEnvOverrides(Config& config, const EnvLookup& env, ConfigErrors& errors,
                       ConfigPositions* positions);

}  // namespace llmproxy::common
