// The OTLP/JSON and Langfuse encodings of finished requests: OTLP decoded by protobuf's JSON
// parser against the OTLP messages, Langfuse checked against its ingestion schema; then both
// field by field.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>

#include "otlp/otlp_decode.h"
#include "support/langfuse_schema.h"
#include "worker/tracing/langfuse_json.h"
#include "worker/tracing/otlp_json.h"

namespace llmproxy::worker::tracing {
namespace {

namespace otlp = llmproxy::test::otlp;
using simdjson::dom::array;
using simdjson::dom::element;

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

using otlp::Span;

// The body decoded as a collector decodes it; a failure fails the test.
otlp::ExportTraceServiceRequest decoded(const std::string& json) {
  std::string error;
  auto request = testing::decodeOtlpJson(json, &error);
  EXPECT_TRUE(request) << error << "\n" << json;
  return request ? *request : otlp::ExportTraceServiceRequest{};
}

std::string attr(const Span& span, std::string_view key) {
  return testing::attributeText(span.attributes(), key);
}

TEST(OtlpJson, OneServerSpanAndOneClientSpanPerAttempt) {
  std::vector<std::shared_ptr<const TraceRecord>> records{failedOverRecord()};
  const auto request =
      decoded(encodeOtlpJson(records, OtlpResource{"llmproxy-test", "9.9.9", "host-1", 42}));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const otlp::ResourceSpans& rs = request.resource_spans(0);
  const auto& resource = rs.resource().attributes();
  EXPECT_EQ(testing::attributeText(resource, "service.name"), "llmproxy-test");
  EXPECT_EQ(testing::attributeText(resource, "service.version"), "9.9.9");
  EXPECT_EQ(testing::attributeText(resource, "host.name"), "host-1");
  ASSERT_NE(testing::attribute(resource, "process.pid"), nullptr);
  EXPECT_EQ(testing::attribute(resource, "process.pid")->int_value(), 42);
  ASSERT_EQ(rs.scope_spans_size(), 1);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "llmproxy");
  EXPECT_EQ(rs.scope_spans(0).scope().version(), "9.9.9");
  const auto& spans = rs.scope_spans(0).spans();
  ASSERT_EQ(spans.size(), 3);

  const Span& server = spans[0];
  EXPECT_EQ(testing::hexOf(server.trace_id()), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(testing::hexOf(server.span_id()), "1111111111111111");
  EXPECT_EQ(testing::hexOf(server.parent_span_id()), "00f067aa0ba902b7");
  EXPECT_EQ(server.trace_state(), "congo=t61");
  EXPECT_EQ(server.kind(), Span::SPAN_KIND_SERVER);
  EXPECT_EQ(server.name(), "POST /v1/chat/completions");
  EXPECT_EQ(server.start_time_unix_nano(), 1700000000000000000ULL);
  EXPECT_EQ(server.end_time_unix_nano(), 1700000000900000000ULL);
  EXPECT_EQ(attr(server, "http.request.method"), "POST");
  EXPECT_EQ(attr(server, "http.route"), "/v1/chat/completions");
  ASSERT_NE(testing::attribute(server.attributes(), "http.response.status_code"), nullptr);
  EXPECT_EQ(testing::attribute(server.attributes(), "http.response.status_code")->int_value(),
            200);
  EXPECT_EQ(attr(server, "gen_ai.operation.name"), "chat");
  EXPECT_EQ(attr(server, "gen_ai.system"), "openai");
  EXPECT_EQ(attr(server, "gen_ai.request.model"), "gpt-4o");
  EXPECT_EQ(attr(server, "gen_ai.response.model"), "gpt-4o-2024");
  ASSERT_NE(testing::attribute(server.attributes(), "gen_ai.usage.input_tokens"), nullptr);
  EXPECT_EQ(testing::attribute(server.attributes(), "gen_ai.usage.input_tokens")->int_value(), 11);
  EXPECT_EQ(testing::attribute(server.attributes(), "gen_ai.usage.output_tokens")->int_value(), 7);
  const otlp::AnyValue* reasons =
      testing::attribute(server.attributes(), "gen_ai.response.finish_reasons");
  ASSERT_NE(reasons, nullptr);
  ASSERT_EQ(reasons->array_value().values_size(), 1);
  EXPECT_EQ(reasons->array_value().values(0).string_value(), "stop");
  EXPECT_EQ(attr(server, "user_agent.original"), "OpenAI/Python 1.99");
  EXPECT_EQ(attr(server, "llmproxy.client_name"), "openai-python");
  EXPECT_EQ(attr(server, "llmproxy.key_name"), "team-a");
  EXPECT_EQ(attr(server, "llmproxy.attempts"), "2");
  EXPECT_EQ(testing::attribute(server.attributes(), "llmproxy.stream")->bool_value(), true);
  ASSERT_EQ(server.events_size(), 1);
  const Span::Event& ttft = server.events(0);
  EXPECT_EQ(ttft.name(), "gen_ai.first_token");
  EXPECT_EQ(ttft.time_unix_nano(), 1700000000250000000ULL);
  ASSERT_NE(testing::attribute(ttft.attributes(), "gen_ai.server.time_to_first_token"), nullptr);
  EXPECT_DOUBLE_EQ(
      testing::attribute(ttft.attributes(), "gen_ai.server.time_to_first_token")->double_value(),
      0.25);
  EXPECT_EQ(server.status().code(), otlp::Status::STATUS_CODE_UNSET) << "a 200 leaves it unset";
  EXPECT_EQ(server.status().message(), "");

  const Span& failed = spans[1];
  EXPECT_EQ(failed.kind(), Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(testing::hexOf(failed.trace_id()), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(testing::hexOf(failed.parent_span_id()), "1111111111111111");
  EXPECT_EQ(testing::hexOf(failed.span_id()), "2222222222222222");
  EXPECT_EQ(failed.name(), "chat gpt-4o-2024");
  EXPECT_EQ(failed.start_time_unix_nano(), 1700000000000001000ULL);
  EXPECT_EQ(failed.end_time_unix_nano(), 1700000000050000000ULL);
  EXPECT_EQ(failed.status().code(), otlp::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(failed.status().message(), "HTTP 503");
  EXPECT_EQ(attr(failed, "http.response.status_code"), "503");
  EXPECT_EQ(attr(failed, "server.address"), "10.0.0.1");
  EXPECT_EQ(testing::attribute(failed.attributes(), "server.port")->int_value(), 8080);
  EXPECT_EQ(attr(failed, "llmproxy.provider"), "first");
  EXPECT_EQ(attr(failed, "llmproxy.attempt"), "1");
  EXPECT_EQ(attr(failed, "error.type"), "503");
  EXPECT_EQ(testing::attribute(failed.attributes(), "gen_ai.usage.input_tokens"), nullptr);
  EXPECT_EQ(failed.events_size(), 0);

  const Span& answered = spans[2];
  EXPECT_EQ(answered.kind(), Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(testing::hexOf(answered.parent_span_id()), "1111111111111111");
  EXPECT_EQ(attr(answered, "llmproxy.provider"), "second");
  EXPECT_EQ(attr(answered, "llmproxy.attempt"), "2");
  EXPECT_EQ(attr(answered, "gen_ai.usage.output_tokens"), "7");
  EXPECT_EQ(attr(answered, "gen_ai.response.model"), "gpt-4o-2024");
  EXPECT_EQ(answered.status().code(), otlp::Status::STATUS_CODE_UNSET);
}

TEST(OtlpJson, FiveHundredsAreErrorSpans) {
  auto r = std::make_shared<TraceRecord>(*failedOverRecord());
  r->status = 502;
  r->error_type = "upstream_connect";
  r->error_message = "provider unreachable";
  std::vector<std::shared_ptr<const TraceRecord>> records{r};
  const auto request = decoded(encodeOtlpJson(records, {}));
  ASSERT_EQ(request.resource_spans_size(), 1);
  ASSERT_GE(request.resource_spans(0).scope_spans(0).spans_size(), 1);
  const Span& server = request.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(server.status().code(), otlp::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(server.status().message(), "provider unreachable");
  EXPECT_EQ(attr(server, "error.type"), "upstream_connect");
}

// What a client may put in a request's text fields reaches the collector as it was: the JSON
// escaping of every string survives a real decoder.
TEST(OtlpJson, TextFieldsSurviveTheDecoder) {
  auto r = std::make_shared<TraceRecord>(*failedOverRecord());
  r->user_agent = "quote \" backslash \\ newline \n tab \t nul \x01 \xc3\xa9";
  r->request_model = "m\"odel";
  std::vector<std::shared_ptr<const TraceRecord>> records{r, failedOverRecord()};
  const auto request = decoded(encodeOtlpJson(records, {}));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& spans = request.resource_spans(0).scope_spans(0).spans();
  ASSERT_EQ(spans.size(), 6) << "two requests of three spans each, in one batch";
  EXPECT_EQ(attr(spans[0], "user_agent.original"), r->user_agent);
  EXPECT_EQ(attr(spans[0], "gen_ai.request.model"), "m\"odel");
  EXPECT_EQ(spans[3].kind(), Span::SPAN_KIND_SERVER);

  // Bytes that are not UTF-8 (a header may carry any) would make the whole batch undecodable.
  r->user_agent = "bad \xff byte";
  const auto replaced = decoded(encodeOtlpJson(records, {}));
  ASSERT_EQ(replaced.resource_spans_size(), 1);
  EXPECT_EQ(attr(replaced.resource_spans(0).scope_spans(0).spans(0), "user_agent.original"),
            "bad \xef\xbf\xbd byte");
}

// The decoder is strict: a misspelled field or a bad id fails it (the checks above mean
// something).
TEST(OtlpJson, TheDecoderRefusesWhatACollectorRefuses) {
  std::string error;
  EXPECT_FALSE(testing::decodeOtlpJson(R"({"resourceSpans":[{"scopeSpan":[]}]})", &error));
  EXPECT_FALSE(testing::decodeOtlpJson(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]})", &error));
  EXPECT_FALSE(testing::decodeOtlpJson(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]})",
      &error));
  EXPECT_TRUE(testing::decodeOtlpJson(
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","kind":2}]}]}]})",
      &error))
      << error;
}

TEST(LangfuseJson, TraceAndGenerationEventsWithTheIngestionFields) {
  auto r = std::make_shared<TraceRecord>(*failedOverRecord());
  r->input = "{\"messages\":[]}";
  r->output = "hello";
  std::vector<std::shared_ptr<const TraceRecord>> records{r};
  const std::string body = encodeLangfuseBatch(records, "9.9.9");
  EXPECT_EQ(testing::langfuseSchemaErrors(body), std::vector<std::string>{}) << body;
  simdjson::dom::parser parser;
  element doc = parser.parse(body);
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
  EXPECT_EQ(std::string_view(g["output"].get_string()), "hello");
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
  const std::string body = encodeLangfuseBatch(records, "1");
  EXPECT_EQ(testing::langfuseSchemaErrors(body), std::vector<std::string>{}) << body;
  simdjson::dom::parser parser;
  element g = parser.parse(body)["batch"].at(1)["body"];
  EXPECT_EQ(std::string_view(g["level"].get_string()), "ERROR");
  EXPECT_EQ(std::string_view(g["statusMessage"].get_string()), "rate limited");
  EXPECT_EQ(g["usage"].error(), simdjson::NO_SUCH_FIELD);
}

// The schema check itself catches what Langfuse would not take.
TEST(LangfuseJson, TheSchemaCheckRefusesWhatTheSchemaRefuses) {
  EXPECT_FALSE(testing::langfuseSchemaErrors(R"({"events":[]})").empty());
  EXPECT_FALSE(testing::langfuseSchemaErrors(
                   R"({"batch":[{"id":"a","timestamp":"yesterday","type":"trace-create","body":{}}]})")
                   .empty());
  EXPECT_FALSE(testing::langfuseSchemaErrors(
                   R"({"batch":[{"id":"a","timestamp":"2023-11-14T22:13:20.000Z","type":"generation-create","body":{"usage":{"input":"3"}}}]})")
                   .empty());
  EXPECT_FALSE(testing::langfuseSchemaErrors(
                   R"({"batch":[{"id":"a","timestamp":"2023-11-14T22:13:20.000Z","type":"trace-create","body":{"userid":"x"}}]})")
                   .empty());
  EXPECT_EQ(testing::langfuseSchemaErrors(
                R"({"batch":[{"id":"a","timestamp":"2023-11-14T22:13:20.000Z","type":"trace-create","body":{"userId":"x","tags":["a"]}}]})"),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace llmproxy::worker::tracing
