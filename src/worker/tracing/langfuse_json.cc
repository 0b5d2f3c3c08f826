// The Langfuse ingestion encoding of finished requests.
#include "worker/tracing/langfuse_json.h"

#include <cstdio>
#include <ctime>

#include "common/json/json_writer.h"

namespace llmproxy::worker::tracing {
namespace {

using common::JsonWriter;

// A captured text goes as a JSON string (capped and redacted before it got here).
void content(JsonWriter& w, std::string_view key, const std::string& text) {
  w.key(key).value(text);
}

void metadata(JsonWriter& w, const TraceRecord& r) {
  w.key("metadata").beginObject();
  w.field("request_id", r.request_id);
  w.field("provider", r.provider);
  w.field("requested_model", r.request_model);
  w.field("mapped_model", r.response_model);
  w.field("key_name", r.key_name);
  w.field("client_name", r.client_name);
  w.field("endpoint", r.route);
  w.field("status_code", r.status);
  w.field("stream", r.stream);
  w.field("attempts", static_cast<uint64_t>(r.attempts.size()));
  w.field("latency_ms", static_cast<double>(r.end_ns - r.start_ns) / 1e6);
  if (r.first_token_ns)
    w.field("ttft_ms", static_cast<double>(r.first_token_ns - r.start_ns) / 1e6);
  if (!r.finish_reason.empty()) w.field("finish_reason", r.finish_reason);
  if (!r.client_protocol.empty()) w.field("client_protocol", r.client_protocol);
  if (!r.provider_protocol.empty()) w.field("provider_protocol", r.provider_protocol);
  w.endObject();
}

void traceEvent(JsonWriter& w, const TraceRecord& r, const std::string& trace_id,
                std::string_view release) {
  const std::string start = isoTimeOfNanos(r.start_ns);
  w.beginObject();
  w.field("id", trace_id + "-trace").field("type", "trace-create").field("timestamp", start);
  w.key("body").beginObject();
  w.field("id", trace_id).field("timestamp", start).field("name", r.operation);
  if (!r.key_name.empty()) w.field("userId", r.key_name);
  w.field("release", release);
  w.key("tags").beginArray().value("llmproxy").value(r.client_name);
  if (!r.provider.empty()) w.value(r.provider);
  w.endArray();
  metadata(w, r);
  if (!r.input.empty()) content(w, "input", r.input);
  if (!r.output.empty()) content(w, "output", r.output);
  w.endObject();
  w.endObject();
}

void generationEvent(JsonWriter& w, const TraceRecord& r, const std::string& trace_id) {
  const std::string span = spanIdHex(r.span);
  w.beginObject();
  w.field("id", span + "-generation").field("type", "generation-create")
      .field("timestamp", isoTimeOfNanos(r.end_ns));
  w.key("body").beginObject();
  w.field("id", span).field("traceId", trace_id).field("name", r.operation);
  w.field("startTime", isoTimeOfNanos(r.start_ns)).field("endTime", isoTimeOfNanos(r.end_ns));
  if (r.first_token_ns) w.field("completionStartTime", isoTimeOfNanos(r.first_token_ns));
  w.field("model", r.response_model.empty() ? r.request_model : r.response_model);
  w.key("modelParameters").beginObject().field("stream", r.stream ? "true" : "false").endObject();
  if (r.has_usage) {
    w.key("usage").beginObject()
        .field("input", r.input_tokens)
        .field("output", r.output_tokens)
        .field("total", r.input_tokens + r.output_tokens)
        .field("unit", "TOKENS")
        .endObject();
    w.key("usageDetails").beginObject()
        .field("input", r.input_tokens)
        .field("output", r.output_tokens)
        .endObject();
  }
  const bool failed = r.status >= 400;
  w.field("level", failed ? "ERROR" : "DEFAULT");
  if (failed)
    w.field("statusMessage", r.error_message.empty() ? "HTTP " + std::to_string(r.status)
                                                     : r.error_message);
  metadata(w, r);
  if (!r.input.empty()) content(w, "input", r.input);
  if (!r.output.empty()) content(w, "output", r.output);
  w.endObject();
  w.endObject();
}

}  // namespace

std::string isoTimeOfNanos(int64_t unix_ns) {
  const time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000);
  const int64_t ms = (unix_ns / 1'000'000) % 1000;
  tm t{};
  gmtime_r(&secs, &t);
  char buf[40];
  const size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

std::string encodeLangfuseBatch(std::span<const std::shared_ptr<const TraceRecord>> records,
                                std::string_view release) {
  JsonWriter w;
  w.reserve(512 + records.size() * 2048);
  w.beginObject().key("batch").beginArray();
  for (const auto& r : records) {
    const std::string trace_id = traceIdHex(r->trace_id);
    traceEvent(w, *r, trace_id, release);
    generationEvent(w, *r, trace_id);
  }
  w.endArray();
  w.key("metadata").beginObject().field("sdk_name", "llmproxy").field("sdk_version", release)
      .endObject();
  w.endObject();
  return w.take();
}

}  // namespace llmproxy::worker::tracing
