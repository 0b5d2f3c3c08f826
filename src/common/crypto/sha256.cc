// SHA-256 through OpenSSL's one-shot EVP_Digest.
#include "common/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "common/base/hex.h"

namespace llmproxy::common {

Sha256 sha256(std::string_view data) {
  Sha256 out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    // NOTE: only an allocation failure inside OpenSSL gets here; nothing sensible remains to do.
    std::abort();
  }
  return out;
}

std::string toHex(const Sha256& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

std::optional<Sha256> sha256FromHex(std::string_view hex) {
  Sha256 out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hexDigitValue(hex[2 * i]);
    int lo = hexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

}  // namespace llmproxy::common
