// envOf: an EnvLookup over a fixed map, for tests of the config loader.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/load.h"

namespace llmproxy::testing {

inline common::EnvLookup envOf(std::map<std::string, std::string, std::less<>> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace llmproxy::testing
