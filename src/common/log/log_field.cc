// Escaping and capping of log fields.
#include "common/log/log_field.h"

namespace llmproxy::common::log {

std::string logField(std::string_view raw, size_t cap) {
  if (raw.empty()) return "-";
  static constexpr char kHex[] = "0123456789abcdef";
  const bool cut = raw.size() > cap;
  if (cut) raw = raw.substr(0, cap);
  std::string out;
  out.reserve(raw.size() + (cut ? 3 : 0));
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  if (cut) out += "...";
  return out;
}

std::string_view capField(std::string_view raw, size_t cap) {
  if (raw.size() <= cap) return raw;
  size_t n = cap;
  // Back off continuation bytes (10xxxxxx) so the cut falls between characters.
  while (n > 0 && (static_cast<unsigned char>(raw[n]) & 0xc0) == 0x80) --n;
  return raw.substr(0, n);
}

}  // namespace llmproxy::common::log
