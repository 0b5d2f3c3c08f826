// One hex digit's value: shared by key hashes (sha256FromHex) and %XX in query strings.
#pragma once

namespace llmproxy::common {

// 0-15 for [0-9a-fA-F], -1 for anything else.
constexpr int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace llmproxy::common
