// UsageWriter against a real PostgreSQL (support/pg_server): rows land intact (hostile text,
// NULLs), batching by size and interval, an outage keeps rows and retries, a full buffer drops
// new rows and counts them, rejected data is dropped, a URL change keeps queued rows, drain.
#include "worker/usage/usage_writer.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/shm/budget_table.h"
#include "common/shm/region.h"
#include "common/time/clock.h"
#include "common/uv/close_loop.h"
#include "support/free_port.h"
#include "support/pg_server.h"

namespace llmproxy::worker {
namespace {

using namespace std::chrono_literals;

class UsageWriterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::PgServer();
    if (server_->ok()) server_->migrate();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  UsageWriterTest() {
    uv_loop_init(&loop_);
    common::ShmLayout layout;
    layout.max_workers = 2;
    layout.config_capacity = 1 << 16;
    region_ = std::make_unique<common::ShmRegion>(std::move(*common::ShmRegion::create(layout)));
    metrics_ = std::make_unique<common::MetricsWriter>(region_->metrics(), 0);
  }
  ~UsageWriterTest() override {
    writer_.reset();
    common::closeLoop(&loop_);
  }
  void SetUp() override {
    ASSERT_TRUE(server_->ok());
    if (!server_->running()) {
      ASSERT_TRUE(server_->start());
    }
    ASSERT_TRUE(server_->exec("TRUNCATE usage_log"));
  }

  common::DatabaseConfig db(std::string url = {}) {
    common::DatabaseConfig c;
    c.url = url.empty() ? server_->url() : url;
    c.connect_timeout = 1000ms;
    c.query_timeout = 2000ms;
    c.usage_batch_size = 3;
    c.usage_flush_interval = 50ms;
    c.usage_buffer = 100;
    return c;
  }
  UsageWriter& make(const common::DatabaseConfig& c) {
    writer_ = std::make_unique<UsageWriter>(&loop_, *metrics_, c);
    return *writer_;
  }

  template <typename Pred>
  bool runUntil(Pred pred, std::chrono::milliseconds deadline = 15000ms) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      uv_run(&loop_, UV_RUN_NOWAIT);
      if (!pred()) uv_sleep(2);
    }
    return true;
  }

  static UsageRecord rec(std::string_view request_id, std::string_view model = "m") {
    UsageRecord r;
    r.time_us = 1'700'000'000'123'456;
    r.request_id = request_id;
    r.credential_name = "key";
    r.endpoint = "/v1/chat/completions";
    r.model = model;
    r.provider = "p";
    r.status = 200;
    r.prompt_tokens = 3;
    r.completion_tokens = 5;
    r.latency_ms = 12.5;
    r.ttft_ms = 4.25;
    return r;
  }

  long rows() { return std::stol(server_->scalar("SELECT count(*) FROM usage_log").value_or("-1")); }
  uint64_t written() const { return region_->metrics().usageLog(0).written.load(); }
  uint64_t dropped() const { return region_->metrics().usageLog(0).dropped.load(); }
  int64_t queuedGauge() const { return region_->metrics().usageLog(0).queued.load(); }

  static testing::PgServer* server_;
  uv_loop_t loop_{};
  std::unique_ptr<common::ShmRegion> region_;
  std::unique_ptr<common::MetricsWriter> metrics_;
  std::unique_ptr<UsageWriter> writer_;
};

testing::PgServer* UsageWriterTest::server_ = nullptr;

TEST_F(UsageWriterTest, DisabledWithoutUrlOrWithUsageLogOff) {
  common::DatabaseConfig c = db();
  c.url.clear();
  EXPECT_FALSE(make(c).enabled());
  EXPECT_EQ(writer_->connection(), nullptr);
  c = db();
  c.usage_log = false;
  EXPECT_FALSE(make(c).enabled());
  EXPECT_TRUE(make(db()).enabled());
}

TEST_F(UsageWriterTest, HostileTextLandsIntact) {
  const std::string hostile[] = {
      "quote\"d", "back\\slash\\", "comma,{brace}", "NULL", "", "  spaced  ", "ünïcödé 模型 😀",
      "'single'; DROP TABLE usage_log; --", "tab\tnew\nline", "\\\"{,}\\\""};
  UsageWriter& w = make(db());
  int i = 0;
  for (const std::string& m : hostile) {
    const std::string id = "rid-" + std::to_string(i++);  // UsageRecord holds views: keep it alive
    UsageRecord r = rec(id, m);
    r.credential_name = m;
    w.record(r);
  }
  ASSERT_TRUE(runUntil([&] { return written() == std::size(hostile); }));
  const auto got = server_->query(
      "SELECT model, credential_name FROM usage_log ORDER BY substr(request_id, 5)::int");
  ASSERT_EQ(got.size(), std::size(hostile));
  for (size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k][0], hostile[k]);
    EXPECT_EQ(got[k][1], hostile[k]);
  }
}

TEST_F(UsageWriterTest, NulAndMalformedUtf8BecomeReplacementCharacters) {
  UsageWriter& w = make(db());
  w.record(rec("a", std::string_view("x\0y", 3)));
  w.record(rec("b", "bad\xC3(utf8\xFF"));
  w.record(rec("c", std::string(1000, 'z')));
  ASSERT_TRUE(runUntil([&] { return written() == 3; }));
  const auto got = server_->query("SELECT model FROM usage_log ORDER BY request_id");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0][0], "x\xEF\xBF\xBDy");
  EXPECT_EQ(got[1][0], "bad\xEF\xBF\xBD(utf8\xEF\xBF\xBD");
  EXPECT_EQ(got[2][0], std::string(UsageBatch::kMaxTextBytes, 'z'));
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(UsageWriterTest, EveryColumnRoundTrips) {
  UsageWriter& w = make(db());
  UsageRecord a = rec("with-key");
  a.credential_id = 42;
  a.stream = true;
  UsageRecord b = rec("no-ttft");
  b.ttft_ms = -1;
  b.status = 502;
  b.prompt_tokens = 0;
  b.completion_tokens = 0;
  w.record(a);
  w.record(b);
  ASSERT_TRUE(runUntil([&] { return written() == 2; }));  // partial batch: the interval
  const auto got = server_->query(
      "SELECT request_id, coalesce(credential_id::text, 'NULL'), credential_name, endpoint, "
      "model, provider, status, stream, prompt_tokens, completion_tokens, latency_ms, "
      "coalesce(ttft_ms::text, 'NULL'), "
      "extract(epoch FROM created_at)::numeric(20,6)::text FROM usage_log ORDER BY request_id");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"no-ttft", "NULL", "key", "/v1/chat/completions",
                                              "m", "p", "502", "f", "0", "0", "12.5", "NULL",
                                              "1700000000.123456"}));
  EXPECT_EQ(got[1], (std::vector<std::string>{"with-key", "42", "key", "/v1/chat/completions",
                                              "m", "p", "200", "t", "3", "5", "12.5", "4.25",
                                              "1700000000.123456"}));
}

TEST_F(UsageWriterTest, OutageKeepsRowsAndRetries) {
  UsageWriter& w = make(db());
  w.record(rec("before"));
  ASSERT_TRUE(runUntil([&] { return written() == 1; }));
  ASSERT_TRUE(server_->stop());
  for (int i = 0; i < 10; ++i) w.record(rec("during-" + std::to_string(i)));
  EXPECT_EQ(w.queuedRows(), 10u);
  EXPECT_EQ(queuedGauge(), 10);
  // Attempts fail meanwhile; nothing is lost.
  runUntil([] { return false; }, 600ms);
  EXPECT_EQ(w.queuedRows(), 10u);
  EXPECT_EQ(dropped(), 0u);
  ASSERT_TRUE(server_->start());
  ASSERT_TRUE(runUntil([&] { return written() == 11; }));
  EXPECT_EQ(rows(), 11);
  EXPECT_EQ(w.queuedRows(), 0u);
  EXPECT_EQ(queuedGauge(), 0);
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(UsageWriterTest, FullBufferDropsNewRowsAndCountsThem) {
  common::DatabaseConfig c = db();
  c.usage_buffer = 4;
  UsageWriter& w = make(c);
  ASSERT_TRUE(server_->stop());
  for (int i = 0; i < 7; ++i) w.record(rec("r" + std::to_string(i)));
  EXPECT_EQ(w.queuedRows(), 4u);
  EXPECT_EQ(dropped(), 3u);
  ASSERT_TRUE(server_->start());
  ASSERT_TRUE(runUntil([&] { return written() == 4; }));
  // The oldest rows were kept.
  EXPECT_EQ(server_->query("SELECT string_agg(request_id, ',' ORDER BY request_id) FROM usage_log"),
            (testing::PgRows{{"r0,r1,r2,r3"}}));
  EXPECT_EQ(dropped(), 3u);
}

TEST_F(UsageWriterTest, RejectedDataIsDroppedAndTheNextBatchGoesThrough) {
  ASSERT_TRUE(server_->exec(
      "ALTER TABLE usage_log ADD CONSTRAINT test_status CHECK (status < 600) NOT VALID"));
  UsageWriter& w = make(db());
  UsageRecord bad = rec("bad");
  bad.status = 999;
  w.record(bad);
  w.record(rec("x1"));
  w.record(rec("x2"));  // one batch of three: rejected together
  ASSERT_TRUE(runUntil([&] { return dropped() == 3; }));
  w.record(rec("good"));
  ASSERT_TRUE(runUntil([&] { return written() == 1; }));
  EXPECT_EQ(server_->scalar("SELECT request_id FROM usage_log"), "good");
  ASSERT_TRUE(server_->exec("ALTER TABLE usage_log DROP CONSTRAINT test_status"));
}

TEST_F(UsageWriterTest, UrlChangeKeepsQueuedRows) {
  const std::string nowhere =
      "postgresql://llmproxy@127.0.0.1:" + std::to_string(testing::freeTcpPort()) + "/llmproxy";
  UsageWriter& w = make(db(nowhere));
  for (int i = 0; i < 5; ++i) w.record(rec("q" + std::to_string(i)));
  runUntil([] { return false; }, 300ms);  // at least one failed attempt
  EXPECT_EQ(written(), 0u);
  w.reconfigure(db());
  ASSERT_TRUE(runUntil([&] { return written() == 5; }));
  EXPECT_EQ(rows(), 5);
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(UsageWriterTest, DrainWritesWhatIsQueued) {
  common::DatabaseConfig c = db();
  c.usage_flush_interval = 60'000ms;  // only the drain can write them
  c.usage_batch_size = 100;
  UsageWriter& w = make(c);
  for (int i = 0; i < 4; ++i) w.record(rec("d" + std::to_string(i)));
  bool done = false;
  w.drain(5000, [&] { done = true; });
  ASSERT_TRUE(runUntil([&] { return done; }));
  EXPECT_EQ(rows(), 4);
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(UsageWriterTest, DrainGivesUpWhenPostgresIsDownAndCounts) {
  UsageWriter& w = make(db());
  ASSERT_TRUE(server_->stop());
  for (int i = 0; i < 2; ++i) w.record(rec("x" + std::to_string(i)));
  bool done = false;
  w.drain(5000, [&] { done = true; });
  ASSERT_TRUE(runUntil([&] { return done; }));
  EXPECT_EQ(dropped(), 2u);
  EXPECT_EQ(w.queuedRows(), 0u);
}

// A stop right after the start: the worker loading the node's spend from key_spend has nothing
// queued and stops at once; the claim goes back, so another worker's last rows are written
// before its own stop deadline instead of waiting for a load that will never end.
TEST_F(UsageWriterTest, AWorkerStoppingWhileItLoadsTheSpendDoesNotHoldTheOthersBack) {
  common::BudgetTable& budgets = region_->budgets();
  auto seeder = std::make_unique<UsageWriter>(&loop_, *metrics_, db());
  seeder->loadSpend(budgets);  // claims the load; its query is sent, the loop has not run
  ASSERT_TRUE(budgets.seeding(common::nowUnixMs()));

  common::DatabaseConfig c = db();
  c.usage_flush_interval = 60'000ms;  // only the drain writes
  UsageWriter& other = make(c);
  other.loadSpend(budgets);  // the load is claimed: this one waits for it before writing
  other.record(rec("last"));

  bool seeder_done = false;
  seeder->drain(2000, [&] { seeder_done = true; });
  EXPECT_TRUE(seeder_done);  // nothing queued: it stops at once, its query unanswered
  seeder.reset();
  EXPECT_FALSE(budgets.seeding(common::nowUnixMs()));

  bool done = false;
  other.drain(1000, [&] { done = true; });
  ASSERT_TRUE(runUntil([&] { return done; }));
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(UsageWriterTest, RowsLeftAtDestructionCountAsDropped) {
  common::DatabaseConfig c = db();
  c.usage_flush_interval = 60'000ms;
  c.usage_batch_size = 100;
  make(c).record(rec("left"));
  writer_.reset();
  EXPECT_EQ(dropped(), 1u);
  EXPECT_EQ(queuedGauge(), 0);
}

}  // namespace
}  // namespace llmproxy::worker
