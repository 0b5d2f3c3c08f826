// ${VAR} expansion.
#include "common/config/expand_env.h"

#include <cctype>

namespace llmproxy::common {

namespace {

bool isValidName(std::string_view name) {
  if (name.empty()) return false;
  if (std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::expected<std::string, std::string> expandEnv(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 == text.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    if (next != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return std::unexpected("unterminated \"${\" (write $$ for a literal $)");
    }
    std::string_view inner = text.substr(i + 2, close - i - 2);
    std::string_view name = inner;
    std::optional<std::string_view> fallback;
    if (size_t sep = inner.find(":-"); sep != std::string_view::npos) {
      name = inner.substr(0, sep);
      fallback = inner.substr(sep + 2);
    }
    if (!isValidName(name)) {
      return std::unexpected("invalid environment variable name \"" + std::string(name) +
                             "\" in ${...}");
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (fallback) {
      out += (value && !value->empty()) ? *value : std::string(*fallback);
    } else if (value) {
      out += *value;
    } else {
      std::string var(name);
      return std::unexpected("environment variable " + var + " is not set (write ${" + var +
                             ":-} to allow an empty value)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace llmproxy::common
