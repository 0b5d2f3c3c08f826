// The upstream HTTP/1.1 client of one worker: keep-alive pools per origin, async DNS with a
// cache, plain TCP or TLS (OpenSSL over memory BIOs), response parsing with llhttp, and
// streaming of the decoded response body to an owner that applies backpressure.
// Worker-loop-only; one UpstreamClient per worker, created after fork.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/base/pooled.h"
#include "common/base/result.h"

namespace llmproxy::worker {

// Identity of an upstream origin; the pool key. Everything that changes how a connection is
// made is part of it, so pools survive reloads that do not change the origin.
struct OriginKey {
  bool tls = false;
  std::string host;     // DNS name or numeric address (IPv6 without brackets)
  uint16_t port = 0;
  std::string sni;      // usually == host; empty for numeric hosts
  bool verify = true;   // certificate + host name verification
  std::string ca_file;  // empty = system CA bundle
  bool operator==(const OriginKey&) const = default;
};

struct OriginKeyHash {
  size_t operator()(const OriginKey& k) const;
};

struct UpstreamResponseHead {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  bool chunked = false;
  std::optional<uint64_t> content_length;
  bool keep_alive = true;
};

// A slice of decoded response body. `data` stays valid while `owner` is held (it keeps the
// read buffer alive), so the relay can write it downstream without copying.
struct BodySlice {
  std::shared_ptr<const void> owner;
  const char* data = nullptr;
  size_t len = 0;
};

// Implemented by whoever runs the request (the Exchange). Callbacks never run synchronously
// inside UpstreamClient::start(), and the owner never destroys the UpstreamCall from inside a
// callback (it may call pause()/resume()).
class UpstreamCallbacks {
 public:
  virtual ~UpstreamCallbacks() = default;
  // The response head arrived (1xx responses are skipped).
  virtual void onUpstreamHead(UpstreamResponseHead head) = 0;
  // Decoded body bytes (chunked framing removed), in order.
  virtual void onUpstreamBody(BodySlice slice) = 0;
  // The response is complete.
  virtual void onUpstreamEnd() = 0;
  // Connect, DNS, TLS, reset, timeout (connect only) or protocol failure. `reused` says the
  // request went out on a pooled keep-alive connection; `response_started` says whether any
  // byte of the response had arrived (no retry after that).
  // NOTE: a pooled connection the server closed while idle is noticed by the pool and never
  // handed out; the race left (closed just as the request goes out) arrives here with
  // reused = true and response_started = false: retry once on a fresh connection. The client
  // itself never retries.
  virtual void onUpstreamError(const common::Error& error, bool reused,
                               bool response_started) = 0;
};

class UpstreamConn;
class UpstreamClient;

// One request/response on one leased connection. Destroying it before onUpstreamEnd closes the
// connection (it is never reused); after a clean end it goes back to the pool.
class UpstreamCall : public common::Pooled<UpstreamCall> {
 public:
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Stop / restart reading the response from the socket (downstream backpressure).
  void pause();
  void resume();
  bool reused() const;

 private:
  friend class UpstreamClient;
  friend class UpstreamConn;
  UpstreamCall() = default;
  struct State;
  std::shared_ptr<State> state_;
};

struct UpstreamLimits {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};   // pooled idle connections are closed after
  uint32_t max_idle_per_origin = 64;
  std::chrono::seconds dns_ttl{30};
};

class UpstreamClient {
 public:
  UpstreamClient(uv_loop_t* loop, UpstreamLimits limits);
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  // Sends `request` (a complete HTTP/1.1 request: head + body pieces, whose bytes must stay
  // valid until onUpstreamHead or onUpstreamError; the piece list itself is copied) to `origin` on a pooled or new connection.
  // `connect_timeout` (<= 0: UpstreamLimits::connect_timeout) covers DNS, TCP connect and the TLS
  // handshake. HEAD requests are not supported (the response would be parsed as having a body).
  // The client may be destroyed before its calls; they keep what they use alive.
  std::unique_ptr<UpstreamCall> start(const OriginKey& origin, std::span<const uv_buf_t> request,
                                      UpstreamCallbacks* callbacks,
                                      std::chrono::milliseconds connect_timeout);

  // Close every idle pooled connection (graceful stop).
  void closeIdle();
  size_t idleConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmproxy::worker
