// The delivery of one exporter (OTLP or Langfuse) in one worker: a bounded queue of finished
// requests, sent in batches by one HTTP POST at a time on the worker's own loop, through the
// worker's UpstreamClient (its connection pools, DNS cache and TLS).
//
// - push() is called by stage 90 and never blocks, never fails the request, does no I/O: the
//   record joins the queue, or is dropped (counted in llm_proxy_trace_dropped_total) when
//   `queue_size` records already wait. A full batch (`batch_size`) is sent on the next loop
//   iteration; a partial one `flush_interval` after its oldest record arrived.
// - A batch the sink does not take (connect error, timeout, 408, 429, 5xx) is sent again after
//   a back-off (1 s doubling to 30 s), at most kMaxSends times, then dropped; one it refuses
//   (any other 4xx) is dropped at once. Every call counts in
//   llm_proxy_trace_exports_total{sink,result}. State changes are logged once each.
// - configure() with no target turns the sink off and drops what waits; a new target takes
//   effect with the next call.
// - drain() (graceful stop) sends what is queued without waiting for intervals or back-offs,
//   within a deadline; whatever is left then, or when the sink is destroyed, is dropped.
//
// Owned by the Tracer; worker-loop-only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/shm/metrics.h"
#include "common/uv/uv_timer.h"
#include "worker/tracing/trace_record.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker::tracing {

class ExportSink {
 public:
  static constexpr uint32_t kMaxSends = 5;
  static constexpr uint64_t kFirstBackoffMs = 1'000;
  static constexpr uint64_t kMaxBackoffMs = 30'000;

  // Where the batches go: the origin and the request head up to (not including)
  // Content-Length: request line, Host, Content-Type, the sink's own headers (credentials).
  struct Target {
    OriginKey origin;
    std::string head;
    bool operator==(const Target&) const = default;
  };
  struct Settings {
    uint32_t batch_size = 256;
    uint64_t flush_interval_ms = 5'000;
    uint32_t queue_size = 2'048;
    uint64_t timeout_ms = 10'000;
  };
  using Encode =
      std::function<std::string(std::span<const std::shared_ptr<const TraceRecord>>)>;

  ExportSink(uv_loop_t* loop, UpstreamClient& client, common::MetricsWriter& metrics,
             common::TraceSink which, Encode encode);
  ~ExportSink();  // what still waits counts as dropped
  ExportSink(const ExportSink&) = delete;
  ExportSink& operator=(const ExportSink&) = delete;

  void configure(std::optional<Target> target, const Settings& settings);
  bool enabled() const { return target_.has_value(); }
  void push(std::shared_ptr<const TraceRecord> record);
  // Sends everything queued, then calls `done` (at once when idle); after `deadline_ms` the
  // rest is dropped and `done` called. `done` runs at most once.
  void drain(uint64_t deadline_ms, std::function<void()> done);
  size_t queued() const { return queue_.size() + batch_.size(); }

 private:
  struct Entry {
    uint64_t queued_ms;
    std::shared_ptr<const TraceRecord> record;
  };
  class Call;

  static void onTimer(void* self);
  static void onCallTimeout(void* self);
  static void onSettle(void* self);
  static void onDrainTimer(void* self);

  void wantSend(uint64_t delay_ms);
  void send();
  void settle();  // the call ended: its result decides what happens to the batch
  void afterCall();
  void dropBatch();
  void drop(size_t n, const char* why);
  void finishDrainIfIdle();

  uv_loop_t* loop_;
  UpstreamClient& client_;
  common::MetricsWriter& metrics_;
  const common::TraceSink which_;
  Encode encode_;
  std::optional<Target> target_;
  Settings settings_;

  std::deque<Entry> queue_;
  std::vector<std::shared_ptr<const TraceRecord>> batch_;  // in flight or waiting to be resent
  std::string head_;     // of the call in flight
  std::string body_;     // of the batch (kept for its resends)
  uint32_t sends_ = 0;   // calls made for batch_
  bool fresh_retry_used_ = false;  // batch_ was resent once after a stale pooled connection
  std::unique_ptr<Call> call_;
  std::unique_ptr<common::UvTimer> timer_;          // flush interval, batch full, back-off
  uint64_t timer_due_ms_ = 0;
  bool backing_off_ = false;
  std::unique_ptr<common::UvTimer> call_timer_;     // export_timeout of the call in flight
  std::unique_ptr<common::UvTimer> settle_timer_;   // leaves the upstream callback first
  bool down_ = false;   // logged "cannot export"
  bool full_ = false;   // logged "queue full"

  bool draining_ = false;
  std::function<void()> drain_done_;
  std::unique_ptr<common::UvTimer> drain_timer_;
};

}  // namespace llmproxy::worker::tracing
