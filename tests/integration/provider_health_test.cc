// Provider health operators can tune, end to end with real processes and mock providers:
// max_fails within fail_timeout cool a provider down on every worker, one request probes it
// when fail_timeout has passed, a success brings it back, a 429's Retry-After is honoured, an
// active health check brings a provider back without user traffic, and [fallbacks] answer only
// before the first byte.
#include <atomic>
#include <thread>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kClientKey = "sk-health-test";

std::string provider(const std::string& id, const std::string& base, const std::string& extra,
                     const std::string& type = "openai-compatible") {
  return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"" + type + "\"\napi_base = \"" + base +
         "/v1\"\napi_key = \"pk-" + id + "\"\n" + extra;
}

std::string chatBody(const std::string& model, bool stream = false) {
  return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" +
         (stream ? ",\"stream\":true" : "") + "}";
}

class ProviderHealthTest : public ::testing::Test {
 protected:
  void startMocks(int n) {
    for (int i = 0; i < n; ++i) {
      mocks_.push_back(std::make_unique<MockProvider>());
      ASSERT_TRUE(mocks_.back()->start()) << mocks_.back()->lastError();
    }
  }
  void startProxy(const std::string& rest, int workers = 2) {
    proxy_ = ::llmproxy::testing::startProxy(
        baseConfig(ports_, workers, "",
                   rest + "\n[[key]]\nname = \"test\"\nkey = \"" + kClientKey + "\"\n"),
        ports_.api);
  }
  // A fresh connection per call: the kernel spreads them over the workers.
  HttpResponse chat(const std::string& model, bool stream = false) {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post("/v1/chat/completions", chatBody(model, stream),
                  {{"Authorization", std::string("Bearer ") + kClientKey},
                   {"Content-Type", "application/json"},
                   {"Connection", "close"}},
                  std::chrono::seconds(20));
  }
  // A streamed chat on `c`: its head; the events are read from `c`.
  HttpResponse startChatStream(HttpClient& c, const std::string& model) {
    return c.startStream("POST", "/v1/chat/completions",
                         {{"Authorization", std::string("Bearer ") + kClientKey},
                          {"Content-Type", "application/json"}},
                         chatBody(model, true));
  }
  // The provider's object in /health/detailed (asked on the admin listener, with its key).
  std::string healthOf(const std::string& id) {
    const std::string body = getOnce(ports_.admin, "/health/detailed", adminAuth()).body;
    const auto at = body.find("{\"id\":\"" + id + "\"");
    if (at == std::string::npos) return body;
    size_t depth = 0, end = at;
    for (; end < body.size(); ++end) {
      if (body[end] == '{') ++depth;
      if (body[end] == '}' && --depth == 0) break;
    }
    return body.substr(at, end - at + 1);
  }
  bool stateIs(const std::string& id, const std::string& state) {
    return healthOf(id).find("\"state\":\"" + state + "\"") != std::string::npos;
  }
  ProxyPorts ports_;
  std::vector<std::unique_ptr<MockProvider>> mocks_;
  std::unique_ptr<ProxyProcess> proxy_;
};

MockBehaviour failing(int status) {
  MockBehaviour b;
  b.status = status;
  return b;
}

TEST_F(ProviderHealthTest, MaxFailsCoolDownThenOneProbeThenRecovery) {
  startMocks(2);
  startProxy(provider("flaky", mocks_[0]->baseUrl(),
                      "models = [\"m\"]\nweight = 1000\nmax_fails = 2\nfail_timeout = \"8s\"\n") +
             provider("steady", mocks_[1]->baseUrl(), "models = [\"m\"]\nweight = 1\n"));
  mocks_[0]->setDefaults(failing(500));
  // Two failures within fail_timeout: each request tried "flaky" first, "steady" answered.
  for (int i = 0; i < 2; ++i) {
    const auto r = chat("m");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-llmproxy-provider"), "steady");
  }
  EXPECT_EQ(mocks_[0]->requestCount(), 2u);
  // Out now, for every worker: nothing goes to it while it cools down.
  const std::string down = healthOf("flaky");
  EXPECT_NE(down.find("\"state\":\"cooling_down\""), std::string::npos) << down;
  EXPECT_NE(down.find("\"max_fails\":2,\"fail_timeout_ms\":8000"), std::string::npos) << down;
  EXPECT_NE(down.find("\"times_down\":1"), std::string::npos) << down;
  EXPECT_NE(down.find("\"down_until_unix_ms\":"), std::string::npos) << down;
  EXPECT_NE(down.find("\"failures_in_window\":0"), std::string::npos) << down;  // a new window
  EXPECT_NE(down.find("\"last_failure_status\":500"), std::string::npos) << down;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "steady");
  EXPECT_EQ(mocks_[0]->requestCount(), 2u);

  // fail_timeout later it is half-open; still failing, its one probe fails and it is out again.
  ASSERT_TRUE(eventually([&] { return stateIs("flaky", "half_open"); },
                         std::chrono::milliseconds(30000)));
  EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "steady");
  EXPECT_EQ(mocks_[0]->requestCount(), 3u) << "the probe";
  EXPECT_TRUE(stateIs("flaky", "cooling_down")) << healthOf("flaky");
  EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "steady");
  EXPECT_EQ(mocks_[0]->requestCount(), 3u);

  // Healthy again, but slow: while the one probe is in flight nobody else is sent to it.
  MockBehaviour slow;
  slow.delay_ms = 10000;
  mocks_[0]->setDefaults(slow);
  ASSERT_TRUE(eventually([&] { return stateIs("flaky", "half_open"); },
                         std::chrono::milliseconds(30000)));
  HttpResponse probe;
  std::thread prober([&] { probe = chat("m"); });
  const bool probing =
      eventually([&] { return mocks_[0]->inFlight() == 1; }, std::chrono::milliseconds(8000));
  if (probing) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "steady");
    EXPECT_EQ(mocks_[0]->requestCount(), 4u) << "only the probe reached it";
  }
  prober.join();
  ASSERT_TRUE(probing);
  EXPECT_EQ(probe.status, 200) << probe.body;
  EXPECT_EQ(probe.header("x-llmproxy-provider"), "flaky");
  // The probe succeeded: back in rotation at once, on every worker.
  EXPECT_TRUE(stateIs("flaky", "healthy")) << healthOf("flaky");
  mocks_[0]->reset();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "flaky");

  const std::string metrics = getOnce(ports_.admin, "/metrics", adminAuth()).body;
  // Taken out once by max_fails (the failed probe only kept it out).
  EXPECT_NE(metrics.find("llm_proxy_provider_downs_total{provider=\"flaky\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("llm_proxy_provider_health{provider=\"flaky\"} 1"), std::string::npos);
}

TEST_F(ProviderHealthTest, RetryAfterOn429IsHonoured) {
  startMocks(2);
  startProxy(provider("limited", mocks_[0]->baseUrl(), "models = [\"m\", \"solo\"]\nweight = 1000\n") +
             provider("other", mocks_[1]->baseUrl(), "models = [\"m\"]\nweight = 1\n"));
  MockBehaviour limited = failing(429);
  limited.retry_after = 30;
  mocks_[0]->setDefaults(limited);
  auto r = chat("m");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-provider"), "other");
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
  // Skipped until the Retry-After has passed (no cool-down count: it asked, it did not fail).
  for (int i = 0; i < 5; ++i) EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "other");
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
  const std::string h = healthOf("limited");
  EXPECT_NE(h.find("\"state\":\"rate_limited\""), std::string::npos) << h;
  EXPECT_NE(h.find("\"retry_after_until_unix_ms\":"), std::string::npos) << h;
  // A model only it serves: the gateway answers 429 itself, with the time left.
  r = chat("solo");
  EXPECT_EQ(r.status, 429) << r.body;
  const std::string wait = r.header("retry-after");
  ASSERT_FALSE(wait.empty());
  EXPECT_GE(std::stoi(wait), 1);
  EXPECT_LE(std::stoi(wait), 30);
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
}

TEST_F(ProviderHealthTest, ActiveHealthCheckBringsAProviderBackWithoutUserTraffic) {
  startMocks(2);
  startProxy(provider("checked", mocks_[0]->baseUrl(),
                      "models = [\"m\"]\nweight = 1000\nmax_fails = 1\nfail_timeout = \"10m\"\n"
                      "health_check_interval = \"1s\"\n") +
             provider("backup", mocks_[1]->baseUrl(), "models = [\"m\"]\nweight = 1\n"));
  mocks_[0]->setDefaults(failing(503));
  EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "backup");
  EXPECT_TRUE(stateIs("checked", "cooling_down")) << healthOf("checked");
  // While it is out, user requests go to the backup and all succeed.
  for (int i = 0; i < 5; ++i) {
    const auto r = chat("m");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-llmproxy-provider"), "backup");
  }
  // Checks run while it is out and fail while the provider fails: it stays out.
  ASSERT_TRUE(eventually(
      [&] { return healthOf("checked").find("\"failed\":0") == std::string::npos; },
      std::chrono::milliseconds(10000)))
      << healthOf("checked");
  EXPECT_TRUE(stateIs("checked", "cooling_down")) << healthOf("checked");
  // The provider recovers: a check notices, long before fail_timeout (10 minutes).
  mocks_[0]->setDefaults(MockBehaviour{});
  ASSERT_TRUE(eventually([&] { return stateIs("checked", "healthy"); },
                         std::chrono::milliseconds(10000)))
      << healthOf("checked");
  // Only checks reached it since it went out: GET .../models with the provider's key, no user
  // request.
  const auto all = mocks_[0]->requests();
  ASSERT_GT(all.size(), 1u);
  EXPECT_EQ(all[0].method, "POST");  // the user request that took it out
  const std::vector<RecordedRequest> seen(all.begin() + 1, all.end());
  for (const auto& req : seen) {
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.path, "/v1/models");
    EXPECT_EQ(req.header("authorization"), "Bearer pk-checked");
    EXPECT_EQ(req.header("user-agent"), "llmproxy-health-check");
  }
  EXPECT_EQ(chat("m").header("x-llmproxy-provider"), "checked");
  const std::string metrics = getOnce(ports_.admin, "/metrics", adminAuth()).body;
  EXPECT_NE(metrics.find("llm_proxy_provider_health_checks_total{provider=\"checked\"}"),
            std::string::npos);
  EXPECT_EQ(metrics.find("llm_proxy_provider_health_check_failures_total{provider=\"checked\"} 0"),
            std::string::npos)
      << "the failed checks are counted";
  EXPECT_NE(metrics.find("llm_proxy_provider_failures_total{provider=\"checked\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(ProviderHealthTest, FallbackModelsAnswerOnlyBeforeTheFirstByte) {
  startMocks(2);
  startProxy(provider("primary", mocks_[0]->baseUrl(), "models = [\"big\"]\nmax_fails = 0\n") +
             provider("anth", mocks_[1]->baseUrl(), "models = [\"claude-x\"]\n", "anthropic") +
             "\n[fallbacks]\n\"big\" = [\"no-such-model\", \"claude-x\"]\n");
  mocks_[0]->setDefaults(failing(500));
  // Every provider of "big" failed before the first byte: the next fallback that exists
  // answers, through the Anthropic translation.
  auto r = chat("big");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-provider"), "anth");
  EXPECT_EQ(r.header("x-llmproxy-fallback-model"), "claude-x");
  EXPECT_NE(r.body.find("\"object\":\"chat.completion\""), std::string::npos) << r.body;
  EXPECT_EQ(mocks_[1]->requestCount(), 1u);
  EXPECT_NE(mocks_[1]->lastRequest()->path.find("/messages"), std::string::npos);
  EXPECT_NE(mocks_[1]->lastRequest()->body.find("\"model\":\"claude-x\""), std::string::npos)
      << mocks_[1]->lastRequest()->body;

  // A stream falls back the same way, converted event by event to Chat Completions chunks.
  {
    HttpClient c("127.0.0.1", ports_.api);
    const auto head = startChatStream(c, "big");
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.header("x-llmproxy-provider"), "anth");
    EXPECT_EQ(head.header("x-llmproxy-fallback-model"), "claude-x");
    std::vector<SseEvent> events;
    while (auto e = c.readSseEvent(std::chrono::seconds(5))) events.push_back(*e);
    ASSERT_FALSE(events.empty());
    EXPECT_NE(events.front().data.find("\"object\":\"chat.completion.chunk\""),
              std::string::npos)
        << events.front().data;
    EXPECT_EQ(events.back().data, "[DONE]");
  }
  EXPECT_EQ(mocks_[1]->requestCount(), 2u);

  // A stream that broke after its first byte is not retried anywhere: the client sees the
  // truncation (an SSE error event), the fallback is not asked.
  MockBehaviour breaks;
  breaks.reset_after = 2;
  mocks_[0]->setDefaults(breaks);
  {
    HttpClient c("127.0.0.1", ports_.api);
    const auto head = startChatStream(c, "big");
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.header("x-llmproxy-provider"), "primary");
    EXPECT_TRUE(head.header("x-llmproxy-fallback-model").empty());
    std::optional<SseEvent> last;
    while (auto e = c.readSseEvent(std::chrono::seconds(5))) last = e;
    ASSERT_TRUE(last);
    EXPECT_EQ(last->event, "error");
  }
  EXPECT_EQ(mocks_[1]->requestCount(), 2u);

  // Healthy again: the model's own provider answers.
  mocks_[0]->reset();
  r = chat("big");
  EXPECT_EQ(r.header("x-llmproxy-provider"), "primary");
  EXPECT_TRUE(r.header("x-llmproxy-fallback-model").empty());
}

// The other direction: an Anthropic client whose model's provider is overloaded (529) falls
// back to a model on an OpenAI-protocol provider and gets a Messages answer.
TEST_F(ProviderHealthTest, AnAnthropicClientFallsBackToAnOpenAIModel) {
  startMocks(2);
  startProxy(provider("claude", mocks_[0]->baseUrl(), "models = [\"claude-x\"]\n", "anthropic") +
             provider("oai", mocks_[1]->baseUrl(), "models = [\"gpt-y\"]\n") +
             "\n[fallbacks]\n\"claude-x\" = [\"gpt-y\"]\n");
  mocks_[0]->setDefaults(failing(529));
  HttpClient c("127.0.0.1", ports_.api);
  const auto r = c.post(
      "/v1/messages",
      R"({"model":"claude-x","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})",
      {{"x-api-key", kClientKey},
       {"anthropic-version", "2023-06-01"},
       {"Content-Type", "application/json"}},
      std::chrono::seconds(20));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-provider"), "oai");
  EXPECT_EQ(r.header("x-llmproxy-fallback-model"), "gpt-y");
  EXPECT_NE(r.body.find("\"type\":\"message\""), std::string::npos) << r.body;
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
  ASSERT_TRUE(mocks_[1]->lastRequest());
  EXPECT_EQ(mocks_[1]->lastRequest()->path, "/v1/chat/completions");
  EXPECT_NE(mocks_[1]->lastRequest()->body.find("\"model\":\"gpt-y\""), std::string::npos);
}

TEST_F(ProviderHealthTest, ARateLimitedModelFallsBackWithoutAskingItsProviderAgain) {
  startMocks(2);
  startProxy(provider("lim", mocks_[0]->baseUrl(), "models = [\"a\"]\n") +
             provider("ok", mocks_[1]->baseUrl(), "models = [\"b\"]\n") +
             "\n[fallbacks]\n\"a\" = [\"b\"]\n");
  MockBehaviour limited = failing(429);
  limited.retry_after = 30;
  mocks_[0]->setDefaults(limited);
  // The 429 makes the request go on to the fallback model, same protocol.
  auto r = chat("a");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-provider"), "ok");
  EXPECT_EQ(r.header("x-llmproxy-fallback-model"), "b");
  EXPECT_EQ(mocks_[1]->lastRequest()->body.find("\"model\":\"b\"") != std::string::npos, true)
      << mocks_[1]->lastRequest()->body;
  // While its Retry-After lasts, "a"'s provider is not asked: the fallback answers at once.
  for (int i = 0; i < 4; ++i) {
    r = chat("a");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-llmproxy-fallback-model"), "b");
  }
  EXPECT_EQ(mocks_[0]->requestCount(), 1u);
  EXPECT_EQ(mocks_[1]->requestCount(), 5u);
}

}  // namespace
}  // namespace llmproxy::testing
