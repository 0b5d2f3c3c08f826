// The Redis budget scripts against a real redis-server: admission, the settlement of a hold,
// and the cancel of a check whose answer was never used (a client that left while it waited),
// which must give back the reservation the check made when it ran, and only that.
#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/uv/close_loop.h"
#include "support/redis_server.h"
#include "unit/worker/upstream/upstream_test_util.h"
#include "worker/limits/redis_limiter.h"
#include "worker/redis/redis_client.h"

namespace llmproxy::worker {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHash = "t:budget:abc:0";

struct Answer {
  bool answered = false;
  std::optional<RedisBudgetReply> reply;
};

void onAnswer(void* owner, const RedisResult& r) {
  auto* a = static_cast<Answer*>(owner);
  a->answered = true;
  a->reply = RedisLimiter::parseBudget(r);
}

class RedisBudgetTest : public ::testing::Test {
 protected:
  RedisBudgetTest() {
    uv_loop_init(&loop_);
    common::RedisConfig c;
    c.url = server_.unixUrl();
    c.timeout = common::Millis{5000};
    client_ = std::make_unique<RedisClient>(&loop_, c);
    limiter_ = std::make_unique<RedisLimiter>(*client_);  // registers its scripts, as a worker
    EXPECT_TRUE(runUntil([&] { return client_->up(); }));
  }
  ~RedisBudgetTest() override {
    limiter_.reset();
    client_.reset();
    common::closeLoop(&loop_);
  }

  // Runs the loop until pred() or a generous bound (never a timed assertion).
  bool runUntil(const std::function<bool()>& pred) {
    return test::runUntil(&loop_, pred, 10000ms);
  }

  // Sends a check and waits for its answer.
  std::optional<RedisBudgetReply> check(uint64_t max, uint64_t estimate, const char* hold) {
    Answer a;
    RedisWaiter waiter(&a, &onAnswer);
    EXPECT_TRUE(limiter_->checkBudget(kHash, max, estimate, 0, 600, hold, &waiter));
    EXPECT_TRUE(runUntil([&] { return a.answered; }));
    return a.reply;
  }

  // Waits until the fire-and-forget commands sent so far have run: a PING on the same
  // connection answers after them.
  void drain() {
    Answer a;
    RedisWaiter waiter(&a, [](void* owner, const RedisResult&) {
      static_cast<Answer*>(owner)->answered = true;
    });
    const std::string_view ping[] = {"PING"};
    ASSERT_TRUE(client_->command(ping, &waiter));
    ASSERT_TRUE(runUntil([&] { return a.answered; }));
  }

  std::string field(const char* name) { return server_.command({"HGET", kHash, name}); }
  std::string fields() { return server_.command({"HLEN", kHash}); }

  testing::RedisServer server_;
  uv_loop_t loop_{};
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<RedisLimiter> limiter_;
};

TEST_F(RedisBudgetTest, AHoldIsSettledOnceWithTheRealCost) {
  auto first = check(5000, 1000, "h1");
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->allowed);
  EXPECT_EQ(first->committed, 1000u);
  EXPECT_EQ(fields(), "3");  // c, s and the hold's reservation
  ASSERT_TRUE(limiter_->settleBudget(kHash, "h1", 700));
  drain();
  EXPECT_EQ(field("c"), "700");
  EXPECT_EQ(field("s"), "700");
  EXPECT_EQ(fields(), "2");
  // A second settlement of the same hold gives nothing back again.
  ASSERT_TRUE(limiter_->settleBudget(kHash, "h1", 0));
  drain();
  EXPECT_EQ(field("c"), "700");
}

TEST_F(RedisBudgetTest, ACancelSentBeforeTheAnswerTakesTheReservationBack) {
  ASSERT_TRUE(check(5000, 300, "h0").has_value());
  ASSERT_TRUE(limiter_->settleBudget(kHash, "h0", 300));
  // The check is in flight when the exchange goes: finish cancels it at once, and the answer
  // (which nobody uses) arrives after.
  Answer a;
  {
    RedisWaiter waiter(&a, &onAnswer);
    ASSERT_TRUE(limiter_->checkBudget(kHash, 5000, 1000, 0, 600, "h2", &waiter));
    ASSERT_TRUE(limiter_->settleBudget(kHash, "h2", 0));
  }  // the waiter goes with the exchange: its callback never fires
  drain();
  EXPECT_FALSE(a.answered);
  EXPECT_EQ(field("c"), "300") << server_.command({"HGETALL", kHash});
  EXPECT_EQ(field("s"), "300");
  EXPECT_EQ(fields(), "2");
}

TEST_F(RedisBudgetTest, ARefusedCheckReservesNothingAndItsCancelChangesNothing) {
  ASSERT_TRUE(check(5000, 1000, "h1").has_value());
  ASSERT_TRUE(limiter_->settleBudget(kHash, "h1", 1000));
  auto refused = check(1000, 1000, "h2");
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->allowed);
  EXPECT_EQ(refused->committed, 1000u);
  EXPECT_EQ(refused->spent, 1000u);
  ASSERT_TRUE(limiter_->settleBudget(kHash, "h2", 0));
  drain();
  EXPECT_EQ(field("c"), "1000");
  EXPECT_EQ(fields(), "2");
}

}  // namespace
}  // namespace llmproxy::worker
