// PgServer: a real, private PostgreSQL server for one integration test (initdb + pg_ctl in a
// temp dir, loopback TCP on a free port), with synchronous libpq helpers to set up and check rows.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace llmproxy::testing {

// Rows of a query result, every value as text (SQL NULL reads as the empty string; use
// `coalesce(x, 'NULL')` or `x IS NULL` in the SQL when the difference matters).
using PgRows = std::vector<std::vector<std::string>>;

// A libpq connection closed by its destructor.
struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

// Owns one PostgreSQL server (major version 15 on Debian 12, found through `pg_config --bindir`
// or /usr/lib/postgresql/15/bin). The constructor copies a cluster made once per build tree by
// initdb (trust auth, UTF-8; kept as build/pg-template), starts the
// server on 127.0.0.1:<free port> with its unix socket inside the temp dir and durability off
// (fsync, synchronous_commit, full_page_writes: tests never survive a crash), and creates the
// role and database "llmproxy" (owned by that role, not a superuser). As root, initdb and pg_ctl
// run as the "postgres" system user (initdb refuses root) and the temp dir is given to it.
// The destructor stops the server (`pg_ctl stop -m immediate`) and removes everything.
// Failures during set-up are gtest failures (ADD_FAILURE) with pg_ctl's output and the server
// log; check ok() (or ASSERT_TRUE(pg.ok())) before using the server. Not thread-safe.
class PgServer {
 public:
  PgServer();
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // True once the server was initialised and started and the database created.
  bool ok() const { return ok_; }

  // postgresql://llmproxy@127.0.0.1:PORT/llmproxy (what llmproxy's [database] url takes).
  std::string url() const;
  // The same server as the superuser "postgres", database "postgres".
  std::string adminUrl() const;
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_.path(); }

  // Stops the server (fast shutdown, waits) / starts it again on the same data dir and port.
  // Used by outage tests. Both return false (and add a gtest failure) if pg_ctl fails.
  bool stop();
  bool start();
  bool running() const { return running_; }

  // Runs `sql` (one or more statements) on a fresh connection to url(). On any error adds a
  // gtest failure naming the SQL and PostgreSQL's message and returns false.
  bool exec(const std::string& sql);
  // Runs one query and returns its rows as text. On error adds a gtest failure and returns
  // an empty vector.
  PgRows query(const std::string& sql);
  // The single value of a one-row, one-column query; nullopt (and a gtest failure) otherwise.
  std::optional<std::string> scalar(const std::string& sql);

  // A new connection to `url` (default url()) for tests that LISTEN or hold a session; null
  // (and a gtest failure) if it cannot connect.
  PgConnPtr connect(const std::string& url = {}) const;

  // Applies the repository's migrations (the schema llmproxy expects) by running
  // `llmproxy migrate up`, as an operator would.
  bool migrate();

  // Whole server log so far (for failure messages).
  std::string log() const;

 private:
  bool initdb();
  bool createDatabase();
  bool copyTemplate();
  // Runs a PostgreSQL program from the server's bin dir, as the postgres user when root.
  bool runTool(const std::string& tool, const std::vector<std::string>& args);
  std::string dataDir() const { return dir_.file("data"); }

  TempDir dir_;
  std::string bindir_;
  uint16_t port_ = 0;
  bool as_postgres_user_ = false;
  bool running_ = false;
  bool ok_ = false;
};

}  // namespace llmproxy::testing
