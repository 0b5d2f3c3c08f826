// Encode/decode a Config to a flat byte string: the form in which the master publishes the
// snapshot in shared memory and a worker rebuilds its own Config from it.
#pragma once

#include <string>
#include <string_view>

#include "common/base/result.h"
#include "common/config/config.h"

namespace llmproxy::common {

std::string encodeConfig(const Config& config);
// Fails (ErrorKind::Internal) on a truncated or corrupt blob or a layout-version mismatch.
Result<Config> decodeConfig(std::string_view blob);

}  // namespace llmproxy::common
