// KeyMatcher: lookup by digest, enabled/expiry, allowed_models wildcards, header extraction.
#include "worker/auth/key_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/crypto/sha256.h"

namespace llmproxy::worker {
namespace {

using common::ErrorKind;
using common::KeyConfig;
using common::sha256;

KeyConfig key(std::string name, std::string_view secret, std::vector<std::string> allowed = {}) {
  KeyConfig k;
  k.name = std::move(name);
  k.key_sha256 = sha256(secret);
  k.allowed_models = std::move(allowed);
  return k;
}

TEST(KeyMatcher, FindsKeysByDigest) {
  std::vector<KeyConfig> keys = {key("prod", "sk-prod"), key("dev", "sk-dev")};
  KeyMatcher matcher(keys);
  EXPECT_EQ(matcher.size(), 2u);
  auto prod = matcher.authenticate(sha256("sk-prod"), 0);
  ASSERT_TRUE(prod.has_value());
  EXPECT_EQ((*prod)->name, "prod");
  EXPECT_EQ((*prod)->index, 0u);
  auto dev = matcher.authenticateToken("sk-dev", 0);
  ASSERT_TRUE(dev.has_value());
  EXPECT_EQ((*dev)->index, 1u);
}

TEST(KeyMatcher, UnknownKey) {
  std::vector<KeyConfig> keys = {key("prod", "sk-prod")};
  KeyMatcher matcher(keys);
  auto r = matcher.authenticateToken("sk-prod2", 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidApiKey);
  EXPECT_EQ(r.error().detail, "Incorrect API key provided");
  EXPECT_EQ(r.error().detail.find("sk-prod"), std::string::npos);
}

TEST(KeyMatcher, SamePrefixDifferentDigest) {
  // Only the first 8 bytes select the bucket: the full compare must still reject.
  std::vector<KeyConfig> keys = {key("a", "sk-a")};
  KeyMatcher matcher(keys);
  common::Sha256 almost = sha256("sk-a");
  almost[31] ^= 1;
  EXPECT_FALSE(matcher.authenticate(almost, 0).has_value());
  almost = sha256("sk-a");
  almost[8] ^= 0x80;
  EXPECT_FALSE(matcher.authenticate(almost, 0).has_value());
}

TEST(KeyMatcher, DisabledAndExpired) {
  std::vector<KeyConfig> keys = {key("off", "sk-off"), key("exp", "sk-exp"),
                                 key("later", "sk-later")};
  keys[0].enabled = false;
  keys[1].expires_at = 1000;
  keys[2].expires_at = 2000;
  KeyMatcher matcher(keys);

  auto off = matcher.authenticateToken("sk-off", 0);
  ASSERT_FALSE(off.has_value());
  EXPECT_EQ(off.error().kind, ErrorKind::InvalidApiKey);
  // The client hears what an unknown key hears; the reason is for the logs.
  EXPECT_EQ(off.error().detail, "Incorrect API key provided");
  EXPECT_EQ(off.error().log_detail, "key is disabled");

  EXPECT_TRUE(matcher.authenticateToken("sk-exp", 999).has_value());
  auto expired = matcher.authenticateToken("sk-exp", 1000);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().kind, ErrorKind::InvalidApiKey);
  EXPECT_EQ(expired.error().detail, "Incorrect API key provided");
  EXPECT_EQ(expired.error().log_detail, "key has expired");
  EXPECT_TRUE(matcher.authenticateToken("sk-later", 1999).has_value());
}

TEST(KeyMatcher, MissingToken) {
  std::vector<KeyConfig> keys = {key("k", "")};  // even a key whose secret is ""
  KeyMatcher matcher(keys);
  auto r = matcher.authenticateToken("", 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::InvalidApiKey);
  EXPECT_TRUE(r.error().detail.starts_with("Missing API key"));
}

TEST(KeyMatcher, DuplicateDigestFirstWins) {
  std::vector<KeyConfig> keys = {key("first", "same"), key("second", "same")};
  KeyMatcher matcher(keys);
  auto r = matcher.authenticateToken("same", 0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)->name, "first");
}

TEST(KeyMatcher, NoKeys) {
  KeyMatcher matcher(std::span<const KeyConfig>{});
  EXPECT_TRUE(matcher.empty());
  EXPECT_FALSE(matcher.authenticateToken("x", 0).has_value());
}

TEST(KeyMatcher, ManyKeys) {
  std::vector<KeyConfig> keys;
  for (int i = 0; i < 1000; ++i)
    keys.push_back(key("k" + std::to_string(i), "sk-" + std::to_string(i)));
  KeyMatcher matcher(keys);
  for (int i = 0; i < 1000; i += 37) {
    auto r = matcher.authenticateToken("sk-" + std::to_string(i), 0);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ((*r)->index, static_cast<uint32_t>(i));
  }
  EXPECT_FALSE(matcher.authenticateToken("sk-1000", 0).has_value());
}

TEST(AllowedModel, EmptyMeansAll) {
  std::vector<KeyConfig> keys = {key("k", "s")};
  KeyMatcher matcher(keys);
  const ClientKey& k = **matcher.authenticateToken("s", 0);
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "anything"));
  EXPECT_TRUE(KeyMatcher::allowedModel(k, ""));
}

TEST(AllowedModel, ExactAndWildcards) {
  std::vector<KeyConfig> keys = {key("k", "s", {"gpt-4o", "claude-*", "*-mini", "o*-pre*view"})};
  KeyMatcher matcher(keys);
  const ClientKey& k = **matcher.authenticateToken("s", 0);
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "gpt-4o"));
  EXPECT_FALSE(KeyMatcher::allowedModel(k, "gpt-4o-2024"));
  EXPECT_FALSE(KeyMatcher::allowedModel(k, "gpt-4"));
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "claude-3-opus"));
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "claude-"));
  EXPECT_FALSE(KeyMatcher::allowedModel(k, "claude"));
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "gpt-4o-mini"));
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "o1-preview"));
  EXPECT_TRUE(KeyMatcher::allowedModel(k, "o1-pre-xview"));
  EXPECT_FALSE(KeyMatcher::allowedModel(k, "o1-preview-x"));
  EXPECT_FALSE(KeyMatcher::allowedModel(k, "llama"));
}

TEST(StarPattern, Matching) {
  EXPECT_TRUE(StarPattern("*").matches(""));
  EXPECT_TRUE(StarPattern("*").matches("abc"));
  EXPECT_TRUE(StarPattern("a*a").matches("aa"));
  EXPECT_FALSE(StarPattern("a*a").matches("a"));  // head and tail may not overlap
  EXPECT_TRUE(StarPattern("a*b*c").matches("abc"));
  EXPECT_TRUE(StarPattern("a*b*c").matches("axxbyybzc"));
  EXPECT_FALSE(StarPattern("a*b*c").matches("acb"));
  EXPECT_TRUE(StarPattern("**x**").matches("x"));
  EXPECT_TRUE(StarPattern("*ab*ab*").matches("abab"));
  EXPECT_FALSE(StarPattern("*ab*ab*").matches("aba"));
  EXPECT_TRUE(StarPattern("plain").matches("plain"));
  EXPECT_FALSE(StarPattern("plain").matches("plainer"));
  EXPECT_TRUE(StarPattern("a?c").matches("a?c"));  // '?' is literal here
  EXPECT_FALSE(StarPattern("a?c").matches("abc"));
}

TEST(ExtractApiKey, Bearer) {
  EXPECT_EQ(extractApiKey("Bearer sk-1", ""), "sk-1");
  EXPECT_EQ(extractApiKey("bearer sk-1", ""), "sk-1");
  EXPECT_EQ(extractApiKey("BEARER\tsk-1", ""), "sk-1");
  EXPECT_EQ(extractApiKey("  Bearer    sk-1  \t", ""), "sk-1");
  EXPECT_EQ(extractApiKey("Bearer sk-1", "sk-2"), "sk-1");  // Authorization first
}

TEST(ExtractApiKey, FallsBackToXApiKey) {
  EXPECT_EQ(extractApiKey("", "sk-2"), "sk-2");
  EXPECT_EQ(extractApiKey("", "  sk-2 "), "sk-2");
  EXPECT_EQ(extractApiKey("Basic dXNlcjpwYXNz", "sk-2"), "sk-2");
  EXPECT_EQ(extractApiKey("Bearer", "sk-2"), "sk-2");
  EXPECT_EQ(extractApiKey("Bearer   ", "sk-2"), "sk-2");
  EXPECT_EQ(extractApiKey("Bearersk-1", "sk-2"), "sk-2");
}

TEST(ExtractApiKey, Nothing) {
  EXPECT_FALSE(extractApiKey("", "").has_value());
  EXPECT_FALSE(extractApiKey("Bearer ", " ").has_value());
  EXPECT_FALSE(extractApiKey("Token abc", "").has_value());
  EXPECT_FALSE(extractApiKey("Bearxr abc", "").has_value());
}

}  // namespace
}  // namespace llmproxy::worker
