// The OTLP/JSON and Langfuse encodings of finished requests, decoded with simdjson and checked
// field by field.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>

#include "worker/tracing/langfuse_json.h"
#include "worker/tracing/otlp_json.h"

namespace llmproxy::worker::tracing {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// A streamed chat request answered by the second provider after the first answered 503.
std::shared_ptr<const TraceRecord> failedOverRecord() {
  auto r = std::make_shared<TraceRecord>();
  r->trace_id = {0x4bf92f3577b34da6ULL, 0xa3ce929d0e0e4736ULL};
  r->span = 0x1111111111111111ULL;
  r->parent = 0x00f067aa0ba902b7ULL;
  r->tracestate = "congo=t61";
  r->otlp = r->langfuse = true;
  r->start_ns = 1'700'000'000'000'000'000;
  r->first_token_ns = r->start_ns + 250'000'000;
  r->end_ns = r->start_ns + 900'000'000;
  r->request_id = "req-1";
  r->method = "POST";
  r->route = "/v1/chat/completions";
  r->user_agent = "OpenAI/Python 1.99";
  r->client_name = "openai-python";
  r->client_address = "127.0.0.1";
  r->status = 200;
  r->operation = "chat";
  r->request_model = "gpt-4o";
  r->response_model = "gpt-4o-2024";
  r->provider = "second";
  r->system = "openai";
  r->key_name = "team-a";
  r->client_protocol = "openai";
  r->provider_protocol = "openai";
  r->stream = true;
  r->has_usage = true;
  r->input_tokens = 11;
  r->output_tokens = 7;
  r->finish_reason = "stop";
  r->attempts.push_back({0x2222222222222222ULL, "first", "openai", "gpt-4o-2024", "10.0.0.1", 8080,
                         r->start_ns + 1000, r->start_ns + 50'000'000, 503, "HTTP 503"});
  r->attempts.push_back({0x3333333333333333ULL, "second", "openai", "gpt-4o-2024", "10.0.0.2",
                         443, r->start_ns + 50'000'000, r->end_ns, 200, ""});
  return r;
}

std::map<std::string, std::string> attributes(element span) {
  std::map<std::string, std::string> out;
  for (element a : span["attributes"].get_array()) {
    const std::string key(std::string_view(a["key"].get_string()));
    object v = a["value"].get_object();
    for (auto [type, value] : v) {
      if (type == "stringValue" || type == "intValue")
        out[key] = std::string(std::string_view(value.get_string()));
      else if (type == "boolValue")
        out[key] = bool(value.get_bool()) ? "true" : "false";
      else if (type == "doubleValue")
        out[key] = std::to_string(double(value.get_double()));
      else if (type == "arrayValue")
        out[key] = std::string(std::string_view(value["values"].at(0)["stringValue"].get_string()));
    }
  }
  return out;
}

TEST(OtlpJson, OneServerSpanAndOneClientSpanPerAttempt) {
  std::vector<std::shared_ptr<const TraceRecord>> records{failedOverRecord()};
  const std::string json =
      encodeOtlpJson(records, OtlpResource{"llmproxy-test", "9.9.9", "host-1", 42});
  simdjson::dom::parser parser;
  element doc = parser.parse(json);
  element rs = doc["resourceSpans"].at(0);
  auto resource = attributes(rs["resource"]);
  EXPECT_EQ(resource["service.name"], "llmproxy-test");
  EXPECT_EQ(resource["service.version"], "9.9.9");
  EXPECT_EQ(resource["host.name"], "host-1");
  EXPECT_EQ(resource["process.pid"], "42");
  element scope = rs["scopeSpans"].at(0);
  EXPECT_EQ(std::string_view(scope["scope"]["name"].get_string()), "llmproxy");
  array spans = scope["spans"].get_array();
  ASSERT_EQ(spans.size(), 3u);

  element server = spans.at(0);
  EXPECT_EQ(std::string_view(server["traceId"].get_string()), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(server["spanId"].get_string()), "1111111111111111");
  EXPECT_EQ(std::string_view(server["parentSpanId"].get_string()), "00f067aa0ba902b7");
  EXPECT_EQ(std::string_view(server["traceState"].get_string()), "congo=t61");
  EXPECT_EQ(int64_t(server["kind"].get_int64()), 2);
  EXPECT_EQ(std::string_view(server["name"].get_string()), "POST /v1/chat/completions");
  EXPECT_EQ(std::string_view(server["startTimeUnixNano"].get_string()), "1700000000000000000");
  EXPECT_EQ(std::string_view(server["endTimeUnixNano"].get_string()), "1700000000900000000");
  auto a = attributes(server);
  EXPECT_EQ(a["http.request.method"], "POST");
  EXPECT_EQ(a["http.route"], "/v1/chat/completions");
  EXPECT_EQ(a["http.response.status_code"], "200");
  EXPECT_EQ(a["gen_ai.operation.name"], "chat");
  EXPECT_EQ(a["gen_ai.system"], "openai");
  EXPECT_EQ(a["gen_ai.request.model"], "gpt-4o");
  EXPECT_EQ(a["gen_ai.response.model"], "gpt-4o-2024");
  EXPECT_EQ(a["gen_ai.usage.input_tokens"], "11");
  EXPECT_EQ(a["gen_ai.usage.output_tokens"], "7");
  EXPECT_EQ(a["gen_ai.response.finish_reasons"], "stop");
  EXPECT_EQ(a["user_agent.original"], "OpenAI/Python 1.99");
  EXPECT_EQ(a["llmproxy.client_name"], "openai-python");
  EXPECT_EQ(a["llmproxy.key_name"], "team-a");
  EXPECT_EQ(a["llmproxy.attempts"], "2");
  element ttft = server["events"].at(0);
  EXPECT_EQ(std::string_view(ttft["name"].get_string()), "gen_ai.first_token");
  EXPECT_EQ(std::string_view(ttft["timeUnixNano"].get_string()), "1700000000250000000");
  EXPECT_EQ(attributes(ttft)["gen_ai.server.time_to_first_token"], "0.250000");
  EXPECT_EQ(server["status"].get_object().size(), 0u) << "a 200 leaves the status unset";

  element failed = spans.at(1);
  EXPECT_EQ(int64_t(failed["kind"].get_int64()), 3);
  EXPECT_EQ(std::string_view(failed["parentSpanId"].get_string()), "1111111111111111");
  EXPECT_EQ(std::string_view(failed["spanId"].get_string()), "2222222222222222");
  EXPECT_EQ(std::string_view(failed["name"].get_string()), "chat gpt-4o-2024");
  EXPECT_EQ(int64_t(failed["status"]["code"].get_int64()), 2);
  EXPECT_EQ(std::string_view(failed["status"]["message"].get_string()), "HTTP 503");
  auto f = attributes(failed);
  EXPECT_EQ(f["http.response.status_code"], "503");
  EXPECT_EQ(f["server.address"], "10.0.0.1");
  EXPECT_EQ(f["server.port"], "8080");
  EXPECT_EQ(f["llmproxy.provider"], "first");
  EXPECT_EQ(f["llmproxy.attempt"], "1");
  EXPECT_EQ(f["error.type"], "503");
  EXPECT_EQ(f.count("gen_ai.usage.input_tokens"), 0u);

  element answered = spans.at(2);
  auto s = attributes(answered);
  EXPECT_EQ(s["llmproxy.provider"], "second");
  EXPECT_EQ(s["llmproxy.attempt"], "2");
  EXPECT_EQ(s["gen_ai.usage.output_tokens"], "7");
  EXPECT_EQ(s["gen_ai.response.model"], "gpt-4o-2024");
  EXPECT_EQ(answered["status"].get_object().size(), 0u);
}

TEST(OtlpJson, FiveHundredsAreErrorSpans) {
  auto r = std::make_shared<TraceRecord>(*failedOverRecord());
  r->status = 502;
  r->error_type = "upstream_connect";
  r->error_message = "provider unreachable";
  std::vector<std::shared_ptr<const TraceRecord>> records{r};
  simdjson::dom::parser parser;
  element server =
      parser.parse(encodeOtlpJson(records, {}))["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"].at(0);
  EXPECT_EQ(int64_t(server["status"]["code"].get_int64()), 2);
  EXPECT_EQ(std::string_view(server["status"]["message"].get_string()), "provider unreachable");
  EXPECT_EQ(attributes(server)["error.type"], "upstream_connect");
}

TEST(LangfuseJson, TraceAndGenerationEventsWithTheIngestionFields) {
  auto r = std::make_shared<TraceRecord>(*failedOverRecord());
  r->input = "{\"messages\":[]}";
  r->output = "data: hello";
  std::vector<std::shared_ptr<const TraceRecord>> records{r};
  simdjson::dom::parser parser;
  element doc = parser.parse(encodeLangfuseBatch(records, "9.9.9"));
  array batch = doc["batch"].get_array();
  ASSERT_EQ(batch.size(), 2u);

  element trace = batch.at(0);
  EXPECT_EQ(std::string_view(trace["type"].get_string()), "trace-create");
  EXPECT_EQ(std::string_view(trace["id"].get_string()), "4bf92f3577b34da6a3ce929d0e0e4736-trace");
  EXPECT_EQ(std::string_view(trace["timestamp"].get_string()), "2023-11-14T22:13:20.000Z");
  element tb = trace["body"];
  EXPECT_EQ(std::string_view(tb["id"].get_string()), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(tb["name"].get_string()), "chat");
  EXPECT_EQ(std::string_view(tb["userId"].get_string()), "team-a");
  EXPECT_EQ(std::string_view(tb["release"].get_string()), "9.9.9");
  EXPECT_EQ(std::string_view(tb["input"].get_string()), "{\"messages\":[]}");

  element gen = batch.at(1);
  EXPECT_EQ(std::string_view(gen["type"].get_string()), "generation-create");
  element g = gen["body"];
  EXPECT_EQ(std::string_view(g["traceId"].get_string()), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(g["id"].get_string()), "1111111111111111");
  EXPECT_EQ(std::string_view(g["startTime"].get_string()), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(std::string_view(g["completionStartTime"].get_string()), "2023-11-14T22:13:20.250Z");
  EXPECT_EQ(std::string_view(g["endTime"].get_string()), "2023-11-14T22:13:20.900Z");
  EXPECT_EQ(std::string_view(g["model"].get_string()), "gpt-4o-2024");
  EXPECT_EQ(int64_t(g["usage"]["input"].get_int64()), 11);
  EXPECT_EQ(int64_t(g["usage"]["output"].get_int64()), 7);
  EXPECT_EQ(int64_t(g["usage"]["total"].get_int64()), 18);
  EXPECT_EQ(std::string_view(g["usage"]["unit"].get_string()), "TOKENS");
  EXPECT_EQ(std::string_view(g["level"].get_string()), "DEFAULT");
  EXPECT_EQ(std::string_view(g["output"].get_string()), "data: hello");
  element m = g["metadata"];
  EXPECT_EQ(std::string_view(m["provider"].get_string()), "second");
  EXPECT_EQ(std::string_view(m["requested_model"].get_string()), "gpt-4o");
  EXPECT_EQ(std::string_view(m["mapped_model"].get_string()), "gpt-4o-2024");
  EXPECT_EQ(std::string_view(m["key_name"].get_string()), "team-a");
  EXPECT_EQ(std::string_view(m["client_name"].get_string()), "openai-python");
  EXPECT_EQ(int64_t(m["status_code"].get_int64()), 200);
  EXPECT_DOUBLE_EQ(double(m["latency_ms"].get_double()), 900.0);
  EXPECT_DOUBLE_EQ(double(m["ttft_ms"].get_double()), 250.0);
}

TEST(LangfuseJson, FailedRequestsAreErrorLevel) {
  auto r = std::make_shared<TraceRecord>(*failedOverRecord());
  r->status = 429;
  r->error_message = "rate limited";
  r->has_usage = false;
  std::vector<std::shared_ptr<const TraceRecord>> records{r};
  simdjson::dom::parser parser;
  element g = parser.parse(encodeLangfuseBatch(records, "1"))["batch"].at(1)["body"];
  EXPECT_EQ(std::string_view(g["level"].get_string()), "ERROR");
  EXPECT_EQ(std::string_view(g["statusMessage"].get_string()), "rate limited");
  EXPECT_EQ(g["usage"].error(), simdjson::NO_SUCH_FIELD);
}

}  // namespace
}  // namespace llmproxy::worker::tracing
