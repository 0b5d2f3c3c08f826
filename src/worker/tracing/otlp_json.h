// Finished requests as one OTLP/HTTP JSON ExportTraceServiceRequest (the OpenTelemetry
// protocol's JSON mapping: hex ids, enums as numbers, 64-bit integers as strings). Per request:
// one SERVER span (the gateway's handling: HTTP and GenAI attributes, TTFT as an event, 5xx as
// an error status) and one CLIENT span per upstream attempt, child of it (a failover shows as
// two). Attribute names follow the HTTP and GenAI semantic conventions; llmproxy's own are
// under "llmproxy.". Pure function.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "worker/tracing/trace_record.h"

namespace llmproxy::worker::tracing {

struct OtlpResource {
  std::string service_name;
  std::string service_version;
  std::string host_name;
  int64_t pid = 0;
};

std::string encodeOtlpJson(std::span<const std::shared_ptr<const TraceRecord>> records,
                           const OtlpResource& resource);

}  // namespace llmproxy::worker::tracing
