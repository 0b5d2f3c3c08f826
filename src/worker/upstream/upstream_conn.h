// UpstreamConn: one HTTP/1.1 connection to an origin: connect (DNS, TCP, TLS), send a request,
// parse the response with llhttp and hand it to the leasing call in order, under backpressure.
#pragma once

#include <llhttp.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/base/result.h"
#include "common/uv/uv_timer.h"
#include "worker/net/byte_stream.h"
#include "worker/net/dns_cache.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

struct UpstreamContext;

// Owned by the UpstreamCall that leases it, or by the UpstreamPool while idle; the UpstreamContext
// outlives it. Destroying it (outside its own callbacks) closes the socket at once.
// Worker-loop-only.
//
// Delivery rules: response events are queued as they are parsed and delivered in order while
// not paused; nothing of the response is delivered while the request write is still in flight
// (the caller's request buffers stay in use until then); errors end the connection and are
// delivered after the events queued before them. Every delivery happens from a loop callback,
// never from inside connectAndSend()/send()/resume().
class UpstreamConn final : private ByteStreamListener {
 public:
  UpstreamConn(UpstreamContext& ctx, OriginKey origin);
  ~UpstreamConn() override;
  UpstreamConn(const UpstreamConn&) = delete;
  UpstreamConn& operator=(const UpstreamConn&) = delete;

  // --- leased ---------------------------------------------------------------------------------
  // A new connection: resolve, connect, handshake (all within `timeout`), then send.
  void connectAndSend(std::span<const uv_buf_t> request, UpstreamCallbacks* callbacks,
                      std::chrono::milliseconds timeout);
  // A pooled connection (idle, alive): send at once; reused() is true from now on.
  void send(std::span<const uv_buf_t> request, UpstreamCallbacks* callbacks);
  void pause();
  void resume();
  bool reused() const { return reused_; }
  // The response was read completely and cleanly, every event delivered, the request fully
  // written, and both sides want to keep the connection: it may go back to the pool.
  bool reusable() const;

  // --- pooled ---------------------------------------------------------------------------------
  // Idle in the pool: keep reading so a close or stray bytes are noticed; either ends the
  // connection (dead() turns true and the pool is told to reap).
  void startIdle();
  bool dead() const { return phase_ == Phase::Closed; }
  uint64_t idleSinceMs() const { return idle_since_ms_; }
  const OriginKey& origin() const { return origin_; }

 private:
  enum class Phase : uint8_t { New, Resolving, Connecting, Handshaking, Active, Idle, Closed };
  struct Event {
    enum Type : uint8_t { Head, Body, End, Failure } type;
    UpstreamResponseHead head;
    BodySlice slice;
    common::Error error;
    bool response_started = false;
  };

  // ByteStreamListener
  void onStreamReady() override;
  void onStreamData(const ChunkRef& chunk, const char* data, size_t len) override;
  void onStreamEof() override;
  void onStreamError(common::Error error) override;
  void onStreamWritten(int status) override;

  void onResolved(const DnsAnswer& answer);
  void tryConnect(size_t index);
  void onConnected(size_t index, int status);
  void doWrite();
  void resetResponse();

  // Queues a failure, closes the socket and schedules delivery (never synchronous).
  void fail(common::ErrorKind kind, std::string detail);
  void goDead();
  void schedulePump();
  void pump();
  static void onTimer(void* self);

  // llhttp callbacks
  static int onHeaderField(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValueComplete(llhttp_t* p);
  static int onHeadersComplete(llhttp_t* p);
  static int onBody(llhttp_t* p, const char* at, size_t len);
  static int onMessageComplete(llhttp_t* p);
  static const llhttp_settings_t kSettings;

  UpstreamContext& ctx_;
  OriginKey origin_;
  Phase phase_ = Phase::New;
  std::unique_ptr<ByteStream> stream_;
  common::UvTimer timer_;  // connect deadline, or 0 ms to deliver outside the caller's stack
  bool timer_is_deadline_ = false;
  std::shared_ptr<char> alive_;  // weak copies guard the DNS callback
  std::shared_ptr<const DnsAddresses> addrs_;
  std::string connect_error_;  // the last address's failure, reported if all fail
  std::chrono::milliseconds connect_timeout_{0};

  // The request in flight
  UpstreamCallbacks* callbacks_ = nullptr;
  std::vector<uv_buf_t> request_;
  bool reused_ = false;
  bool write_pending_ = false;
  bool paused_ = false;

  // The response being parsed
  llhttp_t parser_;
  UpstreamResponseHead head_;  // being built; moved into the Head event when complete
  bool keep_alive_ = false;    // of the response head delivered (false until there is one)
  bool head_done_ = false;     // the final (non-1xx) head was parsed
  std::string field_, value_;
  size_t head_bytes_ = 0;
  bool in_1xx_ = false;
  bool response_started_ = false;
  bool complete_ = false;  // parsed to its end
  bool clean_ = true;      // no stray bytes, write finished fine
  bool failed_ = false;
  bool delivered_end_ = false;
  const ChunkRef* current_chunk_ = nullptr;  // the chunk being parsed, for body slices

  std::vector<Event> events_;
  size_t next_event_ = 0;
  bool pumping_ = false;
  uint64_t idle_since_ms_ = 0;
};

}  // namespace llmproxy::worker
