// W3C trace context (https://www.w3.org/TR/trace-context/): trace and span ids, reading a
// client's traceparent and tracestate, writing ours toward a provider, sampling by trace id,
// and the per-worker source of new ids. Pure functions and value types; IdSource is
// worker-loop-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmproxy::worker::tracing {

// 16 bytes, big-endian halves; all zero is invalid (W3C).
struct TraceId {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool valid() const { return (hi | lo) != 0; }
  bool operator==(const TraceId&) const = default;
};

// 8 bytes; 0 = none.
using SpanId = uint64_t;

inline constexpr uint8_t kSampledFlag = 0x01;

// What a traceparent header carries.
struct TraceParent {
  TraceId trace_id;
  SpanId parent_id = 0;
  uint8_t flags = 0;
};

// Reads a traceparent value: version 00 is exactly "00-<32 hex>-<16 hex>-<2 hex>", lower-case,
// ids not all zero; a later version (not ff) may add fields after a '-'. Anything else is
// nullopt, and the request starts a trace of its own (as the specification asks).
std::optional<TraceParent> parseTraceParent(std::string_view value);

// A tracestate passes on when it is plausible: at most 512 bytes of printable ASCII (the list
// itself is the client's business; we never read or change its entries).
bool plausibleTraceState(std::string_view value);

// Lower-case hex: 32 digits for a trace id, 16 for a span id.
void appendTraceId(std::string& out, const TraceId& id);
void appendSpanId(std::string& out, SpanId id);
std::string traceIdHex(const TraceId& id);
// The 32 digits into a caller's buffer (for the logs: no allocation).
void formatTraceId(char (&out)[32], const TraceId& id);
std::string spanIdHex(SpanId id);

// "traceparent: 00-<trace>-<span>-<flags>\r\n", then "tracestate: <state>\r\n" when not empty.
void appendTraceHeaders(std::string& out, const TraceId& trace, SpanId span, uint8_t flags,
                        std::string_view tracestate);

// OpenTelemetry's TraceIdRatioBased rule: the low 56 bits of the trace id against
// ratio * 2^56, so every process that sees a trace decides the same way.
bool sampledByRatio(const TraceId& id, double ratio);

// New random ids: xoshiro256** seeded once per worker from the system's random source. Never
// returns a zero id. Not for secrets.
class IdSource {
 public:
  explicit IdSource(uint64_t seed);
  TraceId traceId();
  SpanId spanId();

 private:
  uint64_t next();
  uint64_t s_[4];
};

}  // namespace llmproxy::worker::tracing
