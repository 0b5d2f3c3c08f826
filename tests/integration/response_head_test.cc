// Relayed answers go through the same response writer as local ones: the Server header, the
// x-request-id, and HTTP/1.0 keep-alive (the second request on the same connection is answered).
#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

const std::string kBody = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
const std::string kStreamBody =
    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

std::string http10Post(const std::string& body, bool keep_alive, const std::string& rid) {
  return "POST /v1/chat/completions HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n" +
         std::string(keep_alive ? "Connection: keep-alive\r\n" : "") + "x-request-id: " + rid +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class ResponseHead : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start()) << mock_.lastError();
    proxy_ = startProxy(openConfig(ports_, 1, "", "\n[[provider]]\nid = \"a\"\n"
                                                  "type = \"openai-compatible\"\napi_base = \"" +
                                                      mock_.baseUrl() +
                                                      "/v1\"\napi_key = \"pk-a\"\n"
                                                      "models = [\"m\"]\n"),
                        ports_.api);
  }
  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(ResponseHead, Http10KeepAliveClientKeepsItsConnectionOnRelayedAnswers) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw(http10Post(kBody, true, "first")));
  const auto a = c.readResponse(std::chrono::seconds(10));
  ASSERT_EQ(a.status, 200) << a.error << a.body;
  EXPECT_EQ(a.header("connection"), "keep-alive");
  EXPECT_EQ(a.header("server"), "llmproxy");
  EXPECT_EQ(a.header("x-request-id"), "first");
  EXPECT_EQ(a.header("x-llmproxy-provider"), "a");
  EXPECT_EQ(a.header("content-length"), std::to_string(a.body.size()));

  ASSERT_TRUE(c.sendRaw(http10Post(kBody, true, "second")));
  const auto b = c.readResponse(std::chrono::seconds(10));
  ASSERT_EQ(b.status, 200) << b.error << b.body;
  EXPECT_EQ(b.header("x-request-id"), "second");
  EXPECT_EQ(c.connectionsOpened(), 1) << "the second request went on the same connection";
  EXPECT_EQ(mock_.requestCount(), 2u);
}

TEST_F(ResponseHead, Http10WithoutKeepAliveIsClosedAfterTheRelayedAnswer) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw(http10Post(kBody, false, "only")));
  const auto r = c.readResponse(std::chrono::seconds(10));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(r.header("server"), "llmproxy");
  EXPECT_TRUE(c.closedByPeer());
}

// HTTP/1.0 has no chunked encoding: a stream of unknown length ends with the connection.
TEST_F(ResponseHead, Http10StreamEndsWithTheConnection) {
  HttpClient c("127.0.0.1", ports_.api);
  ASSERT_TRUE(c.sendRaw(http10Post(kStreamBody, true, "stream")));
  const auto r = c.readResponse(std::chrono::seconds(10));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_FALSE(r.hasHeader("transfer-encoding"));
  EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos) << r.body;
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(ResponseHead, RelayedAndLocalAnswersCarryTheSameServerHeaders) {
  HttpClient c("127.0.0.1", ports_.api);
  const auto relayed = c.post("/v1/chat/completions", kBody,
                              {{"Content-Type", "application/json"}, {"x-request-id", "r1"}},
                              std::chrono::seconds(10));
  ASSERT_EQ(relayed.status, 200) << relayed.body;
  const auto local = c.get("/health", {{"x-request-id", "l1"}});
  ASSERT_EQ(local.status, 200);
  const auto stream = c.post("/v1/chat/completions", kStreamBody,
                             {{"Content-Type", "application/json"}, {"x-request-id", "s1"}},
                             std::chrono::seconds(10));
  ASSERT_EQ(stream.status, 200) << stream.body;
  EXPECT_EQ(stream.header("transfer-encoding"), "chunked");
  for (const auto* r : {&relayed, &local, &stream}) {
    EXPECT_EQ(r->header("server"), "llmproxy");
    EXPECT_FALSE(r->hasHeader("connection")) << "HTTP/1.1 keep-alive needs no header";
  }
  EXPECT_EQ(relayed.header("x-request-id"), "r1");
  EXPECT_EQ(local.header("x-request-id"), "l1");
  EXPECT_EQ(stream.header("x-request-id"), "s1");
  EXPECT_EQ(c.connectionsOpened(), 1);
}

}  // namespace
}  // namespace llmproxy::testing
