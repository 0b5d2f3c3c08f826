// The client connection: llhttp callbacks, timeouts, keep-alive and pipelining.
#include "worker/http/downstream_conn.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <deque>
#include <cstring>

#include "common/log/log.h"
#include "common/time/clock.h"
#include "worker/pipeline/pipeline.h"
#include "worker/worker.h"

namespace llmproxy::worker {
namespace {

constexpr size_t kPendingCap = 64 * 1024;  // stop reading while this much waits unparsed

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


}  // namespace

DownstreamConn::DownstreamConn(Worker& worker, bool admin_listener, bool unix_socket)
    : worker_(worker),
      admin_listener_(admin_listener),
      unix_socket_(unix_socket),
      timer_(worker.loop(), this, &DownstreamConn::onTimeout) {
  std::memset(&handle_, 0, sizeof(handle_));
  if (unix_socket_) {
    uv_pipe_init(worker_.loop(), &handle_.pipe, 0);
  } else {
    uv_tcp_init(worker_.loop(), &handle_.tcp);
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
  armTimer(static_cast<uint64_t>(worker_.config()->server.header_timeout.count()));
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
          *buf = uv_buf_init(c->worker_.readBuffer(), c->worker_.readBufferSize());
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
          static_cast<DownstreamConn*>(s->data)->onRead(nread, buf);
        });
  } else {
    uv_read_stop(stream());
  }
}

void DownstreamConn::armTimer(uint64_t ms) { timer_.start(ms); }

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
    // `data` may be pending_ itself: copy first.
    std::string rest(data + used, len - used);
    pending_ = std::move(rest);
  } else {
    pending_.clear();
  }
  if (head_done_) {
    head_done_ = false;
    state_ = State::HeadReady;
    timer_.stop();
    startExchange();
  } else if (message_done_) {
    message_done_ = false;
    timer_.stop();
    exchange_->request_read_us = common::nowMonotonicUs();
    if (state_ == State::ReadingBody) {
      state_ = State::Processing;
      exchange_->body_complete = true;
      pipeline::resume(*exchange_);
    } else {
      state_ = State::Processing;
      exchange_->body_complete = true;
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
}

void DownstreamConn::startExchange() {
  ++requests_;
  pipeline::start(*exchange_);
}

// ---- llhttp callbacks ----

int DownstreamConn::onMessageBegin(llhttp_t* p) {
  DownstreamConn* c = self(p);
  c->state_ = State::ReadingHead;
  c->last_was_value_ = false;
  c->armTimer(static_cast<uint64_t>(c->worker_.config()->server.header_timeout.count()));
  c->exchange_ = std::make_unique<Exchange>(c->worker_, *c, c->worker_.nextExchangeId(),
                                            c->worker_.currentConfig());
  return HPE_OK;
}

bool DownstreamConn::countHeaderBytes(size_t n) {
  exchange_->request.header_bytes += n;
  if (exchange_->request.header_bytes <= exchange_->config->server.max_header_size) return true;
  parse_error_ = common::ErrorKind::HeadersTooLarge;
  parse_error_set_ = true;
  return false;
}

int DownstreamConn::onUrl(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  if (!c->countHeaderBytes(len)) return HPE_USER;
  c->exchange_->request.target.append(at, len);
  return HPE_OK;
}

int DownstreamConn::onHeaderField(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  if (!c->countHeaderBytes(len + 4)) return HPE_USER;
  auto& headers = c->exchange_->request.headers;
  if (c->last_was_value_ || headers.empty()) {
    if (headers.size() >= 256) {
      c->parse_error_ = common::ErrorKind::HeadersTooLarge;
      c->parse_error_set_ = true;
      return HPE_USER;
    }
    headers.emplace_back();
  }
  c->last_was_value_ = false;
  std::string& name = headers.back().first;
  for (size_t i = 0; i < len; ++i)
    name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(at[i]))));
  return HPE_OK;
}

int DownstreamConn::onHeaderValue(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  if (!c->countHeaderBytes(len)) return HPE_USER;
  c->last_was_value_ = true;
  c->exchange_->request.headers.back().second.append(at, len);
  return HPE_OK;
}

int DownstreamConn::onHeadersComplete(llhttp_t* p) {
  DownstreamConn* c = self(p);
  Request& req = c->exchange_->request;
  req.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  req.http_minor = p->http_minor;
  req.keep_alive = llhttp_should_keep_alive(p) != 0;
  req.chunked = (p->flags & F_CHUNKED) != 0;
  req.content_length = (p->flags & F_CONTENT_LENGTH) ? p->content_length : 0;
  req.has_body = req.chunked || req.content_length > 0;
  c->exchange_->bytes_in = req.header_bytes;
  if (req.content_length > c->exchange_->config->server.max_body_size) {
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

int DownstreamConn::onBody(llhttp_t* p, const char* at, size_t len) {
  DownstreamConn* c = self(p);
  Exchange& ex = *c->exchange_;
  ex.bytes_in += len;
  if (ex.request.body.size() + len > ex.config->server.max_body_size) {
    c->parse_error_ = common::ErrorKind::PayloadTooLarge;
    c->parse_error_set_ = true;
    return HPE_USER;
  }
  ex.request.body.append(at, len);
  return HPE_OK;
}

int DownstreamConn::onMessageComplete(llhttp_t* p) {
  DownstreamConn* c = self(p);
  c->exchange_->request.keep_alive = llhttp_should_keep_alive(p) != 0;
  c->message_done_ = true;
  return HPE_PAUSED;
}

// ---- errors and timeouts ----

void DownstreamConn::onParseError(llhttp_errno_t err) {
  if (parse_error_set_) {
    const char* what = parse_error_ == common::ErrorKind::HeadersTooLarge
                           ? "Request header fields too large"
                           : "Request body larger than server.max_body_size";
    respondAndClose(parse_error_, what);
    return;
  }
  respondAndClose(common::ErrorKind::BadRequest,
                  std::string("Malformed HTTP request: ") + llhttp_errno_name(err));
}

void DownstreamConn::respondAndClose(common::ErrorKind kind, std::string message) {
  close_after_response_ = true;
  setReading(false);
  if (!exchange_)
    exchange_ = std::make_unique<Exchange>(worker_, *this, worker_.nextExchangeId(),
                                           worker_.currentConfig());
  exchange_->stage = Stage::Respond;
  sendResponse(*exchange_, Response::error({kind, std::move(message), 0}));
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

// ---- body and response ----

void DownstreamConn::readBody(Exchange& ex) {
  state_ = State::ReadingBody;
  // Allocated only now that the client is authenticated; the extra bytes are simdjson's
  // padding, so stage 40 parses the body in place.
  if (ex.request.content_length > 0) ex.request.body.reserve(ex.request.content_length + 64);
  const std::string* expect = ex.request.header("expect");
  if (expect && strcasecmp(expect->c_str(), "100-continue") == 0 && pending_.empty()) {
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    uv_buf_t b = uv_buf_init(const_cast<char*>(kContinue), sizeof(kContinue) - 1);
    uv_try_write(stream(), &b, 1);
  }
  armTimer(static_cast<uint64_t>(ex.config->server.body_timeout.count()));
  llhttp_resume(&parser_);
  parsePending();
  if (!closing_ && state_ == State::ReadingBody) setReading(true);
}

void DownstreamConn::sendResponse(Exchange& ex, Response response) {
  if (closing_) return;
  std::string head = responseHeadFor(ex, response);
  const bool head_only = ex.request.method == "HEAD";
  ex.bytes_out += head.size() + (head_only ? 0 : response.body.size());
  if (!head_only) head += response.body;
  writeOwned(std::move(head));
  endResponse();
}

std::string DownstreamConn::responseHeadFor(Exchange& ex, const Response& response) {
  const auto& server = ex.config->server;
  // An unread body cannot be skipped safely: close after this response.
  if (!ex.body_complete && ex.request.has_body) close_after_response_ = true;
  if (!ex.request.keep_alive || worker_.draining() || requests_ >= server.keepalive_requests)
    close_after_response_ = true;
  ex.status = response.status;
  state_ = State::Writing;
  return serializeHead(response, ex.request_id, close_after_response_,
                       ex.request.http_minor == 0 && ex.request.keep_alive);
}

bool DownstreamConn::wantsClose(const Exchange& ex) {
  if (!ex.body_complete && ex.request.has_body) close_after_response_ = true;
  if (!ex.request.keep_alive || worker_.draining() ||
      requests_ >= ex.config->server.keepalive_requests)
    close_after_response_ = true;
  return close_after_response_;
}

void DownstreamConn::writeHead(Exchange& ex, std::string head) {
  state_ = State::Writing;
  ex.bytes_out += head.size();
  writeOwned(std::move(head));
}

// One uv_write: everything batched for this connection during one loop iteration.
struct WriteReq {
  uv_write_t req;
  DownstreamConn* conn;
  std::deque<std::string> strings;                 // heads, chunk sizes, local bodies
  std::vector<std::shared_ptr<const void>> owners;  // upstream read buffers (no copy)
};

namespace {
constexpr char kCrlf[] = "\r\n";
}  // namespace

// Writes are batched and flushed once per loop iteration (Worker's check phase, right after
// the I/O callbacks that produced them): a stream read that carried ten SSE events becomes one
// writev, not ten. Nothing waits longer than the current iteration.
void DownstreamConn::addBuf(const char* data, size_t len) {
  batch_.bufs.push_back(uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(len)));
  batch_bytes_ += len;
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    worker_.scheduleFlush(this);
  }
}

void DownstreamConn::writeOwned(std::string bytes) {
  if (closing_ || bytes.empty()) return;
  batch_.strings.push_back(std::move(bytes));
  addBuf(batch_.strings.back().data(), batch_.strings.back().size());
}

void DownstreamConn::writeBody(BodySlice slice, bool chunked) {
  if (closing_ || slice.len == 0) return;
  if (exchange_) exchange_->bytes_out += slice.len;
  if (chunked) {
    char size[20];
    const int n = std::snprintf(size, sizeof(size), "%zx\r\n", slice.len);
    batch_.strings.emplace_back(size, static_cast<size_t>(n));
    addBuf(batch_.strings.back().data(), batch_.strings.back().size());
  }
  addBuf(slice.data, slice.len);
  batch_.owners.push_back(std::move(slice.owner));
  if (chunked) addBuf(kCrlf, 2);
}

void DownstreamConn::flush() {
  flush_scheduled_ = false;
  if (closing_ || batch_.bufs.empty()) return;
  auto* w = new WriteReq{{}, this, std::move(batch_.strings), std::move(batch_.owners)};
  w->req.data = w;
  batch_.strings.clear();
  batch_.owners.clear();
  ++writes_pending_;
  armTimer(static_cast<uint64_t>(worker_.config()->server.send_timeout.count()));
  // uv_write copies the buffer array, so the batch's vector is reused at once.
  const int rc = uv_write(&w->req, stream(), batch_.bufs.data(),
                          static_cast<unsigned>(batch_.bufs.size()),
                          [](uv_write_t* req, int status) {
                            auto* wr = static_cast<WriteReq*>(req->data);
                            DownstreamConn* c = wr->conn;
                            delete wr;
                            c->onWriteDone(status);
                          });
  batch_.bufs.clear();
  batch_bytes_ = 0;
  if (rc != 0) {
    --writes_pending_;
    delete w;
    close();
  }
}

void DownstreamConn::endResponse() {
  if (closing_) return;
  response_ended_ = true;
  if (writes_pending_ == 0 && batch_.bufs.empty()) onWriteDone(0);
}

size_t DownstreamConn::queuedBytes() const {
  return batch_bytes_ +
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
    armTimer(static_cast<uint64_t>(worker_.config()->server.send_timeout.count()));
    if (writes_pending_ == 0) timer_.stop();
    if (exchange_) exchange_->onDownstreamDrained();
    return;
  }
  if (writes_pending_ > 0 || !batch_.bufs.empty()) return;
  timer_.stop();
  response_ended_ = false;
  endExchange();
  if (close_after_response_) {
    close();
    return;
  }
  state_ = State::Idle;
  armTimer(static_cast<uint64_t>(worker_.config()->server.keepalive_timeout.count()));
  llhttp_resume(&parser_);
  parsePending();
  if (!closing_) setReading(true);
}

void DownstreamConn::endExchange() {
  if (!exchange_) return;
  stage::finish(*exchange_);
  // NOTE: a stage of this exchange may still be on the stack; the Worker frees it later.
  worker_.deferDelete(std::move(exchange_));
}

void DownstreamConn::drain() {
  if (state_ == State::Idle && pending_.empty()) {
    close();
    return;
  }
  close_after_response_ = true;
}

void DownstreamConn::close() {
  if (closing_) return;
  closing_ = true;
  state_ = State::Closing;
  timer_.stop();
  endExchange();
  if (reading_) uv_read_stop(stream());
  if (flush_scheduled_) worker_.cancelFlush(this);
  batch_ = {};
  worker_.onConnectionClosed(this);
  uv_close(reinterpret_cast<uv_handle_t*>(stream()),
           [](uv_handle_t* h) { delete static_cast<DownstreamConn*>(h->data); });
}

}  // namespace llmproxy::worker
