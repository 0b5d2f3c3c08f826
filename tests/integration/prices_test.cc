// Prices from PostgreSQL and the admin API (/admin/v1/prices): CRUD, hot reload into the
// running proxy's costs, the file's prices shown read-only, and a database without the prices
// table still serving providers and keys.

#include <cmath>

#include "pg_proxy_fixture.h"
#include "support/json_at.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKey = "sk-prices-key";



HttpResponse call(uint16_t port, std::string_view method, const std::string& path,
                  std::string_view body = {}) {
  HttpClient c("127.0.0.1", port);
  Headers headers = adminAuth();
  headers.emplace_back("Connection", "close");
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return c.request(method, path, headers, body, 20000ms);
}

// The value of llm_proxy_spend_usd_total for model `m` (0 when absent).
double spendOfModel(uint16_t port, const std::string& model) {
  const std::string body = getOnce(port, "/metrics").body;
  const std::string head = "llm_proxy_spend_usd_total{model=\"" + model + "\"";
  const auto at = body.find(head);
  if (at == std::string::npos) return 0;
  return std::stod(body.substr(body.find("} ", at) + 2));
}

class Prices : public PgProxyTest {
 protected:
  void start(const std::string& file_prices = "") {
    startProxy(baseConfig(ports_, 2, "",
                          database() + mockProvider("p", "\"m\"") +
                              "\n[[key]]\nname = \"k\"\nkey = \"" + kKey + "\"\n" + file_prices));
  }
  HttpResponse admin(std::string_view method, const std::string& path, std::string_view body = {}) {
    return call(ports_.admin, method, path, body);
  }
  // One chat on "m": 1,000,000 prompt tokens, 0 completion, so the cost is the input price.
  int chatMillion() {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post("/v1/chat/completions",
                  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                  {{"Authorization", std::string("Bearer ") + kKey},
                   {"x-mock-prompt-tokens", "1000000"},
                   {"x-mock-completion-tokens", "0"},
                   {"Connection", "close"}})
        .status;
  }
};

TEST_F(Prices, CrudReloadsIntoTheCostOfRequests) {
  start("\n[[price]]\nmodel = \"file-*\"\ninput_per_mtok = 0.5\n");
  auto created = admin("POST", "/admin/v1/prices",
                       R"({"model":"m","input_per_mtok":2.5,"output_per_mtok":10,)"
                       R"("cached_input_per_mtok":1.25})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonNumber(created.body, "/input_per_mtok"), 2.5);
  EXPECT_EQ(jsonAt(created.body, "/cache_write_per_mtok"), "null");
  EXPECT_EQ(jsonAt(created.body, "/source"), "\"database\"");
  const std::string id = jsonAt(created.body, "/id");

  // The same (model, provider) twice: 409; a bad pattern or price: 400 naming the field.
  EXPECT_EQ(admin("POST", "/admin/v1/prices", R"({"model":"m"})").status, 409);
  auto bad = admin("POST", "/admin/v1/prices", R"({"model":"x[","input_per_mtok":1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(jsonAt(bad.body, "/error/param"), "\"model\"") << bad.body;
  bad = admin("POST", "/admin/v1/prices", R"({"model":"y","output_per_mtok":-1})");
  EXPECT_EQ(jsonAt(bad.body, "/error/param"), "\"output_per_mtok\"") << bad.body;

  // The list: the row, then the file's price (read-only, id null).
  auto list = admin("GET", "/admin/v1/prices");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(jsonAt(list.body, "/data/0/model"), "\"m\"");
  EXPECT_EQ(jsonAt(list.body, "/data/1/model"), "\"file-*\"");
  EXPECT_EQ(jsonAt(list.body, "/data/1/id"), "null");
  EXPECT_EQ(jsonNumber(list.body, "/data/1/input_per_mtok"), 0.5);

  // The reload reaches the workers: a million prompt tokens cost $2.50.
  ASSERT_TRUE(eventually([&] {
    EXPECT_EQ(chatMillion(), 200);
    return spendOfModel(ports_.api, "m") > 0;
  }, 10s));
  const double first = spendOfModel(ports_.api, "m");
  EXPECT_EQ(std::fmod(first, 2.5), 0.0) << first;

  auto changed = admin("PUT", "/admin/v1/prices/" + id, R"({"input_per_mtok":1})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(jsonNumber(changed.body, "/input_per_mtok"), 1);
  EXPECT_EQ(jsonNumber(changed.body, "/cached_input_per_mtok"), 1.25) << "absent fields keep theirs";
  ASSERT_TRUE(eventually([&] {
    const double before = spendOfModel(ports_.api, "m");
    EXPECT_EQ(chatMillion(), 200);
    return spendOfModel(ports_.api, "m") - before == 1.0;
  }, 10s));

  auto removed = admin("DELETE", "/admin/v1/prices/" + id);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(jsonAt(removed.body, "/deleted"), "true");
  EXPECT_EQ(admin("GET", "/admin/v1/prices/" + id).status, 404);
  ASSERT_TRUE(eventually([&] {
    EXPECT_EQ(chatMillion(), 200);
    return getOnce(ports_.api, "/metrics").body.find("llm_proxy_unpriced_requests_total{model=\"m\"}") !=
           std::string::npos;
  }, 10s));
}

// A database that `llmproxy migrate` has not brought to 0005: providers and keys load, prices
// come from the file only, and the operator is told once.
TEST_F(Prices, ADatabaseWithoutThePricesTableStillServes) {
  ASSERT_TRUE(pg_.exec("DROP TABLE prices"));
  ASSERT_TRUE(pg_.exec("INSERT INTO providers (provider_key, provider_type, api_base, models) "
                       "VALUES ('db-p', 'openai-compatible', '" + mock_.baseUrl() +
                       "/v1', '{db-model}')"));
  start("\n[[price]]\nmodel = \"db-model\"\ninput_per_mtok = 3\n");
  ASSERT_TRUE(eventually([&] {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post("/v1/chat/completions",
                  "{\"model\":\"db-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                  {{"Authorization", std::string("Bearer ") + kKey},
                   {"x-mock-prompt-tokens", "1000000"},
                   {"Connection", "close"}})
               .status == 200;
  }, 10s)) << proxy_->stderrLog();
  EXPECT_TRUE(eventually([&] { return spendOfModel(ports_.api, "db-model") > 0; }));
  EXPECT_NE(proxy_->stderrLog().find("database has no prices table"), std::string::npos);

  // Migrated while the proxy runs: the next announced change loads the table's prices.
  ASSERT_TRUE(pg_.exec(
      "CREATE TABLE prices (id serial PRIMARY KEY, model text NOT NULL, provider text NOT NULL "
      "DEFAULT '', input_per_mtok numeric(18,6) NOT NULL DEFAULT 0, output_per_mtok "
      "numeric(18,6) NOT NULL DEFAULT 0, cached_input_per_mtok numeric(18,6), "
      "cache_write_per_mtok numeric(18,6), created_at timestamptz NOT NULL DEFAULT now(), "
      "updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (model, provider))"));
  ASSERT_TRUE(pg_.exec("INSERT INTO prices (model, input_per_mtok) VALUES ('db-model', 7)"));
  ASSERT_TRUE(pg_.exec("UPDATE providers SET weight = weight"));  // announces a change
  int attempt = 0;
  EXPECT_TRUE(eventually([&] {
    const std::string id = "after-migrate-" + std::to_string(++attempt);
    HttpClient c("127.0.0.1", ports_.api);
    const int status = c.post("/v1/chat/completions",
                              "{\"model\":\"db-model\",\"messages\":[{\"role\":\"user\","
                              "\"content\":\"hi\"}]}",
                              {{"Authorization", std::string("Bearer ") + kKey},
                               {"x-mock-prompt-tokens", "1000000"},
                               {"x-request-id", id},
                               {"Connection", "close"}})
                           .status;
    std::optional<std::string> cost;
    eventually([&] {
      const PgRows rows =
          pg_.query("SELECT cost_usd::text FROM usage_log WHERE request_id = '" + id + "'");
      if (rows.size() == 1 && rows[0].size() == 1) cost = rows[0][0];
      return cost.has_value();
    }, 10s);
    return status == 200 && cost == std::optional<std::string>("7.000000");
  }, 30s)) << proxy_->stderrLog();
}

TEST(PricesFile, ReadsShowTheFileWritesAre409) {
  ProxyPorts ports;
  auto proxy = startProxy(
      openConfig(ports, 1, "",
                 "\n[[price]]\nmodel = \"gpt-4o\"\nprovider = \"openai\"\ninput_per_mtok = 2.5\n"
                 "output_per_mtok = 10\ncache_write_per_mtok = 3.125\n"),
      ports.api);
  auto list = call(ports.admin, "GET", "/admin/v1/prices");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body,
            "{\"object\":\"list\",\"data\":[{\"id\":null,\"model\":\"gpt-4o\",\"provider\":"
            "\"openai\",\"input_per_mtok\":2.500000,\"output_per_mtok\":10.000000,"
            "\"cached_input_per_mtok\":null,\"cache_write_per_mtok\":3.125000,\"created_at\":null,"
            "\"updated_at\":null,\"source\":\"file\"}]}\n");
  EXPECT_EQ(call(ports.admin, "POST", "/admin/v1/prices", R"({"model":"x"})").status, 409);
  EXPECT_EQ(call(ports.admin, "DELETE", "/admin/v1/prices/1").status, 409);
  EXPECT_EQ(call(ports.admin, "GET", "/admin/v1/prices/1").status, 404);
}

// GET /v1/model/info and /model/info: LiteLLM's field names, prices per token, the key's
// allowed_models, no provider secret, and /model/info's pages.
TEST(ModelInfo, LiteLlmShapesFilteredByKey) {
  ProxyPorts ports;
  auto proxy = startProxy(
      baseConfig(ports, 1, "",
                 "\n[[provider]]\nid = \"openai-main\"\ntype = \"openai\"\n"
                 "api_base = \"http://127.0.0.1:9/v1\"\napi_key = \"sk-provider-secret-123456\"\n"
                 "weight = 2\nmodels = [\"gpt-4o-mini\"]\n"
                 "model_mapping = { \"gpt-4o\" = \"gpt-4o-2024-08-06\", \"gpt-5*\" = \"gpt-5\" }\n"
                 "\n[[key]]\nname = \"all\"\nkey = \"sk-info-all\"\n"
                 "\n[[key]]\nname = \"narrow\"\nkey = \"sk-info-narrow\"\n"
                 "allowed_models = [\"gpt-4o-mini\"]\n"
                 "\n[[price]]\nmodel = \"gpt-4o-2024-08-06\"\ninput_per_mtok = 2.5\n"
                 "output_per_mtok = 10\ncached_input_per_mtok = 1.25\n"),
      ports.api);
  auto get = [&](const std::string& path, const char* key) {
    HttpClient c("127.0.0.1", ports.api);
    return c.get(path, {{"Authorization", std::string("Bearer ") + key}, {"Connection", "close"}});
  };
  const auto all = get("/v1/model/info", "sk-info-all");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.body.find("sk-provider-secret"), std::string::npos) << "no secrets";
  EXPECT_EQ(jsonAt(all.body, "/total_count"), "") << "/v1/model/info pages only when asked";
  // Mappings first (in their priority order), then the served names.
  EXPECT_EQ(jsonAt(all.body, "/data/0/model_name"), "\"gpt-4o\"") << all.body;
  EXPECT_EQ(jsonAt(all.body, "/data/0/litellm_params/model"), "\"openai/gpt-4o-2024-08-06\"");
  EXPECT_EQ(jsonAt(all.body, "/data/0/litellm_params/api_base"), "\"http://127.0.0.1:9/v1\"");
  EXPECT_EQ(jsonAt(all.body, "/data/0/litellm_params/weight"), "2");
  EXPECT_EQ(jsonAt(all.body, "/data/0/model_info/id"), "\"openai-main/gpt-4o\"");
  EXPECT_EQ(jsonAt(all.body, "/data/0/model_info/mode"), "\"chat\"");
  EXPECT_EQ(jsonAt(all.body, "/data/0/model_info/litellm_provider"), "\"openai\"");
  EXPECT_DOUBLE_EQ(jsonNumber(all.body, "/data/0/model_info/input_cost_per_token"), 2.5e-06);
  EXPECT_DOUBLE_EQ(jsonNumber(all.body, "/data/0/model_info/output_cost_per_token"), 1e-05);
  EXPECT_DOUBLE_EQ(jsonNumber(all.body, "/data/0/model_info/cache_read_input_token_cost"), 1.25e-06);
  EXPECT_EQ(jsonAt(all.body, "/data/0/model_info/mapped_model"), "\"gpt-4o-2024-08-06\"");
  EXPECT_EQ(jsonAt(all.body, "/data/0/model_info/is_pattern"), "false");
  EXPECT_EQ(jsonAt(all.body, "/data/1/model_name"), "\"gpt-5*\"");
  EXPECT_EQ(jsonAt(all.body, "/data/1/model_info/is_pattern"), "true");
  EXPECT_EQ(jsonAt(all.body, "/data/1/model_info/input_cost_per_token"), "null");
  EXPECT_EQ(jsonAt(all.body, "/data/2/model_name"), "\"gpt-4o-mini\"");
  EXPECT_EQ(jsonAt(all.body, "/data/2/model_info/priced"), "false");
  EXPECT_EQ(jsonAt(all.body, "/data/3"), "");

  const auto narrow = get("/model/info", "sk-info-narrow");
  ASSERT_EQ(narrow.status, 200) << narrow.body;
  EXPECT_EQ(jsonAt(narrow.body, "/data/0/model_name"), "\"gpt-4o-mini\"");
  EXPECT_EQ(jsonAt(narrow.body, "/data/1"), "");
  EXPECT_EQ(jsonAt(narrow.body, "/total_count"), "1");
  EXPECT_EQ(jsonAt(narrow.body, "/current_page"), "1");

  const auto page2 = get("/model/info?page=2&size=2", "sk-info-all");
  EXPECT_EQ(jsonAt(page2.body, "/data/0/model_name"), "\"gpt-4o-mini\"") << page2.body;
  EXPECT_EQ(jsonAt(page2.body, "/total_pages"), "2");
  EXPECT_EQ(get("/model/info?size=0", "sk-info-all").status, 400);
  const auto far = get("/model/info?page=9223372036854775807&size=1000", "sk-info-all");
  ASSERT_EQ(far.status, 200) << far.body;
  EXPECT_EQ(jsonAt(far.body, "/data"), "[]") << "a page past the end is empty";
  EXPECT_EQ(get("/v1/model/info", "sk-wrong").status, 401);
}

}  // namespace
}  // namespace llmproxy::testing
