// Finished requests as one Langfuse ingestion batch (POST /api/public/ingestion): per request a
// "trace-create" event and a "generation-create" event, with the fields the older llm-proxy
// sent: name, model (the one that ran) and the requested one, provider, usage, latency,
// completionStartTime (TTFT), status, key name, client name; the prompt and completion only
// when captured. Pure function.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "worker/tracing/trace_record.h"

namespace llmproxy::worker::tracing {

// `release` goes to each trace's "release" (the llmproxy version).
std::string encodeLangfuseBatch(std::span<const std::shared_ptr<const TraceRecord>> records,
                                std::string_view release);

// ISO 8601 UTC with milliseconds ("2026-12-05T18:24:09.123Z") of unix nanoseconds.
std::string isoTimeOfNanos(int64_t unix_ns);

}  // namespace llmproxy::worker::tracing
