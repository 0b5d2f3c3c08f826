// DbConfigSource: connect -> LISTEN -> load, coalesced reloads, back-off, state in shared memory.
#include "master/db_config_source.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>

#include "common/log/log.h"
#include "common/time/clock.h"

namespace llmproxy::master {
namespace {

constexpr uint64_t kFirstBackoffMs = 500;
constexpr uint64_t kMaxBackoffMs = 30'000;
constexpr std::string_view kChannel = "llmproxy_config";

}  // namespace

std::string loadStatement(bool with_prices) {
  // One snapshot for all tables; READ ONLY so a mistake here can never write.
  return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " + std::string(kSelectProviders) +
         "; " +
         std::string(with_prices ? kSelectCredentials : kSelectCredentialsBeforeBudgets) + "; " +
         (with_prices ? std::string(kSelectPrices) + "; " : std::string()) + "COMMIT";
}

DbRows rowsFromResult(const common::pg::QueryResult& result, bool with_prices) {
  DbRows rows;
  // results: BEGIN, providers, credentials, [prices,] COMMIT.
  auto convert = [&](size_t index, auto&& make, auto& into) {
    if (index >= result.results.size()) return;
    const int columns = PQnfields(result.results[index].get());
    DbRow row;
    for (int r = 0; r < result.rowsOf(index); ++r) {
      row.clear();
      for (int c = 0; c < columns; ++c) {
        if (result.isNullOf(index, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(result.valueOf(index, r, c));
        }
      }
      auto converted = make(row);
      if (converted) {
        into.push_back(std::move(*converted));
      } else {
        rows.skipped.push_back(std::move(converted.error()));
      }
    }
  };
  convert(1, &providerFromRow, rows.providers);
  convert(2, &keyFromRow, rows.keys);
  if (with_prices) convert(3, &priceFromRow, rows.prices);
  return rows;
}

DbConfigSource::DbConfigSource(uv_loop_t* loop, common::DatabaseConfig config,
                               common::DbStatus* status, LoadedCallback on_loaded,
                               FailedCallback on_failed)
    : loop_(loop),
      config_(std::move(config)),
      status_(status),
      on_loaded_(std::move(on_loaded)),
      on_failed_(std::move(on_failed)),
      retry_timer_(loop, this, &DbConfigSource::onRetry),
      jitter_(static_cast<uint32_t>(getpid()) ^ static_cast<uint32_t>(common::nowUnixMs())) {
  common::pg::Connection::Options options;
  options.connect_timeout = config_.connect_timeout;
  options.query_timeout = config_.query_timeout;
  conn_ = std::make_unique<common::pg::Connection>(loop_, config_.url, options);
  conn_->onState([this](bool up, std::string_view why) { onState(up, why); });
  conn_->onNotify([this](std::string_view channel, std::string_view) {
    if (channel == kChannel) requestLoad();
  });
}

DbConfigSource::~DbConfigSource() {
  *alive_ = false;
  conn_.reset();
  retry_timer_.stop();
  if (status_) status_->write(common::DbStatus::Snapshot{});
}

void DbConfigSource::start() {
  setState(common::DbState::Connecting, "");
  conn_->connect();
}

uint64_t DbConfigSource::requestLoad() {
  if (!connected_) return 0;
  if (loading_) {
    load_again_ = true;  // the load in flight may predate the caller's change
    return loads_started_ + 1;
  }
  startLoad();
  return loads_started_;
}

void DbConfigSource::noteApplied(uint32_t providers, uint32_t keys, uint32_t skipped,
                                 const std::string& first_problem) {
  snapshot_.providers = providers;
  snapshot_.keys = keys;
  snapshot_.skipped_rows = skipped;
  if (!first_problem.empty()) snapshot_.last_error = "row skipped: " + first_problem;
  if (status_) status_->write(snapshot_);
}

void DbConfigSource::onState(bool up, std::string_view why) {
  if (!up) {
    goDown(why);
    return;
  }
  connected_ = true;
  backoff_ms_ = 0;
  // LISTEN before the load: a change committed after the load's snapshot always notifies us.
  // Notifications sent while we were away are lost, so every (re)connect loads everything.
  conn_->query("LISTEN " + std::string(kChannel), {}, [this](common::pg::QueryResult& r) {
    if (r.ok || r.connection_error) return;
    const std::string failure = "LISTEN failed: " + r.error;
    auto alive = alive_;
    conn_->reset(failure);  // fails the queued load, which reports to the owner
    if (*alive) goDown(failure);
  });
  load_again_ = false;
  with_prices_ = true;
  startLoad();
}

void DbConfigSource::startLoad() {
  loading_ = true;
  load_again_ = false;
  const uint64_t load = ++loads_started_;
  conn_->query(loadStatement(with_prices_), {},
               [this, load](common::pg::QueryResult& result) { onLoaded(result, load); });
}

void DbConfigSource::onLoaded(common::pg::QueryResult& result, uint64_t load) {
  loading_ = false;
  auto alive = alive_;
  if (!result.ok && !result.connection_error && with_prices_ &&
      (result.sqlstate == "42P01" || result.sqlstate == "42703")) {
    // undefined_table / undefined_column: a database before migration 0005 (no prices table,
    // no budget columns). Providers and keys still load, without prices and budgets.
    with_prices_ = false;
    if (!told_no_prices_) {
      told_no_prices_ = true;
      LLMP_LOG_WARN("database has no prices table or budget columns ({}); loading providers "
                    "and credentials without them until `llmproxy migrate up` is run",
                    result.error);  // once: each later load tries the prices first again
    }
    conn_->query("ROLLBACK", {}, [](common::pg::QueryResult&) {});
    startLoad();
    return;
  }
  if (!result.ok) {
    const std::string why = result.error;
    if (!result.connection_error) {
      // PostgreSQL refused the read (schema missing, permissions): the session may be left in
      // an aborted transaction; start over on a fresh connection after the back-off.
      conn_->reset(why);
      goDown("loading the configuration failed: " + why);
      if (!*alive) return;
    }
    settled_ = true;
    if (on_failed_) {
      auto cb = on_failed_;  // a copy: the callback may destroy this source
      cb(why);
    }
    return;
  }
  DbRows rows = rowsFromResult(result, with_prices_);
  // The next load (the next change announced) tries the prices again, so a
  // database migrated while the proxy runs gets them without a reconnect.
  with_prices_ = true;
  const size_t providers = rows.providers.size();
  const size_t keys = rows.keys.size();
  const size_t skipped = rows.skipped.size();
  const bool was_connected = snapshot_.state == common::DbState::Connected;
  snapshot_.last_load_ms = common::nowUnixMs();
  ++snapshot_.loads;
  snapshot_.providers = static_cast<uint32_t>(providers);
  snapshot_.keys = static_cast<uint32_t>(keys);
  snapshot_.skipped_rows = static_cast<uint32_t>(skipped);
  setState(common::DbState::Connected, "");
  if (!was_connected) {
    LLMP_LOG_INFO("database connected ({}), {} providers and {} keys loaded{}",
                  common::pg::redactUrl(config_.url), providers, keys,
                  skipped ? " (" + std::to_string(skipped) + " rows skipped)" : std::string());
  } else {
    LLMP_LOG_DEBUG("database: {} providers and {} keys loaded", providers, keys);
  }
  settled_ = true;
  if (on_loaded_) {
    auto cb = on_loaded_;  // a copy: the callback may destroy this source
    cb(std::move(rows), load);
    if (!*alive) return;
  }
  if (load_again_ && connected_) startLoad();
}

void DbConfigSource::goDown(std::string_view why) {
  connected_ = false;
  loading_ = false;
  load_again_ = false;
  if (snapshot_.state != common::DbState::Unavailable) {
    LLMP_LOG_ERROR("database unavailable: {} ({}); serving the last configuration, retrying",
                   why, common::pg::redactUrl(config_.url));
    setState(common::DbState::Unavailable, std::string(why));
  } else if (snapshot_.last_error != why) {
    snapshot_.last_error = std::string(why);  // the newest cause, without a new log line
    if (status_) status_->write(snapshot_);
  }
  settled_ = true;
  scheduleRetry();
}

void DbConfigSource::scheduleRetry() {
  backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoffMs : std::min(kMaxBackoffMs, backoff_ms_ * 2);
  // ±20 % so that many nodes do not reconnect in step after an outage.
  std::uniform_real_distribution<double> spread(0.8, 1.2);
  const auto delay = static_cast<uint64_t>(static_cast<double>(backoff_ms_) * spread(jitter_));
  retry_timer_.start(delay);
}

void DbConfigSource::onRetry(void* self) { static_cast<DbConfigSource*>(self)->conn_->connect(); }

void DbConfigSource::setState(common::DbState state, std::string error) {
  if (snapshot_.state != state) snapshot_.since_ms = common::nowUnixMs();
  snapshot_.state = state;
  if (!error.empty()) snapshot_.last_error = std::move(error);  // kept after recovery: history
  if (status_) status_->write(snapshot_);
}

}  // namespace llmproxy::master
