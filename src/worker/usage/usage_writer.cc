// Batched, non-blocking usage_log writes with a bounded outage buffer.
#include "worker/usage/usage_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "common/config/budget_period.h"
#include "common/crypto/sha256.h"
#include "common/log/log.h"
#include "common/time/clock.h"
#include "worker/limits/budget.h"

namespace llmproxy::worker {
namespace {

// Class 22 (data exception) and 23 (integrity constraint violation): the rows themselves are
// wrong for the table; sending them again gives the same answer.
bool isDataError(std::string_view sqlstate) {
  return sqlstate.starts_with("22") || sqlstate.starts_with("23");
}

bool sameConnection(const common::DatabaseConfig& a, const common::DatabaseConfig& b) {
  return a.url == b.url && a.connect_timeout == b.connect_timeout &&
         a.query_timeout == b.query_timeout;
}

}  // namespace

UsageWriter::UsageWriter(uv_loop_t* loop, common::MetricsWriter& metrics,
                         const common::DatabaseConfig& db)
    : loop_(loop), metrics_(metrics), db_(db) {
  enabled_ = !db_.url.empty() && db_.usage_log;
  publishQueued();
}

UsageWriter::~UsageWriter() {
  abandonSeed();
  if (queued_rows_ > 0) {
    metrics_.usageDropped(queued_rows_);
    LLMP_LOG_WARN("usage log: {} record(s) not written before the worker stopped", queued_rows_);
    queued_rows_ = 0;
  }
  publishQueued();
}

void UsageWriter::record(const UsageRecord& r) {
  if (queued_rows_ >= db_.usage_buffer) {
    metrics_.usageDropped(1);
    if (!full_) {
      full_ = true;
      LLMP_LOG_WARN(
          "usage log: {} record(s) wait for PostgreSQL (database.usage_buffer); new records are "
          "dropped until it takes them",
          queued_rows_);
    }
    return;
  }
  open_.add(r);
  ++queued_rows_;
  publishQueued();
  if (open_.rows() >= std::max<uint32_t>(1, db_.usage_batch_size)) {
    seal();
    wantFlush(0);
  } else if (open_.rows() == 1) {
    open_since_ms_ = uv_now(loop_);
    wantFlush(static_cast<uint64_t>(db_.usage_flush_interval.count()));
  }
}

void UsageWriter::reconfigure(const common::DatabaseConfig& db) {
  const bool changed = !sameConnection(db, db_);
  db_ = db;
  enabled_ = !db_.url.empty() && db_.usage_log;
  if (!changed) return;
  if (in_flight_)
    switch_pending_ = true;  // the batch's answer decides whether it was written
  else
    switchConnection();
}

common::pg::Connection* UsageWriter::connection() {
  if (db_.url.empty()) return nullptr;
  if (!conn_)
    conn_ = std::make_unique<common::pg::Connection>(
        loop_, db_.url, common::pg::Connection::Options{db_.connect_timeout, db_.query_timeout});
  return conn_.get();
}

void UsageWriter::seal() {
  if (open_.empty()) return;
  sealed_.emplace_back();
  std::swap(sealed_.back(), open_);
  std::swap(open_, spare_);  // spare_ is empty (cleared when it was kept)
}

void UsageWriter::wantFlush(uint64_t delay_ms) {
  if (!timer_) timer_ = std::make_unique<common::UvTimer>(loop_, this, &UsageWriter::onTimer);
  if (retry_armed_) return;  // backing off: rows wait for the retry
  const uint64_t due = uv_now(loop_) + delay_ms;
  if (timer_->active() && timer_due_ms_ <= due) return;
  timer_due_ms_ = due;
  timer_->start(delay_ms);
}

void UsageWriter::onTimer(void* self) {
  auto* w = static_cast<UsageWriter*>(self);
  w->retry_armed_ = false;
  w->flush();
}

void UsageWriter::loadSpend(common::BudgetTable& budgets) {
  budgets_ = &budgets;
  if (!enabled_ || !budgets.claimSeed(common::nowUnixMs())) return;
  common::pg::Connection* c = connection();
  if (!c) {
    budgets.seedDone();
    return;
  }
  seeding_ = true;
  // NOTE: the first statement on this connection: it runs before any batch of this worker, and
  // the other workers hold theirs until seedDone().
  c->query("SELECT key_hash, extract(epoch from period_start)::bigint, budget_duration, "
           "spent_usd::numeric(20,6)::text FROM key_spend "
           "WHERE period_end IS NULL OR period_end > now()",
           {}, [this](common::pg::QueryResult& r) { onSpendLoaded(r); });
}

void UsageWriter::onSpendLoaded(const common::pg::QueryResult& r) {
  if (!seeding_) return;  // given back meanwhile (stopping): nothing may be added now
  seeding_ = false;
  budgets_->seedDone();
  if (!r.ok) {
    LLMP_LOG_WARN("budgets: the spend of running periods was not loaded from key_spend ({}); "
                  "this node counts from 0",
                  r.error);
    return;
  }
  size_t loaded = 0;
  for (int row = 0; row < r.rows(); ++row) {
    const auto hash = common::sha256FromHex(r.value(row, 0));
    int64_t start_s = 0;
    int64_t duration = 0;
    double usd = 0;
    const std::string_view start_text = r.value(row, 1);
    const std::string_view duration_text = r.value(row, 2);
    const std::string_view usd_text = r.value(row, 3);
    if (!hash ||
        std::from_chars(start_text.data(), start_text.data() + start_text.size(), start_s).ec !=
            std::errc{} ||
        std::from_chars(duration_text.data(), duration_text.data() + duration_text.size(),
                        duration)
                .ec != std::errc{} ||
        std::from_chars(usd_text.data(), usd_text.data() + usd_text.size(), usd).ec !=
            std::errc{})
      continue;
    common::BudgetEntry* e = budgets_->entry(budgetKeyId(*hash));
    if (!e) continue;
    const auto tag = common::BudgetTable::tagOf(common::budgetWindow(duration, start_s).index);
    common::BudgetTable::add(e, tag, static_cast<uint64_t>(std::llround(usd * 1e6)));
    ++loaded;
  }
  LLMP_LOG_INFO("budgets: the spend of {} key period(s) loaded from key_spend", loaded);
}

void UsageWriter::flush() {
  if (in_flight_) return;  // its answer continues
  if (budgets_ && budgets_->seeding(common::nowUnixMs())) {
    wantFlush(50);  // another worker is loading the node's spend
    return;
  }
  if (switch_pending_) switchConnection();
  seal();
  if (sealed_.empty()) return;
  common::pg::Connection* c = connection();
  if (!c) {
    dropAll("database.url is empty");
    return;
  }
  in_flight_ = true;
  // NOTE: capturing `this` is safe: conn_ is ours and drops its callbacks when destroyed.
  c->query(std::string(UsageBatch::insertSql(schema_)), sealed_.front().params(schema_),
           [this](common::pg::QueryResult& r) { onBatchDone(r); });
}

void UsageWriter::onBatchDone(const common::pg::QueryResult& r) {
  in_flight_ = false;
  if (sealed_.empty()) return;  // given up meanwhile (stop deadline)
  if (r.ok) {
    metrics_.usageWritten(sealed_.front().rows());
    popFront();
    backoff_ms_ = 0;
    last_data_error_.clear();
    if (down_) {
      down_ = false;
      LLMP_LOG_INFO("usage log: PostgreSQL takes records again ({} queued)", queued_rows_);
    }
  } else if (!r.connection_error && (r.sqlstate == "42703" || r.sqlstate == "42P01") &&
             schema_ != UsageBatch::Schema::NoProtocols) {
    // undefined_column (or table: key_spend): a database that llmproxy migrate has not
    // brought up to date. The rows are kept and written without the newer columns (one step
    // down each time: 0005 cost_usd/key_spend, 0004 trace_id, 0002 the protocols); told once
    // each.
    const char* missing = "client_protocol/provider_protocol columns";
    if (schema_ == UsageBatch::Schema::Current) {
      schema_ = UsageBatch::Schema::NoCost;
      missing = "cost_usd column or key_spend table";
    } else if (schema_ == UsageBatch::Schema::NoCost) {
      schema_ = UsageBatch::Schema::NoTrace;
      missing = "trace_id column";
    } else {
      schema_ = UsageBatch::Schema::NoProtocols;
    }
    LLMP_LOG_WARN("usage log: the database has no {}; writing records without them until "
                  "`llmproxy migrate up` is run and the worker reconnects ({})",
                  missing, r.error);
  } else if (!r.connection_error && isDataError(r.sqlstate)) {
    if (r.error != last_data_error_) {
      last_data_error_ = r.error;
      LLMP_LOG_ERROR("usage log: PostgreSQL rejected a batch of {} record(s), dropping it: {} "
                     "(SQLSTATE {})",
                     sealed_.front().rows(), r.error, r.sqlstate);
    }
    dropFront();
  } else if (draining_) {
    dropAll(("cannot write them before exit: " + r.error).c_str());
    finishDrain();
    return;
  } else {
    retryLater(r.error);
    if (switch_pending_) switchConnection();  // a new database may be up: try it now
    return;
  }

  if (switch_pending_) switchConnection();
  if (draining_) {
    if (queued_rows_ == 0)
      finishDrain();
    else
      flush();
    return;
  }
  if (!sealed_.empty()) {
    wantFlush(0);
  } else if (!open_.empty()) {
    const uint64_t due = open_since_ms_ + static_cast<uint64_t>(db_.usage_flush_interval.count());
    const uint64_t now = uv_now(loop_);
    wantFlush(due > now ? due - now : 0);
  }
}

void UsageWriter::retryLater(const std::string& why) {
  backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoffMs : std::min(backoff_ms_ * 2, kMaxBackoffMs);
  if (!down_) {
    down_ = true;
    LLMP_LOG_WARN("usage log: cannot write to PostgreSQL ({}); keeping up to {} record(s) in "
                  "memory and retrying",
                  why, db_.usage_buffer);
  }
  if (!timer_) timer_ = std::make_unique<common::UvTimer>(loop_, this, &UsageWriter::onTimer);
  retry_armed_ = true;
  timer_due_ms_ = uv_now(loop_) + backoff_ms_;
  timer_->start(backoff_ms_);
}

void UsageWriter::switchConnection() {
  switch_pending_ = false;
  if (conn_) {
    conn_.reset();
  }
  backoff_ms_ = 0;
  retry_armed_ = false;
  down_ = false;
  schema_ = UsageBatch::Schema::Current;  // another database: try the full schema again
  if (db_.url.empty()) {
    dropAll("database.url was removed");
  } else if (queued_rows_ > 0) {
    wantFlush(0);
  }
}

void UsageWriter::popFront() {
  queued_rows_ -= sealed_.front().rows();
  spare_ = std::move(sealed_.front());
  spare_.clear();
  sealed_.pop_front();
  publishQueued();
  roomCheck();
}

void UsageWriter::dropFront() {
  metrics_.usageDropped(sealed_.front().rows());
  popFront();
}

void UsageWriter::dropAll(const char* why) {
  if (queued_rows_ == 0) return;
  metrics_.usageDropped(queued_rows_);
  LLMP_LOG_WARN("usage log: dropping {} queued record(s): {}", queued_rows_, why);
  sealed_.clear();
  open_.clear();
  queued_rows_ = 0;
  publishQueued();
  roomCheck();
}

void UsageWriter::roomCheck() {
  if (full_ && queued_rows_ < db_.usage_buffer) full_ = false;
}

void UsageWriter::abandonSeed() {
  if (!seeding_) return;
  seeding_ = false;
  budgets_->seedAbandoned();
}

void UsageWriter::drain(uint64_t deadline_ms, std::function<void()> done) {
  if (draining_) return;
  // A worker that stops while it loads the node's spend (a stop right after the start) must
  // not hold the other workers' last rows back until kSeedMaxMs: they would be dropped at
  // their own stop deadline.
  abandonSeed();
  seal();
  if (queued_rows_ == 0 || db_.url.empty()) {
    dropAll("no database to write them to");
    done();
    return;
  }
  draining_ = true;
  drain_done_ = std::move(done);
  drain_timer_ = std::make_unique<common::UvTimer>(loop_, this, &UsageWriter::onDrainTimer);
  drain_timer_->start(deadline_ms);
  if (timer_) timer_->stop();
  retry_armed_ = false;
  LLMP_LOG_INFO("usage log: writing {} queued record(s) before exit", queued_rows_);
  flush();
}

void UsageWriter::onDrainTimer(void* self) {
  auto* w = static_cast<UsageWriter*>(self);
  w->dropAll("not written before the stop deadline");
  w->finishDrain();
}

void UsageWriter::finishDrain() {
  if (!drain_done_) return;
  auto done = std::move(drain_done_);
  drain_done_ = nullptr;
  drain_timer_->stop();
  done();
}

}  // namespace llmproxy::worker
