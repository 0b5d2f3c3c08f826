// Constant-time comparison of secrets (key digests, admin key): the time taken does not
// depend on where the first difference is.
#pragma once

#include <openssl/crypto.h>

#include <cstddef>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common {

// True when the n bytes at a and b are equal; takes the same time for any content.
inline bool ctEqual(const void* a, const void* b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

inline bool ctEqual(const Sha256& a, const Sha256& b) {
  return ctEqual(a.data(), b.data(), a.size());
}

// NOTE: the length is compared first and is not hidden; callers compare digests (fixed length)
// or accept that a secret's length may leak.
inline bool ctEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ctEqual(a.data(), b.data(), a.size());
}

}  // namespace llmproxy::common
