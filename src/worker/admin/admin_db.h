// The admin API's PostgreSQL access from a worker: one pg::Connection per worker, created on
// the first admin request that needs the database (and remade when [database] url or its
// timeouts change), and the way an admin handler waits for one statement without holding the
// exchange: the callback keeps the call's Waker (a wake token), the result lands in the
// exchange's AdminState and the handler runs again; an exchange that died or stopped waiting
// meanwhile is never touched (the token is stale).
//
// Every wait is bounded by [database] connect_timeout + query_timeout (pg::Connection fails
// the statement when either passes); connection failures, timeouts and a full queue answer 503.
#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "common/pg/pg_connection.h"
#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

class AdminDb {
 public:
  explicit AdminDb(uv_loop_t* loop) : loop_(loop) {}
  ~AdminDb();
  AdminDb(const AdminDb&) = delete;
  AdminDb& operator=(const AdminDb&) = delete;

  // The connection for `db`, nullptr when db.url is empty. A connection replaced after a
  // config change stays alive until its queued statements have been answered.
  common::pg::Connection* connection(const common::DatabaseConfig& db);

 private:
  uv_loop_t* loop_;
  std::unique_ptr<common::pg::Connection> conn_;
  common::DatabaseConfig made_for_;
  std::vector<std::unique_ptr<common::pg::Connection>> retired_;
};

// Statements queued at most on the worker's admin connection; beyond this, 503 at once.
inline constexpr size_t kMaxQueuedStatements = 64;

// Queues `sql` with `params` ($1..$n, always sent apart from the SQL text) for the exchange
// and returns Outcome::Wait; the handler is re-entered with adminState(call).result set.
// Answers 409 "configuration is file-managed" when `write` and no database is configured,
// and 503 when the queue is full.
Outcome runQuery(LocalCall& call, std::string sql, common::pg::Connection::Params params,
                 bool write);

// The response for a failed statement: connection errors and timeouts 503; unique violations
// 409 naming `unique_param`; bad input (SQLSTATE class 22, check violations) 400; else 500.
Outcome respondDbError(LocalCall& call, const common::pg::QueryResult& result,
                       std::string_view unique_param, std::string_view what);

// 409: writes need the database ([database] url).
Outcome respondFileManaged(LocalCall& call);

}  // namespace llmproxy::worker::admin
