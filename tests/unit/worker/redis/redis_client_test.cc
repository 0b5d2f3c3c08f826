// RedisClient against a real redis-server (support/redis_server): connect, pipelining, scripts
// with the NOSCRIPT fallback, deadlines, cancelled waiters, outage and reconnect, AUTH/SELECT.
#include "worker/redis/redis_client.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <uv.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/uv/close_loop.h"
#include "support/redis_server.h"

namespace llmproxy::worker {
namespace {

using namespace std::chrono_literals;

struct Got {
  int calls = 0;
  RedisStatus status = RedisStatus::Unavailable;
  std::string text;
  int64_t integer = 0;
  bool error = false;
};

void record(void* owner, const RedisResult& r) {
  auto* g = static_cast<Got*>(owner);
  ++g->calls;
  g->status = r.status;
  g->text = std::string(r.text());
  g->integer = r.integer();
  g->error = r.isError();
}

class RedisClientTest : public ::testing::Test {
 protected:
  RedisClientTest() { uv_loop_init(&loop_); }
  ~RedisClientTest() override {
    client_.reset();
    common::closeLoop(&loop_);
  }

  common::RedisConfig config(std::string url, int timeout_ms = 200) {
    common::RedisConfig c;
    c.url = std::move(url);
    c.timeout = common::Millis{timeout_ms};
    return c;
  }

  // Runs the loop until pred() or the deadline (generous: never a timed assertion).
  template <typename Pred>
  bool runUntil(Pred pred, std::chrono::milliseconds deadline = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      uv_run(&loop_, UV_RUN_NOWAIT);
      if (!pred()) uv_sleep(1);
    }
    return true;
  }

  RedisClient& connect(std::string url, int timeout_ms = 200) {
    client_ = std::make_unique<RedisClient>(&loop_, config(std::move(url), timeout_ms));
    EXPECT_TRUE(runUntil([&] { return client_->up(); }));
    return *client_;
  }

  testing::RedisServer server_;
  uv_loop_t loop_{};
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, SetThenGetOverTheUnixSocket) {
  RedisClient& c = connect(server_.unixUrl());
  Got set_reply, get_reply;
  RedisWaiter set_waiter(&set_reply, &record), get_waiter(&get_reply, &record);
  ASSERT_TRUE(c.set("k", "v1", 60'000, &set_waiter));
  ASSERT_TRUE(c.get("k", &get_waiter));  // pipelined behind the SET
  ASSERT_TRUE(runUntil([&] { return get_reply.calls == 1; }));
  EXPECT_EQ(set_reply.calls, 1);
  EXPECT_EQ(set_reply.text, "OK");
  EXPECT_EQ(get_reply.status, RedisStatus::Ok);
  EXPECT_EQ(get_reply.text, "v1");
  EXPECT_FALSE(get_waiter.pending());
  const std::string ttl = server_.command({"PTTL", "k"});
  EXPECT_GT(std::stoll(ttl), 0);
}

TEST_F(RedisClientTest, ManyCommandsInFlightAnswerInOrder) {
  RedisClient& c = connect(server_.tcpUrl());
  constexpr int kN = 200;
  std::vector<Got> got(kN);
  std::vector<std::unique_ptr<RedisWaiter>> waiters;
  for (int i = 0; i < kN; ++i) {
    waiters.push_back(std::make_unique<RedisWaiter>(&got[static_cast<size_t>(i)], &record));
    const std::string_view argv[] = {"INCR", "counter"};
    ASSERT_TRUE(c.command(argv, waiters.back().get()));
  }
  EXPECT_EQ(c.inFlight(), static_cast<size_t>(kN));
  ASSERT_TRUE(runUntil([&] { return got.back().calls == 1; }));
  for (int i = 0; i < kN; ++i) EXPECT_EQ(got[static_cast<size_t>(i)].integer, i + 1);
}

TEST_F(RedisClientTest, ScriptsRunBySha1AndFallBackToEvalAfterAFlush) {
  client_ = std::make_unique<RedisClient>(&loop_, config(server_.unixUrl()));
  const auto script = client_->addScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  ASSERT_TRUE(runUntil([&] { return client_->up(); }));
  Got a;
  RedisWaiter wa(&a, &record);
  const std::string_view keys[] = {"n"};
  const std::string_view args[] = {"5"};
  ASSERT_TRUE(client_->evalScript(script, keys, args, &wa));
  ASSERT_TRUE(runUntil([&] { return a.calls == 1; }));
  EXPECT_EQ(a.integer, 5);

  EXPECT_EQ(server_.command({"SCRIPT", "FLUSH"}), "OK");
  Got b;
  RedisWaiter wb(&b, &record);
  ASSERT_TRUE(client_->evalScript(script, keys, args, &wb));
  ASSERT_TRUE(runUntil([&] { return b.calls == 1; }));
  EXPECT_FALSE(b.error) << b.text;
  EXPECT_EQ(b.integer, 10);
}

TEST_F(RedisClientTest, ASlowReplyTimesOutAndTheLateReplyIsDropped) {
  RedisClient& c = connect(server_.unixUrl(), 20);
  server_.pause();
  Got got;
  RedisWaiter w(&got, &record);
  const std::string_view argv[] = {"INCR", "late"};
  ASSERT_TRUE(c.command(argv, &w));
  ASSERT_TRUE(runUntil([&] { return got.calls == 1; }));
  EXPECT_EQ(got.status, RedisStatus::Timeout);
  EXPECT_FALSE(w.pending());
  server_.resume();
  // The late reply arrives and is dropped: no second call.
  ASSERT_TRUE(runUntil([&] { return c.inFlight() == 0; }));
  EXPECT_EQ(got.calls, 1);
  EXPECT_EQ(server_.command({"GET", "late"}), "1");
  EXPECT_TRUE(c.up());
}

TEST_F(RedisClientTest, ADestroyedWaiterIsNeverCalled) {
  RedisClient& c = connect(server_.unixUrl());
  Got got;
  auto w = std::make_unique<RedisWaiter>(&got, &record);
  const std::string_view argv[] = {"PING"};
  ASSERT_TRUE(c.command(argv, w.get()));
  w.reset();  // the exchange went away while waiting
  ASSERT_TRUE(runUntil([&] { return c.inFlight() == 0; }));
  EXPECT_EQ(got.calls, 0);
}

TEST_F(RedisClientTest, AnOutageFailsPendingCommandsThenReconnects) {
  RedisClient& c = connect(server_.unixUrl(), 1000);
  server_.pause();
  Got got;
  RedisWaiter w(&got, &record);
  const std::string_view argv[] = {"PING"};
  ASSERT_TRUE(c.command(argv, &w));
  server_.resume();
  server_.stop();
  ASSERT_TRUE(runUntil([&] { return got.calls == 1; }));
  EXPECT_NE(got.status, RedisStatus::Ok);
  ASSERT_TRUE(runUntil([&] { return !c.up(); }));
  EXPECT_FALSE(c.command(argv, &w));  // down: refused at once, no callback
  EXPECT_FALSE(w.pending());

  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(runUntil([&] { return c.up(); }, 10'000ms));
  Got again;
  RedisWaiter w2(&again, &record);
  ASSERT_TRUE(c.command(argv, &w2));
  ASSERT_TRUE(runUntil([&] { return again.calls == 1; }));
  EXPECT_EQ(again.text, "PONG");
}

TEST_F(RedisClientTest, AuthAndSelectOnConnect) {
  ASSERT_EQ(server_.command({"CONFIG", "SET", "requirepass", "s3cret"}), "OK");
  // A wrong password never comes up.
  client_ = std::make_unique<RedisClient>(
      &loop_, config("redis://:wrong@127.0.0.1:" + std::to_string(server_.port()) + "/0"));
  EXPECT_FALSE(runUntil([&] { return client_->up(); }, 300ms));
  client_.reset();

  RedisClient& c = connect("redis://:s3cret@127.0.0.1:" + std::to_string(server_.port()) + "/3");
  Got got;
  RedisWaiter w(&got, &record);
  ASSERT_TRUE(c.set("in3", "yes", 60'000, &w));
  ASSERT_TRUE(runUntil([&] { return got.calls == 1; }));
  EXPECT_EQ(got.text, "OK");
  Got check;
  RedisWaiter wc(&check, &record);
  const std::string_view argv[] = {"EVAL", "redis.call('SELECT', 3) return redis.call('GET', 'in3')",
                                   "0"};
  ASSERT_TRUE(c.command(argv, &wc));
  ASSERT_TRUE(runUntil([&] { return check.calls == 1; }));
  EXPECT_EQ(check.text, "yes");
}

TEST_F(RedisClientTest, NothingConfiguredMeansNothingSent) {
  client_ = std::make_unique<RedisClient>(&loop_, config(""));
  EXPECT_FALSE(client_->configured());
  const std::string_view argv[] = {"PING"};
  EXPECT_FALSE(client_->command(argv, nullptr));
}

}  // namespace
}  // namespace llmproxy::worker
