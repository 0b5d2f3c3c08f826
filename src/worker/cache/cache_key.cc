// Cache keys: length-prefixed fields hashed with SHA-256 (no two field lists give one input).
#include "worker/cache/cache_key.h"

#include <algorithm>
#include <vector>

#include "common/crypto/sha256.h"
#include "common/json/canonical_json.h"

namespace llmproxy::worker {
namespace {

void field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

}  // namespace

std::string cacheNamespaceOf(const common::KeyConfig* key) {
  if (!key) return "anonymous";
  if (!key->cache_namespace.empty()) return "ns:" + key->cache_namespace;
  return "key:" + common::toHex(key->key_sha256);
}

std::optional<std::string> cacheKeyFor(std::string_view cache_namespace, Endpoint endpoint,
                                       std::span<const std::string_view> targets,
                                       std::string_view body) {
  std::string input;
  input.reserve(body.size() + 256);
  input += "llmproxy-cache-v1;";
  field(input, cache_namespace);
  field(input, endpointLabel(endpoint));
  std::vector<std::string_view> models(targets.begin(), targets.end());
  std::sort(models.begin(), models.end());
  models.erase(std::unique(models.begin(), models.end()), models.end());
  input += std::to_string(models.size());
  input += ';';
  for (std::string_view m : models) field(input, m);
  if (!common::appendCanonicalJson(input, body, {"model", "stream", "stream_options"}))
    return std::nullopt;
  return common::toHex(common::sha256(input));
}

}  // namespace llmproxy::worker
