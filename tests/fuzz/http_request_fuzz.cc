// Fuzz target: bytes a client sends on one connection, through DownstreamConn's llhttp
// callbacks (request line, headers, Content-Length and chunked bodies, pipelining, the size
// limits), over a real unix socket on a libuv loop, as a worker runs it. The handler answers
// every request it is given (reading the body first) and every error the connection reports;
// what comes back to the client must be HTTP responses.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "common/config/config.h"
#include "fuzz_input.h"
#include "worker/http/connection_host.h"
#include "worker/http/downstream_conn.h"
#include "worker/http/query_string.h"
#include "worker/http/request_handler.h"
#include "worker/http/response.h"

using namespace llmproxy;
using namespace llmproxy::worker;

namespace {

// Answers at once: a body is read when there is one, then 200 with what was parsed.
class EchoHandler final : public RequestHandler {
 public:
  explicit EchoHandler(DownstreamConn& conn) : conn_(conn) {}
  void onRequestHead() override {
    (void)request.path();
    (void)request.header("content-type");
    (void)parseQueryString(request.target);
    if (!body_complete) {
      conn_.readBody();
      return;
    }
    answer();
  }
  void onRequestBody() override { answer(); }
  void onRequestError(const common::Error& error) override {
    conn_.writer().send(Response::error(error));
  }
  void onResponseSent() override {}
  void onClientGone() override {}
  void onDrained() override {}

 private:
  void answer() {
    conn_.writer().send(Response::json(
        200, "{\"method\":" + std::to_string(request.method.size()) +
                 ",\"body\":" + std::to_string(request.body.size()) + "}"));
  }
  DownstreamConn& conn_;
};

class FuzzHost final : public ConnectionHost {
 public:
  FuzzHost() : buffer_(64 * 1024) {
    limits_.max_header_size = 4096;
    limits_.max_body_size = 64 * 1024;
  }
  char* readBuffer() override { return buffer_.data(); }
  size_t readBufferSize() const override { return buffer_.size(); }
  void scheduleFlush(DownstreamConn* conn) override { flush_ = conn; }
  void cancelFlush(DownstreamConn* conn) override {
    if (flush_ == conn) flush_ = nullptr;
  }
  bool draining() const override { return false; }
  const common::ServerConfig& serverLimits() const override { return limits_; }
  std::unique_ptr<RequestHandler> newHandler(DownstreamConn& conn) override {
    return std::make_unique<EchoHandler>(conn);
  }
  void retireHandler(std::unique_ptr<RequestHandler> handler) override {
    retired_.push_back(std::move(handler));
  }
  void onConnectionClosed(DownstreamConn* conn) override {
    if (conn == open_) open_ = nullptr;
  }

  // The worker's check phase: flush the batched writes once per loop iteration.
  void flushNow() {
    if (DownstreamConn* c = flush_) {
      flush_ = nullptr;
      c->flush();
    }
    retired_.clear();
  }

  DownstreamConn* open_ = nullptr;

 private:
  std::vector<char> buffer_;
  common::ServerConfig limits_;
  DownstreamConn* flush_ = nullptr;
  std::vector<std::unique_ptr<RequestHandler>> retired_;
};

struct Harness {
  uv_loop_t loop;
  uv_pipe_t server;
  uv_check_t check;
  FuzzHost host;
  std::string path;

  Harness() {
    uv_loop_init(&loop);
    path = "/tmp/llmproxy-fuzz-http-" + std::to_string(getpid()) + ".sock";
    unlink(path.c_str());
    uv_pipe_init(&loop, &server, 0);
    server.data = this;
    if (uv_pipe_bind(&server, path.c_str()) != 0) std::abort();
    if (uv_listen(reinterpret_cast<uv_stream_t*>(&server), 16, [](uv_stream_t* s, int status) {
          auto* h = static_cast<Harness*>(s->data);
          if (status != 0) return;
          auto* conn = new DownstreamConn(h->host, &h->loop, false, true);
          if (!conn->accept(s)) {
            conn->close();
            return;
          }
          h->host.open_ = conn;
        }) != 0)
      std::abort();
    uv_check_init(&loop, &check);
    check.data = this;
    uv_check_start(&check, [](uv_check_t* c) { static_cast<Harness*>(c->data)->host.flushNow(); });
  }
};

// Reads what the server sent, without blocking; false at EOF.
bool drain(int fd, std::string& into) {
  char buf[16384];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      if (into.size() < (1u << 20)) into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness();  // one loop and listener for the whole run
  fuzz::FuzzInput in(data, size);
  const uint8_t cuts = in.takeByte();
  const std::string_view bytes = in.rest();

  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, h->path.c_str(), sizeof(addr.sun_path) - 1);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  for (int i = 0; i < 100 && h->host.open_ == nullptr; ++i) uv_run(&h->loop, UV_RUN_NOWAIT);
  if (h->host.open_ == nullptr) std::abort();

  // The input in up to four writes, cut where the selector says, the loop turning in between.
  std::string answer;
  size_t at = 0;
  uint32_t step = cuts;
  while (at < bytes.size()) {
    step = step * 1103515245u + 12345u;
    size_t n = bytes.size() - at;
    if ((cuts & 3) != 0 && n > 1) n = 1 + (step >> 8) % n;
    const ssize_t sent = send(fd, bytes.data() + at, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) at += static_cast<size_t>(sent);
    for (int i = 0; i < 4; ++i) uv_run(&h->loop, UV_RUN_NOWAIT);
    if (!drain(fd, answer) || h->host.open_ == nullptr) break;
  }
  // Let the connection answer what it has (pipelined requests one after the other).
  for (int idle = 0, i = 0; idle < 4 && i < 10000 && h->host.open_ != nullptr; ++i) {
    const size_t before = answer.size();
    uv_run(&h->loop, UV_RUN_NOWAIT);
    if (!drain(fd, answer)) break;
    idle = answer.size() == before ? idle + 1 : 0;
  }
  if (!answer.empty() && !answer.starts_with("HTTP/1.")) std::abort();

  close(fd);
  if (h->host.open_ != nullptr) h->host.open_->close();
  for (int i = 0; i < 8; ++i) uv_run(&h->loop, UV_RUN_NOWAIT);  // close callbacks free it
  return 0;
}
