// The usage log end to end: rows match the requests sent (plain, streamed, errors, file and
// database keys, hostile model names), a short PostgreSQL outage loses nothing and never delays a
// request, a tiny buffer drops and counts exactly the excess, a graceful stop writes what is
// queued, and GET /admin/v1/usage aggregates with filters, group_by and precise 400s.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <string>

#include "pg_proxy_fixture.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kFileKey = "sk-usage-file";
constexpr const char* kDbKey = "sk-usage-db";

HttpResponse chat(uint16_t port, const std::string& model_json, const char* key,
                  const std::string& request_id, Headers extra = {}, bool stream = false) {
  HttpClient c("127.0.0.1", port);
  Headers h = {{"Authorization", std::string("Bearer ") + key},
               {"Content-Type", "application/json"},
               {"x-request-id", request_id},
               {"Connection", "close"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return c.post("/v1/chat/completions",
                "{\"model\":" + model_json + (stream ? ",\"stream\":true" : "") +
                    ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                h, 5s);
}

HttpResponse usage(uint16_t admin_port, const std::string& query) {
  return getOnce(admin_port, "/admin/v1/usage" + query, adminAuth());
}

class UsageLog : public PgProxyTest {
 protected:
  // One provider "p" on the mock and one file key; `database` is database(...) or empty.
  std::string usageConfig(int workers, const std::string& database) const {
    return baseConfig(ports_, workers, "",
                      database + mockProvider("p", "\"m\"") +
                          "\n[[key]]\nname = \"file key\"\nkey = \"" + kFileKey + "\"\n");
  }
  long rows(const std::string& where = "true") {
    const auto v = pg_.scalar("SELECT count(*) FROM usage_log WHERE " + where);
    return v ? std::stol(*v) : -1;
  }
};

TEST_F(UsageLog, RowsMatchTheRequestsSent) {
  auto& proxy = startProxy(usageConfig(2, database("usage_flush_interval = \"50ms\"\n")));
  ASSERT_TRUE(insertCredential(kDbKey, "db key"));
  const std::string db_id = pg_.scalar("SELECT id FROM credentials").value_or("?");
  ASSERT_TRUE(eventually([&] { return chat(ports_.api, "\"m\"", kDbKey, "warm-up").status == 200; },
                         3000ms));

  EXPECT_EQ(chat(ports_.api, "\"m\"", kFileKey, "plain",
                 {{"x-mock-prompt-tokens", "11"}, {"x-mock-completion-tokens", "7"}})
                .status,
            200);
  const auto streamed = chat(ports_.api, "\"m\"", kDbKey, "streamed",
                             {{"x-mock-prompt-tokens", "13"}, {"x-mock-completion-tokens", "9"}},
                             true);
  EXPECT_EQ(streamed.status, 200);
  EXPECT_EQ(streamed.body.find("\"usage\""), std::string::npos) << "usage chunk stays hidden";
  EXPECT_EQ(chat(ports_.api, "\"m\"", kFileKey, "failed", {{"x-mock-status", "400"}}).status, 400);
  // Unknown model (404): recorded with the name exactly as the client sent it.
  const std::string hostile = "h\"q\\b',{x}\xC3\xBC\xF0\x9F\x98\x80 NULL";
  EXPECT_EQ(chat(ports_.api, "\"h\\\"q\\\\b',{x}\\u00fc\xF0\x9F\x98\x80 NULL\"", kFileKey,
                 "hostile")
                .status,
            404);
  EXPECT_EQ(chat(ports_.api, "\"m\"", "sk-wrong", "unauthenticated").status, 401);

  ASSERT_TRUE(eventually([&] { return rows() == 5; }, 10000ms)) << proxy.stderrLog();
  const auto got = pg_.query(
      "SELECT request_id, coalesce(credential_id::text, 'NULL'), credential_name, endpoint, "
      "model, provider, status, stream, prompt_tokens, completion_tokens, latency_ms > 0, "
      "ttft_ms IS NOT NULL, created_at > now() - interval '1 minute' FROM usage_log "
      "WHERE request_id <> 'warm-up' ORDER BY id");
  ASSERT_EQ(got.size(), 4u);
  // Rows from two workers arrive in any order: index them by request id.
  std::map<std::string, std::vector<std::string>> by_id;
  for (const auto& row : got) by_id[row[0]] = row;
  EXPECT_EQ(by_id["plain"], (std::vector<std::string>{"plain", "NULL", "file key",
                                                       "/v1/chat/completions", "m", "p", "200",
                                                       "f", "11", "7", "t", "t", "t"}));
  EXPECT_EQ(by_id["streamed"], (std::vector<std::string>{"streamed", db_id, "db key",
                                                          "/v1/chat/completions", "m", "p", "200",
                                                          "t", "13", "9", "t", "t", "t"}));
  EXPECT_EQ(by_id["failed"][6], "400");
  EXPECT_EQ(by_id["failed"][5], "p");
  EXPECT_EQ(by_id["hostile"][4], hostile);
  EXPECT_EQ(by_id["hostile"][6], "404");
  EXPECT_EQ(by_id["hostile"][5], "");
  EXPECT_EQ(by_id.count("unauthenticated"), 0u);
  EXPECT_TRUE(eventually(
      [&] { return metric(ports_.api, "llm_proxy_usage_records_written_total") == 5; }, 5000ms));
  EXPECT_EQ(metric(ports_.api, "llm_proxy_usage_records_dropped_total"), 0);
}

// Each row says which protocol the client spoke and which the answering provider was spoken
// to in, and the trace id; a database not migrated to 0004 or 0002 (no such columns) still gets
// every row, without them.
TEST_F(UsageLog, RowsRecordTheProtocolsAndOldSchemasStillGetEveryRow) {
  const std::string anthropic = "\n[[provider]]\nid = \"anth\"\ntype = \"anthropic\"\napi_base = \"" +
                                mock_.baseUrl() + "/v1\"\napi_key = \"k\"\nmodels = [\"c\"]\n";
  startProxy(usageConfig(1, database("usage_flush_interval = \"50ms\"\n")) + anthropic);
  auto messages = [&](const std::string& model, const std::string& request_id) {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post("/v1/messages",
                  "{\"model\":\"" + model +
                      "\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                  {{"x-api-key", kFileKey},
                   {"anthropic-version", "2023-06-01"},
                   {"x-request-id", request_id},
                   {"Connection", "close"}},
                  5s);
  };
  ASSERT_EQ(messages("c", "bypass").status, 200);
  ASSERT_EQ(messages("m", "translated").status, 200);
  ASSERT_EQ(chat(ports_.api, "\"c\"", kFileKey, "chat-on-anthropic").status, 200);
  ASSERT_TRUE(eventually([&] { return rows() == 3; }, 5000ms)) << rows();
  EXPECT_EQ(rows("request_id = 'bypass' AND client_protocol = 'anthropic' AND "
                 "provider_protocol = 'anthropic' AND prompt_tokens > 0"),
            1);
  EXPECT_EQ(rows("request_id = 'translated' AND client_protocol = 'anthropic' AND "
                 "provider_protocol = 'openai' AND completion_tokens > 0"),
            1);
  EXPECT_EQ(rows("request_id = 'chat-on-anthropic' AND client_protocol = 'openai' AND "
                 "provider_protocol = 'anthropic'"),
            1);

  // Each row carries the request's W3C trace id, the client's when it sent one.
  EXPECT_EQ(rows("request_id = 'bypass' AND trace_id ~ '^[0-9a-f]{32}$'"), 1);
  ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "traced",
                 {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}})
                .status,
            200);
  EXPECT_TRUE(eventually([&] {
    return rows("request_id = 'traced' AND trace_id = '4bf92f3577b34da6a3ce929d0e0e4736'") == 1;
  }, 5000ms));

  // Before migration 0005: rows go without the cost, with the trace id.
  ASSERT_TRUE(pg_.exec("ALTER TABLE usage_log DROP COLUMN cost_usd"));
  ASSERT_TRUE(pg_.exec("DROP TABLE key_spend"));
  ASSERT_EQ(messages("c", "no-cost-column").status, 200);
  EXPECT_TRUE(eventually([&] {
    return rows("request_id = 'no-cost-column' AND trace_id ~ '^[0-9a-f]{32}$'") == 1;
  }, 5000ms)) << proxy_->stderrLog();

  // Before migration 0004: rows go without the trace id, with the protocols.
  ASSERT_TRUE(pg_.exec("ALTER TABLE usage_log DROP COLUMN trace_id"));
  ASSERT_EQ(messages("c", "no-trace-column").status, 200);
  EXPECT_TRUE(eventually([&] {
    return rows("request_id = 'no-trace-column' AND client_protocol = 'anthropic'") == 1;
  }, 5000ms)) << proxy_->stderrLog();

  ASSERT_TRUE(pg_.exec("ALTER TABLE usage_log DROP COLUMN client_protocol, "
                       "DROP COLUMN provider_protocol"));
  ASSERT_EQ(messages("c", "old-schema-1").status, 200);
  ASSERT_EQ(messages("c", "old-schema-2").status, 200);
  EXPECT_TRUE(eventually([&] { return rows("request_id LIKE 'old-schema-%'") == 2; }, 5000ms))
      << "rows written without the protocols: " << rows() << "\n" << proxy_->stderrLog();
  EXPECT_EQ(rows(), 8);
  EXPECT_NE(proxy_->stderrLog().find("llmproxy migrate up"), std::string::npos);
}

// A priced model's cost, from the exact usage with cached tokens at the cached price, reaches
// the usage log, the access log, /admin/v1/usage and /metrics; an unpriced one costs nothing
// and is counted so the operator sees what is missing.
TEST_F(UsageLog, CostOfEachRequestEverywhere) {
  startProxy(baseConfig(ports_, 2, "",
                        database("usage_flush_interval = \"50ms\"\n") +
                            mockProvider("p", "\"m\", \"u\"") +
                            "\n[[key]]\nname = \"file key\"\nkey = \"" + kFileKey + "\"\n"
                            "\n[[price]]\nmodel = \"m\"\ninput_per_mtok = 2.50\n"
                            "output_per_mtok = 10\ncached_input_per_mtok = 1.25\n"));
  // 1,000 prompt tokens of which 400 cached, 500 out: 600 x 2.5 + 400 x 1.25 + 500 x 10 µ$.
  const Headers tokens = {{"x-mock-prompt-tokens", "1000"},
                          {"x-mock-cache-read-tokens", "400"},
                          {"x-mock-completion-tokens", "500"}};
  ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "priced", tokens).status, 200);
  ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "priced-stream", tokens, true).status, 200);
  ASSERT_EQ(chat(ports_.api, "\"u\"", kFileKey, "unpriced", tokens).status, 200);

  ASSERT_TRUE(eventually([&] { return rows() == 3; }, 10000ms)) << proxy_->stderrLog();
  EXPECT_EQ(pg_.query("SELECT request_id, coalesce(cost_usd::text, 'NULL') FROM usage_log "
                      "ORDER BY request_id"),
            (PgRows{{"priced", "0.007000"}, {"priced-stream", "0.007000"}, {"unpriced", "NULL"}}));

  const auto sums = usage(ports_.admin, "?group_by=model");
  ASSERT_EQ(sums.status, 200) << sums.body;
  EXPECT_NE(sums.body.find("\"model\":\"m\",\"requests\":2,"), std::string::npos) << sums.body;
  EXPECT_NE(sums.body.find("\"cost_usd\":0.014000}"), std::string::npos) << sums.body;
  EXPECT_NE(sums.body.find("\"cost_usd\":0.000000}"), std::string::npos) << sums.body;

  const std::string metrics = getOnce(ports_.api, "/metrics").body;
  EXPECT_NE(metrics.find("llm_proxy_spend_usd_total{model=\"m\",provider=\"p\",key=\"file "
                         "key\"} 0.014000\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("llm_proxy_unpriced_requests_total{model=\"u\"} 1\n"),
            std::string::npos)
      << metrics;

  // Two workers: each flushes its own access-log buffer, so wait for both lines.
  std::string log;
  auto line = [&](const std::string& id) {
    const auto at = log.find(" " + id + " ");
    return at == std::string::npos ? std::string() : log.substr(at, log.find('\n', at) - at);
  };
  ASSERT_TRUE(eventually([&] {
    log = proxy_->tempDir().read("access.log");
    return !line("priced").empty() && !line("unpriced").empty();
  }, 10s)) << log;
  // "... prompt/completion trace-id cost": the cost is the line's last field.
  EXPECT_NE(line("priced").find(" 1000/500 "), std::string::npos) << line("priced");
  EXPECT_TRUE(line("priced").ends_with(" 0.007000")) << line("priced");
  EXPECT_NE(line("unpriced").find(" 1000/500 "), std::string::npos) << line("unpriced");
  EXPECT_TRUE(line("unpriced").ends_with(" -")) << line("unpriced");
}

TEST_F(UsageLog, ShortOutageLosesNothingAndDelaysNothing) {
  auto& proxy = startProxy(usageConfig(2, database("usage_flush_interval = \"50ms\"\n")));
  ASSERT_TRUE(pg_.stop());
  constexpr int kRequests = 20;
  const auto t0 = Clock::now();
  for (int i = 0; i < kRequests; ++i)
    ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "outage-" + std::to_string(i)).status, 200);
  std::cout << "[ measured ] " << kRequests << " requests with PostgreSQL down in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()
            << " ms\n";
  EXPECT_EQ(usage(ports_.admin, "").status, 503) << "the usage query needs PostgreSQL";
  ASSERT_TRUE(pg_.start());
  EXPECT_TRUE(eventually([&] { return rows() == kRequests; }, 20000ms)) << proxy.stderrLog();
  EXPECT_EQ(metric(ports_.api, "llm_proxy_usage_records_dropped_total"), 0);
  EXPECT_TRUE(eventually(
      [&] { return metric(ports_.api, "llm_proxy_usage_records_queued") == 0; }, 5000ms));
}

TEST_F(UsageLog, TinyBufferDropsTheExcessAndCountsIt) {
  auto& proxy = startProxy(
      usageConfig(1, database("usage_flush_interval = \"50ms\"\nusage_buffer = 3\n")));
  ASSERT_TRUE(pg_.stop());
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "tiny-" + std::to_string(i)).status, 200);
  EXPECT_EQ(metric(ports_.api, "llm_proxy_usage_records_dropped_total"), 5);
  EXPECT_EQ(metric(ports_.api, "llm_proxy_usage_records_queued"), 3);
  ASSERT_TRUE(pg_.start());
  EXPECT_TRUE(eventually([&] { return rows() == 3; }, 20000ms)) << proxy.stderrLog();
  EXPECT_EQ(rows("request_id IN ('tiny-0', 'tiny-1', 'tiny-2')"), 3) << "the oldest are kept";
  EXPECT_TRUE(eventually(
      [&] { return metric(ports_.api, "llm_proxy_usage_records_written_total") == 3; }, 5000ms));
}

TEST_F(UsageLog, GracefulStopWritesWhatIsQueued) {
  auto& proxy = startProxy(usageConfig(1, database("usage_flush_interval = \"60s\"\n")));
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "quit-" + std::to_string(i)).status, 200);
  EXPECT_EQ(rows(), 0) << "a partial batch waits for its interval";
  ASSERT_TRUE(proxy.signal(SIGQUIT));
  EXPECT_EQ(proxy.waitExit(10s), 0);
  EXPECT_EQ(rows(), 3) << proxy.stderrLog();
}

TEST_F(UsageLog, QueryAggregatesFiltersAndGroups) {
  startProxy(usageConfig(1, database()));
  ASSERT_TRUE(pg_.exec(
      "INSERT INTO usage_log (created_at, request_id, credential_id, credential_name, model, "
      "provider, status, prompt_tokens, completion_tokens, latency_ms, ttft_ms, cost_usd) VALUES "
      "('2026-01-01T10:00:00Z', 'a', 7, 'alpha', 'm1', 'p1', 200, 10, 5, 100, 10, 0.01),"
      "('2026-01-01T10:30:00Z', 'b', 7, 'alpha', 'm2', 'p1', 500, 0, 0, 300, NULL, NULL),"
      "('2026-01-02T11:00:00Z', 'c', NULL, 'file key', 'm1', 'p2', 200, 1, 2, 200, 30, "
      "0.002345)"));

  auto r = usage(ports_.admin, "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            "{\"object\":\"usage\",\"group_by\":[],\"data\":[{\"requests\":3,\"prompt_tokens\":11,"
            "\"completion_tokens\":7,\"total_tokens\":18,\"errors\":1,\"avg_latency_ms\":200,"
            "\"avg_ttft_ms\":20,\"cost_usd\":0.012345}],\"truncated\":false}");

  r = usage(ports_.admin, "?group_by=credential,model");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("{\"credential_id\":7,\"credential_name\":\"alpha\",\"model\":\"m1\","
                        "\"requests\":1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("{\"credential_id\":null,\"credential_name\":\"file key\",\"model\":"
                        "\"m1\",\"requests\":1"),
            std::string::npos)
      << r.body;

  r = usage(ports_.admin, "?credential=alpha&group_by=day");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("[{\"day\":\"2026-01-01T00:00:00Z\",\"requests\":2,"), std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find("2026-01-02"), std::string::npos) << r.body;

  r = usage(ports_.admin, "?credential=7&provider=p1&since=2026-01-01T10:15:00Z&until=1767312000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"requests\":1,"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"errors\":1,"), std::string::npos) << r.body;

  r = usage(ports_.admin, "?model=nothing&group_by=hour");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"data\":[]"), std::string::npos) << r.body;

  r = usage(ports_.admin, "?group_by=model;DROP%20TABLE%20usage_log");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"param\":\"group_by\""), std::string::npos) << r.body;
  r = usage(ports_.admin, "?since=last%20week");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"param\":\"since\""), std::string::npos) << r.body;
  r = usage(ports_.admin, "?until=2026-02-30T00:00:00Z");
  EXPECT_NE(r.body.find("\"param\":\"until\""), std::string::npos) << r.body;
  EXPECT_EQ(getOnce(ports_.admin, "/admin/v1/usage").status, 401) << "admin key required";
  EXPECT_EQ(rows(), 3);
}

TEST_F(UsageLog, WithoutDatabaseQueryIsConflict) {
  startProxy(usageConfig(1, ""));
  ASSERT_EQ(chat(ports_.api, "\"m\"", kFileKey, "no-db").status, 200);
  const auto r = usage(ports_.admin, "?group_by=model");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("only with a database"), std::string::npos) << r.body;
  EXPECT_EQ(metric(ports_.api, "llm_proxy_usage_records_queued"), 0);
}

}  // namespace
}  // namespace llmproxy::testing
