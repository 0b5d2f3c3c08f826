// Tests of the mock LLM provider: answers, scripting headers, recording, keep-alive, TLS, CLI.
#include "support/mock_provider/mock_provider.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "support/eventually.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

const std::string kChatBody =
    R"({"model":"gpt-test","messages":[{"role":"user","content":"Say hello to the tests"}]})";
const std::string kStreamBody =
    R"({"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},)"
    R"("messages":[{"role":"user","content":"Say hello"}]})";

// Parses JSON text, failing the test when it is not valid.
simdjson::dom::element parseJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
  return doc;
}

class MockProviderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(mock_.start()) << mock_.lastError(); }

  HttpClient client() { return HttpClient("127.0.0.1", mock_.port()); }

  // Reads every SSE event of the stream started on `client`.
  static std::vector<SseEvent> readAllEvents(HttpClient& client) {
    std::vector<SseEvent> events;
    while (auto event = client.readSseEvent(5s)) events.push_back(*event);
    return events;
  }

  MockProvider mock_;
  simdjson::dom::parser json_;
};

TEST_F(MockProviderTest, ChatCompletionEchoesModelWithUsage) {
  HttpResponse response = httpPost(mock_.port(), "/v1/chat/completions", kChatBody);
  ASSERT_TRUE(response.ok) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "application/json");
  auto doc = parseJson(json_, response.body);
  EXPECT_EQ(std::string_view(doc["model"]), "gpt-test");
  EXPECT_EQ(std::string_view(doc["object"]), "chat.completion");
  EXPECT_EQ(std::string_view(doc["choices"].at(0)["message"]["content"]),
            "Hello from the mock provider");
  int64_t prompt = doc["usage"]["prompt_tokens"];
  int64_t completion = doc["usage"]["completion_tokens"];
  EXPECT_GT(prompt, 0);
  EXPECT_EQ(completion, 5);
  EXPECT_EQ(int64_t(doc["usage"]["total_tokens"]), prompt + completion);
}

TEST_F(MockProviderTest, StreamSendsChunksUsageAndDone) {
  HttpClient http = client();
  HttpResponse head =
      http.startStream("POST", "/v1/chat/completions", {{"x-mock-chunks", "7"}}, kStreamBody);
  ASSERT_TRUE(head.ok) << head.error;
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-type"), "text/event-stream");
  EXPECT_EQ(head.header("transfer-encoding"), "chunked");
  std::vector<SseEvent> events = readAllEvents(http);
  EXPECT_TRUE(http.bodyComplete());
  ASSERT_EQ(events.size(), 9u);  // 7 content chunks, the usage chunk, [DONE]
  for (int i = 0; i < 7; ++i) {
    auto doc = parseJson(json_, events[i].data);
    EXPECT_EQ(std::string_view(doc["object"]), "chat.completion.chunk");
    EXPECT_EQ(std::string_view(doc["model"]), "gpt-test");
    EXPECT_EQ(doc["choices"].at(0)["finish_reason"].is_null(), i < 6);
  }
  auto usage = parseJson(json_, events[7].data);
  EXPECT_EQ(simdjson::dom::array(usage["choices"]).size(), 0u);
  EXPECT_EQ(int64_t(usage["usage"]["completion_tokens"]), 7);
  EXPECT_EQ(events[8].data, "[DONE]");
}

TEST_F(MockProviderTest, StreamWithoutIncludeUsageHasNoUsageChunk) {
  HttpClient http = client();
  ASSERT_TRUE(http.startStream("POST", "/v1/chat/completions", {},
                               R"({"model":"m","stream":true,"messages":[]})")
                  .ok);
  std::vector<SseEvent> events = readAllEvents(http);
  ASSERT_EQ(events.size(), 6u);  // default 5 chunks + [DONE]
  EXPECT_EQ(events.back().data, "[DONE]");
}

TEST_F(MockProviderTest, ContentHeaderIsSplitOverChunks) {
  HttpClient http = client();
  ASSERT_TRUE(http.startStream("POST", "/v1/chat/completions",
                               {{"x-mock-content", "abcdefghij"}, {"x-mock-chunks", "3"}},
                               kStreamBody)
                  .ok);
  std::string text;
  int content_events = 0;
  for (const SseEvent& event : readAllEvents(http)) {
    if (event.data == "[DONE]") continue;
    auto doc = parseJson(json_, event.data);
    simdjson::dom::array choices = doc["choices"];
    if (choices.size() == 0) continue;
    ++content_events;
    text += std::string_view(choices.at(0)["delta"]["content"]);
  }
  EXPECT_EQ(content_events, 3);
  EXPECT_EQ(text, "abcdefghij");
}

TEST_F(MockProviderTest, ScriptedStatusAnswersOpenAiError) {
  HttpResponse limited = httpPost(mock_.port(), "/v1/chat/completions", kChatBody,
                                  {{"x-mock-status", "429"}, {"x-mock-retry-after", "2"}});
  ASSERT_TRUE(limited.ok) << limited.error;
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "2");
  auto doc = parseJson(json_, limited.body);
  EXPECT_EQ(std::string_view(doc["error"]["type"]), "rate_limit_error");
  EXPECT_FALSE(std::string_view(doc["error"]["message"]).empty());

  HttpResponse failed =
      httpPost(mock_.port(), "/v1/chat/completions", kStreamBody, {{"x-mock-status", "500"}});
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(std::string_view(parseJson(json_, failed.body)["error"]["type"]), "server_error");
}

TEST_F(MockProviderTest, RecordsWhatItReceived) {
  HttpResponse response = httpPost(mock_.port(), "/v1/chat/completions?trace=1", kChatBody,
                                   {{"Authorization", "Bearer sk-upstream"}});
  ASSERT_TRUE(response.ok);
  EXPECT_EQ(mock_.requestCount(), 1u);
  std::vector<RecordedRequest> seen = mock_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/v1/chat/completions?trace=1");
  EXPECT_EQ(seen[0].header("authorization"), "Bearer sk-upstream");
  EXPECT_EQ(seen[0].body, kChatBody);
  EXPECT_EQ(seen[0].sequence, 1u);
  EXPECT_EQ(std::to_string(seen[0].connection_id), response.header("x-mock-connection-id"));
  EXPECT_EQ(mock_.lastRequest()->path, seen[0].path);
}

TEST_F(MockProviderTest, KeepAliveReusesOneConnection) {
  HttpClient http = client();
  for (int i = 0; i < 3; ++i) {
    HttpResponse response = http.post("/v1/chat/completions", kChatBody);
    ASSERT_TRUE(response.ok) << response.error;
    EXPECT_EQ(response.status, 200);
  }
  EXPECT_EQ(http.connectionsOpened(), 1);
  EXPECT_EQ(mock_.connectionsAccepted(), 1u);
  EXPECT_EQ(mock_.openConnections(), 1u);
  std::vector<RecordedRequest> seen = mock_.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].connection_id, seen[2].connection_id);
}

TEST_F(MockProviderTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpClient http = client();
  const std::string first =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-mock-delay-ms: 30\r\n"
      "Content-Length: " +
      std::to_string(kChatBody.size()) + "\r\n\r\n" + kChatBody;
  const std::string second = "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(http.sendRaw(first + second));
  HttpResponse one = http.readResponse();
  HttpResponse two = http.readResponse();
  ASSERT_TRUE(one.ok && two.ok) << one.error << " / " << two.error;
  EXPECT_NE(one.body.find("chat.completion"), std::string::npos);
  EXPECT_NE(two.body.find("\"object\":\"list\""), std::string::npos);
  EXPECT_EQ(mock_.connectionsAccepted(), 1u);
}

TEST_F(MockProviderTest, ConnectionCloseIsHonoured) {
  HttpClient http = client();
  HttpResponse response = http.post("/v1/chat/completions", kChatBody, {{"Connection", "close"}});
  ASSERT_TRUE(response.ok) << response.error;
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_TRUE(eventually([&] { return mock_.openConnections() == 0; }));
}

TEST_F(MockProviderTest, ResetAfterChunksBreaksTheStream) {
  HttpClient http = client();
  ASSERT_TRUE(http.startStream("POST", "/v1/chat/completions",
                               {{"x-mock-chunks", "10"}, {"x-mock-reset-after", "2"}}, kStreamBody)
                  .ok);
  std::vector<SseEvent> events = readAllEvents(http);
  EXPECT_EQ(events.size(), 2u);
  EXPECT_FALSE(http.bodyComplete());
  EXPECT_FALSE(http.timedOut());
  EXPECT_EQ(mock_.resetsSent(), 1u);
}

TEST_F(MockProviderTest, ResetBeforeHeadFailsTheRequest) {
  HttpResponse response =
      httpPost(mock_.port(), "/v1/chat/completions", kChatBody, {{"x-mock-reset-after", "0"}});
  EXPECT_FALSE(response.ok);
  EXPECT_EQ(mock_.requestCount(), 1u);
}

TEST_F(MockProviderTest, TtftHoldsTheBodyAfterTheHead) {
  HttpClient http = client();
  HttpResponse head =
      http.startStream("POST", "/v1/chat/completions", {{"x-mock-ttft-ms", "400"}}, kStreamBody);
  ASSERT_TRUE(head.ok) << head.error;
  EXPECT_FALSE(http.readChunk(10ms).has_value());
  EXPECT_TRUE(http.timedOut());
  EXPECT_EQ(readAllEvents(http).size(), 7u);
}

TEST_F(MockProviderTest, ClientGoneMidStreamIsCounted) {
  {
    HttpClient http = client();
    ASSERT_TRUE(http.startStream("POST", "/v1/chat/completions",
                                 {{"x-mock-chunks", "1000"}, {"x-mock-chunk-delay-ms", "20"}},
                                 kStreamBody)
                    .ok);
    ASSERT_TRUE(http.readSseEvent());
  }
  EXPECT_TRUE(
      eventually([&] { return mock_.clientAborts() == 1 && mock_.openConnections() == 0; }));
}

TEST_F(MockProviderTest, SlowReaderFillsTheSendQueue) {
  HttpClientOptions options;
  options.receive_buffer = 4096;
  HttpClient http("127.0.0.1", mock_.port(), options);
  ASSERT_TRUE(http.startStream("POST", "/v1/chat/completions",
                               {{"x-mock-chunks", "100000"}, {"x-mock-chunk-bytes", "1000"}},
                               kStreamBody)
                  .ok);
  EXPECT_TRUE(eventually([&] { return mock_.backpressureWaits() >= 1; }));
  // Reading resumes the stream: more events keep coming.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(http.readSseEvent());
}

TEST_F(MockProviderTest, BodyBytesPadsTheAnswer) {
  HttpResponse response =
      httpPost(mock_.port(), "/v1/chat/completions", kChatBody, {{"x-mock-body-bytes", "5000"}});
  ASSERT_TRUE(response.ok);
  EXPECT_GE(response.body.size(), 4990u);
  EXPECT_LE(response.body.size(), 5010u);
  parseJson(json_, response.body);
}

TEST_F(MockProviderTest, OtherEndpointsAndPathPrefixes) {
  HttpResponse azure =
      httpPost(mock_.port(), "/openai/deployments/dep-1/chat/completions?api-version=2024-06-01",
               R"({"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(azure.ok);
  EXPECT_EQ(std::string_view(parseJson(json_, azure.body)["model"]), "dep-1");

  HttpResponse legacy =
      httpPost(mock_.port(), "/completions", R"({"model":"davinci","prompt":"once upon"})");
  EXPECT_EQ(std::string_view(parseJson(json_, legacy.body)["object"]), "text_completion");

  HttpResponse embeddings =
      httpPost(mock_.port(), "/v1/embeddings", R"({"model":"emb","input":["a","b","c"]})");
  auto doc = parseJson(json_, embeddings.body);
  EXPECT_EQ(simdjson::dom::array(doc["data"]).size(), 3u);
  EXPECT_EQ(std::string_view(doc["model"]), "emb");

  HttpResponse models = httpGet(mock_.port(), "/v1/models");
  EXPECT_EQ(std::string_view(parseJson(json_, models.body)["data"].at(0)["id"]), "mock-model");

  EXPECT_EQ(httpGet(mock_.port(), "/v1/nothing").status, 404);
  EXPECT_EQ(httpGet(mock_.port(), "/v1/chat/completions").status, 405);
  EXPECT_EQ(httpPost(mock_.port(), "/v1/chat/completions", "not json").status, 400);
}

TEST_F(MockProviderTest, AnthropicMessagesStream) {
  HttpClient http = client();
  ASSERT_TRUE(http.startStream("POST", "/v1/messages",
                               {{"x-mock-chunks", "2"},
                                {"x-api-key", "sk-ant"},
                                {"anthropic-version", "2023-06-01"}},
                               R"({"model":"claude-x","stream":true,"max_tokens":10,)"
                               R"("messages":[{"role":"user","content":"hi"}]})")
                  .ok);
  std::vector<std::string> types;
  for (const SseEvent& event : readAllEvents(http)) types.push_back(event.event);
  EXPECT_EQ(types,
            (std::vector<std::string>{"message_start", "ping", "content_block_start",
                                      "content_block_delta", "content_block_delta",
                                      "content_block_stop", "message_delta", "message_stop"}));
  HttpResponse error =
      httpPost(mock_.port(), "/v1/messages", R"({"model":"c"})", {{"x-mock-status", "529"}});
  EXPECT_EQ(std::string_view(parseJson(json_, error.body)["error"]["type"]), "overloaded_error");
}

TEST_F(MockProviderTest, ControlEndpoints) {
  ASSERT_TRUE(httpPost(mock_.port(), "/v1/chat/completions", kChatBody).ok);
  auto stats = parseJson(json_, httpGet(mock_.port(), "/__mock/stats").body);
  EXPECT_EQ(int64_t(stats["requests"]), 1);
  EXPECT_GE(int64_t(stats["connections"]), 1);
  auto recorded = parseJson(json_, httpGet(mock_.port(), "/__mock/requests").body);
  ASSERT_EQ(simdjson::dom::array(recorded).size(), 1u);
  EXPECT_EQ(std::string_view(recorded.at(0)["path"]), "/v1/chat/completions");
  EXPECT_EQ(std::string_view(recorded.at(0)["body"]), kChatBody);

  ASSERT_EQ(httpPost(mock_.port(), "/__mock/behaviour", R"({"status":503})").status, 200);
  EXPECT_EQ(httpPost(mock_.port(), "/v1/chat/completions", kChatBody).status, 503);
  ASSERT_EQ(httpPost(mock_.port(), "/__mock/reset", "").status, 200);
  EXPECT_EQ(mock_.requestCount(), 0u);
  EXPECT_TRUE(mock_.requests().empty());
  EXPECT_EQ(httpPost(mock_.port(), "/v1/chat/completions", kChatBody).status, 200);

  MockBehaviour slow = mock_.defaults();
  slow.status = 502;
  mock_.setDefaults(slow);
  EXPECT_EQ(httpPost(mock_.port(), "/v1/chat/completions", kChatBody).status, 502);
}

TEST(MockProviderLifecycle, StopClosesOpenConnections) {
  MockProvider mock;
  ASSERT_TRUE(mock.start());
  HttpClient http("127.0.0.1", mock.port());
  ASSERT_TRUE(http.startStream("POST", "/v1/chat/completions",
                               {{"x-mock-chunks", "100"}, {"x-mock-chunk-delay-ms", "50"}},
                               kStreamBody)
                  .ok);
  mock.stop();
  EXPECT_TRUE(http.closedByPeer(2s));
  MockProvider::Options taken;
  taken.port = mock.port();
  MockProvider second(taken);
  EXPECT_TRUE(second.start()) << second.lastError();
}

class MockProviderTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = TestCerts::make(dir_.path());
    ASSERT_TRUE(certs_.ok) << certs_.error;
    MockProvider::Options options;
    options.tls = true;
    options.cert_file = certs_.cert_file;
    options.key_file = certs_.key_file;
    mock_ = std::make_unique<MockProvider>(options);
    ASSERT_TRUE(mock_->start()) << mock_->lastError();
  }

  TempDir dir_;
  TestCerts certs_;
  std::unique_ptr<MockProvider> mock_;
};

TEST_F(MockProviderTlsTest, VerifiedHandshakeByNameAndIp) {
  for (const char* name : {"localhost", "127.0.0.1"}) {
    HttpClientOptions options;
    options.tls = true;
    options.ca_file = certs_.ca_file;
    options.server_name = name;
    HttpClient http("127.0.0.1", mock_->port(), options);
    for (int i = 0; i < 2; ++i) {
      HttpResponse response = http.post("/v1/chat/completions", kChatBody);
      ASSERT_TRUE(response.ok) << name << ": " << response.error;
      EXPECT_EQ(response.status, 200);
    }
    EXPECT_EQ(http.connectionsOpened(), 1);
  }
  std::vector<RecordedRequest> seen = mock_->requests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].sni, "localhost");
  EXPECT_EQ(seen[2].sni, "");  // no SNI for an IP address
}

TEST_F(MockProviderTlsTest, StreamsOverTls) {
  HttpClientOptions options;
  options.tls = true;
  options.ca_file = certs_.ca_file;
  options.server_name = "localhost";
  HttpClient http("127.0.0.1", mock_->port(), options);
  ASSERT_TRUE(
      http.startStream("POST", "/v1/chat/completions", {{"x-mock-chunks", "20"}}, kStreamBody).ok);
  int events = 0;
  while (http.readSseEvent(5s)) ++events;
  EXPECT_EQ(events, 22);
  EXPECT_TRUE(http.bodyComplete());
}

TEST_F(MockProviderTlsTest, UntrustedCertificateIsRejected) {
  TempDir other;
  TestCerts stranger = TestCerts::make(other.path());
  ASSERT_TRUE(stranger.ok);
  HttpClientOptions options;
  options.tls = true;
  options.ca_file = stranger.ca_file;
  options.server_name = "localhost";
  HttpClient http("127.0.0.1", mock_->port(), options);
  HttpResponse response = http.get("/v1/models");
  EXPECT_FALSE(response.ok);
  EXPECT_NE(response.error.find("tls"), std::string::npos) << response.error;

  options.ca_file = certs_.ca_file;
  options.server_name = "example.com";
  HttpClient wrong_name("127.0.0.1", mock_->port(), options);
  EXPECT_FALSE(wrong_name.get("/v1/models").ok);
}

// The standalone binary: --port 0 with --port-file, answers, exits 0 on SIGTERM.
TEST(MockProviderCli, ServesUntilSigterm) {
#ifdef LLMPROXY_MOCK_BINARY
  const std::string binary = LLMPROXY_MOCK_BINARY;
#else
  const std::string binary;
#endif
  if (binary.empty() || !std::filesystem::exists(binary)) GTEST_SKIP() << "llmproxy-mock not built";
  for (const char* workers : {"1", "2"}) {
    TempDir dir;
    const std::string port_file = dir.file("port");
    const std::string log_file = dir.file("log");
    pid_t pid = fork();
    if (pid == 0) {
      FILE* log = std::freopen(log_file.c_str(), "w", stdout);
      (void)log;
      execl(binary.c_str(), binary.c_str(), "--port", "0", "--port-file", port_file.c_str(),
            "--workers", workers, "--chunks", "3", static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(eventually([&] { return !dir.read("port").empty(); }));
    const uint16_t port = static_cast<uint16_t>(std::stoi(dir.read("port")));
    EXPECT_NE(dir.read("log").find("llmproxy-mock listening on 127.0.0.1:" + std::to_string(port)),
              std::string::npos);
    for (int i = 0; i < 4; ++i) {
      HttpResponse response = httpPost(port, "/v1/chat/completions", kChatBody);
      ASSERT_TRUE(response.ok) << response.error;
      EXPECT_NE(response.body.find("\"completion_tokens\":3"), std::string::npos);
    }
    kill(pid, SIGTERM);
    int status = 0;
    ASSERT_TRUE(eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
}

}  // namespace
}  // namespace llmproxy::testing
