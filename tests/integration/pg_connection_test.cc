// pg::Connection against a real PostgreSQL: parameterised statements, several statements in
// one text, SQLSTATEs, LISTEN notifications, timeouts, a server that goes away and comes back.
#include "common/pg/pg_connection.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/free_port.h"
#include "support/pg_server.h"

namespace llmproxy::testing {
namespace {

using common::pg::Connection;
using common::pg::QueryResult;
using namespace std::chrono_literals;

// A loop for one test; runUntil() turns it until `done` or a generous bound passes.
class Loop {
 public:
  Loop() { uv_loop_init(&loop_); }
  ~Loop() {
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
  }
  uv_loop_t* get() { return &loop_; }

  bool runUntil(const std::function<bool()>& done, uint64_t bound_ms = 15000) {
    uv_timer_t deadline;
    uv_timer_init(&loop_, &deadline);
    bool expired = false;
    deadline.data = &expired;
    uv_timer_start(
        &deadline, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, bound_ms, 0);
    uv_timer_t tick;  // keeps the loop turning while the connection is idle
    uv_timer_init(&loop_, &tick);
    uv_timer_start(&tick, [](uv_timer_t*) {}, 5, 5);
    while (!done() && !expired) uv_run(&loop_, UV_RUN_ONCE);
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    return done();
  }

 private:
  uv_loop_t loop_{};
};

// One server for the suite (initdb costs seconds); each test starts from empty tables.
class PgConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new PgServer();
    if (server_->ok()) migrated_ = server_->migrate();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ok() && migrated_);
    if (!server_->running()) {
      ASSERT_TRUE(server_->start());
    }
    ASSERT_TRUE(server_->exec("TRUNCATE providers, credentials"));
  }

  static inline PgServer* server_ = nullptr;
  static inline bool migrated_ = false;
  PgServer& pg = *server_;
  Loop loop;
};

TEST_F(PgConnectionTest, RunsQueuedStatementsInOrderWithParameters) {
  Connection c(loop.get(), pg.url(), {});
  std::vector<std::string> seen;
  c.query("INSERT INTO providers (provider_key, api_base) VALUES ($1, $2)",
          {std::string("o'brien\"; DROP TABLE providers; --"), std::string("http://h")},
          [&](QueryResult& r) {
            EXPECT_FALSE(r.ok) << "the provider_key check refuses quotes and spaces";
            EXPECT_FALSE(r.connection_error);
            seen.push_back("insert:" + r.sqlstate);
          });
  c.query("INSERT INTO providers (provider_key, api_base) VALUES ($1, $2) RETURNING id",
          {std::string("p-1"), std::string("http://h")}, [&](QueryResult& r) {
            EXPECT_TRUE(r.ok) << r.error;
            EXPECT_EQ(r.rows(), 1);
            seen.push_back("second");
          });
  c.query("SELECT provider_key, api_key IS NULL FROM providers WHERE provider_key = $1",
          {std::string("p-1")}, [&](QueryResult& r) {
            ASSERT_TRUE(r.ok) << r.error;
            ASSERT_EQ(r.rows(), 1);
            EXPECT_EQ(r.value(0, 0), "p-1");
            EXPECT_EQ(r.value(0, 1), "f");
            seen.push_back("select");
          });
  c.query("SELECT 1; SELECT 'two', NULL", {}, [&](QueryResult& r) {
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.results.size(), 2u);
    EXPECT_EQ(r.valueOf(0, 0, 0), "1");
    EXPECT_EQ(r.value(0, 0), "two");
    EXPECT_TRUE(r.isNull(0, 1));
    seen.push_back("multi");
  });
  ASSERT_TRUE(loop.runUntil([&] { return seen.size() == 4; }));
  // The first insert failed the CHECK constraint, the rest ran in order after it.
  EXPECT_EQ(seen[0], "insert:23514");
  EXPECT_EQ(seen[1], "second");
  EXPECT_EQ(seen[2], "select");
  EXPECT_EQ(seen[3], "multi");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM providers").value_or(""), "1");
}

TEST_F(PgConnectionTest, ReportsUniqueViolationWithItsSqlstate) {
  Connection c(loop.get(), pg.url(), {});
  int done = 0;
  std::string state;
  for (int i = 0; i < 2; ++i)
    c.query("INSERT INTO providers (provider_key, api_base) VALUES ('same', 'http://h')", {},
            [&](QueryResult& r) {
              if (!r.ok) state = r.sqlstate;
              EXPECT_FALSE(r.connection_error);
              ++done;
            });
  ASSERT_TRUE(loop.runUntil([&] { return done == 2; }));
  EXPECT_EQ(state, common::pg::kUniqueViolation);
  EXPECT_EQ(c.state(), Connection::State::Ready) << "a statement error keeps the connection";
}

TEST_F(PgConnectionTest, DeliversNotificationsFromTheConfigTriggers) {
  Connection c(loop.get(), pg.url(), {});
  std::vector<std::string> payloads;
  c.onNotify([&](std::string_view channel, std::string_view payload) {
    EXPECT_EQ(channel, "llmproxy_config");
    payloads.emplace_back(payload);
  });
  bool listening = false;
  c.query("LISTEN llmproxy_config", {}, [&](QueryResult& r) { listening = r.ok; });
  ASSERT_TRUE(loop.runUntil([&] { return listening; }));
  const std::string before = pg.scalar("SELECT version FROM config_version").value_or("0");
  ASSERT_TRUE(pg.exec("INSERT INTO credentials (key_hash, name) VALUES (repeat('a', 64), 'k')"));
  ASSERT_TRUE(loop.runUntil([&] { return !payloads.empty(); }));
  EXPECT_EQ(payloads[0], std::to_string(std::stoll(before) + 1));
}

// A notification sent while a statement runs is delivered with or right behind its result:
// it must reach the callback without waiting for more bytes from the server (the master's
// first load races the first change this way). PostgreSQL sends it before ReadyForQuery and
// libpq parses it in any state, so this checks delivery during a busy statement; the read
// order the fix in pg_connection.cc guards against is not reproducible from here.
TEST_F(PgConnectionTest, DeliversANotificationThatArrivesWithAResult) {
  Connection c(loop.get(), pg.url(), {});
  std::vector<std::string> payloads;
  c.onNotify([&](std::string_view, std::string_view payload) { payloads.emplace_back(payload); });
  bool listening = false;
  c.query("LISTEN busy_channel", {}, [&](QueryResult& r) { listening = r.ok; });
  ASSERT_TRUE(loop.runUntil([&] { return listening; }));
  bool slept = false;
  c.query("SELECT pg_sleep(0.5)", {}, [&](QueryResult& r) { slept = r.ok; });
  ASSERT_TRUE(pg.exec("NOTIFY busy_channel, 'behind the result'"));  // while the sleep runs
  ASSERT_TRUE(loop.runUntil([&] { return slept; }));
  ASSERT_TRUE(loop.runUntil([&] { return !payloads.empty(); }, 3000));
  EXPECT_EQ(payloads, std::vector<std::string>{"behind the result"});
}

TEST_F(PgConnectionTest, FailsQueuedStatementsWhenTheServerCannotBeReached) {
  Connection c(loop.get(), "postgresql://llmproxy:secret@127.0.0.1:" +
                               std::to_string(freeTcpPort()) + "/llmproxy",
               {});
  std::vector<bool> states;
  c.onState([&](bool up, std::string_view) { states.push_back(up); });
  int failed = 0;
  for (int i = 0; i < 3; ++i)
    c.query("SELECT 1", {}, [&](QueryResult& r) {
      EXPECT_FALSE(r.ok);
      EXPECT_TRUE(r.connection_error);
      EXPECT_EQ(r.error.find("secret"), std::string::npos);
      ++failed;
    });
  // The failure is reported from the loop, never from inside query().
  EXPECT_EQ(failed, 0);
  ASSERT_TRUE(loop.runUntil([&] { return failed == 3; }));
  EXPECT_EQ(states, std::vector<bool>{false});
  EXPECT_EQ(c.state(), Connection::State::Idle);
}

TEST_F(PgConnectionTest, StatementTimeoutResetsTheConnectionAndTheNextQueryReconnects) {
  Connection c(loop.get(), pg.url(), {5000ms, 200ms});
  std::string error;
  bool after = false;
  c.query("SELECT pg_sleep(5)", {}, [&](QueryResult& r) {
    EXPECT_FALSE(r.ok);
    error = r.error;
    c.query("SELECT 42", {}, [&](QueryResult& r2) {
      EXPECT_TRUE(r2.ok) << r2.error;
      EXPECT_EQ(r2.value(0, 0), "42");
      after = true;
    });
  });
  ASSERT_TRUE(loop.runUntil([&] { return after; }));
  EXPECT_NE(error.find("timed out"), std::string::npos) << error;
}

TEST_F(PgConnectionTest, ServerRestartIsSeenAndRecoveredFrom) {
  Connection c(loop.get(), pg.url(), {});
  std::vector<bool> states;
  c.onState([&](bool up, std::string_view) { states.push_back(up); });
  bool first = false;
  c.query("LISTEN llmproxy_config", {}, [&](QueryResult& r) { first = r.ok; });
  ASSERT_TRUE(loop.runUntil([&] { return first; }));
  ASSERT_TRUE(pg.stop());
  // An idle connection notices the server going away (the socket becomes readable).
  ASSERT_TRUE(loop.runUntil([&] { return states.size() == 2; }));
  EXPECT_EQ(states, (std::vector<bool>{true, false}));
  EXPECT_EQ(c.state(), Connection::State::Idle);

  bool down_failed = false;
  c.query("SELECT 1", {}, [&](QueryResult& r) { down_failed = !r.ok && r.connection_error; });
  ASSERT_TRUE(loop.runUntil([&] { return down_failed; }));

  ASSERT_TRUE(pg.start());
  bool back = false;
  c.query("SELECT count(*) FROM config_version", {}, [&](QueryResult& r) {
    back = r.ok && r.value(0, 0) == "1";
  });
  ASSERT_TRUE(loop.runUntil([&] { return back; }));
}

TEST_F(PgConnectionTest, DestroyingTheConnectionInsideACallbackIsSafe) {
  auto c = std::make_unique<Connection>(loop.get(), pg.url(), Connection::Options{});
  int calls = 0;
  c->query("SELECT 1", {}, [&](QueryResult&) {
    ++calls;
    c.reset();  // the owner goes away; the queued statement below is dropped silently
  });
  c->query("SELECT 2", {}, [&](QueryResult&) { ++calls; });
  ASSERT_TRUE(loop.runUntil([&] { return !c; }));
  loop.runUntil([] { return false; }, 100);
  EXPECT_EQ(calls, 1);
}

TEST(PgRedact, HidesPasswordsInBothForms) {
  EXPECT_EQ(common::pg::redactUrl("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(common::pg::redactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(common::pg::redactUrl("host=h password=pw user=u"), "host=h password=*** user=u");
  EXPECT_EQ(common::pg::redactUrl("postgresql://h/db?password=pw&sslmode=require"),
            "postgresql://h/db?password=***&sslmode=require");
}

TEST(PgRedact, HidesSpacedQuotedAndOddPasswords) {
  using common::pg::redactUrl;
  EXPECT_EQ(redactUrl("host=h password = s3cret user=u"), "host=h password = *** user=u");
  EXPECT_EQ(redactUrl("host=h password='a b' user=u"), "host=h password=*** user=u");
  EXPECT_EQ(redactUrl("password = 'it\\'s secret' dbname=x"), "password = *** dbname=x");
  EXPECT_EQ(redactUrl("host=h password='unterminated secret"), "host=h password=***");
  EXPECT_EQ(redactUrl("host=h\tpassword=pw\tuser=u"), "host=h\tpassword=***\tuser=u");
  EXPECT_EQ(redactUrl("PASSWORD=pw"), "PASSWORD=***");
  EXPECT_EQ(redactUrl("postgresql://u:p@ss/word@h:5432/db"), "postgresql://u:***@h:5432/db");
  // Not a password keyword: left alone.
  EXPECT_EQ(redactUrl("host=h application_name=mypassword"), "host=h application_name=mypassword");
  for (const char* url : {"host=h password = s3cret", "password='a b'",
                          "postgres://u:s3cret@h/db", "host=h password=s3cret"})
    EXPECT_EQ(redactUrl(url).find("s3cret"), std::string::npos) << url;
}

}  // namespace
}  // namespace llmproxy::testing
