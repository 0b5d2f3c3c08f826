// Item ids with their item inside, base64url-encoded and HMAC-tagged.
#include "worker/protocol/item_ids.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "common/time/clock.h"
#include "worker/protocol/response_ids.h"

namespace llmproxy::worker::protocol {
namespace {

constexpr std::string_view kMarker = "c1";
constexpr size_t kTagBytes = 16;
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr size_t kNonceBytes = 12;  // 16 base64url characters

// One key per worker process (the worker loop is its only thread).
std::array<unsigned char, 32>& key() {
  static std::array<unsigned char, 32> k{};
  return k;
}

// The node's store, when on; set once at worker start.
common::ItemStore*& store() {
  static common::ItemStore* s = nullptr;
  return s;
}

void encode(std::string& out, std::string_view in) {
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                       uint8_t(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t v = uint32_t(uint8_t(in[i])) << 16;
  if (rest == 2) v |= uint32_t(uint8_t(in[i + 1])) << 8;
  out += kAlphabet[v >> 18];
  out += kAlphabet[(v >> 12) & 63];
  if (rest == 2) out += kAlphabet[(v >> 6) & 63];
}

int valueOf(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::optional<std::string> decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = valueOf(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char((bits >> count) & 0xff);
    }
  }
  return out;
}

std::string tag(std::string_view kind, std::string_view item) {
  std::string message(kind);
  message += '\0';
  message += item;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key().data(), static_cast<int>(key().size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), kTagBytes);
}

}  // namespace

void setItemIdKeyMaterial(std::string_view material) {
  std::string labelled = "llmproxy responses item ids\n";
  labelled += material;
  unsigned int len = 0;
  EVP_Digest(labelled.data(), labelled.size(), key().data(), &len, EVP_sha256(), nullptr);
}

void setItemIdKey(const common::Config& config) {
  std::string material = config.server.admin_key;
  for (const common::ProviderConfig& p : config.providers) {
    material += '\0';
    material += p.api_key;
  }
  setItemIdKeyMaterial(material);
}

std::string carryingItemId(std::string_view kind, std::string_view item, std::string fallback) {
  if (item.size() > kMaxCarriedItem) return fallback;
  std::string id(kind);
  id += '_';
  id += kMarker;
  id.reserve(id.size() + (item.size() + kTagBytes) * 4 / 3 + 4);
  encode(id, item);
  id += '.';
  encode(id, tag(kind, item));
  return id;
}

std::optional<std::string> carriedItem(std::string_view id) {
  const size_t underscore = id.find('_');
  const size_t dot = id.rfind('.');
  if (underscore == std::string_view::npos || dot == std::string_view::npos || dot < underscore)
    return std::nullopt;
  const std::string_view kind = id.substr(0, underscore);
  std::string_view body = id.substr(underscore + 1, dot - underscore - 1);
  if (!body.starts_with(kMarker)) return std::nullopt;
  body.remove_prefix(kMarker.size());
  auto item = decode(body);
  auto given = decode(id.substr(dot + 1));
  if (!item || !given || given->size() != kTagBytes || item->size() > kMaxCarriedItem)
    return std::nullopt;
  const std::string expected = tag(kind, *item);
  if (CRYPTO_memcmp(expected.data(), given->data(), kTagBytes) != 0) return std::nullopt;
  return item;
}

void setStreamedItemStore(common::ItemStore* s) {
  store() = s != nullptr && s->enabled() ? s : nullptr;
}

std::string streamedItemId(std::string_view kind, std::string_view response_id, size_t index) {
  std::string id = responsesItemId(kind, response_id, index);
  if (store() == nullptr) return id;
  unsigned char nonce[kNonceBytes];
  // RAND_bytes fails only when the kernel gives OpenSSL no entropy at all; such an item is
  // then not kept (keepStreamedItem stores only ids with the tail).
  if (RAND_bytes(nonce, kNonceBytes) != 1) return id;
  id += '_';
  encode(id, std::string_view(reinterpret_cast<const char*>(nonce), kNonceBytes));
  return id;
}

void keepStreamedItem(std::string_view id, std::string_view item) {
  constexpr size_t kTail = 1 + (kNonceBytes * 4 + 2) / 3;
  if (store() == nullptr || item.size() > kMaxCarriedItem || id.size() <= kTail ||
      id[id.size() - kTail] != '_')
    return;
  store()->put(id, item, common::nowUnixMs());
}

std::optional<std::string> referencedItem(std::string_view id) {
  if (auto item = carriedItem(id)) return item;
  std::string item;
  if (store() != nullptr && store()->get(id, common::nowUnixMs(), item)) return item;
  return std::nullopt;
}

}  // namespace llmproxy::worker::protocol
