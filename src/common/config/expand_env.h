// ${VAR} expansion in string values of llmproxy.conf.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "common/config/load.h"

namespace llmproxy::common {

// Expands every "${NAME}" from env, "${NAME:-default}" to the default when NAME is unset or
// empty, and "$$" to a literal "$". Any other "$" is kept as written. Fails (message only, no
// position) on an unset NAME without a default, an unterminated "${" or an invalid NAME.
// The message never contains a variable's value.
std::expected<std::string, std::string> expandEnv(std::string_view text, const EnvLookup& env);

}  // namespace llmproxy::common
