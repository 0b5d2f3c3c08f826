// Per-provider max_concurrent: exact across the workers of a node, queued up to queue_timeout,
// spilled to another candidate when one is free, 429 otherwise; slots freed on every path.
#include <signal.h>

#include <atomic>
#include <thread>
#include <vector>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

std::string concurrencyConfig(const ProxyPorts& ports, const std::string& mock_url) {
  auto provider = [&](const std::string& id, const std::string& model, const std::string& extra) {
    return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"openai-compatible\"\napi_base = \"" +
           mock_url + "/v1\"\nmodels = [\"" + model + "\"]\n" + extra;
  };
  return openConfig(ports, 2, "",
                    provider("queue", "q", "max_concurrent = 2\nqueue_timeout = \"30s\"\n") +
                        provider("short", "s", "max_concurrent = 2\nqueue_timeout = \"100ms\"\n") +
                        provider("first", "f", "max_concurrent = 1\nweight = 1000\n") +
                        provider("second", "f", "weight = 1\n"));
}

std::string body(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

HttpResponse chat(uint16_t port, const std::string& model, const std::string& delay_ms) {
  HttpClient c("127.0.0.1", port);
  return c.post("/v1/chat/completions", body(model),
                {{"x-mock-delay-ms", delay_ms}, {"Connection", "close"}},
                std::chrono::seconds(60));
}

long inFlightMetric(uint16_t port, const std::string& provider) {
  const auto r = getOnce(port, "/metrics");
  const std::string needle = "llm_proxy_provider_in_flight{provider=\"" + provider + "\"} ";
  const auto at = r.body.find(needle);
  return at == std::string::npos ? -1 : std::stol(r.body.substr(at + needle.size()));
}

class MaxConcurrent : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start());
    proxy_ = startProxy(concurrencyConfig(ports_, mock_.baseUrl()), ports_.api);
  }

  // Five requests at once from five connections (spread over both workers).
  std::vector<HttpResponse> burst(const std::string& model, const std::string& delay_ms) {
    std::vector<HttpResponse> out(5);
    std::vector<std::thread> threads;
    for (int i = 0; i < 5; ++i)
      threads.emplace_back([&, i] { out[i] = chat(ports_.api, model, delay_ms); });
    for (auto& t : threads) t.join();
    return out;
  }

  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(MaxConcurrent, QueuedRequestsGoThroughAsSlotsFree) {
  const auto answers = burst("q", "300");
  for (const auto& r : answers) EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(mock_.requestCount(), 5u);
  EXPECT_LE(mock_.peakInFlight(), 2u);
  EXPECT_GE(mock_.peakInFlight(), 1u);
  EXPECT_TRUE(eventually([&] { return inFlightMetric(ports_.api, "queue") == 0; }));
}

TEST_F(MaxConcurrent, FullAfterQueueTimeoutIs429) {
  const auto answers = burst("s", "2000");
  int ok = 0, limited = 0;
  for (const auto& r : answers) {
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      EXPECT_NE(r.body.find("\"code\":\"rate_limit_exceeded\""), std::string::npos) << r.body;
      EXPECT_EQ(r.header("retry-after"), "1");
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(limited, 3);
  EXPECT_EQ(mock_.requestCount(), 2u);
  EXPECT_LE(mock_.peakInFlight(), 2u);
}

TEST_F(MaxConcurrent, SpillsToAnotherCandidateWithAFreeSlot) {
  std::vector<HttpResponse> out(2);
  std::thread a([&] { out[0] = chat(ports_.api, "f", "1000"); });
  ASSERT_TRUE(eventually([&] { return mock_.inFlight() == 1; }));
  std::thread b([&] { out[1] = chat(ports_.api, "f", "0"); });
  a.join();
  b.join();
  EXPECT_EQ(out[0].status, 200);
  EXPECT_EQ(out[1].status, 200);
  EXPECT_EQ(out[0].header("x-llmproxy-provider"), "first");
  EXPECT_EQ(out[1].header("x-llmproxy-provider"), "second");
}

TEST_F(MaxConcurrent, ClientAbortsReleaseTheirSlots) {
  // Fill both slots with requests whose clients then go away (and one more that is queued).
  {
    std::vector<std::unique_ptr<HttpClient>> clients;
    const std::string b = body("s");
    for (int i = 0; i < 3; ++i) {
      clients.push_back(std::make_unique<HttpClient>("127.0.0.1", ports_.api));
      ASSERT_TRUE(clients.back()->sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                                          "x-mock-delay-ms: 30000\r\nContent-Length: " +
                                          std::to_string(b.size()) + "\r\n\r\n" + b));
      if (i < 2) {
        ASSERT_TRUE(eventually([&] { return mock_.inFlight() == uint64_t(i) + 1; }));
      }
    }
    EXPECT_EQ(inFlightMetric(ports_.api, "short"), 2);
  }  // all three connections close here
  EXPECT_TRUE(eventually([&] { return inFlightMetric(ports_.api, "short") == 0; }));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(chat(ports_.api, "s", "0").status, 200);
}

TEST_F(MaxConcurrent, SlotsOfAKilledWorkerAreGivenBack) {
  const std::string b = body("s");
  HttpClient a("127.0.0.1", ports_.api), c("127.0.0.1", ports_.api);
  for (HttpClient* client : {&a, &c}) {
    const uint64_t before = mock_.inFlight();
    ASSERT_TRUE(client->sendRaw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                                "x-mock-delay-ms: 30000\r\nContent-Length: " +
                                std::to_string(b.size()) + "\r\n\r\n" + b));
    ASSERT_TRUE(eventually([&] { return mock_.inFlight() == before + 1; }));
  }
  EXPECT_EQ(inFlightMetric(ports_.api, "short"), 2);
  // The clients stay; the workers holding the slots die without releasing anything.
  for (pid_t pid : proxy_->workerPids()) kill(pid, SIGKILL);
  EXPECT_TRUE(eventually([&] { return inFlightMetric(ports_.api, "short") == 0; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(chat(ports_.api, "s", "0").status, 200);
}

}  // namespace
}  // namespace llmproxy::testing
