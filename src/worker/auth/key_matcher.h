// Client keys: who is calling (SHA-256 lookup + constant-time compare, enabled, expiry) and
// which models that key may use (allowed_models with '*' wildcards).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/result.h"
#include "common/config/config.h"

namespace llmproxy::worker {

// An allowed_models entry with '*' (any run of characters, also empty); no other
// metacharacter. Compiled once into the literal pieces between the stars, matched left to
// right without backtracking: O(len(model) * pieces) at worst.
class StarPattern {
 public:
  explicit StarPattern(std::string_view pattern);
  bool matches(std::string_view text) const;

 private:
  std::vector<std::string> pieces_;  // split at '*': at least 2 pieces when there is a star
};

// One [[key]] ready for requests. Copies what it needs: it does not point into the Config.
struct ClientKey {
  uint32_t index = 0;  // position in the [[key]] list (rate limit, quotas, usage records)
  std::string name;    // for logs; never the key itself
  std::string limit_id;  // limitId(digest): what its rate buckets and quotas are keyed by
  common::Sha256 digest{};
  bool enabled = true;
  int64_t expires_at = 0;  // unix seconds, 0 = never
  bool all_models = true;  // allowed_models was empty
  std::vector<std::string> exact_models;
  std::vector<StarPattern> model_patterns;
};

// The stable id a key's rate buckets and quota counters are keyed by, locally and in Redis:
// the first 16 bytes of its SHA-256 digest, in hex. Not the name: names can be renamed (the
// counters must survive that) and must never let two credentials share a bucket.
std::string limitId(const common::Sha256& digest);

// The key index of one config snapshot. Immutable after construction; shared by every
// exchange that pinned the snapshot.
//
// Lookup: the first 8 bytes of the digest select the candidates in a hash map (the digest is
// uniformly random, so it is its own hash), then the full 32 bytes are compared in constant
// time (CRYPTO_memcmp). Timing reveals at most whether some key shares an 8-byte digest
// prefix with the attempt, never how much of a stored digest matched. Two keys with the same
// digest: the first one in the list wins (validation should reject it).
class KeyMatcher {
 public:
  explicit KeyMatcher(std::span<const common::KeyConfig> keys);

  // What a presented key would get right now.
  enum class Verdict : uint8_t { Ok, Unknown, Disabled, Expired };

  // The key with this digest (first in the list on a tie), nullptr if none. Constant-time
  // compare of the full digest (see above).
  const ClientKey* find(const common::Sha256& digest) const;
  // Unknown (null), disabled, expired (now_unix >= expires_at) or usable.
  static Verdict verdict(const ClientKey* key, int64_t now_unix);

  // The one message of every refused key (unknown, disabled or expired alike).
  static constexpr std::string_view kRefusedKeyMessage = "Incorrect API key provided";

  // Unknown, disabled and expired (now_unix >= expires_at) keys fail with
  // ErrorKind::InvalidApiKey and kRefusedKeyMessage; which of the three it was is in
  // log_detail (logs only). Never echoes the key.
  common::Result<const ClientKey*> authenticate(const common::Sha256& digest,
                                                int64_t now_unix) const;
  // Hashes `token` first; an empty token fails as "missing API key".
  common::Result<const ClientKey*> authenticateToken(std::string_view token,
                                                     int64_t now_unix) const;

  // allowed_models: empty = every model; else an exact entry or a '*' pattern must match.
  // `model` is the name the client asked for (after the provider prefix is stripped).
  static bool allowedModel(const ClientKey& key, std::string_view model);

  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }

 private:
  struct PrefixHash {
    size_t operator()(uint64_t prefix) const { return static_cast<size_t>(prefix); }
  };
  std::vector<ClientKey> keys_;
  std::unordered_multimap<uint64_t, uint32_t, PrefixHash> by_prefix_;
};

// The client key of a request: `Authorization: Bearer <key>` (scheme case-insensitive, spaces
// and tabs around the key trimmed) first, else `x-api-key: <key>` (trimmed). An Authorization
// header with another scheme or an empty Bearer falls through to x-api-key. Pass "" for an
// absent header. nullopt = no key given. The view points into the header value passed.
std::optional<std::string_view> extractApiKey(std::string_view authorization,
                                              std::string_view x_api_key);

}  // namespace llmproxy::worker
