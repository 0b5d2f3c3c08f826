// Session: one synchronous libpq connection for the command-line tools (`llmproxy migrate`,
// `llmproxy import-config`). The proxy itself never blocks on PostgreSQL (common/pg is the
// asynchronous side); a CLI waiting on its one connection is fine.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace llmproxy::master::pgcli {

// What PostgreSQL said about a failed statement.
struct SqlError {
  std::string message;  // primary message ("syntax error at or near ...")
  std::string detail;   // DETAIL and HINT, "" if none
  std::string sqlstate;
  int position = 0;     // 1-based character offset into the statement text, 0 if none

  // "message" plus "\n  detail" when there is one.
  std::string str() const;
};

// Rows of a statement, all values as text; nullopt = SQL NULL.
using Rows = std::vector<std::vector<std::optional<std::string>>>;

class Session {
 public:
  // Connects to `url` (libpq URI or key=value string). On failure returns libpq's message,
  // which never contains the password, prefixed with the redacted URL.
  static std::expected<Session, std::string> connect(const std::string& url,
                                                     std::chrono::seconds timeout,
                                                     const std::string& application_name);

  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;
  ~Session();

  // Runs `sql`: several statements separated by ';' are allowed when there are no params.
  // Returns the rows of the last statement (empty for commands).
  std::expected<Rows, SqlError> exec(const std::string& sql);
  // One statement with $1.. parameters sent apart from the text (nullopt = NULL).
  std::expected<Rows, SqlError> exec(const std::string& sql,
                                     const std::vector<std::optional<std::string>>& params);

 private:
  struct Closer {
    void operator()(pg_conn* conn) const;
  };
  explicit Session(pg_conn* conn) : conn_(conn) {}
  std::expected<Rows, SqlError> finish(pg_result* result);

  std::unique_ptr<pg_conn, Closer> conn_;
};

}  // namespace llmproxy::master::pgcli
