// The downstream HTTP/1.1 server: limits, timeouts, keep-alive, pipelining, error bodies.
#include <poll.h>
#include <sys/socket.h>

#include <thread>

#include "proxy_fixture.h"

namespace llmproxy::testing {
namespace {

class HttpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    proxy_ = startProxy(openConfig(ports_, 1,
                                   "header_timeout = \"1s\"\nmax_body_size = \"1k\"\n"
                                   "max_header_size = \"8k\"\n"),
                        ports_.api);
  }
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(HttpServer, HugeHeaderGets431) {
  HttpClient c("127.0.0.1", ports_.api);
  const auto r = c.get("/health", {{"x-big", std::string(64 * 1024, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.body.find("\"error\""), std::string::npos) << r.body;
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(HttpServer, OversizedBodyGets413) {
  HttpClient c("127.0.0.1", ports_.api);
  const auto r = c.post("/health", std::string(4096, 'x'));
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("\"code\":\"payload_too_large\""), std::string::npos) << r.body;
}

TEST_F(HttpServer, OversizedChunkedBodyGets413) {
  HttpClient c("127.0.0.1", ports_.api);
  std::string req = "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.sendRaw(req));
  const auto r = c.readResponse();
  EXPECT_EQ(r.status, 413) << r.body;
}

TEST_F(HttpServer, GarbageGets400AndClose) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw(std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 17)));
  const auto r = c.readResponse();
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_request_error"), std::string::npos) << r.body;
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(HttpServer, HeaderReadTimeoutClosesConnection) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw("GET /health HTTP/1.1\r\nHost: x\r\n"));  // head never ends
  EXPECT_TRUE(c.closedByPeer(std::chrono::seconds(10)));
}

TEST_F(HttpServer, IdleConnectionWithoutBytesIsClosedAfterHeaderTimeout) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.connect());
  EXPECT_TRUE(c.closedByPeer(std::chrono::seconds(10)));
}

TEST_F(HttpServer, PipelinedRequestsAnsweredInOrder) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw(
      "GET /health HTTP/1.1\r\nHost: x\r\nx-request-id: first\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\nx-request-id: second\r\n\r\n"
      "GET /health HTTP/1.1\r\nHost: x\r\nx-request-id: third\r\nConnection: close\r\n\r\n"));
  const auto a = c.readResponse();
  const auto b = c.readResponse();
  const auto d = c.readResponse();
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.header("x-request-id"), "first");
  EXPECT_EQ(b.status, 404);
  EXPECT_EQ(b.header("x-request-id"), "second");
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.header("x-request-id"), "third");
  EXPECT_EQ(d.header("connection"), "close");
  EXPECT_TRUE(c.closedByPeer());
}

// Writes all of `bytes` to a blocking-enough socket from another thread than the reader.
bool sendAll(int fd, const std::string& bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n > 0) {
      at += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 10000) <= 0) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Pipelined requests answered locally each waited for the worker's 1 s timer (their answer was
// queued from a write callback, after the loop had chosen to sleep): ten took ~9 s, 5,000
// never finished. The bounds below are far above what the fix needs (milliseconds).
TEST_F(HttpServer, PipelinedLocalAnswersAllArrivePromptly) {
  for (const auto& [n, bound] : {std::pair{10, std::chrono::seconds(5)},
                                 std::pair{5000, std::chrono::seconds(60)}}) {
    SCOPED_TRACE(n);
    HttpClient c("127.0.0.1", ports_.api);
    ASSERT_TRUE(c.connect());
    std::string batch;
    for (int i = 0; i < n; ++i)
      batch += "GET /health HTTP/1.1\r\nHost: x\r\nx-request-id: r" + std::to_string(i) +
               "\r\n\r\n";
    // The answers are read while the requests are still going out: neither side's buffers
    // have to hold all of them.
    bool sent = false;
    std::thread sender([&] { sent = sendAll(c.fd(), batch); });
    const auto deadline = std::chrono::steady_clock::now() + bound;
    int answered = 0;
    bool in_order = true;
    while (answered < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      const auto r = c.readResponse(left);
      if (!r.ok) break;
      if (r.status != 200 || r.header("x-request-id") != "r" + std::to_string(answered))
        in_order = false;
      ++answered;
    }
    if (answered < n) ::shutdown(c.fd(), SHUT_RDWR);  // unblocks the sender
    sender.join();
    EXPECT_TRUE(sent);
    EXPECT_EQ(answered, n) << "answers within " << bound.count() << " s";
    EXPECT_TRUE(in_order);
  }
}

TEST_F(HttpServer, ConnectionCloseHonoured) {
  HttpClient c("127.0.0.1", ports_.api);
  const auto r = c.get("/health", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(HttpServer, Http10WithoutKeepAliveCloses) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw("GET /health HTTP/1.0\r\n\r\n"));
  const auto r = c.readResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(HttpServer, BodyArrivingInPiecesIsRead) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw(
      "POST /api/event_logging/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"));
  ASSERT_TRUE(c.sendRaw("01234"));
  ASSERT_TRUE(c.sendRaw("56789"));
  const auto r = c.readResponse();
  EXPECT_EQ(r.status, 200);
  const auto next = c.get("/health");
  EXPECT_EQ(next.status, 200) << "the connection stays usable after a fully read body";
  EXPECT_EQ(c.connectionsOpened(), 1);
}

TEST_F(HttpServer, ABodyOnAnEndpointWithoutOneIsRefusedBeforeItArrives) {
  // The head declares a body that never comes: the answer must not wait for it, nor
  // allocate it.
  for (const char* head : {"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n",
                           "GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                           "GET /v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"}) {
    SCOPED_TRACE(head);
    HttpClient c("127.0.0.1", ports_.api);
    ASSERT_TRUE(c.sendRaw(head));
    const auto r = c.readResponse();
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_NE(r.body.find("takes no request body"), std::string::npos) << r.body;
    EXPECT_TRUE(c.closedByPeer());
  }
}

TEST_F(HttpServer, AChunkLargerThanTheLimitIsRefusedAtItsSizeLine) {
  // Only the size line of a chunk of 1 MiB (max_body_size is 1k): refused before its bytes.
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw("POST /api/event_logging/batch HTTP/1.1\r\nHost: x\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n100000\r\n"));
  const auto r = c.readResponse();
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_TRUE(c.closedByPeer());
  // Small chunks within the limit still go through.
  HttpClient ok("127.0.0.1", ports_.api);
  ASSERT_TRUE(ok.sendRaw("POST /api/event_logging/batch HTTP/1.1\r\nHost: x\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n1}\n\r\n0\r\n\r\n"));
  EXPECT_EQ(ok.readResponse().status, 200);
}

TEST_F(HttpServer, Http09IsRefused) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw("GET /health\r\n\r\n"));
  const std::string raw = c.readRaw();
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 400 ")) << raw;
  EXPECT_EQ(raw.find("\"status\":\"ok\""), std::string::npos) << raw;
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(HttpServer, UnknownPath404AndWrongMethod405WithOpenAiErrors) {
  HttpClient c("127.0.0.1", ports_.api);
  const auto nf = c.get("/v9/nothing");
  EXPECT_EQ(nf.status, 404);
  EXPECT_NE(nf.body.find("{\"error\":{\"message\":"), std::string::npos) << nf.body;
  EXPECT_NE(nf.body.find("\"param\":null"), std::string::npos) << nf.body;
  const auto na = c.request("DELETE", "/health");
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(na.header("allow"), "GET");
  EXPECT_NE(na.body.find("\"code\":\"method_not_allowed\""), std::string::npos) << na.body;
}

TEST_F(HttpServer, AdminNeedsTheAdminKey) {
  HttpClient c("127.0.0.1", ports_.admin);
  EXPECT_EQ(c.get("/admin/v1/status").status, 401);
  const auto wrong = c.get("/admin/v1/status", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("invalid_api_key"), std::string::npos) << wrong.body;
  EXPECT_EQ(wrong.body.find(kAdminKey), std::string::npos);
  EXPECT_EQ(c.get("/admin/v1/status", adminAuth()).status, 200);
  const auto version = c.get("/admin/v1/config/version", adminAuth());
  EXPECT_EQ(version.status, 200);
  EXPECT_NE(version.body.find("\"version\":1"), std::string::npos) << version.body;
  EXPECT_EQ(c.get("/admin/v1/nothing", adminAuth()).status, 404);
  EXPECT_EQ(c.request("GET", "/admin/v1/config/reload", adminAuth()).status, 405);
}

TEST_F(HttpServer, AConnectionClosesAfterThreeRefusedKeys) {
  HttpClient c("127.0.0.1", ports_.admin);
  const Headers wrong = {{"Authorization", "Bearer guess"}};
  EXPECT_EQ(c.get("/admin/v1/status", wrong).status, 401);
  EXPECT_EQ(c.get("/admin/v1/status", wrong).status, 401);
  const auto third = c.get("/admin/v1/status", wrong);
  EXPECT_EQ(third.status, 401);
  EXPECT_EQ(third.header("connection"), "close");
  EXPECT_TRUE(c.closedByPeer());
  EXPECT_EQ(c.connectionsOpened(), 1);
}

TEST(HttpServerStart, AShortAdminKeyIsWarnedAbout) {
  ProxyPorts ports;
  std::string config = openConfig(ports, 1);
  const std::string good = std::string("admin_key = \"") + kAdminKey + "\"";
  config.replace(config.find(good), good.size(), "admin_key = \"short-key\"");
  auto proxy = startProxy(config, ports.api);
  EXPECT_TRUE(eventually([&] {
    return proxy->stderrLog().find("server.admin_key is 9 characters long") != std::string::npos;
  })) << proxy->stderrLog();
}

TEST_F(HttpServer, ApiListenerDoesNotServeAdmin) {
  HttpClient c("127.0.0.1", ports_.api);
  EXPECT_EQ(c.get("/admin/v1/status", adminAuth()).status, 404);
}

}  // namespace
}  // namespace llmproxy::testing
