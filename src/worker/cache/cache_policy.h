// Whether the response cache applies to one request, and for how long an answer is kept:
// decided from the endpoint, the body's stream flag, the client key's `cache` flag and the
// request's Cache-Control header. Pure function, no state.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/config/config.h"
#include "worker/http/endpoint.h"

namespace llmproxy::worker {

struct CachePolicy {
  bool applies = false;                    // look the answer up, store it on a miss
  std::chrono::milliseconds ttl{0};        // how long a stored answer lives
  std::optional<std::chrono::milliseconds> max_age;  // the request's max-age: older entries miss
};

// Rules (documented in docs/configuration.md, "Response cache"):
//  - only non-streaming chat/completions, completions and embeddings;
//  - Cache-Control `no-store` or `no-cache` (or `max-age=0`) turns it off for the request;
//  - `max-age=N` turns it on for the request even when the key has `cache = false`, with
//    ttl = min(N s, max_ttl), and entries older than N s are not served;
//  - otherwise the key's `cache = true` turns it on with ttl = default_ttl;
//  - a cache that can hold nothing (no Redis and memory_entries = 0) never applies.
// `key` is null in unauthenticated mode (then only max-age turns it on).
CachePolicy cachePolicyFor(Endpoint endpoint, bool stream, const std::string* cache_control,
                           const common::KeyConfig* key, const common::Config& config);

}  // namespace llmproxy::worker
