// UpstreamPool: a worker's idle keep-alive connections per origin, and UpstreamContext, the
// state one UpstreamClient shares with its calls and connections.
#pragma once

#include <uv.h>

#include <deque>
#include <memory>
#include <unordered_map>

#include "common/uv/uv_timer.h"
#include "worker/net/dns_cache.h"
#include "worker/net/tls_context.h"
#include "worker/upstream/upstream_client.h"
#include "worker/upstream/upstream_conn.h"

namespace llmproxy::worker {

// Owned by UpstreamContext. Idle connections are kept most recent first and taken from the front
// (the warmest connection, and the cold tail ages out). At most max_idle_per_origin per origin:
// the oldest is closed when a new one comes back. One sweep timer, running only while something
// is pooled, closes connections idle longer than idle_timeout; connections that notice a close
// or stray bytes while idle mark themselves dead and are reaped on the next loop turn.
// Worker-loop-only.
class UpstreamPool {
 public:
  UpstreamPool(uv_loop_t* loop, const UpstreamLimits& limits);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // A live idle connection to `origin`, or null.
  std::unique_ptr<UpstreamConn> take(const OriginKey& origin);
  // Takes a connection whose response ended cleanly and starts its idle watch.
  void put(std::unique_ptr<UpstreamConn> conn);
  // Called by an idle connection that just died; it is removed on the next loop turn.
  void onConnDead();
  void closeIdle();
  size_t idleCount() const;

 private:
  static void onSweep(void* self);
  static void onReap(void* self);
  void reap(bool expire);

  uv_loop_t* loop_;
  UpstreamLimits limits_;
  std::unordered_map<OriginKey, std::deque<std::unique_ptr<UpstreamConn>>, OriginKeyHash> idle_;
  common::UvTimer sweep_timer_;
  common::UvTimer reap_timer_;
};

// Everything one UpstreamClient owns, shared (shared_ptr) with its calls so that a call never
// outlives what its connection uses. Connections hold a plain reference: they are always owned
// by a call or by `pool`, both of which keep this alive. Worker-loop-only.
struct UpstreamContext {
  UpstreamContext(uv_loop_t* l, const UpstreamLimits& lim)
      : loop(l),
        limits(lim),
        dns(l, std::chrono::duration_cast<std::chrono::milliseconds>(lim.dns_ttl)),
        pool(l, lim) {}

  uv_loop_t* loop;
  UpstreamLimits limits;
  DnsCache dns;
  TlsContextCache tls;
  UpstreamPool pool;  // last: its connections may use the members above while closing
};

}  // namespace llmproxy::worker
