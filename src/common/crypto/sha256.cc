// SHA-256 through OpenSSL's EVP interface, with one digest context per thread reused.
#include "common/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "common/base/hex.h"

namespace llmproxy::common {

namespace {

// EVP_Digest makes (and frees) a context and looks the algorithm up on every call: three
// allocations per client request. The algorithm is fetched once and the context kept per thread.
struct DigestContext {
  struct FreeMd {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
  };
  struct FreeCtx {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD, FreeMd> md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
  std::unique_ptr<EVP_MD_CTX, FreeCtx> ctx{EVP_MD_CTX_new()};
};

}  // namespace

Sha256 sha256(std::string_view data) {
  thread_local DigestContext digest;
  Sha256 out{};
  unsigned int len = 0;
  if (!digest.md || !digest.ctx ||
      EVP_DigestInit_ex(digest.ctx.get(), digest.md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(digest.ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(digest.ctx.get(), out.data(), &len) != 1 || len != out.size()) {
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
