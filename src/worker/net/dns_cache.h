// DnsCache: asynchronous host name lookups (uv_getaddrinfo) with a per-worker TTL cache.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/base/result.h"

namespace llmproxy::worker {

// Resolved addresses of one name, in getaddrinfo's order, with port 0.
using DnsAddresses = std::vector<sockaddr_storage>;
using DnsAnswer = common::Result<std::shared_ptr<const DnsAddresses>>;

// Owned by the worker's UpstreamClient context. Numeric hosts never touch the resolver;
// answers are cached for `ttl` and failures for `negative_ttl`; concurrent lookups of one name
// share one getaddrinfo. Worker-loop-only.
class DnsCache {
 public:
  // Called from the loop with the answer, never from inside resolve(). A caller that may die
  // before the answer guards itself (e.g. a weak token captured in the callback).
  using Callback = std::function<void(const DnsAnswer&)>;

  DnsCache(uv_loop_t* loop, std::chrono::milliseconds ttl,
           std::chrono::milliseconds negative_ttl = std::chrono::milliseconds(5000));
  ~DnsCache();  // cancels lookups in flight; their callbacks are dropped
  DnsCache(const DnsCache&) = delete;
  DnsCache& operator=(const DnsCache&) = delete;

  // The answer without waiting: a numeric host, or a cache entry still fresh. nullopt means
  // resolve() must be called.
  std::optional<DnsAnswer> lookupNow(const std::string& host);
  // Starts a lookup, or joins the one in flight for the same name. Returns the failure at once
  // (and never calls `cb`) only when the lookup could not even start.
  std::optional<DnsAnswer> resolve(const std::string& host, Callback cb);

  // Resolver calls started so far (tests check coalescing and caching with it).
  uint64_t resolverCalls() const { return resolver_calls_; }

 private:
  struct Request;
  struct Entry {
    std::optional<DnsAnswer> answer;
    uint64_t expires_ms = 0;
    bool in_flight = false;
    std::vector<Callback> waiters;
  };

  static void onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res);
  void purgeExpired(uint64_t now);

  uv_loop_t* loop_;
  uint64_t ttl_ms_;
  uint64_t negative_ttl_ms_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_set<Request*> in_flight_;
  uint64_t resolver_calls_ = 0;
};

}  // namespace llmproxy::worker
