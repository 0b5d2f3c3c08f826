// Stage 30: who is asking. Admin endpoints need `Authorization: Bearer <server.admin_key>`;
// the comparison hashes both sides and compares digests in constant time.
#include <cctype>
#include <string_view>

#include "common/crypto/ct_equal.h"
#include "common/crypto/sha256.h"
#include "common/time/clock.h"
#include "worker/auth/key_matcher.h"
#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker {
namespace {

std::string_view bearerToken(const Request& req) {
  const std::string* h = req.header("authorization");
  if (!h) return {};
  std::string_view v = *h;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  constexpr std::string_view kScheme = "bearer ";
  if (v.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(v[i])) != kScheme[i]) return {};
  v.remove_prefix(kScheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

}  // namespace

namespace {

// Client keys: Authorization: Bearer or x-api-key -> SHA-256 -> lookup -> constant-time compare.
Outcome authenticateClient(Exchange& ex) {
  if (!ex.config->auth_required) {
    ex.key_name = "-";
    return Outcome::Next;
  }
  const std::string* authorization = ex.request.header("authorization");
  const std::string* x_api_key = ex.request.header("x-api-key");
  const auto token = extractApiKey(authorization ? *authorization : std::string_view{},
                                   x_api_key ? *x_api_key : std::string_view{});
  if (!token) {
    ex.conn.onAuthenticationFailed();
    return pipeline::respondError(
        ex, {common::ErrorKind::InvalidApiKey,
             "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or in "
             "the 'x-api-key' header.",
             0});
  }
  const int64_t now_unix = common::nowUnixMs() / 1000;
  // The same key on every request of a connection: hashed once (an empty one fails as missing).
  auto key = token->empty()
                 ? ex.config->key_index.authenticateToken(*token, now_unix)
                 : ex.config->key_index.authenticate(ex.conn.keyDigest().digest(*token), now_unix);
  if (!key) {
    ex.conn.onAuthenticationFailed();
    return pipeline::respondError(ex, key.error());
  }
  ex.client_key = *key;
  ex.key_name = (*key)->name;
  return Outcome::Next;
}

}  // namespace

Outcome stage::authenticate(Exchange& ex) {
  if (needsClientKey(ex.endpoint)) return authenticateClient(ex);
  if (!isAdminEndpoint(ex.endpoint)) return Outcome::Next;
  const std::string& admin_key = ex.config->server.admin_key;
  if (admin_key.empty())
    return pipeline::respondError(
        ex, {common::ErrorKind::InvalidApiKey,
             "The admin API is disabled: set server.admin_key (or ADMIN_KEY) to enable it.", 0});
  const std::string_view token = bearerToken(ex.request);
  if (token.empty() ||
      !common::ctEqual(common::sha256(token), common::sha256(admin_key))) {
    ex.conn.onAuthenticationFailed();
    return pipeline::respondError(
        ex, {common::ErrorKind::InvalidApiKey,
             "Invalid admin key: send Authorization: Bearer <admin key>.", 0});
  }
  ex.key_name = "admin";
  return Outcome::Next;
}

}  // namespace llmproxy::worker
