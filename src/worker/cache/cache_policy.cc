// Cache-Control parsing and the opt-in rules of the response cache.
#include "worker/cache/cache_policy.h"

#include <charconv>
#include <cctype>

namespace llmproxy::worker {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

struct Directives {
  bool bypass = false;
  std::optional<uint64_t> max_age_s;
};

Directives parseCacheControl(std::string_view value) {
  Directives d;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (iequals(item, "no-store") || iequals(item, "no-cache")) {
      d.bypass = true;
    } else if (item.size() > 8 && iequals(item.substr(0, 8), "max-age=")) {
      std::string_view digits = item.substr(8);
      if (digits.size() >= 2 && digits.front() == '"' && digits.back() == '"')
        digits = digits.substr(1, digits.size() - 2);
      uint64_t seconds = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
      if (ec == std::errc::result_out_of_range) seconds = UINT64_MAX;
      else if (ec != std::errc{} || p != digits.data() + digits.size()) continue;
      d.max_age_s = seconds;
    }
  }
  return d;
}

}  // namespace

CachePolicy cachePolicyFor(Endpoint endpoint, bool stream, const std::string* cache_control,
                           const common::KeyConfig* key, const common::Config& config) {
  CachePolicy policy;
  if (endpoint != Endpoint::ChatCompletions && endpoint != Endpoint::Completions &&
      endpoint != Endpoint::Embeddings)
    return policy;
  if (stream) return policy;
  if (config.redis.url.empty() && config.cache.memory_entries == 0) return policy;
  const Directives d = cache_control ? parseCacheControl(*cache_control) : Directives{};
  if (d.bypass) return policy;
  using std::chrono::milliseconds;
  if (d.max_age_s) {
    if (*d.max_age_s == 0) return policy;
    const uint64_t cap_s = static_cast<uint64_t>(config.cache.max_ttl.count()) / 1000 + 1;
    const milliseconds age{static_cast<int64_t>(std::min(*d.max_age_s, cap_s) * 1000)};
    policy.applies = true;
    policy.ttl = std::min(age, config.cache.max_ttl);
    policy.max_age = age;
    return policy;
  }
  if (key && key->cache) {
    policy.applies = true;
    policy.ttl = config.cache.default_ttl;
  }
  return policy;
}

}  // namespace llmproxy::worker
