// The proxy pipeline end to end: keys, routing, mapping, upstream, streaming, failover.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"
#include "support/test_certs.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kClientKey = "sk-client-test-1";
constexpr const char* kLimitedKey = "sk-client-limited";

Headers clientAuth(const char* key = kClientKey) {
  return {{"Authorization", std::string("Bearer ") + key}, {"Content-Type", "application/json"}};
}

std::string provider(const std::string& id, const std::string& base, const std::string& extra) {
  return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"openai-compatible\"\napi_base = \"" +
         base + "/v1\"\napi_key = \"pk-" + id + "\"\n" + extra;
}

std::string keys() {
  return std::string("\n[[key]]\nname = \"test\"\nkey = \"") + kClientKey +
         "\"\n\n[[key]]\nname = \"limited\"\nkey = \"" + kLimitedKey +
         "\"\nallowed_models = [\"gpt-4o*\"]\n";
}

std::string chatBody(const std::string& model, bool stream = false) {
  return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" +
         (stream ? ",\"stream\":true" : "") + "}";
}

std::string serverConfig(const ProxyPorts& ports, int workers, const std::string& server_extra,
                         const std::string& rest) {
  return baseConfig(ports, workers, server_extra, rest + keys());
}

class Proxy : public ::testing::Test {
 protected:
  void startMocks(int n) {
    for (int i = 0; i < n; ++i) {
      mocks_.push_back(std::make_unique<MockProvider>());
      ASSERT_TRUE(mocks_.back()->start()) << mocks_.back()->lastError();
    }
  }
  void startProxy(const std::string& providers, int workers = 1,
                  const std::string& server_extra = "") {
    proxy_ = ::llmproxy::testing::startProxy(
        serverConfig(ports_, workers, server_extra, providers), ports_.api);
  }
  HttpResponse chat(const std::string& model, Headers extra = {}, const char* key = kClientKey) {
    HttpClient c("127.0.0.1", ports_.api);
    Headers h = clientAuth(key);
    h.insert(h.end(), extra.begin(), extra.end());
    return c.post("/v1/chat/completions", chatBody(model), h, std::chrono::seconds(10));
  }
  ProxyPorts ports_;
  std::vector<std::unique_ptr<MockProvider>> mocks_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(Proxy, ChatCompletionForwardsProviderKeyNotClientKey) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"gpt-4o\"]\n"));
  const auto r = chat("gpt-4o", {{"x-request-id", "rid-42"}, {"x-custom", "kept"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"model\":\"gpt-4o\""), std::string::npos) << r.body;
  EXPECT_EQ(r.header("x-request-id"), "rid-42");
  EXPECT_EQ(r.header("x-llmproxy-provider"), "a");
  const std::string overhead = r.header("x-llmproxy-overhead-us");
  ASSERT_FALSE(overhead.empty());
  EXPECT_LT(std::stol(overhead), 10'000'000) << "microseconds inside the proxy";
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/v1/chat/completions");
  EXPECT_EQ(seen->header("authorization"), "Bearer pk-a");
  EXPECT_EQ(seen->header("x-request-id"), "rid-42");
  EXPECT_EQ(seen->header("x-custom"), "kept");
  for (const auto& [k, v] : seen->headers) EXPECT_EQ(v.find(kClientKey), std::string::npos) << k;
  EXPECT_EQ(proxy_->stderrLog().find(kClientKey), std::string::npos);
  EXPECT_EQ(proxy_->stderrLog().find("pk-a"), std::string::npos);
}

TEST_F(Proxy, AuthErrors) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"gpt-4o\", \"other\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  const auto none = c.post("/v1/chat/completions", chatBody("gpt-4o"));
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("\"code\":\"invalid_api_key\""), std::string::npos) << none.body;
  EXPECT_EQ(chat("gpt-4o", {}, "sk-wrong").status, 401);
  const auto xkey = c.post("/v1/chat/completions", chatBody("gpt-4o"), {{"x-api-key", kClientKey}});
  EXPECT_EQ(xkey.status, 200) << xkey.body;
  const auto limited = chat("other", {}, kLimitedKey);
  EXPECT_EQ(limited.status, 403);
  EXPECT_NE(limited.body.find("\"code\":\"model_not_allowed\""), std::string::npos);
  EXPECT_EQ(chat("gpt-4o", {}, kLimitedKey).status, 200);
  const auto unknown = chat("no-such-model");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("\"code\":\"model_not_found\""), std::string::npos);
  const auto bad = c.post("/v1/chat/completions", "{not json", clientAuth());
  EXPECT_EQ(bad.status, 400);
  const auto missing = c.post("/v1/chat/completions", "{\"messages\":[]}", clientAuth());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(mocks_[0]->requestCount(), 2u) << "only the two allowed requests went upstream";
}

TEST_F(Proxy, ModelsListsExactNames) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(),
                      "models = [\"gpt-4o\", \"zeta\"]\nmodel_mapping = { \"gpt-4\" = \"gpt-4o\", "
                      "\"gemini-*\" = \"g\" }\n"));
  HttpClient c("127.0.0.1", ports_.api);
  const auto r = c.get("/v1/models", clientAuth());
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("{\"object\":\"list\",\"data\":["), std::string::npos) << r.body;
  for (const char* m : {"\"gpt-4o\"", "\"zeta\"", "\"gpt-4\""})
    EXPECT_NE(r.body.find(m), std::string::npos) << m << r.body;
  EXPECT_EQ(r.body.find("gemini"), std::string::npos) << "patterns are not listed";
  const auto limited = c.get("/models", clientAuth(kLimitedKey));
  EXPECT_EQ(limited.body.find("zeta"), std::string::npos) << limited.body;
  EXPECT_EQ(c.get("/v1/models").status, 401);
}

TEST_F(Proxy, MappingExactGlobRegexPriorityAndPrefix) {
  startMocks(3);
  startProxy(provider("exact", mocks_[0]->baseUrl(), "model_mapping = { \"gpt-4\" = \"gpt-4-turbo\" }\n") +
                 provider("glob", mocks_[1]->baseUrl(), "model_mapping = { \"gpt-*\" = \"glob-target\" }\n") +
                 provider("regex", mocks_[2]->baseUrl(),
                          "model_mapping = { \"claude-opus-4-5-.*\" = \"claude-mapped\" }\n"),
             1, "provider_prefix = \"Proxy/\"\n");
  auto modelSent = [&](size_t mock) {
    const auto last = mocks_[mock]->lastRequest();
    if (!last) return std::string();
    const auto at = last->body.find("\"model\":\"");
    return last->body.substr(at + 9, last->body.find('"', at + 9) - at - 9);
  };
  ASSERT_EQ(chat("gpt-4").status, 200);
  EXPECT_EQ(modelSent(0), "gpt-4-turbo") << "exact beats the glob";
  ASSERT_EQ(chat("gpt-3.5").status, 200);
  EXPECT_EQ(modelSent(1), "glob-target");
  ASSERT_EQ(chat("claude-opus-4-5-20251101").status, 200);
  EXPECT_EQ(modelSent(2), "claude-mapped");
  ASSERT_EQ(chat("Proxy/gpt-4").status, 200);
  EXPECT_EQ(mocks_[0]->requestCount(), 2u) << "prefix stripped";
  EXPECT_EQ(chat("claude-opus-4-6").status, 404);
}

TEST_F(Proxy, WeightedSplitThreeToOne) {
  startMocks(2);
  startProxy(provider("heavy", mocks_[0]->baseUrl(), "weight = 3\nmodels = [\"m\"]\n") +
             provider("light", mocks_[1]->baseUrl(), "weight = 1\nmodels = [\"m\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  for (int i = 0; i < 400; ++i)
    ASSERT_EQ(c.post("/v1/chat/completions", chatBody("m"), clientAuth()).status, 200);
  const double heavy = static_cast<double>(mocks_[0]->requestCount());
  EXPECT_NEAR(heavy / 400.0, 0.75, 0.075);
  EXPECT_EQ(mocks_[0]->requestCount() + mocks_[1]->requestCount(), 400u);
  EXPECT_EQ(mocks_[0]->connectionsAccepted(), 1u) << "upstream keep-alive";
}

TEST_F(Proxy, StreamingIsRelayedIncrementally) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  Headers h = clientAuth();
  h.emplace_back("x-mock-chunks", "4");
  h.emplace_back("x-mock-chunk-delay-ms", "400");
  const auto head = c.startStream("POST", "/v1/chat/completions", h, chatBody("m", true));
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-type").rfind("text/event-stream", 0), 0u);
  const auto first = c.readSseEvent(std::chrono::seconds(5));
  ASSERT_TRUE(first);
  EXPECT_NE(first->data.find("chat.completion.chunk"), std::string::npos);
  EXPECT_LT(mocks_[0]->requestCount() == 1 ? 0 : 1, 1);
  EXPECT_FALSE(c.bodyComplete()) << "the first event arrived while the mock was still streaming";
  int events = 1;
  bool done = false;
  while (auto e = c.readSseEvent(std::chrono::seconds(5))) {
    ++events;
    if (e->data == "[DONE]") done = true;
  }
  EXPECT_TRUE(done);
  EXPECT_GE(events, 5);
  EXPECT_TRUE(c.bodyComplete());
}

// Each way the preferred provider can fail sends the request on to the other one. Between two
// failures a success on "first" clears its failure count, so it never cools down here and every
// step really tries it first.
TEST_F(Proxy, FailoverOn500And429AndRefusedAndTtftStall) {
  startMocks(2);
  startProxy(provider("first", mocks_[0]->baseUrl(), "models = [\"m\"]\nweight = 1000\n") +
                 provider("second", mocks_[1]->baseUrl(), "models = [\"m\"]\nweight = 1\n"),
             1, "ttft_timeout = \"500ms\"\n");
  auto r = chat("m", {{"x-mock-status", "500"}});
  EXPECT_EQ(r.status, 500) << "both providers got the header: the last answer passes through";
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
  EXPECT_EQ(mocks_[1]->requestCount(), 1u);

  // "first" answers normally again, and answers this request itself.
  const auto healFirst = [&] {
    mocks_[0]->reset();
    const auto ok = chat("m");
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.header("x-llmproxy-provider"), "first");
  };
  // "first" gets the request, fails it as `failing` says, and "second" answers.
  const auto failsOver = [&](const MockBehaviour& failing, const char* what) {
    healFirst();
    mocks_[0]->setDefaults(failing);
    const uint64_t first_before = mocks_[0]->requestCount();
    const uint64_t second_before = mocks_[1]->requestCount();
    const auto res = chat("m");
    EXPECT_EQ(res.status, 200) << what << ": " << res.body;
    EXPECT_EQ(res.header("x-llmproxy-provider"), "second") << what;
    EXPECT_EQ(mocks_[0]->requestCount(), first_before + 1) << what << ": \"first\" was tried";
    EXPECT_EQ(mocks_[1]->requestCount(), second_before + 1) << what;
  };
  MockBehaviour failing;
  failing.status = 500;
  failsOver(failing, "500");
  failing.status = 429;
  failsOver(failing, "429");
  failing = MockBehaviour{};
  failing.ttft_ms = 3000;
  failsOver(failing, "TTFT stall");
  EXPECT_TRUE(eventually([&] {
    return proxy_->stderrLog().find("\"first\" sent nothing within ttft_timeout") !=
           std::string::npos;
  }))
      << proxy_->stderrLog();

  // Refused: nothing listens on "first"'s port any more.
  healFirst();
  const uint16_t first_port = mocks_[0]->port();
  mocks_[0]->stop();
  const uint64_t second_before = mocks_[1]->requestCount();
  r = chat("m");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-provider"), "second");
  EXPECT_EQ(mocks_[1]->requestCount(), second_before + 1);
  // Counted against "first" as a failure without an HTTP status, and logged as the refusal.
  const std::string health = getOnce(ports_.admin, "/health/detailed", adminAuth()).body;
  const auto at = health.find("{\"id\":\"first\"");
  ASSERT_NE(at, std::string::npos) << health;
  const std::string first = health.substr(at, health.find('}', at) - at);
  EXPECT_NE(first.find("\"failures_in_window\":1,"), std::string::npos) << first;
  EXPECT_NE(first.find("\"last_failure_status\":0"), std::string::npos) << first;
  const std::string refused =
      "connect to 127.0.0.1:" + std::to_string(first_port) + ": connection refused";
  EXPECT_TRUE(eventually([&] { return proxy_->stderrLog().find(refused) != std::string::npos; }))
      << proxy_->stderrLog();
}

TEST_F(Proxy, ConnectRefusedFailsOverAndCoolsDownAcrossWorkers) {
  startMocks(1);
  const uint16_t dead = freeTcpPort();
  // fail_timeout well beyond the test's run: the cool-down must not end while it counts.
  startProxy(provider("dead", "http://127.0.0.1:" + std::to_string(dead),
                      "models = [\"m\"]\nweight = 1000\nfail_timeout = \"5m\"\n") +
                 provider("alive", mocks_[0]->baseUrl(), "models = [\"m\"]\n"),
             2);
  for (int i = 0; i < 6; ++i) {
    const auto r = getOnce(ports_.api, "/health");
    ASSERT_EQ(r.status, 200);
    const auto c = chat("m");
    EXPECT_EQ(c.status, 200) << c.body;
    EXPECT_EQ(c.header("x-llmproxy-provider"), "alive");
  }
  // After three failures the dead provider cools down for every worker: no more warnings.
  const auto log_before = proxy_->stderrLog();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(chat("m").status, 200);
  const auto log_after = proxy_->stderrLog();
  size_t warn_before = 0, warn_after = 0;
  for (size_t at = 0; (at = log_before.find("\"dead\" failed", at)) != std::string::npos; ++at) ++warn_before;
  for (size_t at = 0; (at = log_after.find("\"dead\" failed", at)) != std::string::npos; ++at) ++warn_after;
  EXPECT_EQ(warn_before, warn_after) << "cooling provider not tried while another is healthy";
  EXPECT_GE(warn_before, 3u);
  const auto detailed = getOnce(ports_.admin, "/health/detailed", adminAuth());
  ASSERT_EQ(detailed.status, 200);
  EXPECT_NE(detailed.body.find("\"id\":\"dead\",\"enabled\":true,\"state\":\"cooling_down\""),
            std::string::npos)
      << detailed.body;
  EXPECT_NE(detailed.body.find("\"id\":\"alive\",\"enabled\":true,\"state\":\"healthy\""),
            std::string::npos)
      << detailed.body;
  EXPECT_EQ(detailed.body.find("pk-"), std::string::npos) << "no provider keys";
}

TEST_F(Proxy, AHostileModelNameCannotBreakTheAccessLog) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  const std::string hostile = "evil\\nforged 200 line \\\"x\\\" " + std::string(5000, 'y');
  const auto r = chat(hostile, {{"x-request-id", "hostile-model-1"}});
  EXPECT_EQ(r.status, 404) << r.body;
  std::string line;
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(proxy_->tempDir().file("access.log"));
    for (std::string l; std::getline(in, l);)
      if (l.find("hostile-model-1") != std::string::npos) line = l;
    return !line.empty();
  })) << "no access-log line";
  EXPECT_NE(line.find("evil\\x0aforged\\x20200"), std::string::npos) << line;
  EXPECT_NE(line.find("..."), std::string::npos) << "capped";
  EXPECT_LT(line.size(), 1000u) << line;
  std::ifstream in(proxy_->tempDir().file("access.log"));
  for (std::string l; std::getline(in, l);) EXPECT_FALSE(l.starts_with("forged")) << l;
}

TEST_F(Proxy, AFailedProviderIsNamedToTheClientWithoutItsAddress) {
  const uint16_t dead = freeTcpPort();
  startProxy(provider("down", "http://127.0.0.1:" + std::to_string(dead), "models = [\"m\"]\n"));
  const auto r = chat("m");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("Provider \\\"down\\\" could not be reached"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("refused"), std::string::npos) << r.body;
  // The detail is in the error log.
  EXPECT_TRUE(eventually([&] {
    return proxy_->stderrLog().find("127.0.0.1:" + std::to_string(dead) + ": connection refused") !=
           std::string::npos;
  })) << proxy_->stderrLog();
}

TEST_F(Proxy, ClientAbortClosesUpstream) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  {
    HttpClient c("127.0.0.1", ports_.api);
    Headers h = clientAuth();
    h.emplace_back("x-mock-chunks", "100");
    h.emplace_back("x-mock-chunk-delay-ms", "100");
    ASSERT_EQ(c.startStream("POST", "/v1/chat/completions", h, chatBody("m", true)).status, 200);
    ASSERT_TRUE(c.readSseEvent());
    ASSERT_EQ(mocks_[0]->openConnections(), 1u);
  }
  EXPECT_TRUE(eventually([&] { return mocks_[0]->openConnections() == 0; }, std::chrono::seconds(2)));
  EXPECT_EQ(mocks_[0]->clientAborts(), 1u);
}

TEST_F(Proxy, ConcurrentStreamsAreByteExact) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"), 2);
  HttpClient ref("127.0.0.1", mocks_[0]->port());
  Headers h = {{"x-mock-chunks", "20"}, {"x-mock-content", "the quick brown fox jumps over it"}};
  // What the client must get: the mock's events in order (ids differ per response, so the
  // comparison is on the content carried by the events).
  auto contentOf = [](const std::string& sse) {
    std::string text;
    for (size_t at = 0; (at = sse.find("\"content\":\"", at)) != std::string::npos;) {
      at += 11;
      text += sse.substr(at, sse.find('"', at) - at);
    }
    return text + (sse.find("data: [DONE]") != std::string::npos ? "|DONE" : "");
  };
  const std::string expected =
      contentOf(ref.post("/v1/chat/completions", chatBody("m", true), h).body);
  ASSERT_NE(expected.find("quick brown fox"), std::string::npos) << expected;
  std::atomic<int> ok{0};
  std::mutex mu;
  std::map<std::string, int> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < 200; ++i) {
    threads.emplace_back([&] {
      HttpClient c("127.0.0.1", ports_.api);
      Headers hh = clientAuth();
      hh.insert(hh.end(), h.begin(), h.end());
      const auto r = c.post("/v1/chat/completions", chatBody("m", true), hh, std::chrono::seconds(20));
      if (r.status == 200 && contentOf(r.body) == expected) {
        ++ok;
      } else {
        std::lock_guard lock(mu);
        ++failures[std::to_string(r.status) + " " + r.error + " " + r.body.substr(0, 200)];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  for (const auto& [what, n] : failures) ADD_FAILURE() << n << " x " << what;
}

TEST_F(Proxy, LargeBodyPasses) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"), 1, "max_body_size = \"2m\"\n");
  std::string big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" +
                    std::string(1 << 20, 'x') + "\"}]}";
  HttpClient c("127.0.0.1", ports_.api);
  const auto r = c.post("/v1/chat/completions", big, clientAuth(), std::chrono::seconds(10));
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(mocks_[0]->lastRequest());
  EXPECT_EQ(mocks_[0]->lastRequest()->body, big);
}

TEST_F(Proxy, TlsUpstreamVerifiedWithTestCaAndRejectedWithWrongCa) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/good");
  std::filesystem::create_directories(dir.path() + "/other");
  const auto certs = TestCerts::make(dir.path() + "/good");
  const auto other = TestCerts::make(dir.path() + "/other");
  ASSERT_TRUE(certs.ok && other.ok);
  MockProvider::Options o;
  o.tls = true;
  o.cert_file = certs.cert_file;
  o.key_file = certs.key_file;
  mocks_.push_back(std::make_unique<MockProvider>(o));
  ASSERT_TRUE(mocks_[0]->start()) << mocks_[0]->lastError();
  startProxy(provider("good", mocks_[0]->baseUrl(), "models = [\"m\"]\nca_file = \"" + certs.ca_file + "\"\n") +
             provider("bad", mocks_[0]->baseUrl(), "models = [\"w\"]\nca_file = \"" + other.ca_file + "\"\n"));
  const auto ok = chat("m");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(mocks_[0]->lastRequest()->sni, "localhost");
  const auto bad = chat("w");
  EXPECT_EQ(bad.status, 502) << bad.body;
  EXPECT_TRUE(eventually([&] { return proxy_->stderrLog().find("certificate") != std::string::npos; }))
      << proxy_->stderrLog();
}

TEST_F(Proxy, PipelinedProxyRequests) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  const std::string body = chatBody("m");
  std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                    std::string(kClientKey) + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
  ASSERT_TRUE(c.sendRaw(req + req));
  EXPECT_EQ(c.readResponse().status, 200);
  EXPECT_EQ(c.readResponse().status, 200);
}

TEST_F(Proxy, PipelinedLocalAndUpstreamRequestsAnswerInOrder) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  const std::string body = chatBody("m");
  const std::string auth = "Authorization: Bearer " + std::string(kClientKey) + "\r\n";
  auto chatRequest = [&](const std::string& id) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth + "x-request-id: " + id +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  auto getRequest = [&](const std::string& path, const std::string& id) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + auth + "x-request-id: " + id + "\r\n\r\n";
  };
  ASSERT_TRUE(c.sendRaw(getRequest("/health", "l1") + chatRequest("u1") +
                        getRequest("/v1/models", "l2") + getRequest("/nope", "l3") +
                        chatRequest("u2") + getRequest("/health", "l4")));
  const std::pair<const char*, int> want[] = {{"l1", 200}, {"u1", 200}, {"l2", 200},
                                              {"l3", 404}, {"u2", 200}, {"l4", 200}};
  for (const auto& [id, status] : want) {
    const auto r = c.readResponse();
    EXPECT_EQ(r.header("x-request-id"), id);
    EXPECT_EQ(r.status, status) << id << " " << r.body;
  }
  EXPECT_EQ(c.connectionsOpened(), 1);
}

TEST_F(Proxy, FailureAfterFirstByteEndsStreamWithSseError) {
  startMocks(2);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\nweight = 1000\n") +
             provider("b", mocks_[1]->baseUrl(), "models = [\"m\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  Headers h = clientAuth();
  h.emplace_back("x-mock-reset-after", "2");
  ASSERT_EQ(c.startStream("POST", "/v1/chat/completions", h, chatBody("m", true)).status, 200);
  std::optional<SseEvent> last;
  while (auto e = c.readSseEvent(std::chrono::seconds(5))) last = e;
  ASSERT_TRUE(last);
  EXPECT_EQ(last->event, "error");
  EXPECT_NE(last->data.find("\"error\""), std::string::npos) << last->data;
  EXPECT_TRUE(c.closedByPeer());
  EXPECT_EQ(mocks_[1]->requestCount(), 0u) << "no retry after the first byte";
}

TEST_F(Proxy, StreamIdleTimeoutEndsStream) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"), 1,
             "stream_idle_timeout = \"300ms\"\n");
  HttpClient c("127.0.0.1", ports_.api);
  Headers h = clientAuth();
  h.emplace_back("x-mock-chunks", "3");
  h.emplace_back("x-mock-chunk-delay-ms", "3000");
  ASSERT_EQ(c.startStream("POST", "/v1/chat/completions", h, chatBody("m", true)).status, 200);
  std::optional<SseEvent> last;
  while (auto e = c.readSseEvent(std::chrono::seconds(5))) last = e;
  ASSERT_TRUE(last);
  EXPECT_EQ(last->event, "error");
  EXPECT_NE(last->data.find("upstream_timeout"), std::string::npos) << last->data;
  EXPECT_TRUE(eventually([&] { return mocks_[0]->openConnections() == 0; }));
}

TEST_F(Proxy, TtftTimeoutWithSingleProviderIs504) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"), 1,
             "ttft_timeout = \"300ms\"\n");
  const auto r = chat("m", {{"x-mock-delay-ms", "3000"}});
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_NE(r.body.find("\"code\":\"upstream_timeout\""), std::string::npos) << r.body;
}

TEST_F(Proxy, RetryAfterOn429CoolsTheProviderDown) {
  startMocks(2);
  startProxy(provider("busy", mocks_[0]->baseUrl(), "models = [\"m\"]\nweight = 1000\n") +
                 provider("spare", mocks_[1]->baseUrl(), "models = [\"m\"]\n"),
             2);
  MockBehaviour busy;
  busy.status = 429;
  busy.retry_after = 60;
  mocks_[0]->setDefaults(busy);
  EXPECT_EQ(chat("m").status, 200);
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
  // One 429 with Retry-After cools "busy" down at once, for every worker.
  for (int i = 0; i < 10; ++i) {
    const auto r = getOnce(ports_.api, "/health");  // spread over the workers
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(chat("m").status, 200);
  }
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
}

TEST_F(Proxy, AzureProviderUsesDeploymentPathAndApiKeyHeader) {
  startMocks(1);
  startProxy("\n[[provider]]\nid = \"az\"\ntype = \"azure\"\napi_base = \"" +
             mocks_[0]->baseUrl() +
             "\"\napi_key = \"az-secret\"\napi_version = \"2024-06-01\"\n"
             "model_mapping = { \"gpt-4o\" = \"my-deployment\" }\n");
  const auto r = chat("gpt-4o");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->path, "/openai/deployments/my-deployment/chat/completions?api-version=2024-06-01");
  EXPECT_EQ(seen->header("api-key"), "az-secret");
  EXPECT_TRUE(seen->header("authorization").empty());
}

TEST_F(Proxy, SlowClientPausesUpstreamReading) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  HttpClientOptions o;
  o.receive_buffer = 4096;
  HttpClient c("127.0.0.1", ports_.api, o);
  const auto rssKiB = [this] {
    const auto workers = proxy_->workerPids();
    EXPECT_EQ(workers.size(), 1u);
    if (workers.empty()) return 0L;
    const std::string status = readFile("/proc/" + std::to_string(workers[0]) + "/status");
    const auto at = status.find("VmRSS:");
    EXPECT_NE(at, std::string::npos);
    return at == std::string::npos ? 0L : std::stol(status.substr(at + 6));
  };
  const long rss_before = rssKiB();
  Headers h = clientAuth();
  // 48 MiB: more than every kernel buffer on the way can hold.
  h.emplace_back("x-mock-chunks", "3000");
  h.emplace_back("x-mock-chunk-bytes", "16384");
  ASSERT_EQ(c.startStream("POST", "/v1/chat/completions", h, chatBody("m", true)).status, 200);
  // The client does not read: the proxy stops reading upstream, and the mock's socket fills.
  ASSERT_TRUE(eventually([&] { return mocks_[0]->backpressureWaits() > 0; },
                         std::chrono::seconds(20)));
  // ... and holds no more than its bounded queue meanwhile: its memory grows by far less than
  // the 48 MiB sent (measured as growth, so a sanitizer's own overhead does not count).
  EXPECT_LT(rssKiB() - rss_before, 24 * 1024) << "worker RSS growth in KiB";
  // Then everything still arrives intact.
  size_t events = 0;
  bool done = false;
  while (auto e = c.readSseEvent(std::chrono::seconds(10))) {
    ++events;
    if (e->data == "[DONE]") done = true;
  }
  EXPECT_TRUE(done);
  EXPECT_GE(events, 3001u);
}

TEST_F(Proxy, UsageIsCountedOnEveryStreamWithoutShowingTheExtraChunk) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"));
  HttpClient c("127.0.0.1", ports_.api);
  auto headers = [](const char* request_id) {
    Headers h = clientAuth();
    h.emplace_back("x-request-id", request_id);
    h.emplace_back("x-mock-completion-tokens", "7");
    h.emplace_back("x-mock-prompt-tokens", "11");
    return h;
  };
  const auto plain = c.post("/v1/chat/completions", chatBody("m", true), headers("no-usage-asked"));
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body.find("\"usage\""), std::string::npos) << "not asked, not shown";
  EXPECT_NE(plain.body.find("data: [DONE]"), std::string::npos);
  const auto seen = mocks_[0]->lastRequest();
  ASSERT_TRUE(seen);
  EXPECT_NE(seen->body.find("\"stream_options\":{\"include_usage\":true}"), std::string::npos)
      << seen->body;

  const std::string asked =
      "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  const auto with = c.post("/v1/chat/completions", asked, headers("usage-asked"));
  EXPECT_NE(with.body.find("\"usage\""), std::string::npos) << "asked, shown";

  ASSERT_EQ(c.post("/v1/chat/completions", chatBody("m"), headers("non-streaming")).status, 200);
  // Every request's tokens reach the access log.
  EXPECT_TRUE(eventually([&] {
    const std::string log = proxy_->tempDir().read("access.log");
    return log.find("no-usage-asked") != std::string::npos &&
           log.find("non-streaming") != std::string::npos;
  }));
  const std::string log = proxy_->tempDir().read("access.log");
  for (const char* id : {"no-usage-asked", "usage-asked", "non-streaming"}) {
    const auto at = log.find(id);
    ASSERT_NE(at, std::string::npos) << id;
    const std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_NE(line.find(" 11/7"), std::string::npos) << line;
    // request id, key name, client, request line, model, provider, status, ..., attempts
    EXPECT_NE(line.find(std::string(id) + " test 127.0.0.1 \"POST /v1/chat/completions\" m a 200 "),
              std::string::npos)
        << line;
  }
  EXPECT_EQ(log.find(kClientKey), std::string::npos) << "no key material in the access log";
  EXPECT_EQ(log.find("pk-a"), std::string::npos);
}

TEST_F(Proxy, MetricsAreSummedOverWorkersAndSurviveRespawn) {
  startMocks(1);
  startProxy(provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n"), 2);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(chat("m", {{"x-mock-completion-tokens", "3"}}).status, 200);
  const std::string want =
      "llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/completions\",model=\"m\","
      "provider=\"a\",status_code=\"200\"} 20";
  // A worker counts a request when its last byte has been written, which can be just after
  // the client read it: wait until both workers have counted, then every read agrees.
  ASSERT_TRUE(eventually([&] { return getOnce(ports_.api, "/metrics").body.find(want) != std::string::npos; }));
  // Whichever worker answers, the numbers are the sum over both.
  for (int i = 0; i < 6; ++i) {
    const auto r = getOnce(ports_.api, "/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
    EXPECT_NE(r.body.find(want), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("llm_proxy_tokens_total{model=\"m\",provider=\"a\",token_type=\"completion\"} 60"),
              std::string::npos)
        << r.body;
  }
  EXPECT_EQ(getOnce(ports_.admin, "/metrics").status, 200);
  // A killed worker's counts stay.
  const auto workers = proxy_->workerPids();
  ASSERT_EQ(workers.size(), 2u);
  ASSERT_EQ(kill(workers[0], SIGKILL), 0);
  ASSERT_TRUE(eventually([&] {
    const auto w = proxy_->workerPids();
    return w.size() == 2 && std::find(w.begin(), w.end(), workers[0]) == w.end();
  }));
  EXPECT_NE(getOnce(ports_.api, "/metrics").body.find(want), std::string::npos);
}

TEST_F(Proxy, ReloadUnderLoadKeepsStreamsOnTheirConfig) {
  startMocks(2);
  const auto configFor = [&](size_t mock) {
    return serverConfig(ports_, 2, "",
                        provider("p" + std::to_string(mock), mocks_[mock]->baseUrl(),
                                 "models = [\"m\"]\n"));
  };
  startProxy(provider("p0", mocks_[0]->baseUrl(), "models = [\"m\"]\n"), 2);

  // A stream that starts on the old config...
  HttpClient stream("127.0.0.1", ports_.api);
  Headers h = clientAuth();
  h.emplace_back("x-mock-chunks", "8");
  h.emplace_back("x-mock-chunk-delay-ms", "150");
  ASSERT_EQ(stream.startStream("POST", "/v1/chat/completions", h, chatBody("m", true)).status, 200);
  ASSERT_TRUE(stream.readSseEvent());

  // ... while the config moves model "m" to the other provider, 20 times, under requests.
  int failures = 0;
  for (int i = 1; i <= 20; ++i) {
    proxy_->writeConfig(configFor(static_cast<size_t>(i % 2)));
    ASSERT_TRUE(proxy_->signal(SIGHUP));
    for (int j = 0; j < 5; ++j)
      if (chat("m").status != 200) ++failures;
    // One reload at a time (signals of one kind can coalesce).
    ASSERT_TRUE(eventually([&] {
      return std::stol(getOnce(ports_.admin, "/admin/v1/config/version", adminAuth())
                           .body.substr(11)) == i + 1;
    }));
  }
  EXPECT_EQ(failures, 0);
  ASSERT_TRUE(eventually([&] {
    return configVersionOf(getOnce(ports_.api, "/health")) == 21;
  }));
  // New requests see the newest config (generation 21 = i 20 -> provider p0)...
  const auto fresh = chat("m");
  EXPECT_EQ(fresh.header("x-llmproxy-provider"), "p0");
  // ... and the old stream finished on the provider it started with, untouched.
  bool done = false;
  int events = 1;
  while (auto e = stream.readSseEvent(std::chrono::seconds(5))) {
    ++events;
    if (e->data == "[DONE]") done = true;
  }
  EXPECT_TRUE(done);
  EXPECT_GE(events, 9);
}

TEST_F(Proxy, UnauthenticatedModeNeedsExplicitOptIn) {
  startMocks(1);
  ProxyProcess p(openConfig(ports_, 1, "",
                            provider("a", mocks_[0]->baseUrl(), "models = [\"m\"]\n")));
  ASSERT_TRUE(p.start());
  ASSERT_TRUE(p.waitReady(ports_.api));
  HttpClient c("127.0.0.1", ports_.api);
  EXPECT_EQ(c.post("/v1/chat/completions", chatBody("m")).status, 200);
  // The same config without the opt-in (and without keys) is refused.
  const std::string no_opt_in = baseConfig(ports_, 1, "", "");
  const auto t = p.runCli({"-t", "-c", p.tempDir().write("noauth.conf", no_opt_in)});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.output.find("allow_unauthenticated"), std::string::npos) << t.output;
}

}  // namespace
}  // namespace llmproxy::testing
