// One upstream HTTP/1.1 connection: connect, send, parse, deliver in order under backpressure.
#include "worker/upstream/upstream_conn.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "common/base/ascii.h"
#include "worker/net/tcp_stream.h"
#include "worker/net/tls_context.h"
#include "worker/net/tls_stream.h"
#include "worker/upstream/upstream_pool.h"

namespace llmproxy::worker {

using common::Error;
using common::ErrorKind;

namespace {

// A response head larger than this is refused (providers send a few hundred bytes).
constexpr size_t kMaxHeadBytes = 64 * 1024;

std::string addressText(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {0};
  uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    port = ntohs(v4->sin_port);
    return std::string(buf) + ":" + std::to_string(port);
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
  port = ntohs(v6->sin6_port);
  return "[" + std::string(buf) + "]:" + std::to_string(port);
}

UpstreamConn* connOf(llhttp_t* p) { return static_cast<UpstreamConn*>(p->data); }

}  // namespace

const llhttp_settings_t UpstreamConn::kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_header_field = onHeaderField;
  s.on_header_value = onHeaderValue;
  s.on_header_value_complete = onHeaderValueComplete;
  s.on_headers_complete = onHeadersComplete;
  s.on_body = onBody;
  s.on_message_complete = onMessageComplete;
  return s;
}();

UpstreamConn::UpstreamConn(UpstreamContext& ctx, OriginKey origin)
    : ctx_(ctx),
      origin_(std::move(origin)),
      timer_(ctx.loop, this, onTimer),
      alive_(std::make_shared<char>(0)) {
  llhttp_init(&parser_, HTTP_RESPONSE, &kSettings);
  parser_.data = this;
}

UpstreamConn::~UpstreamConn() = default;

// ---------------------------------------------------------------------------------------------
// Connecting

void UpstreamConn::connectAndSend(std::span<const uv_buf_t> request,
                                  UpstreamCallbacks* callbacks,
                                  std::chrono::milliseconds timeout) {
  callbacks_ = callbacks;
  request_.assign(request.begin(), request.end());  // a pooled connection keeps the capacity
  reused_ = false;
  connect_timeout_ = timeout;
  resetResponse();
  phase_ = Phase::Resolving;
  timer_is_deadline_ = true;
  timer_.start(static_cast<uint64_t>(std::max<int64_t>(timeout.count(), 1)));

  if (auto now = ctx_.dns.lookupNow(origin_.host)) {
    onResolved(*now);
    return;
  }
  std::weak_ptr<char> alive = alive_;
  auto failed = ctx_.dns.resolve(origin_.host, [this, alive](const DnsAnswer& answer) {
    if (!alive.expired()) onResolved(answer);
  });
  if (failed) onResolved(*failed);
}

void UpstreamConn::onResolved(const DnsAnswer& answer) {
  if (phase_ != Phase::Resolving || failed_) return;  // e.g. the connect deadline came first
  if (!answer) {
    fail(ErrorKind::UpstreamConnect, answer.error().detail);
    return;
  }
  addrs_ = *answer;
  phase_ = Phase::Connecting;
  tryConnect(0);
}

void UpstreamConn::tryConnect(size_t index) {
  sockaddr_storage addr = (*addrs_)[index];
  if (addr.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(origin_.port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(origin_.port);
  }
  auto tcp = std::make_unique<TcpStream>(ctx_.loop);
  TcpStream* raw = tcp.get();
  stream_ = std::move(tcp);
  connect_error_ = "connect to " + addressText(addr);
  int rc = raw->connect(reinterpret_cast<const sockaddr*>(&addr),
                        [this, index](int status) { onConnected(index, status); });
  if (rc != 0) onConnected(index, rc);
}

void UpstreamConn::onConnected(size_t index, int status) {
  if (status != 0) {
    connect_error_ += std::string(": ") + uv_strerror(status);
    stream_.reset();
    // Try the name's other addresses (e.g. ::1 refused, 127.0.0.1 listening) within the deadline.
    if (index + 1 < addrs_->size()) {
      tryConnect(index + 1);
      return;
    }
    fail(ErrorKind::UpstreamConnect, connect_error_);
    return;
  }
  if (origin_.tls) {
    auto ssl_ctx = ctx_.tls.get(origin_.verify, origin_.ca_file);
    if (!ssl_ctx) {
      fail(ssl_ctx.error().kind, ssl_ctx.error().detail);
      return;
    }
    auto ssl = newClientSsl(*ssl_ctx, origin_.host, origin_.sni, origin_.verify);
    if (!ssl) {
      fail(ssl.error().kind, ssl.error().detail);
      return;
    }
    std::unique_ptr<TcpStream> tcp(static_cast<TcpStream*>(stream_.release()));
    stream_ = std::make_unique<TlsStream>(std::move(tcp), *ssl);
    phase_ = Phase::Handshaking;
  }
  stream_->setListener(this);
  stream_->open();
}

void UpstreamConn::onStreamReady() {
  if (phase_ != Phase::Connecting && phase_ != Phase::Handshaking) return;
  timer_.stop();
  timer_is_deadline_ = false;
  phase_ = Phase::Active;
  doWrite();
  if (!failed_ && !paused_) stream_->readStart();
}

// ---------------------------------------------------------------------------------------------
// Sending

void UpstreamConn::send(std::span<const uv_buf_t> request, UpstreamCallbacks* callbacks) {
  callbacks_ = callbacks;
  request_.assign(request.begin(), request.end());  // a pooled connection keeps the capacity
  reused_ = true;
  resetResponse();
  phase_ = Phase::Active;
  doWrite();
  // The idle watch left reading on: a close noticed from now on fails this request.
  if (!failed_ && !paused_) stream_->readStart();
}

void UpstreamConn::doWrite() {
  write_pending_ = true;
  int rc = stream_->write(request_.data(), request_.size());
  if (rc == ByteStream::kWrittenAtOnce) {
    write_pending_ = false;  // nothing read yet, so no held event waits for this
    return;
  }
  if (rc != 0) {
    write_pending_ = false;
    fail(ErrorKind::UpstreamProtocol, std::string("write: ") + uv_strerror(rc));
  }
}

void UpstreamConn::onStreamWritten(int status) {
  write_pending_ = false;
  if (status != 0 && !failed_) {
    clean_ = false;
    if (!response_started_) {
      fail(ErrorKind::UpstreamProtocol, std::string("write: ") + uv_strerror(status));
      return;
    }
    // An early answer (e.g. 413 while we were still sending): read it; never reuse.
  }
  pump();
}

void UpstreamConn::resetResponse() {
  llhttp_init(&parser_, HTTP_RESPONSE, &kSettings);
  parser_.data = this;
  head_ = UpstreamResponseHead{};
  keep_alive_ = false;
  head_done_ = false;
  field_.clear();
  value_.clear();
  head_bytes_ = 0;
  in_1xx_ = false;
  response_started_ = false;
  complete_ = false;
  clean_ = true;
  failed_ = false;
  delivered_end_ = false;
  paused_ = false;
  events_.clear();
  next_event_ = 0;
}

// ---------------------------------------------------------------------------------------------
// Reading

void UpstreamConn::onStreamData(const ChunkRef& chunk, const char* data, size_t len) {
  if (phase_ == Phase::Idle) {
    goDead();  // stray bytes on an idle connection: its framing can no longer be trusted
    return;
  }
  if (phase_ != Phase::Active || failed_) return;
  if (complete_) {
    // Bytes after the response (TLS may decrypt them after we stopped): never reuse.
    clean_ = false;
    stream_->readStop();
    return;
  }
  response_started_ = true;
  current_chunk_ = &chunk;
  llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  current_chunk_ = nullptr;
  if (err == HPE_PAUSED && complete_) {
    // Reading stays on: the pooled connection's idle watch needs it anyway, and stopping and
    // restarting it would cost two epoll_ctl calls per request. Later bytes mark it unclean.
    if (llhttp_get_error_pos(&parser_) != data + len) clean_ = false;
  } else if (err != HPE_OK) {
    const char* reason = llhttp_get_error_reason(&parser_);
    fail(ErrorKind::UpstreamProtocol, std::string("malformed response: ") + llhttp_errno_name(err) +
                                          (reason != nullptr ? std::string(": ") + reason : ""));
    return;
  }
  pump();
}

void UpstreamConn::onStreamEof() {
  if (phase_ == Phase::Idle) {
    goDead();
    return;
  }
  if (phase_ != Phase::Active || failed_ || complete_) return;
  clean_ = false;
  if (!response_started_) {
    fail(ErrorKind::UpstreamProtocol, "upstream closed the connection before responding");
    return;
  }
  llhttp_errno_t err = llhttp_finish(&parser_);
  if ((err == HPE_OK || err == HPE_PAUSED) && complete_) {
    stream_->close();  // a read-until-close body: done, and the connection with it
    pump();
    return;
  }
  fail(ErrorKind::UpstreamProtocol,
       !head_done_ ? "upstream closed the connection in the middle of the response head"
                   : "upstream closed the connection in the middle of the response body");
}

void UpstreamConn::onStreamError(Error error) {
  if (phase_ == Phase::Idle) {
    goDead();
    return;
  }
  if (failed_ || phase_ == Phase::Closed) return;
  // Before the connection is up (TLS handshake) every failure is a connect failure.
  if (phase_ != Phase::Active) error.kind = ErrorKind::UpstreamConnect;
  fail(error.kind, std::move(error.detail));
}

// ---------------------------------------------------------------------------------------------
// llhttp callbacks

int UpstreamConn::onHeaderField(llhttp_t* p, const char* at, size_t len) {
  UpstreamConn* self = connOf(p);
  self->head_bytes_ += len;
  if (self->head_bytes_ > kMaxHeadBytes) return -1;
  self->field_.append(at, len);
  return 0;
}

int UpstreamConn::onHeaderValue(llhttp_t* p, const char* at, size_t len) {
  UpstreamConn* self = connOf(p);
  self->head_bytes_ += len;
  if (self->head_bytes_ > kMaxHeadBytes) return -1;
  self->value_.append(at, len);
  return 0;
}

int UpstreamConn::onHeaderValueComplete(llhttp_t* p) {
  UpstreamConn* self = connOf(p);
  common::asciiLowerInPlace(self->field_.data(), self->field_.size());
  // One allocation for a typical head, not one per doubling.
  if (self->head_.headers.empty()) self->head_.headers.reserve(16);
  self->head_.headers.emplace_back(std::move(self->field_), std::move(self->value_));
  self->field_.clear();
  self->value_.clear();
  return 0;
}

int UpstreamConn::onHeadersComplete(llhttp_t* p) {
  UpstreamConn* self = connOf(p);
  int status = p->status_code;
  if (status == 101) return -1;  // we never ask for an upgrade
  if (status >= 100 && status < 200) {
    // 100 Continue, 103 Early Hints...: no body; the real response follows on this connection.
    self->in_1xx_ = true;
    self->head_ = UpstreamResponseHead{};
    return 0;
  }
  self->head_.status = status;
  self->head_.chunked = (p->flags & F_CHUNKED) != 0;
  if ((p->flags & F_CONTENT_LENGTH) != 0 && !self->head_.chunked) {
    self->head_.content_length = p->content_length;
  }
  self->head_.keep_alive = llhttp_should_keep_alive(p) != 0;
  self->keep_alive_ = self->head_.keep_alive;
  self->head_done_ = true;
  self->events_.push_back(Event{Event::Head, std::move(self->head_), {}, {}, true});
  self->head_ = UpstreamResponseHead{};
  return 0;
}

int UpstreamConn::onBody(llhttp_t* p, const char* at, size_t len) {
  UpstreamConn* self = connOf(p);
  Event ev{Event::Body, {}, BodySlice{*self->current_chunk_, at, len}, {}, true};
  self->events_.push_back(std::move(ev));
  return 0;
}

int UpstreamConn::onMessageComplete(llhttp_t* p) {
  UpstreamConn* self = connOf(p);
  if (self->in_1xx_) {
    self->in_1xx_ = false;
    self->head_bytes_ = 0;
    return 0;
  }
  self->complete_ = true;
  self->events_.push_back(Event{Event::End, {}, {}, {}, true});
  // Stop right here: anything after the response in the same read is a stray byte.
  return HPE_PAUSED;
}

// ---------------------------------------------------------------------------------------------
// Delivery

void UpstreamConn::fail(ErrorKind kind, std::string detail) {
  if (failed_) return;
  failed_ = true;
  clean_ = false;
  events_.push_back(
      Event{Event::Failure, {}, {}, Error{kind, std::move(detail), 0}, response_started_});
  if (stream_) stream_->close();
  // The socket is closed: libuv no longer reads the caller's request buffers.
  write_pending_ = false;
  phase_ = phase_ == Phase::Idle ? Phase::Closed : phase_;
  schedulePump();
}

void UpstreamConn::goDead() {
  if (stream_) stream_->close();
  phase_ = Phase::Closed;
  ctx_.pool.onConnDead();
}

void UpstreamConn::schedulePump() {
  timer_is_deadline_ = false;
  timer_.start(0);
}

void UpstreamConn::onTimer(void* p) {
  auto* self = static_cast<UpstreamConn*>(p);
  if (self->timer_is_deadline_) {
    self->timer_is_deadline_ = false;
    const char* step = self->phase_ == Phase::Resolving    ? "DNS lookup"
                       : self->phase_ == Phase::Connecting ? "TCP connect"
                                                           : "TLS handshake";
    self->fail(ErrorKind::UpstreamTimeout, "connect timeout after " +
                                               std::to_string(self->connect_timeout_.count()) +
                                               " ms (" + step + " to " + self->origin_.host + ")");
    return;
  }
  self->pump();
  if (self->phase_ == Phase::Active && !self->paused_ && !self->failed_ && !self->complete_ &&
      self->stream_) {
    self->stream_->readStart();
  }
}

void UpstreamConn::pump() {
  if (pumping_ || callbacks_ == nullptr) return;
  pumping_ = true;
  while (next_event_ < events_.size() && !paused_) {
    Event& ev = events_[next_event_];
    // The caller's request buffers are in use until the write is done: hold the response.
    if (write_pending_ && ev.type != Event::Failure) break;
    ++next_event_;
    switch (ev.type) {
      case Event::Head:
        callbacks_->onUpstreamHead(std::move(ev.head));
        break;
      case Event::Body:
        callbacks_->onUpstreamBody(std::move(ev.slice));
        break;
      case Event::End:
        delivered_end_ = true;
        callbacks_->onUpstreamEnd();
        break;
      case Event::Failure:
        callbacks_->onUpstreamError(ev.error, reused_, ev.response_started);
        break;
    }
  }
  if (next_event_ == events_.size()) {
    events_.clear();
    next_event_ = 0;
  }
  pumping_ = false;
}

void UpstreamConn::pause() {
  paused_ = true;
  if (phase_ == Phase::Active && stream_) stream_->readStop();
}

void UpstreamConn::resume() {
  if (!paused_) return;
  paused_ = false;
  // Deliver what was held and restart reading from the loop, not from the caller's stack.
  if (phase_ == Phase::Active && !timer_is_deadline_) schedulePump();
}

bool UpstreamConn::reusable() const {
  return phase_ == Phase::Active && delivered_end_ && complete_ && clean_ && !failed_ &&
         !write_pending_ && keep_alive_ && stream_ && stream_->isOpen() &&
         next_event_ == events_.size();
}

// ---------------------------------------------------------------------------------------------
// Idle

void UpstreamConn::startIdle() {
  phase_ = Phase::Idle;
  callbacks_ = nullptr;
  request_.clear();
  events_.clear();
  next_event_ = 0;
  paused_ = false;
  idle_since_ms_ = uv_now(ctx_.loop);
  stream_->releaseBuffers();
  stream_->readStart();
}

}  // namespace llmproxy::worker
