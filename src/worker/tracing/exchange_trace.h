// The trace part of one exchange: its W3C context (the client's or a new one), whether each
// exporter takes it, and — only then — what the export needs beyond what the exchange keeps
// anyway (one entry per upstream attempt, the finish reason, captured content). Owned by the
// Exchange by value: nothing here allocates unless the exchange is exported (or the client
// sent a tracestate). Worker-loop-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "worker/tracing/completion_text.h"
#include "worker/tracing/trace_context.h"

namespace llmproxy::worker::tracing {

// One upstream attempt, recorded when the exchange is exported.
struct AttemptSpan {
  SpanId span = 0;
  uint32_t provider = 0;        // index into the exchange's pinned config
  std::string_view target;      // model name sent (views the pinned config or the request)
  uint64_t start_us = 0;        // monotonic
  uint64_t end_us = 0;          // 0 = still running (the answering attempt until finish)
  int status = 0;               // the provider's response status; 0 = none came
  std::string error;            // why this attempt failed; "" = it did not
};

struct ExchangeTrace {
  TraceId trace_id;
  SpanId parent = 0;         // the client's span (traceparent), 0 when we started the trace
  SpanId span = 0;           // our server span
  uint8_t flags = 0;         // what we send on (sampled bit = our decision when exporting)
  bool otlp = false;         // this exchange goes to the OTLP exporter
  bool langfuse = false;     // ... to Langfuse
  std::string tracestate;    // the client's, passed on unchanged
  std::vector<AttemptSpan> attempts;
  std::string finish_reason;   // first finish_reason / stop_reason seen in the answer
  // Langfuse capture_content: > 0 = collect up to this many bytes of the answer's text (the
  // answering attempt's, from its first byte on).
  size_t capture_cap = 0;
  std::unique_ptr<CompletionText> completion;

  bool exported() const { return otlp || langfuse; }
};

}  // namespace llmproxy::worker::tracing
