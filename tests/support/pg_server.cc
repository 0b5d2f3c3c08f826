// PgServer: initdb + pg_ctl in a temp dir (as the postgres user when root), libpq helpers.
#include "support/pg_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "support/free_port.h"
#include "support/proxy_process.h"

namespace llmproxy::testing {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDebianBinDir = "/usr/lib/postgresql/15/bin";
constexpr const char* kRunuser = "/usr/sbin/runuser";

bool hasInitdb(const std::string& dir) { return !dir.empty() && fs::exists(dir + "/initdb"); }

// Where initdb and pg_ctl live: $LLMPROXY_PG_BINDIR, Debian's PostgreSQL 15 path,
// `pg_config --bindir`, then any /usr/lib/postgresql/*/bin.
std::string findBinDir() {
  if (const char* env = std::getenv("LLMPROXY_PG_BINDIR"); env != nullptr && hasInitdb(env)) {
    return env;
  }
  if (hasInitdb(kDebianBinDir)) return kDebianBinDir;
  for (const char* pg_config : {"/usr/bin/pg_config", "/usr/local/bin/pg_config"}) {
    if (!fs::exists(pg_config)) continue;
    CliResult r = runProcess(pg_config, {"--bindir"});
    std::string dir = r.output.substr(0, r.output.find('\n'));
    if (r.exit_code == 0 && hasInitdb(dir)) return dir;
  }
  std::error_code ec;
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (hasInitdb(entry.path().string() + "/bin")) found.push_back(entry.path().string() + "/bin");
  }
  std::sort(found.begin(), found.end());
  return found.empty() ? std::string() : found.back();
}

std::string resultError(PGconn* conn, PGresult* res) {
  const char* msg = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  std::string out = msg != nullptr ? msg : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

PgServer::PgServer() {
  bindir_ = findBinDir();
  if (bindir_.empty()) {
    ADD_FAILURE() << "PostgreSQL server binaries not found (apt-get install postgresql, or set "
                     "LLMPROXY_PG_BINDIR)";
    return;
  }
  port_ = freeTcpPort();
  as_postgres_user_ = ::getuid() == 0;
  if (!initdb()) return;
  if (!start()) return;
  ok_ = createDatabase();
}

PgServer::~PgServer() {
  if (running_) runTool("pg_ctl", {"stop", "-D", dataDir(), "-m", "immediate", "-w", "-t", "30"});
}

std::string PgServer::url() const {
  return "postgresql://llmproxy@127.0.0.1:" + std::to_string(port_) + "/llmproxy";
}

std::string PgServer::adminUrl() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

bool PgServer::runTool(const std::string& tool, const std::vector<std::string>& args) {
  std::string binary = bindir_ + "/" + tool;
  std::vector<std::string> argv;
  if (as_postgres_user_) {
    argv = {"-u", "postgres", "--", binary};
    binary = kRunuser;
  }
  argv.insert(argv.end(), args.begin(), args.end());
  CliResult r = runProcess(binary, argv, {{"LC_ALL", "C"}}, std::chrono::seconds(60));
  if (r.exit_code != 0) {
    ADD_FAILURE() << tool << " failed (exit " << r.exit_code << "):\n" << r.output
                  << "\nserver log:\n" << log();
    return false;
  }
  return true;
}

bool PgServer::initdb() {
  std::error_code ec;
  fs::create_directories(dir_.file("socket"), ec);
  if (as_postgres_user_) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      ADD_FAILURE() << "running as root but there is no 'postgres' user to run initdb as";
      return false;
    }
    for (const std::string& path : {dir_.path(), dir_.file("socket")}) {
      if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        ADD_FAILURE() << "chown " << path << " failed";
        return false;
      }
    }
  }
  if (!copyTemplate()) return false;
  // Appended settings win over initdb's. The file stays owned by postgres (root only appends).
  std::ofstream conf(dataDir() + "/postgresql.conf", std::ios::app);
  conf << "\n# llmproxy test fixture\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "port = " << port_ << "\n"
       << "unix_socket_directories = '" << dir_.file("socket") << "'\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
       << "shared_buffers = 16MB\nmax_connections = 50\n"
       << "log_min_messages = warning\nlog_min_error_statement = error\n";
  return static_cast<bool>(conf);
}

// initdb takes seconds and every test process needs a cluster: the first one made in a build
// tree is kept next to the llmproxy binary and copied (cp -a keeps the postgres owner).
bool PgServer::copyTemplate() {
  const std::string tmpl = (fs::path(LLMPROXY_BINARY).parent_path() / "pg-template").string();
  const int lock = ::open((tmpl + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    ADD_FAILURE() << "cannot lock " << tmpl << ".lock";
    if (lock >= 0) ::close(lock);
    return false;
  }
  bool ok = true;
  std::error_code ec;
  if (!fs::exists(tmpl + "/PG_VERSION")) {
    const std::string fresh = tmpl + ".new";
    fs::remove_all(fresh, ec);
    fs::create_directories(fresh, ec);
    fs::permissions(fresh, fs::perms::owner_all, ec);
    if (as_postgres_user_) {
      const passwd* pw = ::getpwnam("postgres");
      ok = pw != nullptr && ::chown(fresh.c_str(), pw->pw_uid, pw->pw_gid) == 0;
      if (!ok) ADD_FAILURE() << "cannot give " << fresh << " to the postgres user";
    }
    ok = ok && runTool("initdb", {"-D", fresh, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                  "--locale=C", "--no-sync", "--no-instructions"});
    if (ok) {
      fs::remove_all(tmpl, ec);
      fs::rename(fresh, tmpl, ec);
      ok = !ec;
      if (!ok) ADD_FAILURE() << "cannot rename " << fresh << ": " << ec.message();
    }
  }
  if (ok) {
    // A loaded CI host copies slowly: the default 10 s was too short once.
    CliResult r = runProcess("/bin/cp", {"-a", tmpl, dataDir()}, {}, std::chrono::seconds(60));
    ok = r.exit_code == 0;
    if (!ok) ADD_FAILURE() << "cp -a " << tmpl << " failed: " << r.output;
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return ok;
}

bool PgServer::start() {
  if (running_) return true;
  // The log goes inside the data dir: always writable by the server's user.
  if (!runTool("pg_ctl", {"start", "-D", dataDir(), "-l", dataDir() + "/server.log", "-w", "-t",
                          "60"})) {
    return false;
  }
  running_ = true;
  return true;
}

bool PgServer::stop() {
  if (!running_) return true;
  if (!runTool("pg_ctl", {"stop", "-D", dataDir(), "-m", "fast", "-w", "-t", "60"})) return false;
  running_ = false;
  return true;
}

bool PgServer::createDatabase() {
  PgConnPtr conn = connect(adminUrl());
  if (!conn) return false;
  for (const char* sql : {"CREATE ROLE llmproxy LOGIN", "CREATE DATABASE llmproxy OWNER llmproxy"}) {
    PGresult* res = PQexec(conn.get(), sql);
    bool good = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!good) ADD_FAILURE() << sql << ": " << resultError(conn.get(), res);
    PQclear(res);
    if (!good) return false;
  }
  return true;
}

PgConnPtr PgServer::connect(const std::string& url) const {
  const std::string target = url.empty() ? this->url() : url;
  PgConnPtr conn(PQconnectdb(
      (target + (target.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10").c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << target << ": "
                  << (conn ? resultError(conn.get(), nullptr) : "out of memory");
    return nullptr;
  }
  return conn;
}

bool PgServer::exec(const std::string& sql) {
  PgConnPtr conn = connect();
  if (!conn) return false;
  PGresult* res = PQexec(conn.get(), sql.c_str());
  ExecStatusType status = PQresultStatus(res);
  bool good = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  if (!good) ADD_FAILURE() << "SQL failed: " << sql << "\n" << resultError(conn.get(), res);
  PQclear(res);
  return good;
}

PgRows PgServer::query(const std::string& sql) {
  PgRows rows;
  PgConnPtr conn = connect();
  if (!conn) return rows;
  PGresult* res = PQexec(conn.get(), sql.c_str());
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << "query failed: " << sql << "\n" << resultError(conn.get(), res);
    PQclear(res);
    return rows;
  }
  const int n = PQntuples(res);
  const int cols = PQnfields(res);
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::vector<std::string>& row = rows.emplace_back();
    for (int c = 0; c < cols; ++c) {
      row.emplace_back(PQgetvalue(res, i, c), static_cast<size_t>(PQgetlength(res, i, c)));
    }
  }
  PQclear(res);
  return rows;
}

std::optional<std::string> PgServer::scalar(const std::string& sql) {
  PgRows rows = query(sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    ADD_FAILURE() << "expected one value from: " << sql << " (got " << rows.size() << " rows)";
    return std::nullopt;
  }
  return rows[0][0];
}

bool PgServer::migrate() {
  CliResult r = runProcess(LLMPROXY_BINARY,
                           {"migrate", "up", "-d", url(), "--migrations",
                            std::string(LLMPROXY_SOURCE_DIR) + "/migrations"},
                           {}, std::chrono::seconds(60));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "llmproxy migrate up failed (exit " << r.exit_code << "):\n" << r.output;
    return false;
  }
  return true;
}

std::string PgServer::log() const { return readFile(dataDir() + "/server.log"); }

}  // namespace llmproxy::testing
