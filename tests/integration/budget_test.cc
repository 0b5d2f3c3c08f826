// Per-key budgets: exact under concurrency across a node's workers, the reservation given back
// on errors and client disconnects, periods that reset, spend kept across a restart
// (PostgreSQL), the admin endpoints, and the 429 in each client protocol.
#include <simdjson.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "pg_proxy_fixture.h"
#include "support/json_at.h"
#include "support/redis_server.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKey = "sk-budget-key";



// A key with `budget` (TOML lines) and model "m" priced at $1 per million output tokens and
// nothing for input: a request with max_tokens 1000 that gets 1000 tokens reserves and costs
// exactly $0.001.
std::string budgetConfig(const ProxyPorts& ports, int workers, const std::string& mock_url,
                         const std::string& budget, const std::string& extra = "") {
  return baseConfig(ports, workers, "",
                    extra + "\n[[provider]]\nid = \"p\"\ntype = \"openai-compatible\"\n"
                            "api_base = \"" + mock_url + "/v1\"\nmodels = [\"m\"]\n"
                            "\n[[key]]\nname = \"budgeted\"\nkey = \"" + kKey + "\"\n" + budget +
                            "\n[[price]]\nmodel = \"m\"\noutput_per_mtok = 1\n");
}

HttpResponse chat(uint16_t port, Headers extra = {}, bool stream = false) {
  HttpClient c("127.0.0.1", port);
  Headers h = {{"Authorization", std::string("Bearer ") + kKey},
               {"Content-Type", "application/json"},
               {"x-mock-completion-tokens", "1000"},
               {"Connection", "close"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return c.post("/v1/chat/completions",
                std::string("{\"model\":\"m\",\"max_tokens\":1000") +
                    (stream ? ",\"stream\":true" : "") +
                    ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                h, 20s);
}

constexpr int kConcurrent = 50;

struct Outcomes {
  int ok = 0;     // 200
  int over = 0;   // 429 budget_exceeded
  int other = 0;
};

// kConcurrent chats at once (each held 200 ms by the mock before its answer), spread over
// `ports` in turn.
Outcomes fiftyAtOnce(const std::vector<uint16_t>& ports) {
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kConcurrent; ++i) {
    threads.emplace_back([&, i] {
      const auto r = chat(ports[static_cast<size_t>(i) % ports.size()],
                          {{"x-mock-delay-ms", "200"}});
      if (r.status == 200)
        ++ok;
      else if (r.status == 429 && r.body.find("budget_exceeded") != std::string::npos)
        ++over;
      else
        ++other;
    });
  }
  for (auto& t : threads) t.join();
  return {ok.load(), over.load(), other.load()};
}

// The file key's entry in GET /admin/v1/credentials.
std::string keyEntry(uint16_t admin_port) {
  HttpClient c("127.0.0.1", admin_port);
  Headers h = adminAuth();
  h.emplace_back("Connection", "close");
  const std::string body = c.get("/admin/v1/credentials", h).body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return "";
  simdjson::dom::array data;
  if (doc["data"].get_array().get(data) != simdjson::SUCCESS) return "";
  for (simdjson::dom::element e : data) {
    std::string_view name;
    if (e["name"].get_string().get(name) == simdjson::SUCCESS && name == "budgeted")
      return simdjson::minify(e);
  }
  return "";
}

class Budgets : public PgProxyTest {};

TEST_F(Budgets, ExactUnderFiftyConcurrentRequestsAcrossTwoWorkers) {
  startProxy(budgetConfig(ports_, 2, mock_.baseUrl(), "max_budget = 0.01\n"));
  const Outcomes o = fiftyAtOnce({ports_.api});
  EXPECT_EQ(o.ok, 10) << "$0.01 at $0.001 a request";
  EXPECT_EQ(o.over, kConcurrent - 10);
  EXPECT_EQ(o.other, 0);
  const std::string entry = keyEntry(ports_.admin);
  EXPECT_EQ(jsonNumber(entry, "/spend_usd"), 0.01) << entry;
  EXPECT_EQ(jsonNumber(entry, "/reserved_usd"), 0) << entry;
  EXPECT_EQ(jsonNumber(entry, "/budget_remaining_usd"), 0) << entry;
  // Spent: the next one is refused before it goes upstream, with a readable message.
  const auto refused = chat(ports_.api);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(jsonAt(refused.body, "/error/code"), "\"budget_exceeded\"") << refused.body;
  EXPECT_NE(refused.body.find("Budget exceeded"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.header("x-llmproxy-budget-remaining-usd"), "0.000000");
}

TEST_F(Budgets, ReservationIsGivenBackOnErrorAndOnDisconnect) {
  startProxy(budgetConfig(ports_, 1, mock_.baseUrl(), "max_budget = 0.0025\n"));
  // A provider error costs nothing and gives its reservation back.
  EXPECT_EQ(chat(ports_.api, {{"x-mock-status", "500"}}).status, 500);
  EXPECT_EQ(jsonNumber(keyEntry(ports_.admin), "/reserved_usd"), 0);

  // A stream the client leaves: reserved while it runs, given back when it goes.
  {
    HttpClient c("127.0.0.1", ports_.api);
    const auto head = c.startStream(
        "POST", "/v1/chat/completions",
        {{"Authorization", std::string("Bearer ") + kKey},
         {"Content-Type", "application/json"},
         {"x-mock-stall-after", "1"}},
        "{\"model\":\"m\",\"max_tokens\":1000,\"stream\":true,\"messages\":[{\"role\":\"user\","
        "\"content\":\"hi\"}]}");
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.header("x-llmproxy-budget-remaining-usd"), "0.001500");
    ASSERT_TRUE(c.readSseEvent().has_value());
    EXPECT_EQ(jsonNumber(keyEntry(ports_.admin), "/reserved_usd"), 0.001);
    c.close();
  }
  EXPECT_TRUE(eventually([&] { return jsonNumber(keyEntry(ports_.admin), "/reserved_usd") == 0; },
                         10s));
  // Nothing was spent: $0.0025 admits three requests (0, 0.001, 0.002 < 0.0025), not a fourth.
  const auto first = chat(ports_.api);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("x-llmproxy-spend-usd"), "0.000000");
  EXPECT_EQ(chat(ports_.api).status, 200);
  EXPECT_EQ(chat(ports_.api).status, 200);
  EXPECT_EQ(chat(ports_.api).status, 429);
  EXPECT_EQ(jsonNumber(keyEntry(ports_.admin), "/spend_usd"), 0.003);
}

TEST_F(Budgets, APeriodEndsAndTheBudgetComesBack) {
  startProxy(budgetConfig(ports_, 1, mock_.baseUrl(),
                          "max_budget = 0.001\nbudget_duration = \"3s\"\n"));
  // Somewhere in a 3 s window: spend it, then wait for the next window.
  std::string retry_after;
  ASSERT_TRUE(eventually([&] {
    const auto r = chat(ports_.api);
    retry_after = r.header("retry-after");
    return r.status == 429;
  }, 10s));
  EXPECT_FALSE(retry_after.empty()) << "until the period ends";
  EXPECT_TRUE(eventually([&] { return chat(ports_.api).status == 200; }, 10s))
      << "the next period starts from 0";
  const std::string entry = keyEntry(ports_.admin);
  EXPECT_EQ(jsonAt(entry, "/budget_duration"), "\"3s\"");
  EXPECT_NE(jsonAt(entry, "/budget_period_end"), "null");
}

TEST_F(Budgets, SoftBudgetWarnsAndTheSpendEndpointsAnswer) {
  startProxy(budgetConfig(ports_, 1, mock_.baseUrl(),
                          "max_budget = 1\nsoft_budget = 0.0015\n",
                          database("usage_flush_interval = \"50ms\"\n")));
  EXPECT_EQ(chat(ports_.api).header("x-llmproxy-budget-warning"), "");
  EXPECT_EQ(chat(ports_.api).header("x-llmproxy-budget-warning"),
            "soft budget of $0.001500 reached");
  ASSERT_TRUE(eventually([&] { return pg_.scalar("SELECT sum(spent_usd) FROM key_spend") ==
                                      std::optional<std::string>("0.002000"); }, 10s));
  HttpClient c("127.0.0.1", ports_.admin);
  Headers h = adminAuth();
  const auto spend = c.get("/admin/v1/spend?group_by=key,model", h);
  ASSERT_EQ(spend.status, 200) << spend.body;
  EXPECT_EQ(jsonAt(spend.body, "/data/0/credential_name"), "\"budgeted\"") << spend.body;
  EXPECT_EQ(jsonAt(spend.body, "/data/0/requests"), "2");
  EXPECT_EQ(jsonNumber(spend.body, "/data/0/spend_usd"), 0.002);
  const auto reset = c.request("POST", "/admin/v1/credentials/budgeted/reset_spend", h);
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(jsonNumber(reset.body, "/spend_usd"), 0);
  EXPECT_EQ(pg_.scalar("SELECT sum(spent_usd) FROM key_spend"),
            std::optional<std::string>("0.000000"));
  EXPECT_EQ(c.request("POST", "/admin/v1/credentials/nobody/reset_spend", h).status, 404);
}

TEST_F(Budgets, ARestartKeepsTheSpend) {
  const std::string config = budgetConfig(ports_, 2, mock_.baseUrl(), "max_budget = 0.003\n",
                                          database("usage_flush_interval = \"50ms\"\n"));
  startProxy(config);
  EXPECT_EQ(chat(ports_.api).status, 200);
  EXPECT_EQ(chat(ports_.api).status, 200);
  ASSERT_TRUE(proxy_->signal(SIGQUIT));
  EXPECT_EQ(proxy_->waitExit(15s), 0);
  EXPECT_EQ(pg_.scalar("SELECT spent_usd FROM key_spend"), std::optional<std::string>("0.002000"));

  startProxy(config);
  EXPECT_TRUE(eventually([&] { return jsonNumber(keyEntry(ports_.admin), "/spend_usd") == 0.002; },
                         10s))
      << keyEntry(ports_.admin);
  EXPECT_EQ(chat(ports_.api).status, 200);
  EXPECT_EQ(chat(ports_.api).status, 429);
}

// A database key's budget through the admin API: set with the key, enforced once the row is
// loaded, shown with the spend on GET /admin/v1/credentials/{id}, reset by id.
TEST_F(Budgets, ADatabaseKeyWithABudgetThroughTheAdminApi) {
  startProxy(budgetConfig(ports_, 2, mock_.baseUrl(), "", database()));
  HttpClient admin("127.0.0.1", ports_.admin);
  const Headers h = adminAuth();
  const auto created = admin.post(
      "/admin/v1/credentials",
      "{\"name\":\"db-budget\",\"max_budget\":0.002,\"soft_budget\":0.001,"
      "\"budget_duration\":\"1d\"}",
      h);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonNumber(created.body, "/max_budget"), 0.002) << created.body;
  EXPECT_EQ(jsonAt(created.body, "/budget_duration"), "\"1d\"");
  EXPECT_EQ(jsonNumber(created.body, "/spend_usd"), 0);
  const std::string id = jsonAt(created.body, "/id");
  std::string key = jsonAt(created.body, "/key");
  ASSERT_GT(key.size(), 2u) << created.body;
  key = key.substr(1, key.size() - 2);
  const auto chatAs = [&] {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post("/v1/chat/completions",
                  "{\"model\":\"m\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\","
                  "\"content\":\"hi\"}]}",
                  {{"Authorization", "Bearer " + key},
                   {"x-mock-completion-tokens", "1000"},
                   {"Connection", "close"}},
                  20s);
  };
  ASSERT_TRUE(eventually([&] { return chatAs().status == 200; }, 10s)) << "the row is loaded";
  const auto second = chatAs();
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("x-llmproxy-spend-usd"), "0.001000");
  EXPECT_EQ(second.header("x-llmproxy-budget-warning"), "soft budget of $0.001000 reached");
  const auto refused = chatAs();
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(jsonAt(refused.body, "/error/code"), "\"budget_exceeded\"") << refused.body;
  EXPECT_NE(refused.body.find("for this 1d period; it resets at "), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.header("retry-after"), "");

  const auto shown = admin.get("/admin/v1/credentials/" + id, h);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(jsonNumber(shown.body, "/spend_usd"), 0.002) << shown.body;
  EXPECT_EQ(jsonNumber(shown.body, "/reserved_usd"), 0) << shown.body;
  EXPECT_EQ(jsonNumber(shown.body, "/budget_remaining_usd"), 0) << shown.body;
  EXPECT_EQ(shown.body.find(key), std::string::npos) << "the key is shown once, at creation";

  const auto reset = admin.request("POST", "/admin/v1/credentials/" + id + "/reset_spend", h);
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(jsonNumber(reset.body, "/spend_usd"), 0);
  EXPECT_EQ(jsonNumber(reset.body, "/budget_remaining_usd"), 0.002);
  EXPECT_EQ(chatAs().status, 200);
}

// The 429 speaks the client's protocol.
TEST_F(Budgets, OverBudgetInEachProtocol) {
  startProxy(budgetConfig(ports_, 1, mock_.baseUrl(), "max_budget = 0.000001\n"));
  EXPECT_EQ(chat(ports_.api).status, 200);  // 0 < $0.000001: admitted, then spent
  HttpClient c("127.0.0.1", ports_.api);
  const auto messages = c.post(
      "/v1/messages",
      "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
      {{"x-api-key", kKey}, {"anthropic-version", "2023-06-01"}, {"Connection", "close"}});
  EXPECT_EQ(messages.status, 429);
  EXPECT_EQ(jsonAt(messages.body, "/type"), "\"error\"") << messages.body;
  EXPECT_EQ(jsonAt(messages.body, "/error/type"), "\"rate_limit_error\"") << messages.body;
  HttpClient r("127.0.0.1", ports_.api);
  const auto responses = r.post("/v1/responses", "{\"model\":\"m\",\"input\":\"hi\"}",
                                {{"Authorization", std::string("Bearer ") + kKey},
                                 {"Connection", "close"}});
  EXPECT_EQ(responses.status, 429);
  EXPECT_EQ(jsonAt(responses.body, "/error/code"), "\"budget_exceeded\"") << responses.body;
}

// Two proxies of two workers each sharing one redis-server: $0.01 at $0.001 a request admits
// exactly 10 of 50 concurrent requests spread over both; the key's count lives in Redis.
// redis.timeout is 1 s (as the Redis limits' tests): a check that fell back to a node's own
// count on a loaded machine would make the count wrong.
TEST(BudgetsRedis, ExactAcrossTwoProxiesSharingRedis) {
  RedisServer redis;
  MockProvider mock;
  ASSERT_TRUE(mock.start()) << mock.lastError();
  const std::string redis_section =
      "\n[redis]\nurl = \"" + redis.unixUrl() + "\"\ntimeout = \"1s\"\n";
  ProxyPorts a, b;
  auto pa = startProxy(budgetConfig(a, 2, mock.baseUrl(), "max_budget = 0.01\n", redis_section),
                       a.api);
  auto pb = startProxy(budgetConfig(b, 2, mock.baseUrl(), "max_budget = 0.01\n", redis_section),
                       b.api);
  for (uint16_t port : {a.api, b.api})
    ASSERT_TRUE(eventually([&] { return metric(port, "llm_proxy_redis_up") == 2; }, 10s));
  const Outcomes o = fiftyAtOnce({a.api, b.api});
  EXPECT_EQ(o.ok, 10);
  EXPECT_EQ(o.over, kConcurrent - 10);
  EXPECT_EQ(o.other, 0);
  EXPECT_EQ(metric(a.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 0);
  EXPECT_EQ(metric(b.api, "llm_proxy_ratelimit_redis_fallbacks_total"), 0);
  // Both nodes refuse, whichever served the budget.
  EXPECT_EQ(chat(a.api).status, 429);
  EXPECT_EQ(chat(b.api).status, 429);
}

}  // namespace
}  // namespace llmproxy::testing
