// Hop-by-hop header names and Connection tokens.
#include "worker/protocol/header_names.h"

#include <array>

namespace llmproxy::worker::protocol {
namespace {

constexpr std::array<std::string_view, 7> kHopByHop{
    "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
    "upgrade"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsLower(std::string_view token, std::string_view lower_name) {
  if (token.size() != lower_name.size()) return false;
  for (size_t i = 0; i < token.size(); ++i)
    if (lower(token[i]) != lower_name[i]) return false;
  return true;
}

// Calls f(token) for each non-empty comma-separated token of `value`, without its optional
// white space; stops when f returns true and returns whether it did.
template <typename F>
bool anyToken(std::string_view value, F f) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty() && f(token)) return true;
  }
  return false;
}

}  // namespace

bool isHopByHop(std::string_view name) {
  if (name.empty()) return false;
  switch (name[0]) {  // one or two comparisons per name, not seven
    case 'c': return name == "connection";
    case 'k': return name == "keep-alive";
    case 'p': return name == "proxy-connection";
    case 't': return name == "te" || name == "trailer" || name == "transfer-encoding";
    case 'u': return name == "upgrade";
    default: return false;
  }
}

bool namedByConnection(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k != "connection") continue;
    if (anyToken(v, [name](std::string_view token) { return equalsLower(token, name); }))
      return true;
  }
  return false;
}

bool connectionNamesOthers(const HeaderList& headers) {
  for (const auto& [k, v] : headers) {
    if (k != "connection") continue;
    const bool other = anyToken(v, [](std::string_view token) {
      for (std::string_view h : kHopByHop)
        if (equalsLower(token, h)) return false;
      return !equalsLower(token, "close");
    });
    if (other) return true;
  }
  return false;
}

}  // namespace llmproxy::worker::protocol
