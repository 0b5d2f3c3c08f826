// `llmproxy migrate` against a real PostgreSQL: up/down/up, version, golang-migrate's table,
// a failing file rolled back with its position, the lock between concurrent runs, the
// llmproxy_config notification the schema's triggers send.
#include <gtest/gtest.h>
#include <sys/select.h>

#include <thread>

#include "support/eventually.h"
#include "support/free_port.h"
#include "support/pg_server.h"
#include "support/proxy_process.h"
#include "support/temp_dir.h"

namespace llmproxy::testing {
namespace {

const std::string kMigrations = std::string(LLMPROXY_SOURCE_DIR) + "/migrations";

CliResult migrate(const PgServer& pg, std::vector<std::string> args,
                  const std::string& dir = kMigrations) {
  args.insert(args.begin(), "migrate");
  args.insert(args.end(), {"-d", pg.url(), "--migrations", dir});
  return runProcess(LLMPROXY_BINARY, args, {{"DB_URL", ""}}, std::chrono::seconds(60));
}

bool exists(PgServer& pg, const std::string& relation) {
  return pg.scalar("SELECT to_regclass('" + relation + "') IS NOT NULL") == "t";
}

// A migrations dir with the real 0001 and extra steps.
TempDir migrationsWith(const std::vector<std::pair<std::string, std::string>>& extra) {
  TempDir dir;
  for (const char* name : {"0001_init.up.sql", "0001_init.down.sql"}) {
    dir.write(name, readFile(kMigrations + "/" + name));
  }
  for (const auto& [name, sql] : extra) dir.write(name, sql);
  return dir;
}

TEST(Migrate, UpDownUpIsIdempotentAndKeepsGolangMigratesTable) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  auto v = migrate(pg, {"version"});
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.output, "none (no migration applied)\n");

  auto up = migrate(pg, {"up"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("applied 0001_init.up.sql"), std::string::npos) << up.output;
  for (const char* table : {"providers", "credentials", "config_version", "usage_log"}) {
    EXPECT_TRUE(exists(pg, table)) << table;
  }
  EXPECT_TRUE(exists(pg, "prices"));
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "6");
  EXPECT_NE(up.output.find("applied 0002_usage_protocols.up.sql"), std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("applied 0003_provider_responses.up.sql"), std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("applied 0004_usage_trace_id.up.sql"), std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("applied 0006_provider_health.up.sql"), std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("applied 0005_spend.up.sql"), std::string::npos) << up.output;
  EXPECT_EQ(pg.query("SELECT version, dirty FROM schema_migrations"),
            (PgRows{{"6", "f"}}));

  auto again = migrate(pg, {"up"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output, "no change: database at version 6\n");
  EXPECT_EQ(migrate(pg, {"version"}).output, "6\n");

  // One step down: 0006's columns go.
  auto down6 = migrate(pg, {"down"});
  ASSERT_EQ(down6.exit_code, 0) << down6.output;
  EXPECT_NE(down6.output.find("rolled back 0006_provider_health.down.sql"), std::string::npos);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'providers' AND column_name IN ('max_fails', 'fail_timeout', "
                      "'health_check_interval')"),
            "0");
  EXPECT_EQ(migrate(pg, {"version"}).output, "5\n");

  // Another: 0005's tables and columns go.
  auto down5 = migrate(pg, {"down"});
  ASSERT_EQ(down5.exit_code, 0) << down5.output;
  EXPECT_NE(down5.output.find("rolled back 0005_spend.down.sql"), std::string::npos);
  EXPECT_FALSE(exists(pg, "prices"));
  EXPECT_FALSE(exists(pg, "key_spend"));
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'usage_log' AND column_name = 'cost_usd'"),
            "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'credentials' AND column_name = 'max_budget'"),
            "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "4");
  EXPECT_EQ(migrate(pg, {"version"}).output, "4\n");

  // Another: 0004's column goes.
  auto down4 = migrate(pg, {"down"});
  ASSERT_EQ(down4.exit_code, 0) << down4.output;
  EXPECT_NE(down4.output.find("rolled back 0004_usage_trace_id.down.sql"), std::string::npos);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'usage_log' AND column_name = 'trace_id'"),
            "0");
  EXPECT_EQ(migrate(pg, {"version"}).output, "3\n");

  // And 0003's.
  auto down3 = migrate(pg, {"down"});
  ASSERT_EQ(down3.exit_code, 0) << down3.output;
  EXPECT_NE(down3.output.find("rolled back 0003_provider_responses.down.sql"), std::string::npos);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'providers' AND column_name = 'responses'"),
            "0");
  EXPECT_EQ(migrate(pg, {"version"}).output, "2\n");

  // One more: 0002's columns go, the tables stay.
  auto down2 = migrate(pg, {"down"});
  ASSERT_EQ(down2.exit_code, 0) << down2.output;
  EXPECT_NE(down2.output.find("rolled back 0002_usage_protocols.down.sql"), std::string::npos);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'usage_log' AND column_name LIKE '%_protocol'"),
            "0");
  EXPECT_TRUE(exists(pg, "usage_log"));
  EXPECT_EQ(migrate(pg, {"version"}).output, "1\n");

  auto down = migrate(pg, {"down"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_NE(down.output.find("rolled back 0001_init.down.sql"), std::string::npos);
  for (const char* table : {"providers", "credentials", "config_version", "usage_log"}) {
    EXPECT_FALSE(exists(pg, table)) << table;
  }
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM pg_proc WHERE proname LIKE 'llmproxy_%'"), "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM schema_migrations"), "0");
  EXPECT_EQ(migrate(pg, {"down"}).output, "no change: no migration applied\n");

  auto up2 = migrate(pg, {"up"});
  EXPECT_EQ(up2.exit_code, 0) << up2.output;
  EXPECT_EQ(migrate(pg, {"version"}).output, "6\n");
}

TEST(Migrate, DownOneStepByDefaultNStepsOrAll) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  TempDir dir = migrationsWith({{"0002_a.up.sql", "CREATE TABLE a (x int);"},
                                {"0002_a.down.sql", "DROP TABLE a;"},
                                {"0010_b.up.sql", "CREATE TABLE b (x int);"},
                                {"0010_b.down.sql", "DROP TABLE b;"},
                                {"README.md", "not a migration"}});
  auto one = migrate(pg, {"up", "1"}, dir.path());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_EQ(migrate(pg, {"version"}, dir.path()).output, "1\n");
  ASSERT_EQ(migrate(pg, {"up"}, dir.path()).exit_code, 0);
  EXPECT_EQ(migrate(pg, {"version"}, dir.path()).output, "10\n");

  ASSERT_EQ(migrate(pg, {"down"}, dir.path()).exit_code, 0);
  EXPECT_EQ(migrate(pg, {"version"}, dir.path()).output, "2\n");
  EXPECT_TRUE(exists(pg, "a"));
  EXPECT_FALSE(exists(pg, "b"));
  ASSERT_EQ(migrate(pg, {"up"}, dir.path()).exit_code, 0);
  ASSERT_EQ(migrate(pg, {"down", "2"}, dir.path()).exit_code, 0);
  EXPECT_EQ(migrate(pg, {"version"}, dir.path()).output, "1\n");
  ASSERT_EQ(migrate(pg, {"up"}, dir.path()).exit_code, 0);
  auto all = migrate(pg, {"down", "all"}, dir.path());
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(migrate(pg, {"version"}, dir.path()).output, "none (no migration applied)\n");
  EXPECT_FALSE(exists(pg, "providers"));

  EXPECT_EQ(migrate(pg, {"down", "0"}, dir.path()).exit_code, 1);
  EXPECT_EQ(migrate(pg, {"sideways"}, dir.path()).exit_code, 1);
}

TEST(Migrate, FailingFileIsRolledBackAndReportedWithItsPosition) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  TempDir dir = migrationsWith(
      {{"0002_broken.up.sql",
        "CREATE TABLE half_done (x int);\nINSERT INTO providers (provider_key, api_base)\n"
        "  VALUES ('p', 'http://h');\nCREATE TABLE broken (x nosuchtype);\n"},
       {"0002_broken.down.sql", "DROP TABLE broken;"}});
  auto up = migrate(pg, {"up"}, dir.path());
  EXPECT_EQ(up.exit_code, 1) << up.output;
  EXPECT_NE(up.output.find("applied 0001_init.up.sql"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find(dir.file("0002_broken.up.sql") + ":4:24: type \"nosuchtype\" does not exist"),
            std::string::npos)
      << up.output;
  EXPECT_EQ(migrate(pg, {"version"}, dir.path()).output, "1\n");
  EXPECT_FALSE(exists(pg, "half_done"));
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM providers"), "0");
  EXPECT_EQ(pg.scalar("SELECT version FROM config_version"), "1");
}

TEST(Migrate, DirtyVersionFromGolangMigrateIsRefusedUntilForced) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  ASSERT_TRUE(pg.migrate());
  // What golang-migrate leaves behind when a migration fails half-way.
  ASSERT_TRUE(pg.exec("UPDATE schema_migrations SET dirty = true"));
  EXPECT_EQ(migrate(pg, {"version"}).output, "6 (dirty)\n");
  auto up = migrate(pg, {"up"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(up.output.find("database version 6 is dirty"), std::string::npos) << up.output;
  EXPECT_EQ(migrate(pg, {"down"}).exit_code, 1);
  EXPECT_TRUE(exists(pg, "providers"));

  auto force = migrate(pg, {"force", "6"});
  EXPECT_EQ(force.exit_code, 0) << force.output;
  EXPECT_EQ(force.output, "version forced to 6\n");
  EXPECT_EQ(migrate(pg, {"version"}).output, "6\n");
  EXPECT_EQ(migrate(pg, {"up"}).output, "no change: database at version 6\n");
}

TEST(Migrate, ConcurrentRunsApplyEachMigrationOnce) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  CliResult a;
  CliResult b;
  std::thread other([&] { b = migrate(pg, {"up"}); });
  a = migrate(pg, {"up"});
  other.join();
  EXPECT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(b.exit_code, 0) << b.output;
  const bool a_applied = a.output.find("applied 0001_init") != std::string::npos;
  const bool b_applied = b.output.find("applied 0001_init") != std::string::npos;
  EXPECT_NE(a_applied, b_applied) << a.output << "\n---\n" << b.output;
  EXPECT_EQ(pg.query("SELECT version, dirty FROM schema_migrations"), (PgRows{{"6", "f"}}));
}

TEST(Migrate, DatabaseFromEnvOrConfigFileAndErrorsWithoutThePassword) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  auto env = runProcess(LLMPROXY_BINARY, {"migrate", "version"}, {{"DB_URL", pg.url()}});
  EXPECT_EQ(env.exit_code, 0) << env.output;
  EXPECT_EQ(env.output, "none (no migration applied)\n");

  TempDir dir;
  const std::string conf = dir.write(
      "llmproxy.conf", "[server]\nlisten = \"127.0.0.1:1\"\n[database]\nurl = \"" + pg.url() +
                           "\"\nconnect_timeout = \"3s\"\n");
  auto file = runProcess(LLMPROXY_BINARY, {"migrate", "version", "-c", conf}, {{"DB_URL", ""}});
  EXPECT_EQ(file.exit_code, 0) << file.output;
  EXPECT_EQ(file.output, "none (no migration applied)\n");

  const std::string closed = "postgresql://llmproxy:hunter2@127.0.0.1:" +
                             std::to_string(freeTcpPort()) + "/llmproxy";
  auto down = runProcess(LLMPROXY_BINARY, {"migrate", "version", "-d", closed});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.output.find("cannot connect to postgresql://llmproxy:***@127.0.0.1"),
            std::string::npos)
      << down.output;
  EXPECT_EQ(down.output.find("hunter2"), std::string::npos) << down.output;

  auto none = runProcess(LLMPROXY_BINARY, {"migrate", "version", "-c", dir.file("missing.conf")},
                         {{"DB_URL", ""}});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.output.find("no database given"), std::string::npos) << none.output;
}

TEST(Migrate, SchemaNotifiesLlmproxyConfigOnEveryChange) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  ASSERT_TRUE(pg.migrate());
  PgConnPtr listener = pg.connect();
  ASSERT_TRUE(listener);
  PQclear(PQexec(listener.get(), "LISTEN llmproxy_config"));

  ASSERT_TRUE(pg.exec("INSERT INTO providers (provider_key, api_base) VALUES ('p', 'http://h')"));
  std::vector<std::string> payloads;
  auto drain = [&] {
    PQconsumeInput(listener.get());
    while (PGnotify* n = PQnotifies(listener.get())) {
      EXPECT_STREQ(n->relname, "llmproxy_config");
      payloads.emplace_back(n->extra);
      PQfreemem(n);
    }
    return !payloads.empty();
  };
  ASSERT_TRUE(eventually(drain, std::chrono::seconds(10)));
  EXPECT_EQ(payloads, (std::vector<std::string>{"2"}));

  ASSERT_TRUE(pg.exec("UPDATE credentials SET name = 'x'"));  // no row touched: still a change
  ASSERT_TRUE(eventually([&] { drain(); return payloads.size() == 2; }, std::chrono::seconds(10)));
  EXPECT_EQ(payloads.back(), "3");
}

}  // namespace
}  // namespace llmproxy::testing
