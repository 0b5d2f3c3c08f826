// The worker's admin PostgreSQL connection and the query-and-resume helper.
#include "worker/admin/admin_db.h"

#include "worker/admin/admin_state.h"

namespace llmproxy::worker::admin {

AdminDb::~AdminDb() = default;

common::pg::Connection* AdminDb::connection(const common::DatabaseConfig& db) {
  std::erase_if(retired_, [](const auto& c) { return c->queued() == 0; });
  if (db.url.empty()) return nullptr;
  if (conn_ && (made_for_.url != db.url || made_for_.connect_timeout != db.connect_timeout ||
                made_for_.query_timeout != db.query_timeout)) {
    retired_.push_back(std::move(conn_));
  }
  if (!conn_) {
    common::pg::Connection::Options options;
    options.connect_timeout = db.connect_timeout;
    options.query_timeout = db.query_timeout;
    conn_ = std::make_unique<common::pg::Connection>(loop_, db.url, options);
    made_for_ = db;
  }
  return conn_.get();
}

Outcome respondFileManaged(LocalCall& call) {
  return call.respondError(
      {common::ErrorKind::Conflict,
       "configuration is file-managed: set [database] url to manage providers and "
       "credentials through the admin API, or edit the configuration file and reload",
       0});
}

Outcome runQuery(LocalCall& call, std::string sql, common::pg::Connection::Params params,
                 bool write) {
  common::pg::Connection* conn = call.services.admin_db.connection(call.config->database);
  if (!conn) {
    if (write) return respondFileManaged(call);
    return call.respondError({common::ErrorKind::Internal, "no database configured", 0});
  }
  if (conn->queued() >= kMaxQueuedStatements)
    return call.respondError({common::ErrorKind::Unavailable,
                              "the database is busy: too many admin statements queued", 0});
  AdminState& st = adminState(call);
  st.result.reset();
  conn->query(std::move(sql), std::move(params),
              [waker = call.waker](common::pg::QueryResult& result) {
                AdminState* waiting = waker.adminState();
                if (!waiting) return;  // the exchange is gone or no longer waits for this
                waiting->result = std::move(result);
                waker.wake();
              });
  return Outcome::Wait;
}

Outcome respondDbError(LocalCall& call, const common::pg::QueryResult& result,
                       std::string_view unique_param, std::string_view what) {
  namespace pg = common::pg;
  // No log line here: finish writes the exchange's one error-log line from the error answered.
  if (result.connection_error) {
    return call.respondError(
        {common::ErrorKind::Unavailable, "the database is unavailable: " + result.error, 0});
  }
  if (result.sqlstate == pg::kUniqueViolation)
    return call.respondError(
        {common::ErrorKind::Conflict,
         std::string(what) + " with this " + std::string(unique_param) + " already exists", 0},
        unique_param);
  if (result.sqlstate.starts_with("22") || result.sqlstate == pg::kCheckViolation ||
      result.sqlstate == pg::kNotNullViolation)
    return call.respondError(
        {common::ErrorKind::BadRequest, "the database refused a value: " + result.error, 0});
  // The client sees the SQLSTATE; the database's message goes to the error log only.
  common::Error error{common::ErrorKind::Internal, "database error " + result.sqlstate, 0};
  error.log_detail = result.error;
  return call.respondError(error);
}

}  // namespace llmproxy::worker::admin
