// The master's PostgreSQL config source: one pg::Connection on the master's loop that connects,
// LISTENs on llmproxy_config and loads providers and credentials in one consistent read whenever
// asked (a notification, a reload, every (re)connect). Loads are coalesced: a request while one is
// in flight runs exactly one more after it. When PostgreSQL is unreachable it retries with
// back-off (0.5 s doubling to 30 s, ±20 % jitter), logging once per state change, and publishes
// its state in the shared-memory DbStatus. The owner merges the rows with the file and publishes.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/pg/pg_connection.h"
#include "common/shm/db_status.h"
#include "common/uv/uv_timer.h"
#include "master/db_merge.h"

namespace llmproxy::master {

// The rows of a successful load, converted; rows that did not convert are in `skipped`.
// `with_prices`: the statement read the prices table (loadStatement(true)).
DbRows rowsFromResult(const common::pg::QueryResult& result, bool with_prices = true);

// The one statement text a load sends: BEGIN REPEATABLE READ READ ONLY; the SELECTs of
// providers, credentials and (with_prices) prices; COMMIT.
std::string loadStatement(bool with_prices = true);

class DbConfigSource {
 public:
  // Runs with the rows of each successful load and the load's number (see requestLoad). May
  // destroy the source.
  using LoadedCallback = std::function<void(DbRows rows, uint64_t load)>;
  // Runs when a load fails (the owner goes on with the last rows). May destroy the source.
  using FailedCallback = std::function<void(std::string_view why)>;

  DbConfigSource(uv_loop_t* loop, common::DatabaseConfig config, common::DbStatus* status,
                 LoadedCallback on_loaded, FailedCallback on_failed);
  ~DbConfigSource();
  DbConfigSource(const DbConfigSource&) = delete;
  DbConfigSource& operator=(const DbConfigSource&) = delete;

  // Connects (then LISTEN and a first load). Returns at once; nothing here blocks.
  void start();
  // A reload is wanted: load now, or once more after the load in flight. Returns the number of
  // the load that will read rows committed before this call, or 0 when the database is not
  // connected: no load will come, the caller goes on with the last rows.
  uint64_t requestLoad();
  // Records what the owner made of the last rows (for DbStatus): rows in use, rows left out
  // and the first reason (RowProblem::str()), "" if none.
  void noteApplied(uint32_t providers, uint32_t keys, uint32_t skipped,
                   const std::string& first_problem);

  // True once the first attempt ended (loaded or failed): readiness need not wait longer.
  bool settled() const { return settled_; }
  const common::DatabaseConfig& config() const { return config_; }
  // The connection's socket, for the child after fork (close it, never use it); -1 if none.
  int socket() const { return conn_ ? conn_->socket() : -1; }

 private:
  static void onRetry(void* self);

  void onState(bool up, std::string_view why);
  void startLoad();
  void onLoaded(common::pg::QueryResult& result, uint64_t load);
  void goDown(std::string_view why);
  void scheduleRetry();
  void setState(common::DbState state, std::string error);

  uv_loop_t* loop_;
  common::DatabaseConfig config_;
  common::DbStatus* status_;
  LoadedCallback on_loaded_;
  FailedCallback on_failed_;
  std::unique_ptr<common::pg::Connection> conn_;
  common::UvTimer retry_timer_;  // reconnect back-off

  bool connected_ = false;
  bool loading_ = false;
  bool load_again_ = false;
  bool settled_ = false;
  // False while the database is older than migration 0005 (no prices table, no budget
  // columns): loads read providers and credentials only; tried again on every new session,
  // told once.
  bool with_prices_ = true;
  bool told_no_prices_ = false;
  uint64_t loads_started_ = 0;
  uint64_t backoff_ms_ = 0;
  std::minstd_rand jitter_;
  common::DbStatus::Snapshot snapshot_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace llmproxy::master
