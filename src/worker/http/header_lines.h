// Small helpers for the header blocks the proxy writes (upstream requests, relayed heads).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmproxy::worker {

// True when `name` (lower-case) is one of `names`.
inline bool headerListed(std::span<const std::string_view> names, std::string_view name) {
  for (std::string_view n : names)
    if (n == name) return true;
  return false;
}

// Appends "name: value\r\n" for every header whose name is not in `skip`.
inline void appendHeadersExcept(std::string& out,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                std::span<const std::string_view> skip) {
  for (const auto& [name, value] : headers) {
    if (headerListed(skip, name)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
}

}  // namespace llmproxy::worker
