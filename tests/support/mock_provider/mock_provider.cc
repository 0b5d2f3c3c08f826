// MockProvider: libuv accept/read loop, llhttp request parsing, OpenSSL over memory BIOs, and the
// pacing of the scripted answers (delays, stalls, errors and resets); mock_answers.cc writes them.
#include "support/mock_provider/mock_provider.h"

#include <arpa/inet.h>
#include <llhttp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <unordered_set>

#include "common/json/json_writer.h"
#include "support/mock_provider/mock_answers.h"

namespace llmproxy::testing {

namespace {

constexpr size_t kHighWater = 256 * 1024;  // a stream pauses when this much waits to be sent
constexpr size_t kLowWater = 64 * 1024;    // ... and resumes below this
constexpr size_t kBatchBytes = 64 * 1024;  // events gathered into one write
constexpr size_t kMaxBodyBytes = 64 << 20;
constexpr size_t kReadBufferBytes = 64 * 1024;
using mock::Endpoint;
using mock::Plan;

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

using common::appendJsonString;  // the project's one JSON escaper

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 529:
      return "Overloaded";
    default:
      return "Mock";
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Loop: owned by MockProvider, lives on the loop thread between start() and stop().

namespace {
class Connection;
}  // namespace

class MockProvider::Loop {
 public:
  explicit Loop(MockProvider& owner) : owner_(owner) {}
  ~Loop() {
    if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  }

  bool init(std::string& error);
  void run();
  void requestStop() { uv_async_send(&stop_async_); }

  MockProvider& owner() { return owner_; }
  uv_loop_t* loop() { return &loop_; }
  SSL_CTX* sslCtx() { return ssl_ctx_; }
  llhttp_settings_t* parserSettings() { return &settings_; }
  simdjson::dom::parser& json() { return json_; }
  char* readBuffer() { return read_buffer_.data(); }
  uint64_t nextRequestId() { return ++request_ids_; }
  void forget(Connection* conn) { conns_.erase(conn); }

  // Thin doors into MockProvider's private state (Connection is not a friend).
  MockBehaviour defaults() {
    std::lock_guard lock(owner_.mutex_);
    return owner_.defaults_;
  }
  void setDefaults(const MockBehaviour& b) { owner_.setDefaults(b); }
  void record(RecordedRequest request) { owner_.record(std::move(request)); }
  void reset() { owner_.reset(); }
  std::string requestsJson() { return owner_.requestsJson(); }
  std::string statsJson() { return owner_.statsJson(); }
  std::atomic<uint64_t>& requests() { return owner_.requests_; }
  // A request started (true) or ended (false): the in-flight gauge and its peak.
  void inFlight(bool started) {
    if (!started) {
      owner_.in_flight_--;
      return;
    }
    const uint64_t now = ++owner_.in_flight_;
    uint64_t peak = owner_.peak_in_flight_.load();
    while (now > peak && !owner_.peak_in_flight_.compare_exchange_weak(peak, now)) {
    }
  }
  std::atomic<uint64_t>& openConnections() { return owner_.open_connections_; }
  std::atomic<uint64_t>& clientAborts() { return owner_.client_aborts_; }
  std::atomic<uint64_t>& backpressureWaits() { return owner_.backpressure_waits_; }
  std::atomic<uint64_t>& resetsSent() { return owner_.resets_sent_; }
  const std::vector<std::string>& models() const { return owner_.options_.models; }

 private:
  static void onConnection(uv_stream_t* server, int status);
  static void onStop(uv_async_t* async);

  MockProvider& owner_;
  uv_loop_t loop_{};
  uv_tcp_t listener_{};
  uv_async_t stop_async_{};
  SSL_CTX* ssl_ctx_ = nullptr;
  llhttp_settings_t settings_{};
  simdjson::dom::parser json_;
  std::unordered_set<Connection*> conns_;
  std::array<char, kReadBufferBytes> read_buffer_{};
  uint64_t conn_ids_ = 0;
  uint64_t request_ids_ = 0;
};

namespace {

// One accepted connection: parser, optional TLS, and at most one exchange at a time (pipelined
// requests wait in input_). Owned by itself: deleted in the close callback of its last handle.
class Connection {
 public:
  Connection(MockProvider::Loop& loop, uint64_t id) : loop_(loop), id_(id) {}

  bool open(uv_stream_t* server);
  void close(bool reset);

  // llhttp callbacks.
  static int onMessageBegin(llhttp_t* parser);
  static int onUrl(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderValueComplete(llhttp_t* parser);
  static int onHeadersComplete(llhttp_t* parser);
  static int onBody(llhttp_t* parser, const char* at, size_t length);
  static int onMessageComplete(llhttp_t* parser);

 private:
  enum class Phase { kIdle, kDelay, kTtft, kChunkDelay, kDrain, kAbortDrain, kStall };

  static Connection* of(llhttp_t* parser) { return static_cast<Connection*>(parser->data); }
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onShutdown(uv_shutdown_t* req, int status);
  static void onTimer(uv_timer_t* timer);
  static void onClosed(uv_handle_t* handle);

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  size_t queued() { return uv_stream_get_write_queue_size(stream()); }
  void onBytes(const char* data, size_t length);
  void onPeerGone();
  void drainInput();
  void handleRequest();
  void handleControl(Endpoint endpoint, const std::string& body);
  Plan makePlan(const RecordedRequest& request, Endpoint endpoint);
  void startTimer(Phase phase, int ms);

  // Answering.
  void beginResponse();
  bool misbehave();
  void sendJson(int status, const std::string& body, const std::string& extra_headers = {});
  void sendError(int status, const std::string& message, std::string_view code = {});
  void sendBody();
  void startStream();
  void produce();
  void finishExchange();
  bool in_flight_ = false;  // counted in the owner's in-flight gauge
  void abortAfterDrain();
  void closeAfterFlush();
  std::string commonHeaders() const;

  // Output.
  void send(std::string_view data);
  void writeRaw(std::string data);
  void flushTls();

  MockProvider::Loop& loop_;
  uint64_t id_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  int open_handles_ = 0;
  bool closing_ = false;
  llhttp_t parser_{};
  SSL* ssl_ = nullptr;
  BIO* network_in_ = nullptr;   // bytes from the socket, read by OpenSSL
  BIO* network_out_ = nullptr;  // bytes OpenSSL produced, written to the socket
  std::string sni_;

  // Request being parsed.
  RecordedRequest request_;
  std::string field_;
  std::string value_;
  bool too_large_ = false;

  // Input not parsed yet because an exchange is active (pipelining).
  std::string input_;
  bool in_drain_ = false;

  // The exchange being answered.
  bool active_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  Phase phase_ = Phase::kIdle;
  Plan plan_;
  mock::StreamWriter writer_;
  std::string pending_body_;
  bool shutdown_started_ = false;
};

struct WriteRequest {
  uv_write_t req;
  std::string data;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Loop

bool MockProvider::Loop::init(std::string& error) {
  const Options& options = owner_.options_;
  if (options.tls) {
    ssl_ctx_ = SSL_CTX_new(TLS_server_method());
    if (ssl_ctx_ == nullptr ||
        SSL_CTX_use_certificate_chain_file(ssl_ctx_, options.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ssl_ctx_, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
      error = "TLS setup failed (cert " + options.cert_file + "): " + buf;
      return false;
    }
    SSL_CTX_set_mode(ssl_ctx_, SSL_MODE_RELEASE_BUFFERS);
    // Answer "http/1.1" when a client offers ALPN; never pick h2.
    SSL_CTX_set_alpn_select_cb(
        ssl_ctx_,
        [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
           unsigned int inlen, void*) {
          static const unsigned char kHttp11[] = "\x08http/1.1";
          unsigned char* selected = nullptr;
          if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof(kHttp11) - 1, in, inlen) ==
              OPENSSL_NPN_NEGOTIATED) {
            *out = selected;
            return SSL_TLSEXT_ERR_OK;
          }
          return SSL_TLSEXT_ERR_NOACK;
        },
        nullptr);
  }

  // The socket is made by hand for SO_REUSEPORT (libuv 1.44 has no flag for it).
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(options.port);
  if (int rc = getaddrinfo(options.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    error = "cannot resolve " + options.host + ": " + gai_strerror(rc);
    return false;
  }
  int fd = ::socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (options.reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  }
  if (fd < 0 || ::bind(fd, list->ai_addr, list->ai_addrlen) != 0) {
    error = "cannot bind " + options.host + ":" + port + ": " + std::strerror(errno);
    freeaddrinfo(list);
    if (fd >= 0) ::close(fd);
    return false;
  }
  freeaddrinfo(list);
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  owner_.port_ =
      ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                       : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);

  uv_loop_init(&loop_);
  uv_tcp_init(&loop_, &listener_);
  listener_.data = this;
  uv_tcp_open(&listener_, fd);
  if (int rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 4096, onConnection); rc != 0) {
    error = std::string("listen failed: ") + uv_strerror(rc);
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    return false;
  }
  uv_async_init(&loop_, &stop_async_, onStop);
  stop_async_.data = this;

  llhttp_settings_init(&settings_);
  settings_.on_message_begin = Connection::onMessageBegin;
  settings_.on_url = Connection::onUrl;
  settings_.on_header_field = Connection::onHeaderField;
  settings_.on_header_value = Connection::onHeaderValue;
  settings_.on_header_value_complete = Connection::onHeaderValueComplete;
  settings_.on_headers_complete = Connection::onHeadersComplete;
  settings_.on_body = Connection::onBody;
  settings_.on_message_complete = Connection::onMessageComplete;
  return true;
}

void MockProvider::Loop::run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void MockProvider::Loop::onConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  auto* self = static_cast<Loop*>(server->data);
  auto* conn = new Connection(*self, ++self->conn_ids_);
  if (!conn->open(server)) return;  // open() closes and frees on failure
  self->conns_.insert(conn);
  self->owner_.connections_accepted_++;
  self->owner_.open_connections_++;
}

void MockProvider::Loop::onStop(uv_async_t* async) {
  auto* self = static_cast<Loop*>(async->data);
  std::vector<Connection*> conns(self->conns_.begin(), self->conns_.end());
  for (Connection* conn : conns) conn->close(false);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->listener_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->stop_async_), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Connection: lifecycle and input

bool Connection::open(uv_stream_t* server) {
  uv_tcp_init(loop_.loop(), &tcp_);
  uv_timer_init(loop_.loop(), &timer_);
  tcp_.data = this;
  timer_.data = this;
  open_handles_ = 2;
  if (uv_accept(server, stream()) != 0) {
    closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onClosed);
    return false;
  }
  uv_tcp_nodelay(&tcp_, 1);
  llhttp_init(&parser_, HTTP_REQUEST, loop_.parserSettings());
  parser_.data = this;
  if (loop_.sslCtx() != nullptr) {
    ssl_ = SSL_new(loop_.sslCtx());
    network_in_ = BIO_new(BIO_s_mem());
    network_out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(network_in_, -1);
    SSL_set_bio(ssl_, network_in_, network_out_);
    SSL_set_accept_state(ssl_);
  }
  uv_read_start(stream(), onAlloc, onRead);
  return true;
}

void Connection::close(bool reset) {
  if (closing_) return;
  closing_ = true;
  if (in_flight_) loop_.inFlight(false);
  in_flight_ = false;
  if (active_) phase_ = Phase::kIdle;
  active_ = false;
  loop_.forget(this);
  loop_.openConnections()--;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onClosed);
  if (!reset || uv_tcp_close_reset(&tcp_, onClosed) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), onClosed);
  }
}

void Connection::onClosed(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  if (--self->open_handles_ > 0) return;
  if (self->ssl_ != nullptr) SSL_free(self->ssl_);  // frees both BIOs too
  delete self;
}

void Connection::onAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->loop_.readBuffer(), kReadBufferBytes);
}

void Connection::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread < 0) {
    self->onPeerGone();
    return;
  }
  if (nread == 0 || self->closing_) return;
  if (self->ssl_ == nullptr) {
    self->onBytes(buf->base, static_cast<size_t>(nread));
    return;
  }
  BIO_write(self->network_in_, buf->base, static_cast<int>(nread));
  if (!SSL_is_init_finished(self->ssl_)) {
    int rc = SSL_do_handshake(self->ssl_);
    self->flushTls();
    if (rc != 1) {
      int err = SSL_get_error(self->ssl_, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) self->close(false);
      return;
    }
    const char* name = SSL_get_servername(self->ssl_, TLSEXT_NAMETYPE_host_name);
    if (name != nullptr) self->sni_ = name;
  }
  char plain[16384];
  while (!self->closing_) {
    int n = SSL_read(self->ssl_, plain, sizeof(plain));
    if (n > 0) {
      self->onBytes(plain, static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(self->ssl_, n);
    if (err == SSL_ERROR_WANT_READ) break;
    if (err == SSL_ERROR_ZERO_RETURN) {
      self->onPeerGone();
      return;
    }
    self->close(false);
    return;
  }
  if (!self->closing_) self->flushTls();
}

void Connection::onPeerGone() {
  if (active_) loop_.clientAborts()++;
  close(false);
}

void Connection::onBytes(const char* data, size_t length) {
  input_.append(data, length);
  if (!active_ && !in_drain_) drainInput();
}

void Connection::drainInput() {
  in_drain_ = true;
  while (!input_.empty() && !active_ && !closing_ && !shutdown_started_) {
    llhttp_errno_t err = llhttp_execute(&parser_, input_.data(), input_.size());
    if (err == HPE_OK) {
      input_.clear();
      break;
    }
    if (err == HPE_PAUSED) {
      // A whole request was read: answer it before parsing the next (pipelining).
      input_.erase(0, static_cast<size_t>(llhttp_get_error_pos(&parser_) - input_.data()));
      llhttp_resume(&parser_);
      handleRequest();
      continue;
    }
    input_.clear();
    active_ = true;
    keep_alive_ = false;
    plan_ = Plan{};
    sendError(too_large_ ? 413 : 400,
              std::string("mock provider: bad request: ") + llhttp_errno_name(err));
    break;
  }
  in_drain_ = false;
}

int Connection::onMessageBegin(llhttp_t* parser) {
  Connection* self = of(parser);
  self->request_ = RecordedRequest{};
  self->field_.clear();
  self->value_.clear();
  return 0;
}

int Connection::onUrl(llhttp_t* parser, const char* at, size_t length) {
  of(parser)->request_.path.append(at, length);
  return 0;
}

int Connection::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
  of(parser)->field_.append(at, length);
  return 0;
}

int Connection::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  of(parser)->value_.append(at, length);
  return 0;
}

int Connection::onHeaderValueComplete(llhttp_t* parser) {
  Connection* self = of(parser);
  self->request_.headers.emplace_back(std::move(self->field_), std::move(self->value_));
  self->field_.clear();
  self->value_.clear();
  return 0;
}

int Connection::onHeadersComplete(llhttp_t* parser) {
  Connection* self = of(parser);
  self->request_.method = llhttp_method_name(static_cast<llhttp_method_t>(parser->method));
  if (equalsIgnoreCase(self->request_.header("expect"), "100-continue")) {
    self->send("HTTP/1.1 100 Continue\r\n\r\n");
  }
  return 0;
}

int Connection::onBody(llhttp_t* parser, const char* at, size_t length) {
  Connection* self = of(parser);
  if (self->request_.body.size() + length > kMaxBodyBytes) {
    self->too_large_ = true;
    return -1;
  }
  self->request_.body.append(at, length);
  return 0;
}

int Connection::onMessageComplete(llhttp_t* parser) {
  Connection* self = of(parser);
  self->keep_alive_ = llhttp_should_keep_alive(parser) != 0;
  self->http10_ = parser->http_major == 1 && parser->http_minor == 0;
  return HPE_PAUSED;
}

// ---------------------------------------------------------------------------------------------
// Connection: deciding the answer

void Connection::handleRequest() {
  request_.connection_id = id_;
  request_.sni = sni_;
  std::string_view path = request_.path;
  path = path.substr(0, path.find('?'));
  const Endpoint endpoint = mock::route(request_.method, path);
  active_ = true;
  if (mock::isControl(endpoint)) {
    plan_ = Plan{};
    handleControl(endpoint, request_.body);
    return;
  }
  loop_.requests()++;
  loop_.inFlight(true);
  in_flight_ = true;
  plan_ = makePlan(request_, endpoint);
  loop_.record(std::move(request_));
  if (plan_.b.delay_ms > 0) {
    startTimer(Phase::kDelay, plan_.b.delay_ms);
  } else {
    beginResponse();
  }
}

void Connection::handleControl(Endpoint endpoint, const std::string& body) {
  switch (endpoint) {
    case Endpoint::kMockRequests:
      sendJson(200, loop_.requestsJson());
      return;
    case Endpoint::kMockStats:
      sendJson(200, loop_.statsJson());
      return;
    case Endpoint::kMockReset:
      loop_.reset();
      sendJson(200, "{\"reset\":true}");
      return;
    case Endpoint::kMockBehaviour: {
      MockBehaviour b = loop_.defaults();
      simdjson::padded_string padded(body);
      simdjson::dom::object object;
      if (loop_.json().parse(padded).get_object().get(object) != simdjson::SUCCESS) {
        sendError(400, "mock provider: /__mock/behaviour wants a JSON object");
        return;
      }
      for (auto [key, value] : object) {
        int64_t number = 0;
        std::string_view text;
        bool flag = false;
        if (value.get_int64().get(number) == simdjson::SUCCESS) {
          mock::applyBehaviourField(b, key, std::to_string(number));
        } else if (value.get_string().get(text) == simdjson::SUCCESS) {
          mock::applyBehaviourField(b, key, text);
        } else if (value.get_bool().get(flag) == simdjson::SUCCESS) {
          mock::applyBehaviourField(b, key, flag ? "1" : "0");
        }
      }
      loop_.setDefaults(b);
      sendJson(200, "{\"ok\":true}");
      return;
    }
    default:
      sendError(404, "mock provider: unknown control path");
  }
}

Plan Connection::makePlan(const RecordedRequest& request, Endpoint endpoint) {
  Plan plan;
  plan.endpoint = endpoint;
  plan.b = loop_.defaults();
  plan.id = loop_.nextRequestId();
  plan.created = static_cast<int64_t>(std::time(nullptr));
  for (const auto& [name, value] : request.headers) {
    if (name.size() > 7 && equalsIgnoreCase(std::string_view(name).substr(0, 7), "x-mock-")) {
      mock::applyBehaviourField(plan.b, lower(std::string_view(name).substr(7)), value);
    }
  }
  mock::readRequest(plan, request, loop_.json());
  return plan;
}

void Connection::startTimer(Phase phase, int ms) {
  phase_ = phase;
  uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(std::max(ms, 0)), 0);
}

void Connection::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  const Phase phase = std::exchange(self->phase_, Phase::kIdle);
  if (!self->active_ || self->closing_) return;
  switch (phase) {
    case Phase::kDelay:
      self->beginResponse();
      break;
    case Phase::kTtft:
      if (self->plan_.stream) {
        self->produce();
      } else {
        self->sendBody();
      }
      break;
    case Phase::kChunkDelay:
      self->produce();
      break;
    default:
      break;
  }
}

void Connection::beginResponse() {
  const MockBehaviour& b = plan_.b;
  if (b.reset_after == 0) {
    abortAfterDrain();
    return;
  }
  if (b.status < 200 || b.status > 299) {
    sendError(b.status, "mock provider: scripted status " + std::to_string(b.status));
    return;
  }
  switch (plan_.endpoint) {
    case Endpoint::kBadMethod:
      sendError(405, "mock provider: method not allowed");
      return;
    case Endpoint::kNotFound:
      sendError(404, "mock provider: no such endpoint " + plan_.path);
      return;
    case Endpoint::kOtlpTraces:
      sendJson(200, "{\"partialSuccess\":{}}");
      return;
    case Endpoint::kLangfuseIngestion:
      // Langfuse answers 207 with a result per event; the exporter reads only the status.
      sendJson(207, "{\"successes\":[],\"errors\":[]}");
      return;
    default:
      break;
  }
  if (!plan_.unauthorized.empty()) {
    sendError(401, plan_.unauthorized, "invalid_api_key");
    return;
  }
  if (!plan_.invalid.empty()) {
    sendError(400, plan_.invalid);
    return;
  }
  if (!b.misbehave.empty() && misbehave()) return;
  if (plan_.stream) {
    startStream();
  } else {
    sendJson(b.status, mock::answerBody(plan_, loop_.models()));
  }
}

// The broken answers of MockBehaviour::misbehave. True when the answer was sent here.
bool Connection::misbehave() {
  const std::string& what = plan_.b.misbehave;
  if (what == "endless") {
    // The text block gets ~10^9 pieces (generated words: no table of cut points): the stream
    // goes on until the client leaves.
    if (plan_.stream && plan_.b.content.empty()) {
      constexpr int kEndless = 1 << 30;
      plan_.steps += kEndless - plan_.pieces;
      plan_.pieces = kEndless;
    }
    return false;
  }
  const std::string body = mock::answerBody(plan_, loop_.models());
  std::string out;
  if (what == "junk") {
    out = "SSH-2.0-not-http\r\n";
    for (int i = 0; i < 4096; ++i) out += static_cast<char>((i * 131) & 0xff);
  } else if (what == "many-headers") {
    out = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
    for (int i = 0; i < 10000; ++i) out += "x-filler-" + std::to_string(i) + ": value\r\n";
    out += "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  } else if (what == "short-length" || what == "long-length") {
    const size_t declared = what == "short-length" ? body.size() + 1000 : body.size() / 2;
    out = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " +
          std::to_string(declared) + "\r\n" + commonHeaders() + "\r\n" + body;
  } else if (what == "cut-chunk") {
    out = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n" +
          commonHeaders() + "\r\n400\r\ndata: {\"id\":\"cut\",\"choices\":[{\"index\":0,";
  } else {
    return false;  // unknown: answer normally
  }
  send(out);
  // Every broken answer but long-length ends its connection: the bytes it promised never come.
  if (what != "long-length") keep_alive_ = false;
  finishExchange();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Connection: writing answers

std::string Connection::commonHeaders() const {
  std::string out = "x-mock-request-id: " + std::to_string(plan_.id) +
                    "\r\nx-mock-connection-id: " + std::to_string(id_) + "\r\n";
  if (!keep_alive_) {
    out += "connection: close\r\n";
  } else if (http10_) {
    out += "connection: keep-alive\r\n";
  }
  return out;
}

void Connection::sendJson(int status, const std::string& body, const std::string& extra_headers) {
  std::string head =
      "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
      "\r\ncontent-type: application/json\r\ncontent-length: " + std::to_string(body.size()) +
      "\r\n" + commonHeaders() + extra_headers + "\r\n";
  pending_body_ = body;
  if (plan_.b.stall_after >= 0 && status >= 200 && status <= 299) {
    send(head);  // and nothing more: the client waits for a body that never comes
    phase_ = Phase::kStall;
    return;
  }
  if (plan_.b.ttft_ms > 0 && status >= 200 && status <= 299) {
    send(head);
    startTimer(Phase::kTtft, plan_.b.ttft_ms);
    return;
  }
  // One write for head and body: the common case, and what a benchmark measures.
  if (plan_.b.reset_after > 0) {
    send(head);
    sendBody();
    return;
  }
  head += pending_body_;
  pending_body_.clear();
  send(head);
  finishExchange();
}

void Connection::sendBody() {
  if (plan_.b.reset_after > 0) {
    // Non-streaming "reset after N": half the body, then a reset (a broken non-SSE answer).
    send(std::string_view(pending_body_).substr(0, pending_body_.size() / 2));
    pending_body_.clear();
    abortAfterDrain();
    return;
  }
  send(pending_body_);
  pending_body_.clear();
  finishExchange();
}

void Connection::sendError(int status, const std::string& message, std::string_view code) {
  const std::string body = mock::errorBody(plan_, status, message, code);
  std::string extra;
  if (plan_.b.retry_after >= 0)
    extra = "retry-after: " + std::to_string(plan_.b.retry_after) + "\r\n";
  plan_.b.ttft_ms = 0;
  plan_.b.reset_after = -1;
  plan_.b.stall_after = -1;
  sendJson(status, body, extra);
}

void Connection::startStream() {
  writer_.start(plan_);
  std::string head =
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
      "transfer-encoding: chunked\r\n" +
      commonHeaders() + "\r\n";
  if (plan_.b.ttft_ms > 0) {
    send(head);
    startTimer(Phase::kTtft, plan_.b.ttft_ms);
    return;
  }
  pending_body_ = std::move(head);  // goes out with the first events, in one write
  produce();
}

void Connection::produce() {
  std::string batch = std::exchange(pending_body_, {});
  auto flush = [&] {
    if (!batch.empty()) send(batch);
    batch.clear();
  };
  const MockBehaviour& b = plan_.b;
  while (!closing_) {
    const int done = writer_.stepsDone();
    if (b.error_after >= 0 && done >= b.error_after) {
      writer_.appendError(batch);
      flush();
      finishExchange();
      return;
    }
    if (b.stall_after >= 0 && done >= b.stall_after) {
      flush();
      phase_ = Phase::kStall;  // until the client gives up or the mock stops
      return;
    }
    if (done >= plan_.steps) {
      writer_.appendTail(batch);
      flush();
      finishExchange();
      return;
    }
    if (b.reset_after >= 0 && done >= b.reset_after) {
      flush();
      abortAfterDrain();
      return;
    }
    if (queued() + batch.size() >= kHighWater) {
      // The client (or the proxy) reads slower than we write: wait for the queue to drain.
      flush();
      phase_ = Phase::kDrain;
      loop_.backpressureWaits()++;
      return;
    }
    writer_.appendStep(batch);
    if (b.chunk_delay_ms > 0 && writer_.stepsDone() < plan_.steps) {
      flush();
      startTimer(Phase::kChunkDelay, b.chunk_delay_ms);
      return;
    }
    if (batch.size() >= kBatchBytes) flush();
  }
}

void Connection::finishExchange() {
  if (in_flight_) loop_.inFlight(false);
  in_flight_ = false;
  active_ = false;
  phase_ = Phase::kIdle;
  if (!keep_alive_) {
    closeAfterFlush();
    return;
  }
  if (!in_drain_ && !closing_) drainInput();
}

void Connection::abortAfterDrain() {
  if (queued() == 0) {
    loop_.resetsSent()++;
    close(true);
    return;
  }
  phase_ = Phase::kAbortDrain;
}

void Connection::closeAfterFlush() {
  if (closing_ || shutdown_started_) return;
  shutdown_started_ = true;
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);
    flushTls();
  }
  // uv_shutdown waits for queued writes, then sends FIN; the close follows in its callback.
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, stream(), onShutdown) != 0) {
    delete req;
    close(false);
  }
}

void Connection::onShutdown(uv_shutdown_t* req, int) {
  auto* self = static_cast<Connection*>(req->data);
  delete req;
  self->close(false);
}

void Connection::send(std::string_view data) {
  if (closing_ || data.empty()) return;
  if (ssl_ == nullptr) {
    writeRaw(std::string(data));
    return;
  }
  SSL_write(ssl_, data.data(), static_cast<int>(data.size()));  // a memory BIO takes it all
  flushTls();
}

void Connection::flushTls() {
  size_t pending = BIO_ctrl_pending(network_out_);
  if (pending == 0) return;
  std::string out(pending, '\0');
  int n = BIO_read(network_out_, out.data(), static_cast<int>(pending));
  if (n <= 0) return;
  out.resize(static_cast<size_t>(n));
  writeRaw(std::move(out));
}

void Connection::writeRaw(std::string data) {
  if (closing_) return;
  uv_buf_t buf = uv_buf_init(data.data(), static_cast<unsigned int>(data.size()));
  int written = uv_try_write(stream(), &buf, 1);
  if (written == static_cast<int>(data.size())) return;
  if (written < 0 && written != UV_EAGAIN) {
    onPeerGone();
    return;
  }
  auto* request = new WriteRequest;
  request->data = std::move(data);
  if (written > 0) request->data.erase(0, static_cast<size_t>(written));
  request->req.data = this;
  buf = uv_buf_init(request->data.data(), static_cast<unsigned int>(request->data.size()));
  if (uv_write(&request->req, stream(), &buf, 1, onWrite) != 0) {
    delete request;
    onPeerGone();
  }
}

void Connection::onWrite(uv_write_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  delete reinterpret_cast<WriteRequest*>(req);
  if (status == UV_ECANCELED || self->closing_) return;
  if (status < 0) {
    self->onPeerGone();
    return;
  }
  if (self->phase_ == Phase::kDrain && self->queued() <= kLowWater) {
    self->phase_ = Phase::kIdle;
    self->produce();
  } else if (self->phase_ == Phase::kAbortDrain && self->queued() == 0) {
    self->phase_ = Phase::kIdle;
    self->loop_.resetsSent()++;
    self->close(true);
  }
}

// ---------------------------------------------------------------------------------------------
// MockProvider

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return value;
  }
  return {};
}

namespace {
// NOTE: out of line on purpose: built inside the delegating constructor, g++ 12 at -O3 reports
// the temporary's strings as maybe-uninitialized (a false positive that fails -Werror).
[[gnu::noinline]] MockProvider::Options defaultOptions() { return {}; }
}  // namespace

MockProvider::MockProvider() : MockProvider(defaultOptions()) {}

MockProvider::MockProvider(Options options)
    : options_(std::move(options)), defaults_(options_.defaults) {}

MockProvider::~MockProvider() { stop(); }

bool MockProvider::start() {
  if (loop_) {
    last_error_ = "already started";
    return false;
  }
  loop_ = std::make_unique<Loop>(*this);
  if (!loop_->init(last_error_)) {
    loop_.reset();
    return false;
  }
  thread_ = std::thread([this] { loop_->run(); });
  return true;
}

void MockProvider::stop() {
  if (!loop_) return;
  loop_->requestStop();
  if (thread_.joinable()) thread_.join();
  loop_.reset();
}

std::string MockProvider::baseUrl() const {
  return (options_.tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_);
}

void MockProvider::record(RecordedRequest request) {
  std::lock_guard lock(mutex_);
  request.sequence = ++next_sequence_;
  if (!options_.record) return;
  records_.push_back(std::move(request));
  while (records_.size() > options_.max_recorded) records_.pop_front();
}

std::vector<RecordedRequest> MockProvider::requests() const {
  std::lock_guard lock(mutex_);
  return {records_.begin(), records_.end()};
}

std::optional<RecordedRequest> MockProvider::lastRequest() const {
  std::lock_guard lock(mutex_);
  if (records_.empty()) return std::nullopt;
  return records_.back();
}

void MockProvider::reset() {
  std::lock_guard lock(mutex_);
  records_.clear();
  next_sequence_ = 0;
  defaults_ = options_.defaults;
  requests_ = 0;
  peak_in_flight_ = in_flight_.load();
  connections_accepted_ = 0;
  client_aborts_ = 0;
  backpressure_waits_ = 0;
  resets_sent_ = 0;
}

void MockProvider::setDefaults(const MockBehaviour& behaviour) {
  std::lock_guard lock(mutex_);
  defaults_ = behaviour;
}

MockBehaviour MockProvider::defaults() const {
  std::lock_guard lock(mutex_);
  return defaults_;
}

std::string MockProvider::requestsJson() const {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  bool first = true;
  for (const RecordedRequest& r : records_) {
    if (!first) out += ',';
    first = false;
    out += "{\"sequence\":" + std::to_string(r.sequence) +
           ",\"connection_id\":" + std::to_string(r.connection_id) + ",\"method\":";
    appendJsonString(out, r.method);
    out += ",\"path\":";
    appendJsonString(out, r.path);
    out += ",\"headers\":{";
    for (size_t i = 0; i < r.headers.size(); ++i) {
      if (i > 0) out += ',';
      appendJsonString(out, lower(r.headers[i].first));
      out += ':';
      appendJsonString(out, r.headers[i].second);
    }
    out += "},\"body\":";
    appendJsonString(out, r.body);
    out += ",\"sni\":";
    appendJsonString(out, r.sni);
    out += '}';
  }
  return out + "]";
}

std::string MockProvider::statsJson() const {
  return "{\"requests\":" + std::to_string(requests_.load()) +
         ",\"connections\":" + std::to_string(connections_accepted_.load()) +
         ",\"open\":" + std::to_string(open_connections_.load()) +
         ",\"client_aborts\":" + std::to_string(client_aborts_.load()) +
         ",\"in_flight\":" + std::to_string(in_flight_.load()) +
         ",\"peak_in_flight\":" + std::to_string(peak_in_flight_.load()) +
         ",\"backpressure_waits\":" + std::to_string(backpressure_waits_.load()) +
         ",\"resets\":" + std::to_string(resets_sent_.load()) + "}";
}

}  // namespace llmproxy::testing
