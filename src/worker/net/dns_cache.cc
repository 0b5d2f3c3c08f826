// Asynchronous DNS with a TTL cache and request coalescing.
#include "worker/net/dns_cache.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

namespace llmproxy::worker {

using common::ErrorKind;

namespace {

// Past this many names the cache drops expired entries on insert.
constexpr size_t kPurgeThreshold = 256;

std::optional<DnsAnswer> numericAnswer(const std::string& host) {
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
  } else {
    return std::nullopt;
  }
  return std::make_shared<const DnsAddresses>(DnsAddresses{ss});
}

}  // namespace

struct DnsCache::Request {
  uv_getaddrinfo_t req;
  DnsCache* cache;  // null once the cache is gone
  std::string host;
};

DnsCache::DnsCache(uv_loop_t* loop, std::chrono::milliseconds ttl,
                   std::chrono::milliseconds negative_ttl)
    : loop_(loop),
      ttl_ms_(static_cast<uint64_t>(ttl.count())),
      negative_ttl_ms_(static_cast<uint64_t>(negative_ttl.count())) {}

DnsCache::~DnsCache() {
  for (Request* r : in_flight_) {
    r->cache = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&r->req));
  }
}

std::optional<DnsAnswer> DnsCache::lookupNow(const std::string& host) {
  if (auto numeric = numericAnswer(host)) return numeric;
  auto it = entries_.find(host);
  if (it == entries_.end() || !it->second.answer || it->second.in_flight) return std::nullopt;
  if (uv_now(loop_) >= it->second.expires_ms) return std::nullopt;
  return it->second.answer;
}

std::optional<DnsAnswer> DnsCache::resolve(const std::string& host, Callback cb) {
  if (entries_.size() >= kPurgeThreshold) purgeExpired(uv_now(loop_));
  Entry& entry = entries_[host];
  entry.waiters.push_back(std::move(cb));
  if (entry.in_flight) return std::nullopt;

  auto* r = new Request{{}, this, host};
  r->req.data = r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  ++resolver_calls_;
  int rc = uv_getaddrinfo(loop_, &r->req, onResolved, r->host.c_str(), nullptr, &hints);
  if (rc != 0) {
    // NOTE: uv_getaddrinfo only fails up front for bad arguments or lack of memory.
    delete r;
    entry.waiters.pop_back();
    entry.answer = common::fail(ErrorKind::UpstreamConnect,
                                "DNS lookup for " + host + " failed: " + uv_strerror(rc));
    entry.expires_ms = uv_now(loop_) + negative_ttl_ms_;
    return entry.answer;
  }
  entry.in_flight = true;
  in_flight_.insert(r);
  return std::nullopt;
}

void DnsCache::onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  auto* r = static_cast<Request*>(req->data);
  DnsCache* self = r->cache;
  std::string host = std::move(r->host);
  if (self != nullptr) self->in_flight_.erase(r);
  delete r;
  if (self == nullptr) {
    if (res != nullptr) uv_freeaddrinfo(res);
    return;
  }

  DnsAnswer answer = common::fail(ErrorKind::UpstreamConnect, "");
  if (status == 0) {
    auto addrs = std::make_shared<DnsAddresses>();
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
      sockaddr_storage ss{};
      std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
      addrs->push_back(ss);
    }
    if (addrs->empty()) {
      answer = common::fail(ErrorKind::UpstreamConnect,
                            "DNS lookup for " + host + " returned no address");
    } else {
      answer = std::shared_ptr<const DnsAddresses>(std::move(addrs));
    }
  } else {
    answer = common::fail(ErrorKind::UpstreamConnect,
                          "DNS lookup for " + host + " failed: " + uv_strerror(status));
  }
  if (res != nullptr) uv_freeaddrinfo(res);

  Entry& entry = self->entries_[host];
  entry.in_flight = false;
  entry.answer = answer;
  entry.expires_ms = uv_now(self->loop_) + (answer ? self->ttl_ms_ : self->negative_ttl_ms_);
  // Moved out: a waiter may start another lookup (and so touch entries_).
  std::vector<Callback> waiters = std::move(entry.waiters);
  entry.waiters.clear();
  for (Callback& cb : waiters) cb(answer);
}

void DnsCache::purgeExpired(uint64_t now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.in_flight && now >= it->second.expires_ms) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace llmproxy::worker
