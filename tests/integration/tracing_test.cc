// Tracing end to end, against mock providers and a fake OpenTelemetry collector and fake
// Langfuse (the mock provider records POST /v1/traces and /api/public/ingestion): the W3C
// context reaches the provider and the logs, a failover shows as two client spans under one
// server span with the GenAI attributes, Langfuse gets its trace and generation events with
// basic auth, captures respect the cap and the redaction, secrets are never exported, a dead
// collector costs requests nothing (the drop counter rises), the environment alone turns export
// on, and a graceful stop sends what waits.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "otlp/otlp_decode.h"
#include "proxy_fixture.h"
#include "support/langfuse_schema.h"
#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKey = "sk-client-tracing";
constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kClientSpan = "00f067aa0ba902b7";
constexpr const char* kLangfuseSecret = "sk-lf-SECRET-0123";
constexpr const char* kOtlpSecret = "otlp-SECRET-4567";

MockProvider failingMock() {
  MockProvider::Options o;
  o.defaults.status = 503;
  return MockProvider(o);
}

// A span of an OTLP/JSON body, with its attributes as text.
struct Span {
  std::string trace_id, span_id, parent, name;
  int64_t kind = 0;
  int64_t status_code = 0;
  std::map<std::string, std::string> attrs;
  std::vector<std::string> events;
};

// Every span the collector received, each body decoded by protobuf's JSON parser against the
// OTLP messages (a body it refuses fails the test).
std::vector<Span> spansOf(const std::vector<RecordedRequest>& requests,
                          std::map<std::string, std::string>* resource = nullptr) {
  std::vector<Span> out;
  for (const RecordedRequest& r : requests) {
    if (r.path != "/v1/traces") continue;
    std::string error;
    const auto request = decodeOtlpJson(r.body, &error);
    EXPECT_TRUE(request) << error << "\n" << r.body;
    if (!request) continue;
    for (const auto& rs : request->resource_spans()) {
      if (resource)
        for (const auto& a : rs.resource().attributes())
          (*resource)[a.key()] = attributeText(rs.resource().attributes(), a.key());
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& s : ss.spans()) {
          Span span;
          span.trace_id = hexOf(s.trace_id());
          span.span_id = hexOf(s.span_id());
          span.parent = hexOf(s.parent_span_id());
          span.name = s.name();
          span.kind = s.kind();
          span.status_code = s.status().code();
          for (const auto& a : s.attributes()) span.attrs[a.key()] = attributeText(s.attributes(), a.key());
          for (const auto& e : s.events()) span.events.push_back(e.name());
          out.push_back(std::move(span));
        }
      }
    }
  }
  return out;
}

std::vector<Span> spansOfTrace(const MockProvider& collector, const std::string& trace_id) {
  std::vector<Span> out;
  for (Span& s : spansOf(collector.requests()))
    if (s.trace_id == trace_id) out.push_back(std::move(s));
  return out;
}

std::vector<RecordedRequest> ingestions(const MockProvider& collector) {
  std::vector<RecordedRequest> out;
  for (RecordedRequest& r : collector.requests())
    if (r.path == "/api/public/ingestion") out.push_back(std::move(r));
  return out;
}

// A labelled sample of /metrics ("name{labels}"), -1 when absent.
long sample(uint16_t port, const std::string& series) {
  const auto r = getOnce(port, "/metrics");
  const auto at = r.body.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stol(r.body.substr(at + series.size() + 2));
}

HttpResponse chat(uint16_t port, Headers extra = {}, const std::string& content = "hi",
                  bool stream = false) {
  HttpClient c("127.0.0.1", port);
  Headers h = {{"Authorization", std::string("Bearer ") + kKey},
               {"Content-Type", "application/json"},
               {"Connection", "close"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return c.post("/v1/chat/completions",
                std::string("{\"model\":\"m\"") + (stream ? ",\"stream\":true" : "") +
                    ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}",
                h, 10s);
}

class Tracing : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(good_.start()) << good_.lastError();
    ASSERT_TRUE(bad_.start()) << bad_.lastError();
    ASSERT_TRUE(collector_.start()) << collector_.lastError();
  }

  // "bad" serves m by its exact name (first choice) and answers 503; "good" serves it through
  // a pattern (the failover candidate) as "m-good".
  std::string config(const std::string& tail, const std::string& log_extra = "") const {
    return baseConfig(
        ports_, 1, "",
        "access_format = \"json\"\n" + log_extra + tail +
            "\n[[provider]]\nid = \"bad\"\ntype = \"openai-compatible\"\napi_base = \"" +
            bad_.baseUrl() + "/v1\"\napi_key = \"pk-bad\"\nmodels = [\"m\"]\n" +
            "\n[[provider]]\nid = \"good\"\ntype = \"openai-compatible\"\napi_base = \"" +
            good_.baseUrl() + "/v1\"\napi_key = \"pk-good\"\nmodel_mapping = { \"m*\" = \"m-good\" }\n" +
            "\n[[key]]\nname = \"team-a\"\nkey = \"" + kKey + "\"\n");
  }
  std::string otlp(const std::string& extra = "") const {
    return "\n[tracing]\notlp_endpoint = \"" + collector_.baseUrl() +
           "\"\nflush_interval = \"100ms\"\n" + extra;
  }
  std::string accessLog() const { return proxy_->tempDir().read("access.log"); }

  MockProvider good_;
  MockProvider bad_ = failingMock();
  MockProvider collector_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(Tracing, FailoverIsOneServerSpanAndTwoClientSpansAndTheContextGoesUpstream) {
  proxy_ = startProxy(config(otlp()), ports_.api);
  const std::string traceparent = std::string("00-") + kTraceId + "-" + kClientSpan + "-01";
  const auto r = chat(ports_.api, {{"traceparent", traceparent},
                                   {"tracestate", "congo=t61rcWkgMzE"},
                                   {"User-Agent", "OpenAI/Python 1.99.1"},
                                   {"x-request-id", "traced-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-llmproxy-provider"), "good");

  // Each provider got the trace, with its own attempt's span as the parent.
  const auto seen_bad = bad_.lastRequest();
  const auto seen_good = good_.lastRequest();
  ASSERT_TRUE(seen_bad && seen_good);
  const std::string up_bad = seen_bad->header("traceparent");
  const std::string up_good = seen_good->header("traceparent");
  ASSERT_EQ(up_good.size(), 55u) << up_good;
  EXPECT_EQ(up_good.substr(0, 36), std::string("00-") + kTraceId + "-");
  EXPECT_EQ(up_good.substr(52), "-01");
  EXPECT_NE(up_good.substr(36, 16), kClientSpan);
  EXPECT_NE(up_good.substr(36, 16), up_bad.substr(36, 16));
  EXPECT_EQ(seen_good->header("tracestate"), "congo=t61rcWkgMzE");

  std::vector<Span> spans;
  ASSERT_TRUE(eventually([&] {
    spans = spansOfTrace(collector_, kTraceId);
    return spans.size() >= 3;
  }, 10000ms)) << proxy_->stderrLog();
  ASSERT_EQ(spans.size(), 3u);
  const Span* server = nullptr;
  std::vector<const Span*> clients;
  for (const Span& s : spans) {
    if (s.kind == 2)
      server = &s;
    else
      clients.push_back(&s);
  }
  ASSERT_TRUE(server);
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_EQ(server->parent, kClientSpan);
  EXPECT_EQ(server->name, "POST /v1/chat/completions");
  EXPECT_EQ(server->attrs.at("http.request.method"), "POST");
  EXPECT_EQ(server->attrs.at("http.response.status_code"), "200");
  EXPECT_EQ(server->attrs.at("gen_ai.operation.name"), "chat");
  EXPECT_EQ(server->attrs.at("gen_ai.system"), "openai");
  EXPECT_EQ(server->attrs.at("gen_ai.request.model"), "m");
  EXPECT_EQ(server->attrs.at("gen_ai.response.model"), "m-good");
  EXPECT_EQ(server->attrs.count("gen_ai.usage.input_tokens"), 1u);
  EXPECT_NE(server->attrs.at("gen_ai.usage.output_tokens"), "0");
  EXPECT_EQ(server->attrs.at("gen_ai.response.finish_reasons"), "stop");
  EXPECT_EQ(server->attrs.at("llmproxy.client_name"), "openai-python");
  EXPECT_EQ(server->attrs.at("llmproxy.key_name"), "team-a");
  EXPECT_EQ(server->attrs.at("llmproxy.request_id"), "traced-1");
  EXPECT_EQ(server->attrs.at("llmproxy.attempts"), "2");
  EXPECT_EQ(server->events, std::vector<std::string>{"gen_ai.first_token"});
  EXPECT_EQ(server->status_code, 0);
  for (const Span* c : clients) EXPECT_EQ(c->parent, server->span_id);
  const Span* failed = clients[0]->attrs.at("llmproxy.provider") == "bad" ? clients[0] : clients[1];
  const Span* answered = failed == clients[0] ? clients[1] : clients[0];
  EXPECT_EQ(failed->attrs.at("llmproxy.provider"), "bad");
  EXPECT_EQ(failed->attrs.at("http.response.status_code"), "503");
  EXPECT_EQ(failed->status_code, 2);
  EXPECT_EQ(failed->span_id, up_bad.substr(36, 16));
  EXPECT_EQ(answered->attrs.at("llmproxy.provider"), "good");
  EXPECT_EQ(answered->attrs.at("gen_ai.request.model"), "m-good");
  EXPECT_EQ(answered->attrs.at("server.address"), "127.0.0.1");
  EXPECT_EQ(answered->status_code, 0);
  EXPECT_EQ(answered->span_id, up_good.substr(36, 16))
      << "the provider's parent is the answering attempt's client span";

  // The access log names the trace.
  ASSERT_TRUE(eventually([&] { return accessLog().find("traced-1") != std::string::npos; }));
  EXPECT_NE(accessLog().find(std::string("\"trace_id\":\"") + kTraceId + "\""), std::string::npos)
      << accessLog();
  EXPECT_GE(sample(ports_.api, "llm_proxy_trace_exports_total{sink=\"otlp\",result=\"success\"}"),
            1);
}

TEST_F(Tracing, ANewTraceStartsWithoutAClientContextAndUnsampledOnesAreNotExported) {
  proxy_ = startProxy(config(otlp("sample_ratio = 0\n")), ports_.api);
  ASSERT_EQ(chat(ports_.api, {{"x-request-id", "fresh"}}).status, 200);
  const std::string started = good_.lastRequest()->header("traceparent");
  ASSERT_EQ(started.size(), 55u) << started;
  EXPECT_EQ(started.substr(52), "-00") << "sample_ratio 0: not sampled";
  // A client's unsampled context goes on as it came: its own span stays the parent.
  const std::string unsampled = std::string("00-") + kTraceId + "-" + kClientSpan + "-00";
  ASSERT_EQ(chat(ports_.api, {{"traceparent", unsampled}, {"x-request-id", "unsampled"}}).status,
            200);
  EXPECT_EQ(good_.lastRequest()->header("traceparent"), unsampled);
  // A sampled client context is exported whatever the ratio (parent-based).
  const std::string sampled = std::string("00-") + kTraceId + "-" + kClientSpan + "-01";
  ASSERT_EQ(chat(ports_.api, {{"traceparent", sampled}, {"x-request-id", "sampled"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return spansOfTrace(collector_, kTraceId).size() >= 3; }, 10000ms));
  for (const Span& s : spansOf(collector_.requests()))
    EXPECT_EQ(s.trace_id, kTraceId) << "only the sampled request is exported";
  ASSERT_TRUE(eventually([&] { return accessLog().find("\"fresh\"") != std::string::npos; }));
  EXPECT_NE(accessLog().find("\"trace_id\":\"" + started.substr(3, 32) + "\""), std::string::npos);
}

TEST_F(Tracing, LangfuseGetsTraceAndGenerationEventsWithBasicAuthCappedRedactedNoSecrets) {
  const std::string langfuse = "\n[langfuse]\nhost = \"" + collector_.baseUrl() +
                               "\"\npublic_key = \"pk-lf-1\"\nsecret_key = \"" + kLangfuseSecret +
                               "\"\ncapture_content = true\nmax_content_size = 128\n"
                               "redact = [\"secret-[0-9]+\"]\n";
  proxy_ = startProxy(config(otlp("otlp_headers = { \"x-otlp-key\" = \"" + std::string(kOtlpSecret) +
                                  "\" }\n") +
                             langfuse),
                      ports_.api);
  const std::string long_text = "my secret-12345 and then " + std::string(200, 'x');
  ASSERT_EQ(chat(ports_.api, {{"User-Agent", "claude-cli/1.0.83 (external, cli)"},
                              {"x-request-id", "lf-1"}},
                 long_text, true)
                .status,
            200);
  std::vector<RecordedRequest> sent;
  ASSERT_TRUE(eventually([&] {
    sent = ingestions(collector_);
    return !sent.empty() && !spansOf(collector_.requests()).empty();
  }, 10000ms)) << proxy_->stderrLog();
  // Basic auth: base64("pk-lf-1:sk-lf-SECRET-0123").
  EXPECT_EQ(sent[0].header("authorization"), "Basic cGstbGYtMTpzay1sZi1TRUNSRVQtMDEyMw==");
  EXPECT_EQ(sent[0].header("content-type"), "application/json");
  for (const RecordedRequest& body : sent)
    EXPECT_EQ(langfuseSchemaErrors(body.body), std::vector<std::string>{}) << body.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(sent[0].body);
  simdjson::dom::array batch = doc["batch"].get_array();
  ASSERT_EQ(batch.size(), 2u) << sent[0].body;
  simdjson::dom::element trace = batch.at(0);
  simdjson::dom::element gen = batch.at(1);
  EXPECT_EQ(std::string_view(trace["type"].get_string()), "trace-create");
  EXPECT_EQ(std::string_view(gen["type"].get_string()), "generation-create");
  for (simdjson::dom::element e : batch) {
    for (const char* field : {"id", "timestamp"})
      EXPECT_TRUE(e[field].is_string()) << field;
  }
  simdjson::dom::element tb = trace["body"];
  simdjson::dom::element g = gen["body"];
  EXPECT_EQ(std::string_view(g["traceId"].get_string()), std::string_view(tb["id"].get_string()));
  EXPECT_EQ(std::string_view(tb["userId"].get_string()), "team-a");
  EXPECT_EQ(std::string_view(g["model"].get_string()), "m-good");
  EXPECT_EQ(std::string_view(g["metadata"]["requested_model"].get_string()), "m");
  EXPECT_EQ(std::string_view(g["metadata"]["provider"].get_string()), "good");
  EXPECT_EQ(std::string_view(g["metadata"]["client_name"].get_string()), "claude-code");
  EXPECT_EQ(std::string_view(g["metadata"]["key_name"].get_string()), "team-a");
  EXPECT_EQ(int64_t(g["metadata"]["status_code"].get_int64()), 200);
  EXPECT_TRUE(g["completionStartTime"].is_string());
  EXPECT_GT(int64_t(g["usage"]["output"].get_int64()), 0);
  const std::string_view input = g["input"].get_string();
  const std::string_view output = g["output"].get_string();
  EXPECT_LE(input.size(), 128u + 10u) << input;  // the cap, then "[REDACTED]" for the match
  EXPECT_NE(input.find("[REDACTED]"), std::string_view::npos) << input;
  EXPECT_EQ(input.find("secret-12345"), std::string_view::npos) << input;
  EXPECT_FALSE(output.empty());
  EXPECT_LE(output.size(), 128u) << output;

  // Secrets reach nobody: not the Langfuse secret, not the OTLP header, not the keys.
  bool otlp_header_seen = false;
  for (const RecordedRequest& r : collector_.requests()) {
    if (r.path == "/v1/traces") otlp_header_seen |= r.header("x-otlp-key") == kOtlpSecret;
    for (const char* secret : {kLangfuseSecret, kOtlpSecret, kKey, "pk-good", "pk-bad"})
      EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " in " << r.path;
    if (r.path == "/api/public/ingestion") {
      EXPECT_EQ(r.header("x-otlp-key"), "");
    }
  }
  EXPECT_TRUE(otlp_header_seen);
}

// Captured output is the answer's text as the client received it (streamed or not, translated
// or not), redacted, cut at max_content_size; captured input is the request body, the same way.
TEST_F(Tracing, LangfuseCapturesTheTextTheClientSawRedactedAndCapped) {
  const std::string langfuse = "\n[langfuse]\nhost = \"" + collector_.baseUrl() +
                               "\"\npublic_key = \"pk-lf-1\"\nsecret_key = \"" + kLangfuseSecret +
                               "\"\ncapture_content = true\nmax_content_size = 64\n"
                               "redact = [\"secret-[0-9]+\"]\nsample_rate = 1.0\n";
  proxy_ = startProxy(config("\n[tracing]\nflush_interval = \"100ms\"\n" + langfuse), ports_.api);
  const std::string text = "Hello there, the code is secret-999 and that is all.";
  ASSERT_EQ(chat(ports_.api, {{"x-request-id", "cap-stream"}, {"x-mock-content", text}}, "hi", true)
                .status,
            200);
  ASSERT_EQ(chat(ports_.api, {{"x-request-id", "cap-body"}, {"x-mock-content", text}}).status, 200);
  // 40 words of 5 bytes: twice the cap.
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "word ";
  ASSERT_EQ(chat(ports_.api, {{"x-request-id", "cap-long"}, {"x-mock-content", long_text}}, "hi",
                 true)
                .status,
            200);
  {
    // An Anthropic client on an OpenAI provider: the answer is translated on its way.
    HttpClient c("127.0.0.1", ports_.api);
    const auto r = c.post("/v1/messages",
                          R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})",
                          {{"Authorization", std::string("Bearer ") + kKey},
                           {"anthropic-version", "2023-06-01"},
                           {"Content-Type", "application/json"},
                           {"x-request-id", "cap-translated"},
                           {"x-mock-content", text},
                           {"Connection", "close"}},
                          10s);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_NE(r.body.find("secret-999"), std::string::npos) << "the client saw the text: " << r.body;
  }

  // request id -> the generation's body.
  std::map<std::string, std::string> input, output;
  ASSERT_TRUE(eventually([&] {
    for (const RecordedRequest& r : ingestions(collector_)) {
      EXPECT_EQ(langfuseSchemaErrors(r.body), std::vector<std::string>{}) << r.body;
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      if (parser.parse(r.body).get(doc)) continue;
      for (simdjson::dom::element e : doc["batch"].get_array()) {
        if (std::string_view(e["type"].get_string()) != "generation-create") continue;
        simdjson::dom::element body = e["body"];
        const std::string id(std::string_view(body["metadata"]["request_id"].get_string()));
        std::string_view in, out;
        if (!body["input"].get(in)) input[id] = in;
        if (!body["output"].get(out)) output[id] = out;
      }
    }
    return input.size() >= 4;
  }, 10000ms)) << proxy_->stderrLog();

  const std::string redacted = "Hello there, the code is [REDACTED] and that is all.";
  EXPECT_EQ(output["cap-stream"], redacted);
  EXPECT_EQ(output["cap-body"], redacted);
  EXPECT_EQ(output["cap-translated"], redacted);
  EXPECT_EQ(output["cap-long"], long_text.substr(0, 64));
  // The request body as sent, cut at the cap.
  EXPECT_EQ(input["cap-body"], std::string(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})").substr(0, 64));
  EXPECT_EQ(input["cap-translated"].substr(0, 24), R"({"model":"m","max_tokens)");
  EXPECT_LE(input["cap-translated"].size(), 64u);
}

TEST_F(Tracing, ADeadCollectorCostsRequestsNothingAndDropsAreCounted) {
  const uint16_t dead = freeTcpPort();
  proxy_ = startProxy(config("\n[tracing]\notlp_endpoint = \"http://127.0.0.1:" +
                             std::to_string(dead) +
                             "\"\nflush_interval = \"50ms\"\nqueue_size = 2\n"),
                      ports_.api);
  for (int i = 0; i < 8; ++i)
    ASSERT_EQ(chat(ports_.api, {{"x-request-id", "dead-" + std::to_string(i)}}).status, 200);
  EXPECT_TRUE(eventually([&] {
    return sample(ports_.api, "llm_proxy_trace_dropped_total{sink=\"otlp\"}") >= 1 &&
           sample(ports_.api, "llm_proxy_trace_exports_total{sink=\"otlp\",result=\"failure\"}") >= 1;
  }, 10000ms)) << getOnce(ports_.api, "/metrics").body;
  EXPECT_EQ(sample(ports_.api, "llm_proxy_trace_dropped_total{sink=\"langfuse\"}"), 0);
  EXPECT_EQ(sample(ports_.api, "llm_proxy_trace_exports_total{sink=\"otlp\",result=\"success\"}"),
            0);
}

TEST_F(Tracing, TheEnvironmentAloneTurnsExportOn) {
  auto p = std::make_unique<ProxyProcess>(
      config(""), EnvVars{{"OTEL_EXPORTER_OTLP_ENDPOINT", collector_.baseUrl()},
                          {"OTEL_SERVICE_NAME", "gateway-from-env"}});
  ASSERT_TRUE(p->start());
  ASSERT_TRUE(p->waitReady(ports_.api)) << p->stderrLog();
  proxy_ = std::move(p);
  ASSERT_EQ(chat(ports_.api).status, 200);
  // The default flush_interval (5 s) sends it without more traffic.
  std::map<std::string, std::string> resource;
  ASSERT_TRUE(eventually([&] { return !spansOf(collector_.requests(), &resource).empty(); },
                         20000ms))
      << proxy_->stderrLog();
  EXPECT_EQ(resource["service.name"], "gateway-from-env");
  EXPECT_EQ(resource["service.version"], LLMPROXY_VERSION);
  EXPECT_FALSE(resource["host.name"].empty());
}

TEST_F(Tracing, AReloadTurnsExportOnAndAGracefulStopSendsWhatWaits) {
  proxy_ = startProxy(config(""), ports_.api);
  ASSERT_EQ(chat(ports_.api, {{"x-request-id", "before"}}).status, 200);
  proxy_->writeConfig(config("\n[tracing]\notlp_endpoint = \"" + collector_.baseUrl() +
                             "\"\nflush_interval = \"1h\"\n"));
  ASSERT_TRUE(proxy_->signal(SIGHUP));
  ASSERT_TRUE(eventually([&] { return configVersionOf(getOnce(ports_.api, "/health")) == 2; }))
      << proxy_->stderrLog();
  ASSERT_EQ(chat(ports_.api, {{"x-request-id", "after"}}).status, 200);
  EXPECT_TRUE(collector_.requests().empty()) << "the batch waits for its interval";
  ASSERT_TRUE(proxy_->signal(SIGQUIT));
  ASSERT_TRUE(proxy_->waitExit(15000ms));
  const std::vector<Span> spans = spansOf(collector_.requests());
  ASSERT_FALSE(spans.empty()) << proxy_->stderrLog();
  bool after = false;
  for (const Span& s : spans) {
    EXPECT_NE(s.attrs.count("llmproxy.request_id") ? s.attrs.at("llmproxy.request_id") : "",
              "before");
    after |= s.attrs.count("llmproxy.request_id") && s.attrs.at("llmproxy.request_id") == "after";
  }
  EXPECT_TRUE(after);
}

}  // namespace
}  // namespace llmproxy::testing
