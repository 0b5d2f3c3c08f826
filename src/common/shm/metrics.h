// Request metrics in shared memory: one slot per worker slot, each a fixed table of label sets
// with counters and histograms, written only by its own worker and summed by whichever process
// renders /metrics (Prometheus text format 0.0.4).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/protocol/api.h"

namespace llmproxy::common {

class ShmRegion;

// Histogram upper bounds ("le"). Seconds for request duration, provider latency and TTFT (LLM
// calls run from milliseconds to minutes); tokens per second for the generation rate.
inline constexpr std::array<double, 15> kMetricSecondsBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
inline constexpr std::array<double, 10> kMetricTokenRateBuckets = {1,   5,   10,  25,   50,
                                                                   100, 250, 500, 1000, 2500};

// Label values stored inline, NUL-padded (not NUL-terminated when full). Longer values are cut
// at a UTF-8 character boundary. No padding bytes: the key is hashed and compared as raw bytes.
struct MetricKey {
  char method[16];
  char endpoint[48];
  char model[64];
  char provider[64];
  int32_t status;     // HTTP status sent to the client; 0 = unknown / the catch-all row
  uint32_t reserved;  // always 0
};
static_assert(sizeof(MetricKey) % 8 == 0, "MetricKey must have no tail padding");

// Fixed-bucket histogram. buckets[i] counts observations in (bound[i-1], bound[i]] (not
// cumulative; the renderer accumulates); buckets[N] counts those above the last bound. The
// count is the sum of all buckets, so _count always equals the +Inf bucket.
template <size_t N>
struct MetricHistogram {
  std::atomic<uint64_t> buckets[N + 1];
  std::atomic<uint64_t> sum_micros;  // sum of observed values × 1e6, rounded
};

// One label set of one worker: every family is a projection of these labels, so one row holds
// them all (requests by the full set, duration by endpoint/model/provider, TTFT, tokens and
// tokens/s by model/provider, provider latency by provider).
struct alignas(64) MetricSeries {
  uint64_t hash;  // of `key`; written before the row is published, never changed after
  MetricKey key;
  std::atomic<uint64_t> requests;
  std::atomic<uint64_t> prompt_tokens;
  std::atomic<uint64_t> completion_tokens;
  MetricHistogram<kMetricSecondsBuckets.size()> duration;
  MetricHistogram<kMetricSecondsBuckets.size()> provider_latency;
  MetricHistogram<kMetricSecondsBuckets.size()> ttft;
  MetricHistogram<kMetricTokenRateBuckets.size()> tokens_per_second;
};

// Per worker slot: how many rows are published, plus the counters that carry no labels.
struct alignas(64) MetricSlotHeader {
  std::atomic<uint32_t> series_used;  // rows [0, series_used) are published (release)
  uint32_t reserved;
  std::atomic<int64_t> active_requests;  // gauge: reset when a worker (re)starts in the slot
  std::atomic<uint64_t> retries;         // upstream attempts after the first
  std::atomic<uint64_t> overflow;        // samples that could not get their own label set
  std::atomic<uint64_t> redis_fallbacks;  // limit checks decided without Redis (down or slow)
  std::atomic<int64_t> redis_up;          // gauge: 1 while this worker's Redis connection is up
  // Proxied requests by client protocol x provider protocol (common::Api): the diagonal is
  // the bypass, the rest translations.
  std::atomic<uint64_t> protocol_pairs[kApiCount][kApiCount];
  // Agent-client repairs (translated requests, and bypassed ones a provider would refuse).
  std::atomic<uint64_t> repairs[4];
};
static_assert(sizeof(MetricSlotHeader) % 64 == 0);  // whole cache lines: one worker each

// Per worker slot: the usage log writer's counters (worker/usage/usage_writer). Kept apart from
// MetricSlotHeader so that header stays one cache line.
struct alignas(64) UsageLogCounters {
  std::atomic<uint64_t> written;  // rows PostgreSQL accepted
  std::atomic<uint64_t> dropped;  // rows given up (buffer full, data error, stop, no database)
  std::atomic<int64_t> queued;    // gauge: rows waiting in the worker's memory now
};

// The tracing exporters (worker/tracing/export_sink), a label of their counters.
enum class TraceSink : uint8_t { Otlp = 0, Langfuse = 1 };
inline constexpr size_t kTraceSinkCount = 2;
std::string_view traceSinkName(TraceSink sink);  // "otlp", "langfuse"

// Per worker slot: the tracing exporters' counters, by TraceSink.
struct alignas(64) TraceExportCounters {
  std::atomic<uint64_t> exports_ok[kTraceSinkCount];      // export calls the sink accepted
  std::atomic<uint64_t> exports_failed[kTraceSinkCount];  // calls that failed or were refused
  std::atomic<uint64_t> dropped[kTraceSinkCount];         // requests never exported
  std::atomic<int64_t> queued[kTraceSinkCount];           // gauge: requests waiting now
};

// The Metrics section of the region, laid out by ShmRegion: this header, then
// MetricSlotHeader[max_workers], then MetricSeries[max_workers][kSeriesPerWorker], then
// UsageLogCounters[max_workers], then TraceExportCounters[max_workers].
//
// Ownership: the master creates it before forking; slot i is written only by the worker in
// slot i (MetricsWriter); any process reads all slots. Rows are append-only: a row, once
// published, keeps its key forever and its counters only grow. A respawned worker reuses its
// slot without clearing it, so every counter continues from the dead worker's totals.
// NOTE: rows are constructed when claimed, not in init(), so untouched rows cost no memory
// (anonymous shared pages are allocated on first touch) and the renderer never reads them.
class alignas(64) MetricsArea {
 public:
  static constexpr uint32_t kSeriesPerWorker = 512;
  // Ordinary label sets may fill this many rows; the rest is kept for the model="__other__"
  // sets (and the very last row for the all-"__other__" catch-all), so overflow never fails.
  static constexpr uint32_t kSeriesForOrdinary = kSeriesPerWorker - 64;

  static size_t bytesFor(uint32_t max_workers);
  void init(uint32_t max_workers);  // master, once, before any fork

  uint32_t slotCount() const { return slot_count_; }
  MetricSlotHeader& slot(uint32_t i) const { return headers()[i]; }
  MetricSeries* series(uint32_t i) const {
    return reinterpret_cast<MetricSeries*>(headers() + slot_count_) + size_t{i} * kSeriesPerWorker;
  }
  UsageLogCounters& usageLog(uint32_t i) const {
    return reinterpret_cast<UsageLogCounters*>(series(slot_count_))[i];
  }
  TraceExportCounters& traceExports(uint32_t i) const {
    return reinterpret_cast<TraceExportCounters*>(&usageLog(slot_count_))[i];
  }

 private:
  MetricSlotHeader* headers() const {
    return reinterpret_cast<MetricSlotHeader*>(const_cast<MetricsArea*>(this) + 1);
  }
  uint32_t slot_count_;
};

// What finish() knows about one request. Strings are copied (and cut to the key's sizes).
struct RequestSample {
  std::string_view method;         // "POST"
  std::string_view endpoint;       // the route's canonical path, never the raw target (cardinality)
  std::string_view model;          // the model the client asked for; "" if none
  std::string_view provider;       // provider id that answered (last attempt); "" if none
  int status = 0;                  // status sent to the client
  double duration_s = 0;           // request start to last byte
  double ttft_s = -1;              // time to first token (streams); < 0 = none
  double provider_latency_s = -1;  // upstream send to response head; < 0 = never reached one
  uint64_t prompt_tokens = 0;      // 0 = unknown
  uint64_t completion_tokens = 0;  // 0 = unknown; tokens/s is observed only when > 0
};

// The worker's handle on its own metric slot. Owned by the Worker, lives as long as the worker
// process, worker-loop-only. Hot path: no allocation, no locks, no syscalls; the label-set
// lookup is a private open-addressing index rebuilt from the slot's rows at construction.
// NOTE: one MetricsWriter per slot at a time (the worker that owns the slot). Counters are
// updated with relaxed load+store, which is only correct for a single writer.
class MetricsWriter {
 public:
  // Resets the slot's active-requests gauge (the previous process's requests are gone) and
  // indexes the rows the previous process left; never clears a counter.
  MetricsWriter(MetricsArea& area, uint32_t slot);

  void requestStarted();
  // Once per requestStarted(). Counts the request, its histograms and tokens, and ends it.
  void requestFinished(const RequestSample& sample);
  // One more upstream attempt after the first (llm_proxy_upstream_retries_total).
  void retry();
  // A limit check that Redis should have decided but could not (llm_proxy_ratelimit_redis_fallbacks_total).
  void redisFallback();
  // A proxied request that reached a provider: bypass when both protocols are the same.
  void protocolPair(Api client, Api provider);
  // What the agent-client repairs changed in one request, translated or bypassed (thinking
  // removed, tool results added, blank texts, thinking turned off).
  void requestRepairs(const uint32_t (&counts)[4]);
  // This worker's Redis connection state (llm_proxy_redis_up sums the live workers).
  void setRedisUp(bool up);
  // The usage log (llm_proxy_usage_records_{written,dropped}_total, llm_proxy_usage_records_queued).
  void usageWritten(uint64_t rows);
  void usageDropped(uint64_t rows);
  void setUsageQueued(uint64_t rows);
  // The tracing exporters (llm_proxy_trace_exports_total{sink,result},
  // llm_proxy_trace_dropped_total{sink}, llm_proxy_trace_queued{sink}).
  void traceExport(TraceSink sink, bool ok);
  void traceDropped(TraceSink sink, uint64_t requests);
  void setTraceQueued(TraceSink sink, uint64_t requests);

 private:
  static constexpr uint32_t kIndexSize = 2 * MetricsArea::kSeriesPerWorker;  // load <= 1/2
  MetricSeries* findOrClaim(const MetricKey& key, uint32_t row_limit);

  MetricSlotHeader* header_;
  MetricSeries* rows_;
  UsageLogCounters* usage_log_;
  TraceExportCounters* trace_;
  std::array<uint16_t, kIndexSize> index_{};  // 0 = empty, else row + 1
};

// The whole /metrics body: every family with HELP and TYPE lines, summed over all worker slots,
// in a fixed family order and label sets sorted, so equal state renders byte-identical text.
// `provider_ids` are the configured providers (llm_proxy_provider_health has one line each).
// Any process; reads shared memory only (and claims provider-health entries by id).
std::string renderPrometheus(const ShmRegion& region, std::span<const std::string> provider_ids);

// Appends `v` escaped as a Prometheus label value (\\, \", \n; invalid UTF-8 becomes U+FFFD).
void appendPrometheusLabelValue(std::string& out, std::string_view v);

}  // namespace llmproxy::common
