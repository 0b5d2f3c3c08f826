// Helpers for the upstream client tests: a loop driver, a recording UpstreamCallbacks, requests,
// and RawServer, a scripted byte-level HTTP server for cases the mock provider cannot produce.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker::test {

using namespace std::chrono_literals;

// Runs `loop` until `pred` holds or `timeout` passes; a repeating 2 ms timer keeps uv_run from
// blocking on I/O that never comes.
inline bool runUntil(uv_loop_t* loop, const std::function<bool()>& pred,
                     std::chrono::milliseconds timeout = 5000ms) {
  uv_timer_t tick;
  uv_timer_init(loop, &tick);
  uv_timer_start(
      &tick, [](uv_timer_t*) {}, 2, 2);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = pred();
  while (!ok && std::chrono::steady_clock::now() < deadline) {
    uv_run(loop, UV_RUN_ONCE);
    ok = pred();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);
  return ok;
}

// Runs `loop` for `duration` whatever happens (to check that nothing does).
inline void runFor(uv_loop_t* loop, std::chrono::milliseconds duration) {
  runUntil(
      loop, [] { return false; }, duration);
}

// Records everything an UpstreamCall reports.
struct Recorder : UpstreamCallbacks {
  std::optional<UpstreamResponseHead> head;
  std::string body;
  size_t slices = 0;
  bool ended = false;
  std::optional<common::Error> error;
  bool error_reused = false;
  bool error_started = false;
  std::function<void(Recorder&)> on_slice;  // test hook, runs after a slice is recorded

  void onUpstreamHead(UpstreamResponseHead h) override {
    EXPECT_FALSE(head.has_value());
    head = std::move(h);
  }
  void onUpstreamBody(BodySlice slice) override {
    EXPECT_TRUE(head.has_value());
    EXPECT_FALSE(ended);
    EXPECT_NE(slice.owner, nullptr);
    body.append(slice.data, slice.len);
    ++slices;
    if (on_slice) on_slice(*this);
  }
  void onUpstreamEnd() override {
    EXPECT_FALSE(ended);
    ended = true;
  }
  void onUpstreamError(const common::Error& e, bool reused, bool started) override {
    EXPECT_FALSE(error.has_value());
    error = e;
    error_reused = reused;
    error_started = started;
  }
  bool done() const { return ended || error.has_value(); }
  std::string header(const std::string& name) const {
    if (!head) return {};
    for (const auto& [n, v] : head->headers)
      if (n == name) return v;
    return {};
  }
};

// A request whose bytes live as long as the object (head and body as two pieces).
struct Request {
  std::string head;
  std::string body;
  std::vector<uv_buf_t> bufs() {
    return {uv_buf_init(head.data(), static_cast<unsigned>(head.size())),
            uv_buf_init(body.data(), static_cast<unsigned>(body.size()))};
  }
};

inline Request chatRequest(bool stream,
                           const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  Request r;
  r.body =
      stream ? R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"hi"}]})"
             : R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}]})";
  r.head =
      "POST /v1/chat/completions HTTP/1.1\r\nhost: upstream\r\ncontent-type: application/json\r\n"
      "content-length: " +
      std::to_string(r.body.size()) + "\r\n";
  for (const auto& [n, v] : extra) r.head += n + ": " + v + "\r\n";
  r.head += "\r\n";
  return r;
}

// A one-thread HTTP server that answers each request it reads with the next scripted reply, one
// connection at a time. A reply with `close_instead` closes the connection without answering;
// `close_after` closes it after writing.
class RawServer {
 public:
  struct Reply {
    std::string bytes;
    bool close_after = false;
    bool close_instead = false;
  };

  explicit RawServer(std::vector<Reply> script) : script_(script.begin(), script.end()) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }

 private:
  // Waits until `fd` is readable or the server stops.
  bool waitReadable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  void run() {
    while (waitReadable(listen_fd_)) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++accepted_;
      serve(fd);
      ::close(fd);
    }
  }

  void serve(int fd) {
    std::string in;
    while (waitReadable(fd)) {
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
      // One complete request: head plus content-length bytes.
      size_t end = in.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      size_t body = 0;
      size_t cl = in.find("content-length: ");
      if (cl != std::string::npos && cl < end) body = std::stoul(in.substr(cl + 16));
      if (in.size() < end + 4 + body) continue;
      in.erase(0, end + 4 + body);
      ++requests_;
      if (script_.empty()) return;
      Reply reply = script_.front();
      script_.pop_front();
      if (reply.close_instead) return;
      size_t off = 0;
      while (off < reply.bytes.size()) {
        ssize_t w = ::write(fd, reply.bytes.data() + off, reply.bytes.size() - off);
        if (w <= 0) return;
        off += static_cast<size_t>(w);
      }
      if (reply.close_after) return;
    }
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::deque<Reply> script_;  // touched by the server thread only after construction
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace llmproxy::worker::test
