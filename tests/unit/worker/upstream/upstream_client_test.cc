// UpstreamClient against the in-process mock provider (plain and TLS) and a scripted raw server:
// framing, streaming, keep-alive pool, stale connections, TLS verification, connect failures,
// backpressure and cancellation. Real sockets; a uv loop runs in the test thread.
#include "worker/upstream/upstream_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "support/free_port.h"
#include "support/mock_provider/mock_provider.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"
#include "unit/worker/upstream/upstream_test_util.h"

namespace llmproxy::worker {
namespace {

using common::ErrorKind;
using llmproxy::testing::MockProvider;
using test::chatRequest;
using test::RawServer;
using test::Recorder;
using test::Request;
using namespace std::chrono_literals;

class UpstreamClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    ASSERT_TRUE(mock_.start()) << mock_.lastError();
  }

  void TearDown() override {
    client_.reset();
    // Every handle must be closed and freed: uv_loop_close fails otherwise.
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  UpstreamClient& client(UpstreamLimits limits = {}) {
    if (!client_) client_ = std::make_unique<UpstreamClient>(&loop_, limits);
    return *client_;
  }

  static OriginKey plainOrigin(uint16_t port) {
    OriginKey o;
    o.host = "127.0.0.1";
    o.port = port;
    return o;
  }

  // Starts `request` on `origin` and runs the loop until the call ends or fails.
  std::unique_ptr<UpstreamCall> runCall(const OriginKey& origin, Request& request, Recorder& rec,
                                        std::chrono::milliseconds connect_timeout = 5000ms) {
    auto call = client().start(origin, request.bufs(), &rec, connect_timeout);
    EXPECT_FALSE(rec.done());  // never synchronous
    EXPECT_TRUE(test::runUntil(&loop_, [&] { return rec.done(); }));
    return call;
  }

  uv_loop_t loop_;
  MockProvider mock_;
  std::unique_ptr<UpstreamClient> client_;
};

TEST_F(UpstreamClientTest, PlainNonStreamingResponse) {
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(mock_.port()), req, rec);
  ASSERT_FALSE(rec.error) << rec.error->detail;
  ASSERT_TRUE(rec.ended);
  EXPECT_EQ(rec.head->status, 200);
  EXPECT_FALSE(rec.head->chunked);
  ASSERT_TRUE(rec.head->content_length);
  EXPECT_EQ(*rec.head->content_length, rec.body.size());
  EXPECT_TRUE(rec.head->keep_alive);
  EXPECT_EQ(rec.header("content-type"), "application/json");
  EXPECT_NE(rec.body.find("chat.completion"), std::string::npos);
  EXPECT_FALSE(call->reused());
  auto recorded = mock_.lastRequest();
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->body, req.body);
}

TEST_F(UpstreamClientTest, SseStreamIsChunkedAndInOrder) {
  Request req = chatRequest(true, {{"x-mock-chunks", "7"}, {"x-mock-chunk-delay-ms", "5"}});
  Recorder rec;
  auto call = runCall(plainOrigin(mock_.port()), req, rec);
  ASSERT_FALSE(rec.error) << rec.error->detail;
  ASSERT_TRUE(rec.ended);
  EXPECT_TRUE(rec.head->chunked);
  EXPECT_FALSE(rec.head->content_length);
  EXPECT_EQ(rec.header("content-type"), "text/event-stream");
  EXPECT_GE(rec.slices, 2u);  // the events arrived over several reads
  // Chunked framing removed, events whole and in order, [DONE] last.
  EXPECT_EQ(rec.body.find("\r\n"), std::string::npos);
  size_t events = 0;
  for (size_t pos = 0; (pos = rec.body.find("data: ", pos)) != std::string::npos; ++pos) ++events;
  EXPECT_GE(events, 8u);
  EXPECT_TRUE(rec.body.ends_with("data: [DONE]\n\n")) << rec.body;
}

TEST_F(UpstreamClientTest, KeepAliveReusesOneConnection) {
  OriginKey origin = plainOrigin(mock_.port());
  for (int i = 0; i < 3; ++i) {
    Request req = chatRequest(i == 1);  // mixes content-length and chunked answers
    Recorder rec;
    auto call = runCall(origin, req, rec);
    ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
    EXPECT_EQ(call->reused(), i > 0);
    call.reset();  // back to the pool
    EXPECT_EQ(client().idleConnections(), 1u);
  }
  EXPECT_EQ(mock_.connectionsAccepted(), 1u);
  EXPECT_EQ(mock_.requestCount(), 3u);
}

TEST_F(UpstreamClientTest, ConcurrentCallsOpenConnectionsAndPoolCapsIdle) {
  UpstreamLimits limits;
  limits.max_idle_per_origin = 2;
  client(limits);
  OriginKey origin = plainOrigin(mock_.port());
  std::vector<Request> reqs;
  for (int i = 0; i < 5; ++i) reqs.push_back(chatRequest(true, {{"x-mock-chunks", "3"}}));
  std::vector<Recorder> recs(5);
  std::vector<std::unique_ptr<UpstreamCall>> calls;
  for (int i = 0; i < 5; ++i) calls.push_back(client().start(origin, reqs[i].bufs(), &recs[i], 5s));
  ASSERT_TRUE(test::runUntil(&loop_, [&] {
    for (auto& r : recs)
      if (!r.done()) return false;
    return true;
  }));
  for (auto& r : recs) EXPECT_TRUE(r.ended);
  EXPECT_EQ(mock_.connectionsAccepted(), 5u);
  calls.clear();
  EXPECT_EQ(client().idleConnections(), 2u);
  EXPECT_TRUE(test::runUntil(&loop_, [&] { return mock_.openConnections() == 2; }));
}

TEST_F(UpstreamClientTest, IdleConnectionsAreEvictedAfterIdleTimeout) {
  UpstreamLimits limits;
  limits.idle_timeout = 100ms;
  client(limits);
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(mock_.port()), req, rec);
  ASSERT_TRUE(rec.ended);
  call.reset();
  EXPECT_EQ(client().idleConnections(), 1u);
  EXPECT_TRUE(test::runUntil(
      &loop_, [&] { return client().idleConnections() == 0; }, 2s));
  EXPECT_TRUE(test::runUntil(
      &loop_, [&] { return mock_.openConnections() == 0; }, 2s));
}

// The provider closes a pooled connection while it is idle: the idle watch notices the close,
// drops the connection, and the next call transparently connects afresh (reused = false).
TEST_F(UpstreamClientTest, ServerClosingIdleConnectionIsNoticedAndNextCallConnectsAfresh) {
  uint16_t port = mock_.port();
  OriginKey origin = plainOrigin(port);
  {
    Request req = chatRequest(false);
    Recorder rec;
    auto call = runCall(origin, req, rec);
    ASSERT_TRUE(rec.ended);
  }
  EXPECT_EQ(client().idleConnections(), 1u);
  mock_.stop();  // closes every connection
  EXPECT_TRUE(test::runUntil(&loop_, [&] { return client().idleConnections() == 0; }));

  MockProvider::Options options;
  options.port = port;
  MockProvider second(options);
  ASSERT_TRUE(second.start()) << second.lastError();
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_FALSE(rec.error) << rec.error->detail;
  EXPECT_TRUE(rec.ended);
  EXPECT_FALSE(call->reused());
  EXPECT_EQ(second.connectionsAccepted(), 1u);
}

// The race the idle watch cannot catch: the server closes right as the request goes out on a
// pooled connection. The call fails with reused = true and response_started = false, which is
// the caller's signal to retry once on a fresh connection (the client itself never retries).
TEST_F(UpstreamClientTest, StalePooledConnectionReportsReusedSoCallerCanRetry) {
  const std::string ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
  RawServer server({{ok}, {"", false, true}, {ok}});
  OriginKey origin = plainOrigin(server.port());
  {
    Request req = chatRequest(false);
    Recorder rec;
    auto call = runCall(origin, req, rec);
    ASSERT_TRUE(rec.ended);
  }
  ASSERT_EQ(client().idleConnections(), 1u);
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_TRUE(rec.error_reused);
  EXPECT_FALSE(rec.error_started);
  EXPECT_TRUE(call->reused());
  call.reset();
  EXPECT_EQ(client().idleConnections(), 0u);

  // The caller's retry: a fresh connection.
  Recorder retry;
  auto again = runCall(origin, req, retry);
  ASSERT_TRUE(retry.ended) << (retry.error ? retry.error->detail : "");
  EXPECT_FALSE(again->reused());
  EXPECT_EQ(retry.body, "ok");
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamClientTest, InformationalResponsesAreSkipped) {
  RawServer server(
      {{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: x\r\n\r\n"
        "HTTP/1.1 201 Created\r\nx-a: 1\r\ncontent-length: 5\r\n\r\nhello"}});
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(server.port()), req, rec);
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
  EXPECT_EQ(rec.head->status, 201);
  ASSERT_EQ(rec.head->headers.size(), 2u);
  EXPECT_EQ(rec.header("x-a"), "1");
  EXPECT_EQ(rec.body, "hello");
}

TEST_F(UpstreamClientTest, ReadUntilCloseBodyIsCompleteButNotPooled) {
  RawServer server({{"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it", true}});
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(server.port()), req, rec);
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
  EXPECT_FALSE(rec.head->keep_alive);
  EXPECT_EQ(rec.body, "all of it");
  call.reset();
  EXPECT_EQ(client().idleConnections(), 0u);
}

TEST_F(UpstreamClientTest, ConnectionCloseHttp10AndStrayBytesAreNotPooled) {
  const std::vector<std::string> answers = {
      "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok",
      "HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok",
      "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokSTRAY",
  };
  for (const std::string& answer : answers) {
    RawServer server({{answer}});
    Request req = chatRequest(false);
    Recorder rec;
    auto call = runCall(plainOrigin(server.port()), req, rec);
    ASSERT_TRUE(rec.ended) << answer;
    EXPECT_EQ(rec.body, "ok");
    call.reset();
    EXPECT_EQ(client().idleConnections(), 0u) << answer;
  }
}

TEST_F(UpstreamClientTest, MalformedResponseIsProtocolError) {
  RawServer server({{"HTTX/1.1 200 OK\r\n\r\n"}});
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(server.port()), req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamProtocol);
  EXPECT_NE(rec.error->detail.find("malformed response"), std::string::npos) << rec.error->detail;
  EXPECT_TRUE(rec.error_started);
  EXPECT_FALSE(rec.error_reused);
}

TEST_F(UpstreamClientTest, ConnectionRefusedIsConnectError) {
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(llmproxy::testing::freeTcpPort()), req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamConnect);
  EXPECT_NE(rec.error->detail.find("connection refused"), std::string::npos) << rec.error->detail;
  EXPECT_FALSE(rec.error_started);
}

TEST_F(UpstreamClientTest, DnsFailureIsConnectError) {
  OriginKey origin;
  origin.host = "nonexistent.invalid";
  origin.port = 80;
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamConnect);
  EXPECT_NE(rec.error->detail.find("DNS lookup for nonexistent.invalid"), std::string::npos)
      << rec.error->detail;
  // The failure is cached briefly: a second call fails again without waiting.
  Recorder again;
  auto call2 = runCall(origin, req, again);
  ASSERT_TRUE(again.error);
  EXPECT_EQ(again.error->kind, ErrorKind::UpstreamConnect);
}

// A listener whose accept queue is full drops further SYNs, so a connect to it hangs. (This
// sandbox answers SYNs for "non-routable" addresses like 10.255.255.1, so those cannot be used.)
TEST_F(UpstreamClientTest, ConnectTimeoutIsTimeoutError) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(fd);
  }
  test::runFor(&loop_, 50ms);  // let the handshakes of the fillers settle into the queue

  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(ntohs(addr.sin_port)), req, rec, 200ms);
  for (int fd : fillers) ::close(fd);
  ::close(listener);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamTimeout) << rec.error->detail;
  EXPECT_NE(rec.error->detail.find("connect timeout after 200 ms (TCP connect"), std::string::npos)
      << rec.error->detail;
  EXPECT_FALSE(rec.error_started);
}

// The TLS handshake counts against connect_timeout too: a server that accepts and never answers.
TEST_F(UpstreamClientTest, TlsHandshakeStallIsTimeoutError) {
  RawServer server({});
  OriginKey origin = plainOrigin(server.port());
  origin.tls = true;
  origin.verify = false;
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec, 200ms);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamTimeout) << rec.error->detail;
  EXPECT_NE(rec.error->detail.find("TLS handshake"), std::string::npos) << rec.error->detail;
}

TEST_F(UpstreamClientTest, PauseHoldsSlicesAndResumeDeliversTheRestInOrder) {
  // Many small events in one write: several slices come out of one read, so the pause lands in
  // the middle of parsed-but-undelivered data as well as before unread socket data.
  Request req = chatRequest(true, {{"x-mock-chunks", "40"}, {"x-mock-chunk-delay-ms", "2"}});
  Recorder rec;
  UpstreamCall* raw = nullptr;
  rec.on_slice = [&](Recorder& r) {
    if (r.slices == 1) raw->pause();
  };
  auto call = client().start(plainOrigin(mock_.port()), req.bufs(), &rec, 5s);
  raw = call.get();
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return rec.slices >= 1 || rec.done(); }));
  ASSERT_EQ(rec.slices, 1u);
  test::runFor(&loop_, 200ms);
  EXPECT_EQ(rec.slices, 1u);  // nothing while paused
  EXPECT_FALSE(rec.done());
  call->resume();
  EXPECT_EQ(rec.slices, 1u);  // resume never delivers from inside itself
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return rec.done(); }));
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
  EXPECT_GT(rec.slices, 1u);
  EXPECT_TRUE(rec.body.ends_with("data: [DONE]\n\n"));
  // Every content event is there, in order.
  size_t events = 0;
  for (size_t pos = 0; (pos = rec.body.find("data: ", pos)) != std::string::npos; ++pos) ++events;
  EXPECT_GE(events, 41u);
  call.reset();
  EXPECT_EQ(client().idleConnections(), 1u);
}

TEST_F(UpstreamClientTest, DestroyingCallMidStreamClosesUpstreamConnection) {
  Request req = chatRequest(true, {{"x-mock-chunks", "100"}, {"x-mock-chunk-delay-ms", "20"}});
  Recorder rec;
  auto call = client().start(plainOrigin(mock_.port()), req.bufs(), &rec, 5s);
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return rec.slices >= 1; }));
  EXPECT_EQ(mock_.openConnections(), 1u);
  call.reset();
  EXPECT_TRUE(test::runUntil(&loop_, [&] { return mock_.openConnections() == 0; }));
  EXPECT_EQ(client().idleConnections(), 0u);
  EXPECT_FALSE(rec.done());
}

TEST_F(UpstreamClientTest, DestroyingCallWhileConnectingIsSafe) {
  Request req = chatRequest(false);
  Recorder rec;
  { auto call = client().start(plainOrigin(mock_.port()), req.bufs(), &rec, 5s); }
  OriginKey dns;
  dns.host = "localhost";
  dns.port = mock_.port();
  { auto call = client().start(dns, req.bufs(), &rec, 5s); }
  test::runFor(&loop_, 50ms);
  EXPECT_FALSE(rec.done());
}

TEST_F(UpstreamClientTest, ResetMidBodyIsProtocolErrorAfterResponseStarted) {
  Request req = chatRequest(true, {{"x-mock-chunks", "5"}, {"x-mock-reset-after", "2"}});
  Recorder rec;
  auto call = runCall(plainOrigin(mock_.port()), req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamProtocol) << rec.error->detail;
  EXPECT_TRUE(rec.error_started);
  EXPECT_FALSE(rec.error_reused);
  EXPECT_TRUE(rec.head.has_value());
  EXPECT_FALSE(rec.ended);
  call.reset();
  EXPECT_EQ(client().idleConnections(), 0u);
}

TEST_F(UpstreamClientTest, ResolvesHostNames) {
  OriginKey origin;
  origin.host = "localhost";  // may resolve to ::1 first: the client tries each address
  origin.port = mock_.port();
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
}

TEST_F(UpstreamClientTest, ClientDestroyedBeforeItsCallIsSafe) {
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(plainOrigin(mock_.port()), req, rec);
  ASSERT_TRUE(rec.ended);
  client_.reset();
  call.reset();  // the connection goes back to a pool that outlived its client
  test::runFor(&loop_, 10ms);
}

// --- TLS ----------------------------------------------------------------------------------------

class TlsUpstreamTest : public UpstreamClientTest {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    certs_ = llmproxy::testing::TestCerts::make(dir_.path());
    ASSERT_TRUE(certs_.ok) << certs_.error;
    MockProvider::Options options;
    options.tls = true;
    options.cert_file = certs_.cert_file;
    options.key_file = certs_.key_file;
    tls_mock_ = std::make_unique<MockProvider>(options);
    ASSERT_TRUE(tls_mock_->start()) << tls_mock_->lastError();
  }

  OriginKey tlsOrigin() const {
    OriginKey o;
    o.tls = true;
    o.host = "localhost";
    o.sni = "localhost";
    o.port = tls_mock_->port();
    o.ca_file = certs_.ca_file;
    return o;
  }

  llmproxy::testing::TempDir dir_;
  llmproxy::testing::TestCerts certs_;
  std::unique_ptr<MockProvider> tls_mock_;
};

TEST_F(TlsUpstreamTest, VerifiedAgainstTestCaStreamsAndReuses) {
  OriginKey origin = tlsOrigin();
  for (int i = 0; i < 2; ++i) {
    Request req = chatRequest(true, {{"x-mock-chunks", "6"}, {"x-mock-chunk-delay-ms", "2"}});
    Recorder rec;
    auto call = runCall(origin, req, rec);
    ASSERT_FALSE(rec.error) << rec.error->detail;
    ASSERT_TRUE(rec.ended);
    EXPECT_TRUE(rec.head->chunked);
    EXPECT_TRUE(rec.body.ends_with("data: [DONE]\n\n"));
    EXPECT_EQ(call->reused(), i == 1);
  }
  EXPECT_EQ(tls_mock_->connectionsAccepted(), 1u);
  EXPECT_EQ(tls_mock_->lastRequest()->sni, "localhost");
}

TEST_F(TlsUpstreamTest, NumericHostVerifiesIpSanWithoutSni) {
  OriginKey origin = tlsOrigin();
  origin.host = "127.0.0.1";
  origin.sni = "";
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
  EXPECT_EQ(tls_mock_->lastRequest()->sni, "");
}

TEST_F(TlsUpstreamTest, SystemCaRejectsTestCertificate) {
  OriginKey origin = tlsOrigin();
  origin.ca_file = "";
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamConnect);
  EXPECT_NE(rec.error->detail.find("certificate verify failed"), std::string::npos)
      << rec.error->detail;
  EXPECT_FALSE(rec.error_started);
}

TEST_F(TlsUpstreamTest, VerifyOffAcceptsAnyCertificate) {
  OriginKey origin = tlsOrigin();
  origin.ca_file = "";
  origin.verify = false;
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
  EXPECT_EQ(rec.head->status, 200);
}

TEST_F(TlsUpstreamTest, WrongHostNameIsRejected) {
  OriginKey origin = tlsOrigin();
  origin.host = "127.0.0.1";
  origin.sni = "api.wrong-name.test";
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamConnect);
  EXPECT_NE(rec.error->detail.find("certificate verify failed: hostname mismatch"),
            std::string::npos)
      << rec.error->detail;
}

TEST_F(TlsUpstreamTest, UnreadableCaFileIsConnectError) {
  OriginKey origin = tlsOrigin();
  origin.ca_file = dir_.file("missing.pem");
  Request req = chatRequest(false);
  Recorder rec;
  auto call = runCall(origin, req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamConnect);
  EXPECT_NE(rec.error->detail.find("ca_file"), std::string::npos) << rec.error->detail;
}

TEST_F(TlsUpstreamTest, PauseResumeOverTls) {
  Request req = chatRequest(true, {{"x-mock-chunks", "30"}, {"x-mock-chunk-delay-ms", "2"}});
  Recorder rec;
  UpstreamCall* raw = nullptr;
  rec.on_slice = [&](Recorder& r) {
    if (r.slices == 1) raw->pause();
  };
  auto call = client().start(tlsOrigin(), req.bufs(), &rec, 5s);
  raw = call.get();
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return rec.slices >= 1 || rec.done(); }));
  test::runFor(&loop_, 150ms);
  EXPECT_EQ(rec.slices, 1u);
  call->resume();
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return rec.done(); }));
  ASSERT_TRUE(rec.ended) << (rec.error ? rec.error->detail : "");
  EXPECT_TRUE(rec.body.ends_with("data: [DONE]\n\n"));
}

TEST_F(TlsUpstreamTest, ResetMidBodyOverTls) {
  Request req = chatRequest(true, {{"x-mock-chunks", "5"}, {"x-mock-reset-after", "2"}});
  Recorder rec;
  auto call = runCall(tlsOrigin(), req, rec);
  ASSERT_TRUE(rec.error);
  EXPECT_EQ(rec.error->kind, ErrorKind::UpstreamProtocol) << rec.error->detail;
  EXPECT_TRUE(rec.error_started);
}

}  // namespace
}  // namespace llmproxy::worker
