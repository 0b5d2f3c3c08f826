// The worker's usage log: one usage_log row per proxied request, queued in memory and written to
// PostgreSQL in batches by one parameterised INSERT (UsageBatch), one batch in flight at a time,
// on the worker's own lazily created pg::Connection (not the admin API's: a slow admin query
// never holds up usage writes, nor the reverse).
//
// - record() is called by stage 90. It never blocks, never fails the request and does no I/O:
//   it encodes the row into the open batch (amortised, no per-row allocation). A full batch
//   (database.usage_batch_size rows) is written on the next loop iteration; a partial one after
//   database.usage_flush_interval.
// - PostgreSQL away (connection error, timeout, any error but rejected data): the batch stays
//   queued and is retried with back-off (250 ms doubling to 5 s), not per request. Up to
//   database.usage_buffer rows are kept; beyond that NEW records are dropped (the rows already
//   queued are the older, complete part of the outage and are kept intact). Logged once per
//   state change (down, up again, buffer full).
// - A batch PostgreSQL rejects for its data (SQLSTATE class 22 or 23) is dropped and logged:
//   retrying cannot help. Dropped rows count in llm_proxy_usage_records_dropped_total.
// - Disabled (no queue, no timer, no connection) when database.url is empty or
//   database.usage_log = false.
// - Reload: reconfigure(). A new URL (or timeouts) switches connections once no batch is in
//   flight; queued rows are kept and written to the new database. Removing the URL drops them.
// - Stop: drain() writes what is queued with a deadline; rows left when the writer is destroyed
//   (deadline, fast stop) count as dropped.
//
// Owned by the Worker, lives until the worker's loop ends. Worker-loop-only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "common/config/config.h"
#include "common/pg/pg_connection.h"
#include "common/shm/budget_table.h"
#include "common/shm/metrics.h"
#include "common/uv/uv_timer.h"
#include "worker/usage/usage_batch.h"
#include "worker/usage/usage_record.h"

namespace llmproxy::worker {

class UsageWriter {
 public:
  static constexpr uint64_t kFirstBackoffMs = 250;
  static constexpr uint64_t kMaxBackoffMs = 5'000;

  UsageWriter(uv_loop_t* loop, common::MetricsWriter& metrics, const common::DatabaseConfig& db);
  ~UsageWriter();  // rows still queued count as dropped
  UsageWriter(const UsageWriter&) = delete;
  UsageWriter& operator=(const UsageWriter&) = delete;

  // True when records are kept (database.url set and database.usage_log on).
  bool enabled() const { return enabled_; }
  // Queues one row (dropped and counted when the buffer is full). Call only when enabled().
  void record(const UsageRecord& r);
  // A new config generation's [database].
  void reconfigure(const common::DatabaseConfig& db);
  // Graceful stop: writes every queued row, then calls `done` (at once when nothing is queued or
  // there is no database). After `deadline_ms`, or at the first failure, the rest is dropped
  // (counted) and `done` is called. `done` runs at most once; it may destroy the writer.
  void drain(uint64_t deadline_ms, std::function<void()> done);

  // The writer's connection; null without database.url. Created on first use, replaced when
  // the URL or the timeouts change.
  common::pg::Connection* connection();

  size_t queuedRows() const { return queued_rows_; }

  // Budgets: once per node, the first worker to call this loads the spend of every period
  // still running from key_spend into `budgets` (a restart keeps spend); every worker's writer
  // holds its batches while that load runs, so no cost is counted twice.
  void loadSpend(common::BudgetTable& budgets);

 private:
  static void onTimer(void* self);
  static void onDrainTimer(void* self);

  void seal();
  void wantFlush(uint64_t delay_ms);
  void flush();
  void onBatchDone(const common::pg::QueryResult& r);
  void retryLater(const std::string& why);
  void switchConnection();
  void dropAll(const char* why);
  void dropFront();
  void popFront();
  void roomCheck();
  void finishDrain();
  void publishQueued() { metrics_.setUsageQueued(queued_rows_); }
  void onSpendLoaded(const common::pg::QueryResult& r);

  uv_loop_t* loop_;
  common::MetricsWriter& metrics_;
  common::DatabaseConfig db_;
  bool enabled_ = false;

  std::unique_ptr<common::pg::Connection> conn_;
  std::unique_ptr<common::UvTimer> timer_;  // flush interval, batch full (0 ms), back-off
  uint64_t timer_due_ms_ = 0;               // uv_now() when timer_ fires (when active)
  UsageBatch open_;                         // accepting rows
  uint64_t open_since_ms_ = 0;              // uv_now() at open_'s first row
  std::deque<UsageBatch> sealed_;           // front is in flight while in_flight_
  UsageBatch spare_;                        // a written batch kept for its capacity
  size_t queued_rows_ = 0;                  // open_ + sealed_
  bool in_flight_ = false;
  bool switch_pending_ = false;             // the connection changes once the batch returns

  uint64_t backoff_ms_ = 0;   // 0 = healthy; else the current retry delay
  bool retry_armed_ = false;  // timer_ is the back-off: new rows do not make it earlier
  bool down_ = false;         // logged "cannot write"; the next success logs recovery
  bool full_ = false;         // logged "buffer full"; reset when room returns
  std::string last_data_error_;
  // The columns the database has: all, or fewer when `llmproxy migrate` has not applied 0005
  // (cost_usd, key_spend), 0004 (trace_id) or 0002 (the protocols) yet; rows go without those.
  UsageBatch::Schema schema_ = UsageBatch::Schema::Current;

  common::BudgetTable* budgets_ = nullptr;  // set by loadSpend
  bool seeding_ = false;                     // this writer claimed the spend load, not ended
  void abandonSeed();

  std::unique_ptr<common::UvTimer> drain_timer_;
  std::function<void()> drain_done_;
  bool draining_ = false;
};

}  // namespace llmproxy::worker
