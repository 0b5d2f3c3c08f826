// The client connection: llhttp callbacks, timeouts, keep-alive and pipelining.
#include "worker/http/downstream_conn.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <cstring>
#include <strings.h>

#include "common/base/ascii.h"
#include "common/time/clock.h"

namespace llmproxy::worker {
namespace {

constexpr size_t kPendingCap = 64 * 1024;  // stop reading while this much waits unparsed
constexpr size_t kSpareWrites = 2;          // recycled write requests kept per connection
constexpr size_t kBodyPadding = 64;         // simdjson's padding after a body

DownstreamConn* self(llhttp_t* p) { return static_cast<DownstreamConn*>(p->data); }

std::string peerName(uv_tcp_t* tcp) {
  sockaddr_storage ss{};
  int len = sizeof(ss);
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "-";
  char ip[INET6_ADDRSTRLEN] = "-";
  if (ss.ss_family == AF_INET)
    uv_ip4_name(reinterpret_cast<sockaddr_in*>(&ss), ip, sizeof(ip));
  else if (ss.ss_family == AF_INET6)
    uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&ss), ip, sizeof(ip));
  return ip;
}

uint64_t ms(std::chrono::milliseconds d) { return static_cast<uint64_t>(d.count()); }

}  // namespace

DownstreamConn::DownstreamConn(ConnectionHost& host, uv_loop_t* loop, bool admin_listener,
                               bool unix_socket)
    : host_(host),
      admin_listener_(admin_listener),
      unix_socket_(unix_socket),
      writer_(*this),
      timer_(loop, this, &DownstreamConn::onTimeout) {
  std::memset(&handle_, 0, sizeof(handle_));
  if (unix_socket_) {
    uv_pipe_init(loop, &handle_.pipe, 0);
  } else {
    uv_tcp_init(loop, &handle_.tcp);
  }
  stream()->data = this;
  llhttp_init(&parser_, HTTP_REQUEST, &parserSettings());
  parser_.data = this;
}

const llhttp_settings_t& DownstreamConn::parserSettings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &DownstreamConn::onMessageBegin;
    s.on_url = &DownstreamConn::onUrl;
    s.on_header_field = &DownstreamConn::onHeaderField;
    s.on_header_value = &DownstreamConn::onHeaderValue;
    s.on_headers_complete = &DownstreamConn::onHeadersComplete;
    s.on_body = &DownstreamConn::onBody;
    s.on_chunk_header = &DownstreamConn::onChunkHeader;
    s.on_message_complete = &DownstreamConn::onMessageComplete;
    return s;
  }();
  return settings;
}

DownstreamConn::~DownstreamConn() = default;

bool DownstreamConn::accept(uv_stream_t* server) {
  if (uv_accept(server, stream()) != 0) return false;
  if (!unix_socket_) {
    uv_tcp_nodelay(&handle_.tcp, 1);
    peer_ = peerName(&handle_.tcp);
  } else {
    peer_ = "unix";
  }
  armTimer(ms(host_.serverLimits().header_timeout));
  setReading(true);
  return true;
}

void DownstreamConn::setReading(bool on) {
  if (on == reading_ || closing_) return;
  reading_ = on;
  if (on) {
    uv_read_start(
        stream(),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* c = static_cast<DownstreamConn*>(h->data);
          *buf = uv_buf_init(c->host_.readBuffer(),
                             static_cast<unsigned>(c->host_.readBufferSize()));
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
          static_cast<DownstreamConn*>(s->data)->onRead(nread, buf);
        });
  } else {
    uv_read_stop(stream());
  }
}

void DownstreamConn::armTimer(uint64_t ms) { timer_.arm(ms); }

void DownstreamConn::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (nread == 0) return;
  if (nread < 0) {
    // EOF or error. Between requests this is a normal close; mid-exchange the client is gone.
    close();
    return;
  }
  const size_t n = static_cast<size_t>(nread);
  if (state_ == State::HeadReady || state_ == State::Processing || state_ == State::Writing ||
      !pending_.empty()) {
    // Parser paused: keep the bytes for later, within a cap.
    pending_.append(buf->base, n);
    if (pending_.size() >= kPendingCap) setReading(false);
    return;
  }
  parse(buf->base, n);
}

void DownstreamConn::parse(const char* data, size_t len) {
  const llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  if (closing_) return;
  if (err == HPE_OK) return;
  if (err != HPE_PAUSED) {
    onParseError(err);
    return;
  }
  // Paused at the end of a head (body follows) or of a whole message.
  const char* pos = llhttp_get_error_pos(&parser_);
  const size_t used = pos ? static_cast<size_t>(pos - data) : len;
  if (used < len) {
    if (data >= pending_.data() && data < pending_.data() + pending_.size()) {
      pending_.erase(0, static_cast<size_t>(data + used - pending_.data()));
    } else {
      pending_.assign(data + used, len - used);  // into the capacity pending_ kept
    }
  } else {
    pending_.clear();
  }
  if (head_done_) {
    head_done_ = false;
    state_ = State::HeadReady;
    timer_.disarm();
    startExchange();
  } else if (message_done_) {
    message_done_ = false;
    timer_.disarm();
    handler_->request_read_us = common::nowMonotonicUs();
    handler_->body_complete = true;
    if (state_ == State::ReadingBody) {
      state_ = State::Processing;
      handler_->onRequestBody();
    } else {
      state_ = State::Processing;
      startExchange();
    }
  }
}

void DownstreamConn::parsePending() {
  if (pending_.empty()) return;
  std::string input = std::move(pending_);
  pending_.clear();
  parse(input.data(), input.size());
  if (pending_.capacity() > kPendingCap) pending_.shrink_to_fit();
  // The buffer goes back for the next paused read (no allocation per request).
  if (pending_.empty() && pending_.capacity() < input.capacity() &&
      input.capacity() <= kPendingCap) {
    input.clear();
    pending_.swap(input);
  }
}

// The first byte of a request: its handler, pinned to the config current now.
void DownstreamConn::newExchange() {
  handler_ = host_.newHandler(*this);
  buffers_.lend(handler_->request);
  limits_ = &host_.serverLimits();
  writer_.bind(handler_.get());
}

void DownstreamConn::startExchange() {
  ++requests_;
  handler_->onRequestHead();
}

// ---- llhttp callbacks ----

int DownstreamConn::onMessageBegin(llhttp_t* p) {
  DownstreamConn* c = self(p);
  c->state_ = State::ReadingHead;
  c->last_was_value_ = false;
  c->armTimer(ms(c->host_.serverLimits().header_timeout));
  c->newExchange();
  return HPE_OK;
}

bool DownstreamConn::countHeaderBytes(size_t n) {
  handler_->request.header_bytes += n;
  if (handler_->request.header_bytes <= limits_->max_header_size) return true;
  parse_error_ = common::ErrorKind::HeadersTooLarge;
  parse_error_set_ = true;
  return false;
}

int DownstreamConn::onUrl(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  if (!c->countHeaderBytes(len)) return HPE_USER;
  c->handler_->request.target.append(at, len);
  return HPE_OK;
}

int DownstreamConn::onHeaderField(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  if (!c->countHeaderBytes(len + 4)) return HPE_USER;
  auto& headers = c->handler_->request.headers;
  if (c->last_was_value_ || headers.empty()) {
    if (headers.size() >= 256) {
      c->parse_error_ = common::ErrorKind::HeadersTooLarge;
      c->parse_error_set_ = true;
      return HPE_USER;
    }
    headers.emplace_back(c->buffers_.spareString(), c->buffers_.spareString());
  }
  c->last_was_value_ = false;
  std::string& name = headers.back().first;
  const size_t from = name.size();
  name.append(at, len);
  common::asciiLowerInPlace(name.data() + from, len);
  return HPE_OK;
}

int DownstreamConn::onHeaderValue(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  if (!c->countHeaderBytes(len)) return HPE_USER;
  c->last_was_value_ = true;
  c->handler_->request.headers.back().second.append(at, len);
  return HPE_OK;
}

int DownstreamConn::onHeadersComplete(llhttp_t* p) {
  DownstreamConn* c = self(p);
  Request& req = c->handler_->request;
  req.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  req.http_minor = p->http_minor;
  req.keep_alive = llhttp_should_keep_alive(p) != 0;
  req.chunked = (p->flags & F_CHUNKED) != 0;
  req.content_length = (p->flags & F_CONTENT_LENGTH) ? p->content_length : 0;
  req.has_body = req.chunked || req.content_length > 0;
  c->handler_->bytes_in = req.header_bytes;
  if (p->http_major != 1) {
    // HTTP/0.9 ("GET /health" with no version) has no head to answer with, and llhttp would
    // let it through as 0.9: only HTTP/1.0 and 1.1 are served.
    c->parse_error_ = common::ErrorKind::BadRequest;
    c->parse_error_set_ = true;
    c->bad_version_ = true;
    return HPE_USER;
  }
  if (req.content_length > c->limits_->max_body_size) {
    c->parse_error_ = common::ErrorKind::PayloadTooLarge;
    c->parse_error_set_ = true;
    return HPE_USER;
  }
  if (req.has_body) {
    c->head_done_ = true;
    return HPE_PAUSED;
  }
  return HPE_OK;
}

// A chunk's size line: a chunk that cannot fit is refused now, before its bytes arrive.
int DownstreamConn::onChunkHeader(llhttp_t* p) {
  DownstreamConn* c = self(p);
  const std::string& body = c->handler_->request.body;
  if (p->content_length > c->limits_->max_body_size - std::min(body.size(),
                                                               c->limits_->max_body_size)) {
    c->parse_error_ = common::ErrorKind::PayloadTooLarge;
    c->parse_error_set_ = true;
    return HPE_USER;
  }
  return HPE_OK;
}

int DownstreamConn::onBody(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  RequestHandler& h = *c->handler_;
  h.bytes_in += len;
  std::string& body = h.request.body;
  if (body.size() + len > c->limits_->max_body_size) {
    c->parse_error_ = common::ErrorKind::PayloadTooLarge;
    c->parse_error_set_ = true;
    return HPE_USER;
  }
  // Grow with the bytes that arrived, never ahead of them to a declared length (a client
  // could declare max_body_size and send nothing). The spare 64 bytes are simdjson's padding,
  // so stage 37 parses the body in place once it is whole.
  const size_t need = body.size() + len + kBodyPadding;
  if (body.capacity() < need) {
    size_t grow = std::max(need, body.capacity() * 2);
    if (h.request.content_length > 0)
      grow = std::min(grow, static_cast<size_t>(h.request.content_length) + kBodyPadding);
    body.reserve(std::max(grow, need));
  }
  body.append(at, len);
  return HPE_OK;
}

int DownstreamConn::onMessageComplete(llhttp_t* p) {
  DownstreamConn* c = self(p);
  c->handler_->request.keep_alive = llhttp_should_keep_alive(p) != 0;
  c->message_done_ = true;
  return HPE_PAUSED;
}

// ---- errors and timeouts ----

void DownstreamConn::onParseError(llhttp_errno_t err) {
  if (parse_error_set_) {
    const char* what = bad_version_ ? "Only HTTP/1.0 and HTTP/1.1 requests are served"
                       : parse_error_ == common::ErrorKind::HeadersTooLarge
                           ? "Request header fields too large"
                           : "Request body larger than server.max_body_size";
    respondAndClose(parse_error_, what);
    return;
  }
  respondAndClose(common::ErrorKind::BadRequest,
                  std::string("Malformed HTTP request: ") + llhttp_errno_name(err));
}

// The handler answers (its error table decides the status); the connection closes after it.
void DownstreamConn::respondAndClose(common::ErrorKind kind, std::string message) {
  writer_.closeAfterResponse();
  setReading(false);
  if (!handler_) newExchange();
  handler_->onRequestError({kind, std::move(message), 0});
}

void DownstreamConn::onTimeout(void* p) {
  auto* c = static_cast<DownstreamConn*>(p);
  switch (c->state_) {
    case State::ReadingHead:
    case State::ReadingBody:
      c->respondAndClose(common::ErrorKind::RequestTimeout,
                         c->state_ == State::ReadingHead ? "Timed out reading the request head"
                                                         : "Timed out reading the request body");
      break;
    default:
      // Idle keep-alive, or a response that does not drain (send timeout).
      c->close();
      break;
  }
}

void DownstreamConn::onAuthenticationFailed() {
  if (++auth_failures_ >= kMaxAuthFailures) writer_.closeAfterResponse();
}

// ---- body ----

void DownstreamConn::readBody() {
  Request& req = handler_->request;
  state_ = State::ReadingBody;
  const std::string* expect = req.header("expect");
  if (expect && strcasecmp(expect->c_str(), "100-continue") == 0 && pending_.empty()) {
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    uv_buf_t b = uv_buf_init(const_cast<char*>(kContinue), sizeof(kContinue) - 1);
    uv_try_write(stream(), &b, 1);
  }
  armTimer(ms(limits_->body_timeout));
  llhttp_resume(&parser_);
  parsePending();
  if (!closing_ && state_ == State::ReadingBody) setReading(true);
}

// ---- the response: what the writer asks of the connection ----

bool DownstreamConn::onResponseHead() {
  state_ = State::Writing;
  return !host_.draining() && requests_ < limits_->keepalive_requests;
}

// Writes are batched and flushed once per loop iteration (Worker's check phase, right after
// the I/O callbacks that produced them): a stream read that carried ten SSE events becomes one
// writev, not ten. Nothing waits longer than the current iteration.
void DownstreamConn::onOutputQueued() {
  if (flush_scheduled_ || closing_) return;
  flush_scheduled_ = true;
  host_.scheduleFlush(this);
}

void DownstreamConn::onResponseEnded() {
  if (closing_) return;
  response_ended_ = true;
  if (writes_pending_ == 0 && writer_.pending().empty()) onWriteDone(0);
}

void DownstreamConn::onResponseAborted() { close(); }

// ---- writing ----

DownstreamConn::WriteReq* DownstreamConn::takeWriteReq() {
  if (spare_writes_.empty()) {
    auto* w = new WriteReq{};
    w->conn = this;
    w->req.data = w;
    return w;
  }
  WriteReq* w = spare_writes_.back().release();
  spare_writes_.pop_back();
  return w;
}

void DownstreamConn::recycleWriteReq(WriteReq* w) {
  w->batch.clear();  // releases the relayed read buffers now
  if (spare_writes_.size() < kSpareWrites) {
    spare_writes_.emplace_back(w);
  } else {
    delete w;
  }
}

void DownstreamConn::onWritten(uv_write_t* req, int status) {
  auto* w = static_cast<WriteReq*>(req->data);
  DownstreamConn* c = w->conn;  // alive: libuv runs write callbacks before the close callback
  c->recycleWriteReq(w);
  c->onWriteDone(status);
}

void DownstreamConn::flush() {
  flush_scheduled_ = false;
  OutputBatch& out = writer_.pending();
  if (closing_ || out.empty()) return;
  WriteReq* w = takeWriteReq();
  w->batch.swap(out);  // the writer goes on with the recycled (empty) batch
  bufs_.clear();
  w->batch.forEachPiece([this](const char* data, size_t len) {
    bufs_.push_back(uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(len)));
  });
  ++writes_pending_;
  // Most batches fit the socket buffer: written here, without a write request (whose
  // completion costs libuv an epoll_ctl per write), and completed as a write callback would.
  const size_t total = w->batch.size();
  const int n = writes_pending_ == 1
                    ? uv_try_write(stream(), bufs_.data(), static_cast<unsigned>(bufs_.size()))
                    : UV_EAGAIN;
  if (n >= 0 && static_cast<size_t>(n) == total) {
    recycleWriteReq(w);
    onWriteDone(0);
    return;
  }
  if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) {
    --writes_pending_;
    recycleWriteReq(w);
    close();
    return;
  }
  // The rest goes through a write request, from where uv_try_write stopped.
  size_t skip = n > 0 ? static_cast<size_t>(n) : 0;
  size_t first = 0;
  while (first < bufs_.size() && skip >= bufs_[first].len) skip -= bufs_[first++].len;
  bufs_[first].base += skip;
  bufs_[first].len -= skip;
  armTimer(ms(host_.serverLimits().send_timeout));
  // uv_write copies the buffer array, so bufs_ is reused at once.
  const int rc = uv_write(&w->req, stream(), bufs_.data() + first,
                          static_cast<unsigned>(bufs_.size() - first),
                          &DownstreamConn::onWritten);
  if (rc != 0) {
    --writes_pending_;
    recycleWriteReq(w);
    close();
  }
}

size_t DownstreamConn::queuedBytes() const {
  return writer_.pendingBytes() +
         uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&handle_));
}

void DownstreamConn::onWriteDone(int status) {
  if (closing_) return;
  if (writes_pending_ > 0) --writes_pending_;
  if (status != 0) {
    close();
    return;
  }
  if (!response_ended_) {
    // Streaming: the relay may be waiting for the client to drain.
    armTimer(ms(host_.serverLimits().send_timeout));
    if (writes_pending_ == 0) timer_.disarm();
    if (handler_) handler_->onDrained();
    return;
  }
  if (writes_pending_ > 0 || !writer_.pending().empty()) return;
  timer_.disarm();
  response_ended_ = false;
  endExchange(true);
  if (writer_.closesConnection()) {
    close();
    return;
  }
  state_ = State::Idle;
  armTimer(ms(host_.serverLimits().keepalive_timeout));
  llhttp_resume(&parser_);
  parsePending();
  if (!closing_) setReading(true);
}

void DownstreamConn::endExchange(bool response_sent) {
  if (!handler_) return;
  std::unique_ptr<RequestHandler> handler = std::move(handler_);
  writer_.bind(nullptr);
  limits_ = nullptr;
  if (response_sent) {
    handler->onResponseSent();
  } else {
    handler->onClientGone();
  }
  // finish ran: the request's buffers serve the next request on this connection.
  buffers_.keep(handler->request);
  // NOTE: a stage of this exchange may still be on the stack; the host frees it later.
  host_.retireHandler(std::move(handler));
}

void DownstreamConn::drain() {
  if (state_ == State::Idle && pending_.empty()) {
    close();
    return;
  }
  writer_.closeAfterResponse();
}

void DownstreamConn::close() {
  if (closing_) return;
  closing_ = true;
  state_ = State::Closing;
  timer_.stop();
  writer_.shutDown();
  endExchange(false);
  if (reading_) uv_read_stop(stream());
  if (flush_scheduled_) host_.cancelFlush(this);
  writer_.pending().clear();
  host_.onConnectionClosed(this);
  uv_close(reinterpret_cast<uv_handle_t*>(stream()),
           [](uv_handle_t* h) { delete static_cast<DownstreamConn*>(h->data); });
}

}  // namespace llmproxy::worker
