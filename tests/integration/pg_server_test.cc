// The PostgreSQL test fixture itself: a private server that keeps its data across stop/start.
#include <gtest/gtest.h>

#include "support/pg_server.h"

namespace llmproxy::testing {
namespace {

TEST(PgServer, StartsMigratesAndKeepsDataAcrossRestart) {
  PgServer pg;
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg.url(), "postgresql://llmproxy@127.0.0.1:" + std::to_string(pg.port()) + "/llmproxy");
  EXPECT_EQ(pg.scalar("SELECT current_user"), "llmproxy");
  EXPECT_EQ(pg.scalar("SELECT current_setting('fsync')"), "off");

  ASSERT_TRUE(pg.migrate());
  ASSERT_TRUE(pg.exec("INSERT INTO providers (provider_key, api_base) VALUES "
                      "('p1', 'http://127.0.0.1:1/v1')"));
  EXPECT_EQ(pg.scalar("SELECT version FROM config_version"), "2");

  ASSERT_TRUE(pg.stop());
  EXPECT_FALSE(pg.running());
  PGconn* down = PQconnectdb((pg.url() + "?connect_timeout=2").c_str());
  EXPECT_NE(PQstatus(down), CONNECTION_OK);
  PQfinish(down);

  ASSERT_TRUE(pg.start());
  PgRows rows = pg.query("SELECT provider_key, api_base, api_key IS NULL FROM providers");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"p1", "http://127.0.0.1:1/v1", "f"}));
}

}  // namespace
}  // namespace llmproxy::testing
