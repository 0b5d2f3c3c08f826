// traceparent / tracestate reading and writing, ratio sampling, id generation.
#include "worker/tracing/trace_context.h"

#include <cmath>

namespace llmproxy::worker::tracing {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is invalid in traceparent
}

// `digits` lower-case hex digits into *out; false on anything else.
bool readHex(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  for (char c : s) {
    const int d = hexValue(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

void hex16(char* buf, uint64_t v) {
  for (int i = 15; i >= 0; --i) {
    buf[i] = kHexDigits[v & 0xf];
    v >>= 4;
  }
}

void appendHex(std::string& out, uint64_t v) {
  char buf[16];
  hex16(buf, v);
  out.append(buf, 16);
}

uint64_t splitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::optional<TraceParent> parseTraceParent(std::string_view v) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  uint64_t version = 0;
  if (!readHex(v.substr(0, 2), &version) || version == 0xff) return std::nullopt;
  if (version == 0 && v.size() != 55) return std::nullopt;
  if (version != 0 && v.size() > 55 && v[55] != '-') return std::nullopt;
  TraceParent p;
  uint64_t flags = 0;
  if (!readHex(v.substr(3, 16), &p.trace_id.hi) || !readHex(v.substr(19, 16), &p.trace_id.lo) ||
      !readHex(v.substr(36, 16), &p.parent_id) || !readHex(v.substr(53, 2), &flags))
    return std::nullopt;
  if (!p.trace_id.valid() || p.parent_id == 0) return std::nullopt;
  p.flags = static_cast<uint8_t>(flags);
  return p;
}

bool plausibleTraceState(std::string_view v) {
  if (v.empty() || v.size() > 512) return false;
  for (char c : v)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

void appendTraceId(std::string& out, const TraceId& id) {
  appendHex(out, id.hi);
  appendHex(out, id.lo);
}

void appendSpanId(std::string& out, SpanId id) { appendHex(out, id); }

void formatTraceId(char (&out)[32], const TraceId& id) {
  hex16(out, id.hi);
  hex16(out + 16, id.lo);
}

std::string traceIdHex(const TraceId& id) {
  std::string s;
  s.reserve(32);
  appendTraceId(s, id);
  return s;
}

std::string spanIdHex(SpanId id) {
  std::string s;
  s.reserve(16);
  appendSpanId(s, id);
  return s;
}

void appendTraceHeaders(std::string& out, const TraceId& trace, SpanId span, uint8_t flags,
                        std::string_view tracestate) {
  out += "traceparent: 00-";
  appendTraceId(out, trace);
  out += '-';
  appendSpanId(out, span);
  out += '-';
  out += kHexDigits[(flags >> 4) & 0xf];
  out += kHexDigits[flags & 0xf];
  out += "\r\n";
  if (!tracestate.empty()) {
    out += "tracestate: ";
    out += tracestate;
    out += "\r\n";
  }
}

bool sampledByRatio(const TraceId& id, double ratio) {
  if (ratio >= 1.0) return true;
  if (!(ratio > 0.0)) return false;
  constexpr uint64_t kLow56 = (uint64_t{1} << 56) - 1;
  const auto bound = static_cast<uint64_t>(std::ldexp(ratio, 56));
  return (id.lo & kLow56) < bound;
}

IdSource::IdSource(uint64_t seed) {
  for (uint64_t& s : s_) s = splitMix(seed);
}

uint64_t IdSource::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

TraceId IdSource::traceId() {
  TraceId id;
  do {
    id.hi = next();
    id.lo = next();
  } while (!id.valid());
  return id;
}

SpanId IdSource::spanId() {
  SpanId id = 0;
  while (id == 0) id = next();
  return id;
}

}  // namespace llmproxy::worker::tracing
