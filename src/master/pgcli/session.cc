// Session: PQconnectdbParams with a timeout, PQexec / PQexecParams, errors with position.
#include "master/pgcli/session.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "common/pg/pg_connection.h"

namespace llmproxy::master::pgcli {

namespace {

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// A notice ("relation ... already exists, skipping") goes to stderr like psql shows it.
void printNotice(void*, const PGresult* result) {
  const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY);
  const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string line = "llmproxy: postgresql " + trimmed(severity) + ": " + trimmed(message) + "\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

std::string SqlError::str() const { return detail.empty() ? message : message + "\n  " + detail; }

void Session::Closer::operator()(pg_conn* conn) const { PQfinish(conn); }

Session::~Session() = default;

std::expected<Session, std::string> Session::connect(const std::string& url,
                                                     std::chrono::seconds timeout,
                                                     const std::string& application_name) {
  // Ours first: with expand_dbname the URL's own settings come later and win.
  const std::string timeout_text = std::to_string(std::max<int64_t>(1, timeout.count()));
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout_text.c_str(), application_name.c_str(), url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) return std::unexpected("out of memory");
  Session session(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    return std::unexpected("cannot connect to " + common::pg::redactUrl(url) + ": " +
                           trimmed(PQerrorMessage(conn)));
  }
  PQsetNoticeReceiver(conn, printNotice, nullptr);
  return session;
}

std::expected<Rows, SqlError> Session::exec(const std::string& sql) {
  return finish(PQexec(conn_.get(), sql.c_str()));
}

std::expected<Rows, SqlError> Session::exec(
    const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return finish(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0));
}

std::expected<Rows, SqlError> Session::finish(pg_result* result) {
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    SqlError error;
    if (result == nullptr) {
      error.message = trimmed(PQerrorMessage(conn_.get()));
    } else {
      error.message = trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
      if (error.message.empty()) error.message = trimmed(PQresultErrorMessage(result));
      std::string detail = trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL));
      std::string hint = trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_HINT));
      if (!hint.empty()) detail += (detail.empty() ? "HINT: " : "\n  HINT: ") + hint;
      error.detail = std::move(detail);
      error.sqlstate = trimmed(PQresultErrorField(result, PG_DIAG_SQLSTATE));
      if (const char* pos = PQresultErrorField(result, PG_DIAG_STATEMENT_POSITION)) {
        error.position = std::atoi(pos);
      }
    }
    if (error.message.empty()) error.message = "unknown error (connection lost?)";
    PQclear(result);
    return std::unexpected(std::move(error));
  }
  Rows rows;
  const int n = PQntuples(result);
  const int cols = PQnfields(result);
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(result, i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, i, c),
                                     static_cast<size_t>(PQgetlength(result, i, c))));
      }
    }
  }
  PQclear(result);
  return rows;
}

}  // namespace llmproxy::master::pgcli
