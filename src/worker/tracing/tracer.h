// The worker's tracing: W3C trace context for every exchange, and the two exporters (OTLP/HTTP
// JSON to an OpenTelemetry collector, Langfuse's ingestion API), each an ExportSink with its
// own bounded queue. Configured from [tracing] and [langfuse] at start and on every reload.
//
// Cost when no exporter is on: begin() reads two headers and draws two random ids (no
// allocation unless the client sent a tracestate); nothing is recorded, queued or sent.
//
// Sampling: OTLP is parent-based — a client's traceparent decides by its sampled flag, a new
// trace by tracing.sample_ratio (TraceIdRatioBased); Langfuse by langfuse.sample_rate on the
// trace id. Owned by the Worker (in Services), lives until the worker's loop ends.
// Worker-loop-only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "common/shm/metrics.h"
#include "worker/tracing/exchange_trace.h"
#include "worker/tracing/export_sink.h"
#include "worker/tracing/otlp_json.h"
#include "worker/upstream/upstream_client.h"

namespace re2 {
class RE2;
}

namespace llmproxy::worker::tracing {

class Tracer {
 public:
  Tracer(uv_loop_t* loop, UpstreamClient& client, common::MetricsWriter& metrics, uint64_t seed);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // A config generation's [tracing] and [langfuse].
  void configure(const common::Config& config);

  // An exchange begins: the client's context (when its traceparent is valid) or a new trace,
  // our server span, and which exporters take the exchange.
  void begin(ExchangeTrace& t, const std::string* traceparent, const std::string* tracestate);
  // An upstream attempt begins: its span id; attemptHeaders() then holds the trace headers
  // toward the provider (the client's own context when we do not record the trace), valid
  // until the next beginAttempt. A per-worker buffer: no allocation per request.
  SpanId beginAttempt(const ExchangeTrace& t);
  std::string_view attemptHeaders() const { return attempt_headers_; }

  // Langfuse content capture: 0 when off, else the byte cap of each captured text.
  size_t captureCap() const { return capture_cap_; }
  // `text` with every redaction pattern replaced by "[REDACTED]", cut to the cap (at a UTF-8
  // boundary).
  std::string capture(std::string_view text) const;

  // A finished exported exchange, queued for the exporters it is meant for.
  void submit(std::shared_ptr<const TraceRecord> record);
  // Graceful stop: both exporters send what waits, within the deadline.
  void drain(uint64_t deadline_ms, std::function<void()> done);

 private:
  IdSource ids_;
  std::string attempt_headers_;
  double sample_ratio_ = 1.0;
  double langfuse_rate_ = 1.0;
  size_t capture_cap_ = 0;
  std::vector<std::unique_ptr<re2::RE2>> redact_;
  common::TracingConfig tracing_config_;
  common::LangfuseConfig langfuse_config_;
  OtlpResource resource_;
  std::unique_ptr<ExportSink> otlp_;
  std::unique_ptr<ExportSink> langfuse_;
  int drains_left_ = 0;
  std::function<void()> drain_done_;
};

}  // namespace llmproxy::worker::tracing
