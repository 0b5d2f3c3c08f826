// The shared-memory metric store: per-worker writers and the Prometheus renderer.
#include "common/shm/metrics.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <new>
#include <vector>

#include "common/shm/region.h"
#include "common/time/clock.h"

namespace llmproxy::common {
namespace {

constexpr std::string_view kOther = "__other__";

// Single writer per slot: a plain load+store avoids the locked read-modify-write.
inline void add(std::atomic<uint64_t>& a, uint64_t n) {
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

inline uint64_t load(const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); }

// Length of the longest prefix of `s` that fits in `cap` bytes without splitting a UTF-8
// character.
size_t fitUtf8(std::string_view s, size_t cap) {
  if (s.size() <= cap) return s.size();
  size_t n = cap;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

template <size_t N>
void putLabel(char (&dst)[N], std::string_view v) {
  const size_t n = fitUtf8(v, N);
  if (n > 0) std::memcpy(dst, v.data(), n);  // an empty view may have a null data()
}

template <size_t N>
std::string_view getLabel(const char (&src)[N]) {
  return std::string_view(src, strnlen(src, N));
}

MetricKey makeKey(std::string_view method, std::string_view endpoint, std::string_view model,
                  std::string_view provider, int status) {
  MetricKey k;
  std::memset(&k, 0, sizeof k);
  putLabel(k.method, method);
  putLabel(k.endpoint, endpoint);
  putLabel(k.model, model);
  putLabel(k.provider, provider);
  k.status = status;
  return k;
}

// Four independent multiply lanes over the fixed-size key: the hot path hashes 200 bytes per
// request, and a single serial multiply chain is latency-bound.
uint64_t hashKey(const MetricKey& k) {
  constexpr uint64_t kMul = 0xFF51AFD7ED558CCDULL;
  const auto* p = reinterpret_cast<const unsigned char*>(&k);
  auto word = [p](size_t i) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    return w;
  };
  uint64_t lane[4] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL,
                      0x27D4EB2F165667C5ULL};
  size_t i = 0;
  for (; i + 32 <= sizeof k; i += 32)
    for (size_t j = 0; j < 4; ++j) lane[j] = std::rotl((lane[j] ^ word(i + 8 * j)) * kMul, 31);
  for (size_t j = 0; i < sizeof k; i += 8, ++j) lane[j] = std::rotl((lane[j] ^ word(i)) * kMul, 31);
  uint64_t h = lane[0] ^ std::rotl(lane[1], 17) ^ std::rotl(lane[2], 34) ^ std::rotl(lane[3], 51);
  h *= kMul;
  return h ^ (h >> 29);
}

uint64_t toMicros(double v) {
  if (!(v > 0)) return 0;  // negative and NaN
  if (v > 1e12) v = 1e12;
  return static_cast<uint64_t>(std::llround(v * 1e6));
}

template <size_t N>
void observe(MetricHistogram<N>& h, const std::array<double, N>& bounds, double v) {
  size_t i = 0;
  while (i < N && !(v <= bounds[i])) ++i;  // NaN lands in +Inf
  add(h.buckets[i], 1);
  add(h.sum_micros, toMicros(v));
}

}  // namespace

// ---- area -------------------------------------------------------------------------------------

size_t MetricsArea::bytesFor(uint32_t max_workers) {
  return sizeof(MetricsArea) + sizeof(MetricSlotHeader) * max_workers +
         sizeof(MetricSeries) * size_t{kSeriesPerWorker} * max_workers +
         sizeof(UsageLogCounters) * max_workers + sizeof(TraceExportCounters) * max_workers;
}

void MetricsArea::init(uint32_t max_workers) {
  slot_count_ = max_workers;
  for (uint32_t i = 0; i < max_workers; ++i) new (headers() + i) MetricSlotHeader{};
  for (uint32_t i = 0; i < max_workers; ++i) new (&usageLog(i)) UsageLogCounters{};
  for (uint32_t i = 0; i < max_workers; ++i) new (&traceExports(i)) TraceExportCounters{};
}

// ---- writer -----------------------------------------------------------------------------------

MetricsWriter::MetricsWriter(MetricsArea& area, uint32_t slot)
    : header_(&area.slot(slot)),
      rows_(area.series(slot)),
      usage_log_(&area.usageLog(slot)),
      trace_(&area.traceExports(slot)) {
  header_->active_requests.store(0, std::memory_order_relaxed);
  for (auto& q : trace_->queued) q.store(0, std::memory_order_relaxed);
  header_->redis_up.store(0, std::memory_order_relaxed);
  usage_log_->queued.store(0, std::memory_order_relaxed);
  // Index what a previous process in this slot published. A row it was still claiming when it
  // died is unpublished and will simply be claimed again.
  const uint32_t used =
      std::min(header_->series_used.load(std::memory_order_acquire), MetricsArea::kSeriesPerWorker);
  for (uint32_t r = 0; r < used; ++r) {
    uint32_t pos = static_cast<uint32_t>(rows_[r].hash) & (kIndexSize - 1);
    while (index_[pos] != 0) pos = (pos + 1) & (kIndexSize - 1);
    index_[pos] = static_cast<uint16_t>(r + 1);
  }
}

MetricSeries* MetricsWriter::findOrClaim(const MetricKey& key, uint32_t row_limit) {
  const uint64_t hash = hashKey(key);
  uint32_t pos = static_cast<uint32_t>(hash) & (kIndexSize - 1);
  for (;;) {
    const uint16_t e = index_[pos];
    if (e == 0) break;
    MetricSeries& row = rows_[e - 1];
    if (row.hash == hash && std::memcmp(&row.key, &key, sizeof key) == 0) return &row;
    pos = (pos + 1) & (kIndexSize - 1);
  }
  const uint32_t used = header_->series_used.load(std::memory_order_relaxed);
  if (used >= row_limit) return nullptr;
  // Rows at or past `used` were never counted into, so constructing one loses nothing; the
  // release store publishes the key before any reader looks at the row.
  auto* row = new (&rows_[used]) MetricSeries{};
  row->hash = hash;
  row->key = key;
  header_->series_used.store(used + 1, std::memory_order_release);
  index_[pos] = static_cast<uint16_t>(used + 1);
  return row;
}

void MetricsWriter::requestStarted() {
  header_->active_requests.store(header_->active_requests.load(std::memory_order_relaxed) + 1,
                                 std::memory_order_relaxed);
}

void MetricsWriter::retry() { add(header_->retries, 1); }

void MetricsWriter::redisFallback() { add(header_->redis_fallbacks, 1); }

void MetricsWriter::requestRepairs(const uint32_t (&counts)[4]) {
  for (size_t i = 0; i < 4; ++i)
    if (counts[i]) add(header_->repairs[i], counts[i]);
}

void MetricsWriter::protocolPair(Api client, Api provider) {
  add(header_->protocol_pairs[static_cast<size_t>(client)][static_cast<size_t>(provider)], 1);
}

void MetricsWriter::setRedisUp(bool up) {
  header_->redis_up.store(up ? 1 : 0, std::memory_order_relaxed);
}

void MetricsWriter::usageWritten(uint64_t rows) { add(usage_log_->written, rows); }

void MetricsWriter::usageDropped(uint64_t rows) { add(usage_log_->dropped, rows); }

std::string_view traceSinkName(TraceSink sink) {
  return sink == TraceSink::Otlp ? "otlp" : "langfuse";
}

void MetricsWriter::traceExport(TraceSink sink, bool ok) {
  const auto i = static_cast<size_t>(sink);
  add(ok ? trace_->exports_ok[i] : trace_->exports_failed[i], 1);
}

void MetricsWriter::traceDropped(TraceSink sink, uint64_t requests) {
  add(trace_->dropped[static_cast<size_t>(sink)], requests);
}

void MetricsWriter::setTraceQueued(TraceSink sink, uint64_t requests) {
  trace_->queued[static_cast<size_t>(sink)].store(static_cast<int64_t>(requests),
                                                  std::memory_order_relaxed);
}

void MetricsWriter::setUsageQueued(uint64_t rows) {
  usage_log_->queued.store(static_cast<int64_t>(rows), std::memory_order_relaxed);
}

void MetricsWriter::requestFinished(const RequestSample& s) {
  const int64_t active = header_->active_requests.load(std::memory_order_relaxed);
  if (active > 0) header_->active_requests.store(active - 1, std::memory_order_relaxed);

  MetricSeries* row = findOrClaim(makeKey(s.method, s.endpoint, s.model, s.provider, s.status),
                                  MetricsArea::kSeriesForOrdinary);
  if (!row) {
    add(header_->overflow, 1);
    row = findOrClaim(makeKey(s.method, s.endpoint, kOther, s.provider, s.status),
                      MetricsArea::kSeriesPerWorker - 1);
    // The catch-all key is unique and may take the last row, so this cannot fail.
    if (!row)
      row = findOrClaim(makeKey(kOther, kOther, kOther, kOther, 0), MetricsArea::kSeriesPerWorker);
    if (!row) return;
  }

  add(row->requests, 1);
  observe(row->duration, kMetricSecondsBuckets, s.duration_s);
  if (s.provider_latency_s >= 0)
    observe(row->provider_latency, kMetricSecondsBuckets, s.provider_latency_s);
  if (s.ttft_s >= 0) observe(row->ttft, kMetricSecondsBuckets, s.ttft_s);
  if (s.prompt_tokens) add(row->prompt_tokens, s.prompt_tokens);
  if (s.completion_tokens) {
    add(row->completion_tokens, s.completion_tokens);
    // Generation rate: completion tokens over the time after the first token when known.
    double gen = s.duration_s;
    if (s.ttft_s > 0 && s.duration_s - s.ttft_s > 0) gen = s.duration_s - s.ttft_s;
    if (gen > 0)
      observe(row->tokens_per_second, kMetricTokenRateBuckets,
              static_cast<double>(s.completion_tokens) / gen);
  }
}

// ---- renderer ---------------------------------------------------------------------------------

void appendPrometheusLabelValue(std::string& out, std::string_view v) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < v.size()) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c < 0x80) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: check length, continuation bytes, overlongs, surrogates, > U+10FFFF.
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= v.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(v[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok) {
      ok = !(len == 3 && cp < 0x800) && !(len == 4 && cp < 0x10000) && cp <= 0x10FFFF &&
           !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(v.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
}

namespace {

template <size_t N>
struct HistSum {
  std::array<uint64_t, N + 1> buckets{};
  uint64_t sum_micros = 0;

  void addFrom(const MetricHistogram<N>& h) {
    for (size_t i = 0; i <= N; ++i) buckets[i] += load(h.buckets[i]);
    sum_micros += load(h.sum_micros);
  }
  uint64_t count() const {
    uint64_t c = 0;
    for (uint64_t b : buckets) c += b;
    return c;
  }
};

struct TokenSum {
  uint64_t prompt = 0;
  uint64_t completion = 0;
};

// Everything summed over the slots, keyed by the rendered label string (so sorted output).
struct Totals {
  std::map<std::string, uint64_t> requests;
  std::map<std::string, HistSum<kMetricSecondsBuckets.size()>> duration;
  std::map<std::string, HistSum<kMetricSecondsBuckets.size()>> provider_latency;
  std::map<std::string, HistSum<kMetricSecondsBuckets.size()>> ttft;
  std::map<std::string, HistSum<kMetricTokenRateBuckets.size()>> tokens_per_second;
  std::map<std::string, TokenSum> tokens;
  int64_t active = 0;
  uint64_t retries = 0;
  uint64_t overflow = 0;
  uint64_t redis_fallbacks = 0;
  uint64_t protocol_pairs[kApiCount][kApiCount] = {};
  uint64_t repairs[4] = {};
  int64_t redis_up = 0;
  uint64_t usage_written = 0;
  uint64_t usage_dropped = 0;
  int64_t usage_queued = 0;
  uint64_t trace_ok[kTraceSinkCount] = {};
  uint64_t trace_failed[kTraceSinkCount] = {};
  uint64_t trace_dropped[kTraceSinkCount] = {};
  int64_t trace_queued[kTraceSinkCount] = {};
};

void appendLabel(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += ',';
  out.append(name);
  out += "=\"";
  appendPrometheusLabelValue(out, value);
  out += '"';
}

void appendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void appendInt(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void appendMicros(std::string& out, uint64_t micros) {
  appendUint(out, micros / 1000000);
  char frac[7] = {'.'};
  uint64_t f = micros % 1000000;
  for (int i = 6; i >= 1; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
  out.append(frac, sizeof frac);
}

void appendBound(std::string& out, double b) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, b);
  out.append(buf, r.ptr);
}

void appendFamilyHead(std::string& out, std::string_view name, std::string_view type,
                      std::string_view help) {
  out += "# HELP ";
  out.append(name);
  out += ' ';
  out.append(help);
  out += "\n# TYPE ";
  out.append(name);
  out += ' ';
  out.append(type);
  out += '\n';
}

void appendSample(std::string& out, std::string_view name, std::string_view labels) {
  out.append(name);
  if (!labels.empty()) {
    out += '{';
    out.append(labels);
    out += '}';
  }
  out += ' ';
}

template <size_t N>
void appendHistogram(std::string& out, std::string_view name, std::string_view help,
                     const std::map<std::string, HistSum<N>>& series,
                     const std::array<double, N>& bounds) {
  appendFamilyHead(out, name, "histogram", help);
  const std::string bucket = std::string(name) + "_bucket";
  const std::string sum = std::string(name) + "_sum";
  const std::string count = std::string(name) + "_count";
  for (const auto& [labels, h] : series) {
    const uint64_t total = h.count();
    if (total == 0) continue;
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= N; ++i) {
      cumulative += h.buckets[i];
      out += bucket;
      out += '{';
      out += labels;
      out += ",le=\"";
      if (i < N) {
        appendBound(out, bounds[i]);
      } else {
        out += "+Inf";
      }
      out += "\"} ";
      appendUint(out, cumulative);
      out += '\n';
    }
    appendSample(out, sum, labels);
    appendMicros(out, h.sum_micros);
    out += '\n';
    appendSample(out, count, labels);
    appendUint(out, total);
    out += '\n';
  }
}

void appendCounter(std::string& out, std::string_view name, std::string_view help, uint64_t value) {
  appendFamilyHead(out, name, "counter", help);
  appendSample(out, name, "");
  appendUint(out, value);
  out += '\n';
}

// llm_proxy_spend_usd_total{model,provider,key} and llm_proxy_unpriced_requests_total{model},
// sorted by labels.
void appendSpend(std::string& out, const SpendTable& table) {
  std::map<std::string, uint64_t> spend;
  std::map<std::string, uint64_t> unpriced;
  table.forEach([&](std::string_view model, std::string_view provider, std::string_view key,
                    uint64_t micros, uint64_t unpriced_requests) {
    std::string labels;
    appendLabel(labels, "model", model);
    if (unpriced_requests > 0) unpriced[labels] += unpriced_requests;
    appendLabel(labels, "provider", provider);
    appendLabel(labels, "key", key);
    if (micros > 0) spend[labels] += micros;
  });
  appendFamilyHead(out, "llm_proxy_spend_usd_total", "counter",
                   "Cost of answered requests in USD at the configured prices, by model, "
                   "provider and key name.");
  for (const auto& [labels, micros] : spend) {
    appendSample(out, "llm_proxy_spend_usd_total", labels);
    appendMicros(out, micros);
    out += '\n';
  }
  appendFamilyHead(out, "llm_proxy_unpriced_requests_total", "counter",
                   "Requests a provider answered for a model that has no [[price]].");
  for (const auto& [labels, n] : unpriced) {
    appendSample(out, "llm_proxy_unpriced_requests_total", labels);
    appendUint(out, n);
    out += '\n';
  }
}

Totals collect(const ShmRegion& region) {
  Totals t;
  const MetricsArea& area = region.metrics();
  const uint32_t slots = std::min(area.slotCount(), region.maxWorkers());
  std::string full, emp, mp, p;
  for (uint32_t s = 0; s < slots; ++s) {
    const MetricSlotHeader& h = area.slot(s);
    // A dead worker's in-flight requests are gone: count the gauge of live slots only.
    const WorkerState st = region.worker(s).currentState();
    const UsageLogCounters& u = area.usageLog(s);
    if (st == WorkerState::Starting || st == WorkerState::Running || st == WorkerState::Draining) {
      t.active += h.active_requests.load(std::memory_order_relaxed);
      t.redis_up += h.redis_up.load(std::memory_order_relaxed);
      t.usage_queued += u.queued.load(std::memory_order_relaxed);
      for (size_t k = 0; k < kTraceSinkCount; ++k)
        t.trace_queued[k] += area.traceExports(s).queued[k].load(std::memory_order_relaxed);
    }
    for (size_t k = 0; k < kTraceSinkCount; ++k) {
      const TraceExportCounters& tc = area.traceExports(s);
      t.trace_ok[k] += load(tc.exports_ok[k]);
      t.trace_failed[k] += load(tc.exports_failed[k]);
      t.trace_dropped[k] += load(tc.dropped[k]);
    }
    t.usage_written += load(u.written);
    t.usage_dropped += load(u.dropped);
    t.retries += load(h.retries);
    t.redis_fallbacks += load(h.redis_fallbacks);
    for (size_t from = 0; from < kApiCount; ++from)
      for (size_t to = 0; to < kApiCount; ++to)
        t.protocol_pairs[from][to] += load(h.protocol_pairs[from][to]);
    for (size_t i = 0; i < 4; ++i) t.repairs[i] += load(h.repairs[i]);
    t.overflow += load(h.overflow);

    const uint32_t used =
        std::min(h.series_used.load(std::memory_order_acquire), MetricsArea::kSeriesPerWorker);
    const MetricSeries* rows = area.series(s);
    for (uint32_t r = 0; r < used; ++r) {
      const MetricSeries& row = rows[r];
      const std::string_view method = getLabel(row.key.method);
      const std::string_view endpoint = getLabel(row.key.endpoint);
      const std::string_view model = getLabel(row.key.model);
      const std::string_view provider = getLabel(row.key.provider);
      char status[16];
      const auto sr = std::to_chars(status, status + sizeof status, row.key.status);

      mp.clear();
      appendLabel(mp, "model", model);
      appendLabel(mp, "provider", provider);
      emp.clear();
      appendLabel(emp, "endpoint", endpoint);
      emp += ',';
      emp += mp;
      full.clear();
      appendLabel(full, "method", method);
      full += ',';
      full += emp;
      appendLabel(full, "status_code", std::string_view(status, sr.ptr));
      p.clear();
      appendLabel(p, "provider", provider);

      t.requests[full] += load(row.requests);
      t.duration[emp].addFrom(row.duration);
      t.provider_latency[p].addFrom(row.provider_latency);
      t.ttft[mp].addFrom(row.ttft);
      t.tokens_per_second[mp].addFrom(row.tokens_per_second);
      TokenSum& tok = t.tokens[mp];
      tok.prompt += load(row.prompt_tokens);
      tok.completion += load(row.completion_tokens);
    }
  }
  if (t.active < 0) t.active = 0;
  return t;
}

}  // namespace

std::string renderPrometheus(const ShmRegion& region, std::span<const std::string> provider_ids) {
  const Totals t = collect(region);
  std::string out;
  out.reserve(16384 + t.requests.size() * 160 + t.duration.size() * 2400);

  appendFamilyHead(out, "llm_proxy_requests_total", "counter",
                   "Requests answered, by method, endpoint, model, provider and status code.");
  for (const auto& [labels, n] : t.requests) {
    appendSample(out, "llm_proxy_requests_total", labels);
    appendUint(out, n);
    out += '\n';
  }

  appendHistogram(out, "llm_proxy_request_duration_seconds",
                  "Request duration from start to last byte, in seconds.", t.duration,
                  kMetricSecondsBuckets);

  appendFamilyHead(out, "llm_proxy_active_requests", "gauge",
                   "Requests in flight in all running workers.");
  appendSample(out, "llm_proxy_active_requests", "");
  appendInt(out, t.active);
  out += '\n';

  appendFamilyHead(out, "llm_proxy_tokens_total", "counter",
                   "Tokens used, by model, provider and token type (prompt, completion, total).");
  for (const auto& [labels, tok] : t.tokens) {
    if (tok.prompt == 0 && tok.completion == 0) continue;
    const std::pair<std::string_view, uint64_t> kinds[] = {{"prompt", tok.prompt},
                                                           {"completion", tok.completion},
                                                           {"total", tok.prompt + tok.completion}};
    for (const auto& [type, n] : kinds) {
      std::string l = labels;
      appendLabel(l, "token_type", type);
      appendSample(out, "llm_proxy_tokens_total", l);
      appendUint(out, n);
      out += '\n';
    }
  }

  appendFamilyHead(out, "llm_proxy_provider_health", "gauge",
                   "1 if the provider takes requests, 0 while it is out: cooling down after "
                   "max_fails, half-open, or in a 429's Retry-After.");
  std::vector<std::string> ids(provider_ids.begin(), provider_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const int64_t now_ms = nowUnixMs();
  for (const std::string& id : ids) {
    const ProviderHealthEntry* e = region.providerHealth().entry(id);
    std::string l;
    appendLabel(l, "provider", id);
    appendSample(out, "llm_proxy_provider_health", l);
    out += ProviderHealth::state(e, now_ms) == ProviderState::Up ? '1' : '0';
    out += '\n';
  }
  struct HealthCounter {
    std::string_view name, help;
    const std::atomic<uint64_t> ProviderHealthEntry::*field;
  };
  const HealthCounter health_counters[] = {
      {"llm_proxy_provider_failures_total",
       "Failed attempts per provider (connect/TLS errors, TTFT timeouts, 5xx, 429).",
       &ProviderHealthEntry::failures_total},
      {"llm_proxy_provider_downs_total",
       "Times max_fails failures within fail_timeout took the provider out.",
       &ProviderHealthEntry::downs_total},
      {"llm_proxy_provider_health_checks_total",
       "Active health checks sent to the provider (health_check_interval).",
       &ProviderHealthEntry::checks_total},
      {"llm_proxy_provider_health_check_failures_total",
       "Active health checks the provider failed.", &ProviderHealthEntry::checks_failed_total},
  };
  for (const HealthCounter& c : health_counters) {
    appendFamilyHead(out, c.name, "counter", c.help);
    for (const std::string& id : ids) {
      const ProviderHealthEntry* e = region.providerHealth().entry(id);
      std::string l;
      appendLabel(l, "provider", id);
      appendSample(out, c.name, l);
      appendUint(out, e ? (e->*c.field).load(std::memory_order_relaxed) : 0);
      out += '\n';
    }
  }

  appendFamilyHead(out, "llm_proxy_provider_in_flight", "gauge",
                   "Requests in flight to the provider on this node (all workers); "
                   "max_concurrent caps it.");
  for (const std::string& id : ids) {
    const uint32_t entry = region.providerSlots().entry(id);
    std::string l;
    appendLabel(l, "provider", id);
    appendSample(out, "llm_proxy_provider_in_flight", l);
    appendUint(out, static_cast<uint64_t>(std::max(0, region.providerSlots().inFlight(entry))));
    out += '\n';
  }

  appendHistogram(out, "llm_proxy_provider_latency_seconds",
                  "Time from sending to the provider to its response head, in seconds.",
                  t.provider_latency, kMetricSecondsBuckets);
  appendHistogram(out, "llm_proxy_ttft_seconds",
                  "Time to first token of streamed responses, in seconds.", t.ttft,
                  kMetricSecondsBuckets);
  appendHistogram(out, "llm_proxy_tokens_per_second", "Completion tokens per second of generation.",
                  t.tokens_per_second, kMetricTokenRateBuckets);

  appendCounter(out, "llm_proxy_upstream_retries_total",
                "Upstream attempts after the first (failover and retries).", t.retries);
  appendCounter(out, "llm_proxy_ratelimit_redis_fallbacks_total",
                "Limit checks decided by redis.on_failure because Redis was down or slower "
                "than redis.timeout.",
                t.redis_fallbacks);
  uint64_t bypass = 0;
  for (size_t a = 0; a < kApiCount; ++a) bypass += t.protocol_pairs[a][a];
  appendCounter(out, "llm_proxy_bypass_requests_total",
                "Proxied requests whose client and provider speak the same protocol (no "
                "translation).",
                bypass);
  appendFamilyHead(out, "llm_proxy_cross_protocol_requests_total", "counter",
                   "Proxied requests translated from the client's protocol to the provider's.");
  for (size_t from = 0; from < kApiCount; ++from) {
    for (size_t to = 0; to < kApiCount; ++to) {
      if (from == to) continue;
      std::string labels;
      appendLabel(labels, "from", apiName(static_cast<Api>(from)));
      appendLabel(labels, "to", apiName(static_cast<Api>(to)));
      appendSample(out, "llm_proxy_cross_protocol_requests_total", labels);
      appendUint(out, t.protocol_pairs[from][to]);
      out += '\n';
    }
  }
  appendFamilyHead(out, "llm_proxy_request_repairs_total", "counter",
                   "Agent-client repairs made to requests (translated, or bypassed when the provider would refuse them), by kind.");
  static constexpr std::string_view kRepairNames[4] = {"thinking_removed", "tool_result_added",
                                                       "blank_text", "thinking_disabled"};
  for (size_t i = 0; i < 4; ++i) {
    std::string labels;
    appendLabel(labels, "repair", kRepairNames[i]);
    appendSample(out, "llm_proxy_request_repairs_total", labels);
    appendUint(out, t.repairs[i]);
    out += '\n';
  }
  appendFamilyHead(out, "llm_proxy_redis_up", "gauge",
                   "Workers whose Redis connection is up (0 when Redis is unreachable or not "
                   "configured).");
  appendSample(out, "llm_proxy_redis_up", "");
  appendUint(out, static_cast<uint64_t>(std::max<int64_t>(0, t.redis_up)));
  out += '\n';

  appendCounter(out, "llm_proxy_usage_records_written_total",
                "Usage records written to PostgreSQL's usage_log.", t.usage_written);
  appendCounter(out, "llm_proxy_usage_records_dropped_total",
                "Usage records given up: buffer full during an outage, rejected data, stop.",
                t.usage_dropped);
  appendFamilyHead(out, "llm_proxy_usage_records_queued", "gauge",
                   "Usage records waiting in the workers' memory to be written.");
  appendSample(out, "llm_proxy_usage_records_queued", "");
  appendInt(out, std::max<int64_t>(0, t.usage_queued));
  out += '\n';

  appendFamilyHead(out, "llm_proxy_trace_exports_total", "counter",
                   "Export calls to the tracing sinks (otlp, langfuse), by result.");
  for (size_t k = 0; k < kTraceSinkCount; ++k) {
    for (const bool ok : {false, true}) {
      std::string labels;
      appendLabel(labels, "sink", traceSinkName(static_cast<TraceSink>(k)));
      appendLabel(labels, "result", ok ? "success" : "failure");
      appendSample(out, "llm_proxy_trace_exports_total", labels);
      appendUint(out, ok ? t.trace_ok[k] : t.trace_failed[k]);
      out += '\n';
    }
  }
  appendFamilyHead(out, "llm_proxy_trace_dropped_total", "counter",
                   "Requests never exported to a tracing sink: queue full, sink down or "
                   "refusing, stop.");
  for (size_t k = 0; k < kTraceSinkCount; ++k) {
    std::string labels;
    appendLabel(labels, "sink", traceSinkName(static_cast<TraceSink>(k)));
    appendSample(out, "llm_proxy_trace_dropped_total", labels);
    appendUint(out, t.trace_dropped[k]);
    out += '\n';
  }
  appendFamilyHead(out, "llm_proxy_trace_queued", "gauge",
                   "Requests waiting in the workers' memory to be exported, by sink.");
  for (size_t k = 0; k < kTraceSinkCount; ++k) {
    std::string labels;
    appendLabel(labels, "sink", traceSinkName(static_cast<TraceSink>(k)));
    appendSample(out, "llm_proxy_trace_queued", labels);
    appendInt(out, std::max<int64_t>(0, t.trace_queued[k]));
    out += '\n';
  }

  const ReloadStatus& reload = region.reloadStatus();
  appendFamilyHead(out, "llm_proxy_config_reloads_total", "counter",
                   "Configuration reloads, by result.");
  appendSample(out, "llm_proxy_config_reloads_total", "result=\"failure\"");
  appendUint(out, reload.failed.load(std::memory_order_relaxed));
  out += '\n';
  appendSample(out, "llm_proxy_config_reloads_total", "result=\"success\"");
  appendUint(out, reload.succeeded.load(std::memory_order_relaxed));
  out += '\n';

  appendFamilyHead(out, "llm_proxy_config_version", "gauge",
                   "Generation of the published configuration.");
  appendSample(out, "llm_proxy_config_version", "");
  appendUint(out, region.configSlot().currentGeneration());
  out += '\n';

  appendFamilyHead(out, "llm_proxy_build_info", "gauge", "Build information; always 1.");
  std::string l;
  appendLabel(l, "version", LLMPROXY_VERSION);
  appendSample(out, "llm_proxy_build_info", l);
  out += "1\n";

  appendSpend(out, region.spend());

  appendCounter(out, "llm_proxy_metric_overflow_total",
                "Requests counted under model=\"__other__\" because the label-set table was full.",
                t.overflow);
  return out;
}

}  // namespace llmproxy::common
