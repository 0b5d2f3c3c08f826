// PostgreSQL as a config source, end to end: rows written with SQL (no signal) reach every worker,
// two instances follow one database, outages keep the last config, reconnects reload, the file
// and the database merge, and a bad row is left out with a precise log line.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "pg_proxy_fixture.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kFileKey = "sk-file-key-1";
constexpr const char* kDbKey = "sk-db-key-1";

std::string chatBody(const std::string& model) {
  return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
}

// One chat completion on a fresh connection (so SO_REUSEPORT spreads them over the workers).
HttpResponse chatOnce(uint16_t port, const std::string& model, const char* key = kFileKey) {
  HttpClient c("127.0.0.1", port);
  return c.post("/v1/chat/completions", chatBody(model),
                {{"Authorization", std::string("Bearer ") + key},
                 {"Content-Type", "application/json"},
                 {"Connection", "close"}},
                std::chrono::seconds(5));
}

std::string insertProvider(const std::string& key, const std::string& base,
                           const std::string& models) {
  return "INSERT INTO providers (provider_key, provider_type, api_base, api_key, models) VALUES ('" +
         key + "', 'openai-compatible', '" + base + "/v1', 'pk-" + key + "', ARRAY[" + models +
         "])";
}

// Workers (by pid, from /health/detailed on fresh admin connections) whose config has
// `provider`.
std::set<long> workersWith(uint16_t admin_port, const std::string& provider, int probes = 16) {
  std::set<long> pids;
  for (int i = 0; i < probes; ++i) {
    const auto r = getOnce(admin_port, "/health/detailed", adminAuth());
    if (r.status == 200 && r.body.find("\"id\":\"" + provider + "\"") != std::string::npos)
      pids.insert(pidOf(r));
  }
  return pids;
}

std::string adminStatus(uint16_t admin_port) {
  return getOnce(admin_port, "/admin/v1/status", adminAuth()).body;
}

// Inodes of the TCP sockets connected to `port` on this host (from /proc/net/tcp).
std::set<std::string> socketsTo(uint16_t port) {
  std::set<std::string> inodes;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  char want[8];
  std::snprintf(want, sizeof(want), ":%04X", port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retrans, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retrans >> uid >> timeout >>
        inode;
    if (remote.ends_with(want) && inode != "0") inodes.insert(inode);
  }
  return inodes;
}

// True if process `pid` holds one of the socket `inodes` as an open fd.
bool holdsSocket(pid_t pid, const std::set<std::string>& inodes) {
  std::error_code ec;
  for (const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const auto target = std::filesystem::read_symlink(fd.path(), ec).string();
    for (const auto& inode : inodes)
      if (target == "socket:[" + inode + "]") return true;
  }
  return false;
}

class DbConfig : public PgProxyTest {
 protected:
  // A config on `ports` with the [database] and one file key; `rest` adds file providers/keys.
  std::string dbConfig(const ProxyPorts& ports, int workers, const std::string& rest = "") const {
    return baseConfig(ports, workers, "",
                      database() + rest + "\n[[key]]\nname = \"file\"\nkey = \"" + kFileKey +
                          "\"\n");
  }
  std::string dbConfig(int workers, const std::string& rest = "") const {
    return dbConfig(ports_, workers, rest);
  }
};

TEST_F(DbConfig, InsertedProviderServesOnEveryWorkerWithinOneSecond) {
  // No usage log: its writer opens a session of its own in each worker after its first flush,
  // which would blur the fork-hygiene check below (the master's session only).
  auto& proxy = startProxy(dbConfig(2, "usage_log = false\n"));
  ASSERT_TRUE(eventually([&] { return adminStatus(ports_.admin).find("\"state\":\"connected\"") !=
                                      std::string::npos; }))
      << adminStatus(ports_.admin) << proxy.stderrLog();
  EXPECT_EQ(chatOnce(ports_.api, "db-model").status, 404);

  const auto t0 = Clock::now();
  ASSERT_TRUE(pg_.exec(insertProvider("dbp", mock_.baseUrl(), "'db-model'")));
  const bool served = eventually(
      [&] {
        if (chatOnce(ports_.api, "db-model").status != 200) return false;
        return workersWith(ports_.admin, "dbp").size() == 2;
      },
      1000ms);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  std::cout << "[ measured ] provider INSERT -> served by both workers in " << ms << " ms\n";
  ASSERT_TRUE(served) << proxy.stderrLog();
  EXPECT_EQ(chatOnce(ports_.api, "db-model").header("x-llmproxy-provider"), "dbp");
  EXPECT_NE(proxy.stderrLog().find("database connected"), std::string::npos);

  // Fork hygiene: workers hold no fd of the master's session (the master does), a respawned
  // worker ends nothing (the session keeps receiving notifications without a reconnect), and
  // the proxy holds exactly one session.
  const auto workers = proxy.workerPids();
  ASSERT_EQ(workers.size(), 2u);
  const auto pg_sockets = socketsTo(pg_.port());
  EXPECT_TRUE(holdsSocket(proxy.pid(), pg_sockets));
  for (pid_t w : workers) EXPECT_FALSE(holdsSocket(w, pg_sockets)) << "worker " << w;
  kill(workers[0], SIGKILL);
  ASSERT_TRUE(eventually([&] {
    auto now = proxy.workerPids();
    return now.size() == 2 && now[0] != workers[0] && now[1] != workers[0];
  }));
  ASSERT_TRUE(pg_.exec("UPDATE providers SET models = ARRAY['db-model', 'db-model-2']"));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "db-model-2").status == 200; }, 1000ms))
      << proxy.stderrLog();
  EXPECT_TRUE(eventually([&] {
    return pg_.scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = 'llmproxy' AND "
                      "pid <> pg_backend_pid()") == "1";
  }));
  EXPECT_EQ(proxy.stderrLog().find("database unavailable"), std::string::npos)
      << proxy.stderrLog();
  EXPECT_EQ(proxy.stderrLog().find("pk-dbp"), std::string::npos) << "no secret in the log";
}

TEST_F(DbConfig, CredentialInsertedIsAcceptedAndDisabledIsRefused) {
  auto& proxy = startProxy(dbConfig(2, mockProvider("file-p", "\"m\"")));
  EXPECT_EQ(chatOnce(ports_.api, "m", kDbKey).status, 401);
  ASSERT_TRUE(insertCredential(kDbKey, "db key"));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "m", kDbKey).status == 200; }, 1000ms))
      << proxy.stderrLog();

  const auto t0 = Clock::now();
  ASSERT_TRUE(pg_.exec("UPDATE credentials SET is_enabled = false"));
  // Refused by every worker: several fresh connections in a row.
  const bool refused = eventually(
      [&] {
        for (int i = 0; i < 8; ++i)
          if (chatOnce(ports_.api, "m", kDbKey).status != 401) return false;
        return true;
      },
      1000ms);
  std::cout << "[ measured ] credential disabled -> 401 on every worker in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()
            << " ms\n";
  EXPECT_TRUE(refused) << proxy.stderrLog();
  EXPECT_EQ(chatOnce(ports_.api, "m", kFileKey).status, 200) << "file keys unaffected";
}

TEST_F(DbConfig, TwoInstancesFollowOneDatabase) {
  ProxyPorts other;
  auto& a = startProxy(dbConfig(1));
  auto b = ::llmproxy::testing::startProxy(dbConfig(other, 1), other.api);
  ASSERT_TRUE(pg_.exec(insertProvider("shared-db", mock_.baseUrl(), "'both'")));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "both").status == 200; }, 1000ms))
      << a.stderrLog();
  EXPECT_TRUE(eventually([&] { return chatOnce(other.api, "both").status == 200; }, 1000ms))
      << b->stderrLog();
}

TEST_F(DbConfig, OutageKeepsTheLastConfigAndReconnectReloads) {
  ASSERT_TRUE(pg_.exec(insertProvider("dbp", mock_.baseUrl(), "'db-model'")));
  ASSERT_TRUE(insertCredential(kDbKey, "db key"));
  auto& proxy = startProxy(dbConfig(2));
  ASSERT_TRUE(eventually([&] { return chatOnce(ports_.api, "db-model", kDbKey).status == 200; }))
      << proxy.stderrLog();

  // Down: the last good config (with the database's rows) keeps serving.
  ASSERT_TRUE(pg_.stop());
  ASSERT_TRUE(eventually([&] {
    return adminStatus(ports_.admin).find("\"state\":\"unavailable\"") != std::string::npos;
  }))
      << adminStatus(ports_.admin);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(chatOnce(ports_.api, "db-model", kDbKey).status, 200);
  const auto health = getOnce(ports_.admin, "/health/detailed", adminAuth());
  EXPECT_NE(health.body.find("\"state\":\"unavailable\""), std::string::npos) << health.body;
  // libpq's own words (hosts, users) stay in the error log and /admin/v1/status.
  EXPECT_EQ(health.body.find("\"last_error\":"), std::string::npos) << health.body;
  EXPECT_EQ(getOnce(ports_.api, "/health/detailed").status, 404) << "admin listener only";
  EXPECT_NE(adminStatus(ports_.admin).find("\"last_error\":"), std::string::npos);

  // Back: a change made after the restart flows again (back-off is at most a few seconds here).
  ASSERT_TRUE(pg_.start());
  ASSERT_TRUE(eventually([&] {
    return adminStatus(ports_.admin).find("\"state\":\"connected\"") != std::string::npos;
  }, 15000ms));
  ASSERT_TRUE(pg_.exec("UPDATE providers SET models = ARRAY['after-restart']"));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "after-restart", kDbKey).status == 200; },
                         1000ms))
      << proxy.stderrLog();

  // A change while the proxy is cut off but PostgreSQL is up: its notification is lost, the
  // reconnect reloads anyway. The proxy's role is locked out and its session ended meanwhile.
  ASSERT_TRUE(execAsSuperuser("ALTER ROLE llmproxy CONNECTION LIMIT 0"));
  ASSERT_TRUE(execAsSuperuser(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'llmproxy'"));
  ASSERT_TRUE(eventually([&] {
    return adminStatus(ports_.admin).find("\"state\":\"unavailable\"") != std::string::npos;
  }));
  ASSERT_TRUE(execAsSuperuser("UPDATE providers SET models = ARRAY['while-away']"));
  EXPECT_EQ(chatOnce(ports_.api, "while-away", kDbKey).status, 404);
  ASSERT_TRUE(execAsSuperuser("ALTER ROLE llmproxy CONNECTION LIMIT -1"));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "while-away", kDbKey).status == 200; },
                         15000ms))
      << proxy.stderrLog();

  // One log line per state change, not one per attempt.
  const std::string log = proxy.stderrLog();
  size_t downs = 0;
  for (size_t at = 0; (at = log.find("database unavailable", at)) != std::string::npos; ++at) ++downs;
  EXPECT_EQ(downs, 2u) << log;
}

TEST_F(DbConfig, DownAtStartServesTheFileThenTheRows) {
  ASSERT_TRUE(pg_.exec(insertProvider("dbp", mock_.baseUrl(), "'db-model'")));
  ASSERT_TRUE(pg_.stop());
  // Ready (startProxy waits for it) and serving the file while the database is down: the start
  // does not wait for the database.
  auto& proxy = startProxy(dbConfig(1, mockProvider("file-p", "\"file-model\"")));
  EXPECT_EQ(chatOnce(ports_.api, "file-model").status, 200);
  EXPECT_EQ(chatOnce(ports_.api, "db-model").status, 404);
  EXPECT_NE(proxy.stderrLog().find("database unavailable"), std::string::npos);
  EXPECT_NE(adminStatus(ports_.admin).find("\"state\":\"unavailable\""), std::string::npos);

  ASSERT_TRUE(pg_.start());
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "db-model").status == 200; }, 15000ms))
      << proxy.stderrLog();
  EXPECT_EQ(chatOnce(ports_.api, "file-model").status, 200);
  const auto version = getOnce(ports_.admin, "/admin/v1/config/version", adminAuth());
  EXPECT_NE(version.body.find("+ database"), std::string::npos) << version.body;
}

TEST_F(DbConfig, DatabaseRowWinsOverTheFileAndABadRowIsLeftOut) {
  MockProvider other;
  ASSERT_TRUE(other.start());
  ASSERT_TRUE(pg_.exec("INSERT INTO providers (provider_key, provider_type, api_base, models) "
                       "VALUES ('shared', 'openai-compatible', '" + other.baseUrl() +
                       "/v1', ARRAY['m']), ('bad', 'openai', 'ftp://nowhere', ARRAY['bad-m']), "
                       "('good', 'openai-compatible', '" + mock_.baseUrl() +
                       "/v1', ARRAY['good-m'])"));
  auto& proxy = startProxy(dbConfig(1, mockProvider("shared", "\"m\"")));
  ASSERT_TRUE(eventually([&] { return chatOnce(ports_.api, "good-m").status == 200; }))
      << proxy.stderrLog();
  const uint64_t before = other.requestCount();
  const auto r = chatOnce(ports_.api, "m");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-llmproxy-provider"), "shared");
  EXPECT_EQ(other.requestCount(), before + 1) << "the database's api_base, not the file's";
  EXPECT_EQ(chatOnce(ports_.api, "bad-m").status, 404);

  const std::string bad_id = pg_.scalar("SELECT id FROM providers WHERE provider_key = 'bad'")
                                 .value_or("?");
  EXPECT_NE(proxy.stderrLog().find("database row skipped: providers id=" + bad_id +
                                    " (\"bad\") api_base:"),
            std::string::npos)
      << proxy.stderrLog();
  const std::string status = adminStatus(ports_.admin);
  EXPECT_NE(status.find("\"skipped_rows\":1"), std::string::npos) << status;

  // Fixing the row brings it in.
  ASSERT_TRUE(pg_.exec("UPDATE providers SET api_base = '" + mock_.baseUrl() +
                       "/v1' WHERE provider_key = 'bad'"));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "bad-m").status == 200; }, 1000ms));
}

// The number after "key": in a JSON body (-1 when absent).
long numberField(const std::string& body, const std::string& key) {
  const auto at = body.find("\"" + key + "\":");
  return at == std::string::npos ? -1 : std::stol(body.substr(at + key.size() + 3));
}

TEST_F(DbConfig, BurstOfNotificationsIsCoalesced) {
  auto& proxy = startProxy(dbConfig(1));
  ASSERT_TRUE(eventually([&] {
    return adminStatus(ports_.admin).find("\"state\":\"connected\"") != std::string::npos;
  }));
  const long loads_before = numberField(adminStatus(ports_.admin), "loads");
  // 40 statements in one transaction: 40 notifications (distinct payloads) at the commit.
  std::string sql = "BEGIN;";
  for (int i = 0; i < 40; ++i)
    sql += insertProvider("p" + std::to_string(i), mock_.baseUrl(), "'m" + std::to_string(i) + "'") +
           ";";
  ASSERT_TRUE(pg_.exec(sql + "COMMIT;"));
  ASSERT_TRUE(eventually([&] { return chatOnce(ports_.api, "m39").status == 200; }, 1000ms))
      << proxy.stderrLog();
  const long loads = numberField(adminStatus(ports_.admin), "loads") - loads_before;
  std::cout << "[ measured ] 40 notifications -> " << loads << " loads\n";
  EXPECT_GE(loads, 1);
  EXPECT_LE(loads, 3) << "one load, plus at most one more per load in flight";
}

TEST_F(DbConfig, AdminReloadReadsTheDatabase) {
  startProxy(dbConfig(1));
  ASSERT_TRUE(eventually([&] {
    return adminStatus(ports_.admin).find("\"state\":\"connected\"") != std::string::npos;
  }));
  // Written without a notification (the trigger is bypassed), then an admin reload.
  ASSERT_TRUE(execAsSuperuser("SET session_replication_role = replica; " +
                                       insertProvider("quiet", mock_.baseUrl(), "'quiet-m'")));
  HttpClient c("127.0.0.1", ports_.admin);
  const auto r = c.post("/admin/v1/config/reload", "", adminAuth());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(chatOnce(ports_.api, "quiet-m").status, 200) << "rows read before the reload answered";
}

// The providers.responses column (migration 0003) decides whether a Responses request passes
// through; a database without the column (not migrated to 0003) still loads every row, with
// the default by type. Likewise the health columns (migration 0006).
TEST_F(DbConfig, ResponsesColumnIsFollowedAndADatabaseWithoutItStillLoads) {
  startProxy(dbConfig(1));
  ASSERT_TRUE(eventually([&] {
    return adminStatus(ports_.admin).find("\"state\":\"connected\"") != std::string::npos;
  }));
  const auto responsesPath = [&] {
    mock_.reset();
    HttpClient c("127.0.0.1", ports_.api);
    auto r = c.post("/v1/responses", R"({"model":"resp-m","input":"hi"})",
                    {{"Authorization", std::string("Bearer ") + kFileKey},
                     {"Content-Type", "application/json"},
                     {"Connection", "close"}});
    auto last = mock_.lastRequest();
    return r.status == 200 && last ? last->path : "status " + std::to_string(r.status);
  };
  ASSERT_TRUE(pg_.exec(insertProvider("resp", mock_.baseUrl(), "'resp-m'")));
  EXPECT_TRUE(eventually([&] { return responsesPath() == "/v1/chat/completions"; }, 5000ms))
      << responsesPath();
  ASSERT_TRUE(pg_.exec("UPDATE providers SET responses = true"));
  EXPECT_TRUE(eventually([&] { return responsesPath() == "/v1/responses"; }, 5000ms))
      << responsesPath();

  ASSERT_TRUE(execAsSuperuser("ALTER TABLE providers DROP COLUMN responses"));
  ASSERT_TRUE(pg_.exec("UPDATE providers SET weight = 2"));  // a change: the master reloads
  EXPECT_TRUE(eventually([&] { return responsesPath() == "/v1/chat/completions"; }, 5000ms))
      << responsesPath() << proxy_->stderrLog();
  EXPECT_EQ(proxy_->stderrLog().find("database row skipped"), std::string::npos);

  // Migration 0006's health columns are followed like the file's directives.
  ASSERT_TRUE(pg_.exec("UPDATE providers SET max_fails = 5, fail_timeout = '30s', "
                       "health_check_interval = '2s'"));
  EXPECT_TRUE(eventually(
      [&] {
        return getOnce(ports_.admin, "/health/detailed", adminAuth())
                   .body.find("{\"id\":\"resp\",\"enabled\":true,\"state\":\"healthy\","
                              "\"max_fails\":5,\"fail_timeout_ms\":30000,"
                              "\"health_check_interval_ms\":2000") != std::string::npos;
      },
      5000ms))
      << getOnce(ports_.admin, "/health/detailed", adminAuth()).body;

  // Nor without migration 0006's health columns: the rows load with the defaults.
  ASSERT_TRUE(execAsSuperuser("ALTER TABLE providers DROP COLUMN max_fails, "
                              "DROP COLUMN fail_timeout, DROP COLUMN health_check_interval"));
  ASSERT_TRUE(pg_.exec(insertProvider("unmigrated", mock_.baseUrl(), "'unmigrated-m'")));
  EXPECT_TRUE(eventually([&] { return chatOnce(ports_.api, "unmigrated-m").status == 200; },
                         5000ms))
      << proxy_->stderrLog();
  EXPECT_EQ(proxy_->stderrLog().find("database row skipped"), std::string::npos);
  const std::string health = getOnce(ports_.admin, "/health/detailed", adminAuth()).body;
  EXPECT_NE(health.find("{\"id\":\"unmigrated\",\"enabled\":true,\"state\":\"healthy\","
                        "\"max_fails\":3,\"fail_timeout_ms\":10000,"
                        "\"health_check_interval_ms\":0"),
            std::string::npos)
      << health;
}

}  // namespace
}  // namespace llmproxy::testing
