// ASCII case folding for protocol tokens (header names, schemes): no locale, no call per byte.
#pragma once

#include <cstddef>

namespace llmproxy::common {

inline char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

// Lower-cases `len` bytes at `p` in place.
inline void asciiLowerInPlace(char* p, size_t len) {
  for (size_t i = 0; i < len; ++i) p[i] = asciiLower(p[i]);
}

}  // namespace llmproxy::common
