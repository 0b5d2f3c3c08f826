// Stage 30: who is asking. Admin endpoints need `Authorization: Bearer <server.admin_key>`;
// the comparison hashes both sides and compares digests in constant time.
#include <cctype>
#include <string_view>

#include "common/crypto/ct_equal.h"
#include "common/crypto/sha256.h"
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

Outcome stage::authenticate(Exchange& ex) {
  if (!isAdminEndpoint(ex.endpoint)) return Outcome::Next;
  const std::string& admin_key = ex.config->server.admin_key;
  if (admin_key.empty())
    return pipeline::respondError(
        ex, {common::ErrorKind::InvalidApiKey,
             "The admin API is disabled: set server.admin_key (or ADMIN_KEY) to enable it.", 0});
  const std::string_view token = bearerToken(ex.request);
  if (token.empty() ||
      !common::ctEqual(common::sha256(token), common::sha256(admin_key))) {
    return pipeline::respondError(
        ex, {common::ErrorKind::InvalidApiKey,
             "Invalid admin key: send Authorization: Bearer <admin key>.", 0});
  }
  ex.key_name = "admin";
  return Outcome::Next;
}

}  // namespace llmproxy::worker
