// The response-cache key of a request: SHA-256 over the key's cache namespace, the endpoint,
// the model as the providers will see it, and the rest of the body in canonical form.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "worker/http/endpoint.h"

namespace llmproxy::worker {

// The namespace answers are shared in: the key's `cache_namespace` when set, otherwise
// something only this key has (its SHA-256), so tenants never share answers unless configured.
// `key` is null in unauthenticated mode: one shared anonymous namespace.
std::string cacheNamespaceOf(const common::KeyConfig* key);

// 64 hex digits. `targets` are the model names the request may be sent as (the mapped model of
// every candidate provider), in any order; duplicates are fine. The body's top-level "model",
// "stream" and "stream_options" members are left out (the model is represented by `targets`;
// only non-streaming requests are cached, so stream absent and false are the same request).
// nullopt when the body cannot be canonicalised (then the request is not cached).
std::optional<std::string> cacheKeyFor(std::string_view cache_namespace, Endpoint endpoint,
                                       std::span<const std::string_view> targets,
                                       std::string_view body);

}  // namespace llmproxy::worker
