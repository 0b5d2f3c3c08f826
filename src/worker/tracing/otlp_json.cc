// The OTLP/JSON encoding of finished requests.
#include "worker/tracing/otlp_json.h"

#include <string_view>

#include "common/json/json_writer.h"

namespace llmproxy::worker::tracing {
namespace {

constexpr int kSpanKindServer = 2;
constexpr int kSpanKindClient = 3;
constexpr int kStatusError = 2;

using common::JsonWriter;

void attr(JsonWriter& w, std::string_view key, std::string_view v) {
  w.beginObject().field("key", key).key("value").beginObject().field("stringValue", v).endObject()
      .endObject();
}

void attrInt(JsonWriter& w, std::string_view key, int64_t v) {
  w.beginObject().field("key", key).key("value").beginObject()
      .field("intValue", std::to_string(v)).endObject().endObject();
}

void attrDouble(JsonWriter& w, std::string_view key, double v) {
  w.beginObject().field("key", key).key("value").beginObject().field("doubleValue", v).endObject()
      .endObject();
}

void attrBool(JsonWriter& w, std::string_view key, bool v) {
  w.beginObject().field("key", key).key("value").beginObject().field("boolValue", v).endObject()
      .endObject();
}

void attrStrings(JsonWriter& w, std::string_view key, std::string_view one) {
  w.beginObject().field("key", key).key("value").beginObject().key("arrayValue").beginObject()
      .key("values").beginArray().beginObject().field("stringValue", one).endObject().endArray()
      .endObject().endObject().endObject();
}

// Opens a span of the request's trace, up to its open attributes array.
void beginSpan(JsonWriter& w, const TraceRecord& r, SpanId span, SpanId parent,
               const std::string& name, int kind, int64_t start_ns, int64_t end_ns) {
  w.beginObject();
  w.field("traceId", traceIdHex(r.trace_id)).field("spanId", spanIdHex(span));
  if (parent) w.field("parentSpanId", spanIdHex(parent));
  if (!r.tracestate.empty()) w.field("traceState", r.tracestate);
  w.field("name", name).field("kind", kind);
  w.field("startTimeUnixNano", std::to_string(start_ns))
      .field("endTimeUnixNano", std::to_string(end_ns < start_ns ? start_ns : end_ns));
  w.key("attributes").beginArray();
}

// What the answer reported: usage and finish reason.
void answerAttrs(JsonWriter& w, const TraceRecord& r) {
  if (r.has_usage) {
    attrInt(w, "gen_ai.usage.input_tokens", static_cast<int64_t>(r.input_tokens));
    attrInt(w, "gen_ai.usage.output_tokens", static_cast<int64_t>(r.output_tokens));
  }
  if (!r.finish_reason.empty()) attrStrings(w, "gen_ai.response.finish_reasons", r.finish_reason);
}

void serverSpan(JsonWriter& w, const TraceRecord& r) {
  // HTTP server spans are named "{method} {route}".
  beginSpan(w, r, r.span, r.parent, r.method + " " + r.route, kSpanKindServer, r.start_ns,
            r.end_ns);
  attr(w, "http.request.method", r.method);
  attr(w, "http.route", r.route);
  attr(w, "url.path", r.route);
  attrInt(w, "http.response.status_code", r.status);
  if (!r.user_agent.empty()) attr(w, "user_agent.original", r.user_agent);
  if (!r.client_address.empty()) attr(w, "client.address", r.client_address);
  attr(w, "gen_ai.operation.name", r.operation);
  if (!r.system.empty()) attr(w, "gen_ai.system", r.system);
  if (!r.request_model.empty()) attr(w, "gen_ai.request.model", r.request_model);
  if (!r.response_model.empty()) attr(w, "gen_ai.response.model", r.response_model);
  answerAttrs(w, r);
  if (!r.error_type.empty()) attr(w, "error.type", r.error_type);
  attr(w, "llmproxy.request_id", r.request_id);
  if (!r.key_name.empty()) attr(w, "llmproxy.key_name", r.key_name);
  attr(w, "llmproxy.client_name", r.client_name);
  if (!r.provider.empty()) attr(w, "llmproxy.provider", r.provider);
  attrInt(w, "llmproxy.attempts", static_cast<int64_t>(r.attempts.size()));
  attrBool(w, "llmproxy.stream", r.stream);
  if (!r.client_protocol.empty()) attr(w, "llmproxy.client_protocol", r.client_protocol);
  if (!r.provider_protocol.empty()) attr(w, "llmproxy.provider_protocol", r.provider_protocol);
  w.endArray();
  w.key("events").beginArray();
  if (r.first_token_ns) {
    w.beginObject().field("timeUnixNano", std::to_string(r.first_token_ns))
        .field("name", "gen_ai.first_token").key("attributes").beginArray();
    attrDouble(w, "gen_ai.server.time_to_first_token",
               static_cast<double>(r.first_token_ns - r.start_ns) / 1e9);
    w.endArray().endObject();
  }
  w.endArray();
  // HTTP server spans: 5xx is an error, 4xx is the client's (status left unset).
  w.key("status").beginObject();
  if (r.status >= 500) {
    w.field("code", kStatusError);
    if (!r.error_message.empty()) w.field("message", r.error_message);
  }
  w.endObject();
  w.endObject();
}

void clientSpan(JsonWriter& w, const TraceRecord& r, const AttemptRecord& a, size_t number) {
  // GenAI client spans are named "{gen_ai.operation.name} {gen_ai.request.model}".
  beginSpan(w, r, a.span, r.span, r.operation + " " + a.model, kSpanKindClient, a.start_ns,
            a.end_ns);
  attr(w, "gen_ai.operation.name", r.operation);
  attr(w, "gen_ai.system", a.system);
  attr(w, "gen_ai.request.model", a.model);
  attr(w, "http.request.method", "POST");
  attr(w, "server.address", a.server_address);
  attrInt(w, "server.port", a.server_port);
  if (a.status) attrInt(w, "http.response.status_code", a.status);
  attr(w, "llmproxy.provider", a.provider);
  attrInt(w, "llmproxy.attempt", static_cast<int64_t>(number));
  const bool answered = a.error.empty() && number == r.attempts.size();
  if (answered) {
    attr(w, "gen_ai.response.model", a.model);
    answerAttrs(w, r);
  }
  if (!a.error.empty())
    attr(w, "error.type", a.status ? std::to_string(a.status) : std::string("connection"));
  w.endArray();
  w.key("status").beginObject();
  if (!a.error.empty()) w.field("code", kStatusError).field("message", a.error);
  w.endObject();
  w.endObject();
}

}  // namespace

std::string encodeOtlpJson(std::span<const std::shared_ptr<const TraceRecord>> records,
                           const OtlpResource& resource) {
  JsonWriter w;
  w.reserve(1024 + records.size() * 2048);
  w.beginObject().key("resourceSpans").beginArray().beginObject();
  w.key("resource").beginObject().key("attributes").beginArray();
  attr(w, "service.name", resource.service_name);
  attr(w, "service.version", resource.service_version);
  attr(w, "host.name", resource.host_name);
  attrInt(w, "process.pid", resource.pid);
  attr(w, "telemetry.sdk.name", "llmproxy");
  attr(w, "telemetry.sdk.language", "cpp");
  w.endArray().endObject();
  w.key("scopeSpans").beginArray().beginObject();
  w.key("scope").beginObject().field("name", "llmproxy").field("version", resource.service_version)
      .endObject();
  w.key("spans").beginArray();
  for (const auto& r : records) {
    serverSpan(w, *r);
    for (size_t i = 0; i < r->attempts.size(); ++i) clientSpan(w, *r, r->attempts[i], i + 1);
  }
  w.endArray().endObject().endArray();
  w.endObject().endArray().endObject();
  return w.take();
}

}  // namespace llmproxy::worker::tracing
