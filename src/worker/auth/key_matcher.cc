// Client key lookup and allowed_models checks.
#include "worker/auth/key_matcher.h"

#include <cstring>

#include "common/crypto/ct_equal.h"
#include "common/crypto/sha256.h"

namespace llmproxy::worker {

namespace {

uint64_t digestPrefix(const common::Sha256& digest) {
  uint64_t prefix = 0;
  std::memcpy(&prefix, digest.data(), sizeof prefix);
  return prefix;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool startsWithBearer(std::string_view s) {
  static constexpr std::string_view kBearer = "bearer";
  if (s.size() <= kBearer.size() || (s[kBearer.size()] != ' ' && s[kBearer.size()] != '\t')) {
    return false;
  }
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if ((s[i] | 0x20) != kBearer[i]) return false;
  }
  return true;
}

}  // namespace

StarPattern::StarPattern(std::string_view pattern) {
  size_t start = 0;
  for (;;) {
    const size_t star = pattern.find('*', start);
    pieces_.emplace_back(pattern.substr(start, star - start));
    if (star == std::string_view::npos) break;
    start = star + 1;
  }
}

bool StarPattern::matches(std::string_view text) const {
  if (pieces_.size() == 1) return text == pieces_.front();
  const std::string& head = pieces_.front();
  const std::string& tail = pieces_.back();
  if (text.size() < head.size() + tail.size() || !text.starts_with(head) || !text.ends_with(tail)) {
    return false;
  }
  // Between head and tail, each middle piece at its leftmost place: greedy is exact for '*'.
  std::string_view middle = text.substr(head.size(), text.size() - head.size() - tail.size());
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    const size_t at = middle.find(pieces_[i]);
    if (at == std::string_view::npos) return false;
    middle.remove_prefix(at + pieces_[i].size());
  }
  return true;
}

std::string limitId(const common::Sha256& digest) {
  return common::toHex(digest).substr(0, 32);
}

KeyMatcher::KeyMatcher(std::span<const common::KeyConfig> keys) {
  keys_.reserve(keys.size());
  for (uint32_t index = 0; index < keys.size(); ++index) {
    const common::KeyConfig& config = keys[index];
    ClientKey& key = keys_.emplace_back();
    key.index = index;
    key.name = config.name;
    key.digest = config.key_sha256;
    key.limit_id = limitId(config.key_sha256);
    key.enabled = config.enabled;
    key.expires_at = config.expires_at;
    key.all_models = config.allowed_models.empty();
    for (const std::string& entry : config.allowed_models) {
      if (entry.find('*') == std::string::npos) {
        key.exact_models.push_back(entry);
      } else {
        key.model_patterns.emplace_back(entry);
      }
    }
    by_prefix_.emplace(digestPrefix(key.digest), index);
  }
}

const ClientKey* KeyMatcher::find(const common::Sha256& digest) const {
  const ClientKey* found = nullptr;
  auto [begin, end] = by_prefix_.equal_range(digestPrefix(digest));
  for (auto it = begin; it != end; ++it) {
    const ClientKey& key = keys_[it->second];
    if (common::ctEqual(key.digest, digest) && (found == nullptr || key.index < found->index)) {
      found = &key;
    }
  }
  return found;
}

KeyMatcher::Verdict KeyMatcher::verdict(const ClientKey* key, int64_t now_unix) {
  if (key == nullptr) return Verdict::Unknown;
  if (!key->enabled) return Verdict::Disabled;
  if (key->expires_at != 0 && now_unix >= key->expires_at) return Verdict::Expired;
  return Verdict::Ok;
}

common::Result<const ClientKey*> KeyMatcher::authenticate(const common::Sha256& digest,
                                                          int64_t now_unix) const {
  const ClientKey* found = find(digest);
  // One message for every refusal: a distinct one would tell a caller which keys exist.
  // Why goes to log_detail (logs only).
  std::string_view why;
  switch (verdict(found, now_unix)) {
    case Verdict::Unknown: why = "unknown key"; break;
    case Verdict::Disabled: why = "key is disabled"; break;
    case Verdict::Expired: why = "key has expired"; break;
    case Verdict::Ok: return found;
  }
  common::Error error{common::ErrorKind::InvalidApiKey, std::string(kRefusedKeyMessage), 0};
  error.log_detail = why;
  return std::unexpected(std::move(error));
}

common::Result<const ClientKey*> KeyMatcher::authenticateToken(std::string_view token,
                                                               int64_t now_unix) const {
  if (token.empty()) {
    return common::fail(common::ErrorKind::InvalidApiKey,
                        "Missing API key: send it as 'Authorization: Bearer <key>' or "
                        "'x-api-key: <key>'");
  }
  return authenticate(common::sha256(token), now_unix);
}

bool KeyMatcher::allowedModel(const ClientKey& key, std::string_view model) {
  if (key.all_models) return true;
  for (const std::string& exact : key.exact_models)
    if (exact == model) return true;
  for (const StarPattern& pattern : key.model_patterns)
    if (pattern.matches(model)) return true;
  return false;
}

std::optional<std::string_view> extractApiKey(std::string_view authorization,
                                              std::string_view x_api_key) {
  authorization = trim(authorization);
  if (startsWithBearer(authorization)) {
    std::string_view token = trim(authorization.substr(6));
    if (!token.empty()) return token;
  }
  x_api_key = trim(x_api_key);
  if (!x_api_key.empty()) return x_api_key;
  return std::nullopt;
}

}  // namespace llmproxy::worker
