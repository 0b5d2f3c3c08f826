// The downstream HTTP/1.1 server: limits, timeouts, keep-alive, pipelining, error bodies.
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
  ASSERT_TRUE(c.sendRaw("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"));
  ASSERT_TRUE(c.sendRaw("01234"));
  ASSERT_TRUE(c.sendRaw("56789"));
  const auto r = c.readResponse();
  EXPECT_EQ(r.status, 200);
  const auto next = c.get("/health");
  EXPECT_EQ(next.status, 200) << "the connection stays usable after a fully read body";
  EXPECT_EQ(c.connectionsOpened(), 1);
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

TEST_F(HttpServer, ApiListenerDoesNotServeAdmin) {
  HttpClient c("127.0.0.1", ports_.api);
  EXPECT_EQ(c.get("/admin/v1/status", adminAuth()).status, 404);
}

}  // namespace
}  // namespace llmproxy::testing
