// The requests bucket's capacity (KeyLimits::requestsBurst): one rule for the local limiter and
// the Redis limiter, built on the config's default burst.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sys/mman.h>

#include <cmath>
#include <new>

#include "common/config/schema.h"
#include "worker/limits/limiter.h"
#include "worker/limits/redis_limiter.h"

namespace llmproxy::worker {
namespace {

KeyLimits rps(double rate, double burst) {
  KeyLimits l;
  l.requests_per_second = rate;
  l.burst = burst;
  return l;
}

struct BurstCase {
  double rate;
  double burst;
  double capacity;
};

constexpr BurstCase kCases[] = {
    {10, 0, 10},      // none written: one second's worth
    {10, 15, 15},     // as written
    {10, 3, 3},       // smaller than the rate is fine
    {2.5, 0, 2.5},
    {0.5, 0, 1},      // at least one request
    {0.5, 0.2, 1},
    {100, 0.5, 1},
    {0.001, 2, 2},
    {0, 0, 1},        // no rate: never used, still a valid bucket
    {0, 7, 7},
};

TEST(RequestsBurst, TheBurstElseOneSecondsWorthAtLeastOne) {
  for (const BurstCase& c : kCases) {
    SCOPED_TRACE(::testing::Message() << "rate " << c.rate << " burst " << c.burst);
    EXPECT_DOUBLE_EQ(rps(c.rate, c.burst).requestsBurst(), c.capacity);
  }
}

TEST(RequestsBurst, AgreesWithTheConfigsDefault) {
  // A rate limit as the loaders leave it (schema::applyDefaultBurst) keeps its capacity.
  for (const BurstCase& c : kCases) {
    SCOPED_TRACE(::testing::Message() << "rate " << c.rate << " burst " << c.burst);
    common::RateLimit written{c.rate, c.burst};
    common::schema::applyDefaultBurst(written);
    EXPECT_DOUBLE_EQ(rps(written.requests_per_second, written.burst).requestsBurst(),
                     c.capacity);
  }
}

// The script's answer {allowed, reason, remaining req (milli), reset req, remaining tokens,
// reset tokens, quota used, quota limit}, as hiredis hands it over.
class ScriptAnswer {
 public:
  ScriptAnswer() {
    for (size_t i = 0; i < 8; ++i) {
      items_[i] = redisReply{};
      items_[i].type = REDIS_REPLY_INTEGER;
      pointers_[i] = &items_[i];
    }
    items_[0].integer = 1;  // allowed
    array_ = redisReply{};
    array_.type = REDIS_REPLY_ARRAY;
    array_.elements = 8;
    array_.element = pointers_;
  }
  RedisResult result() const { return RedisResult{RedisStatus::Ok, &array_}; }

 private:
  redisReply items_[8];
  redisReply* pointers_[8];
  redisReply array_;
};

TEST(RequestsBurst, LocalAndRedisReportTheSameLimit) {
  void* mem =
      mmap(nullptr, sizeof(common::RateTable), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
           -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* table = new (mem) common::RateTable{};
  table->init();
  Limiter local(*table);
  const ScriptAnswer answer;
  for (const BurstCase& c : kCases) {
    if (c.rate == 0) continue;  // no requests limit, no header
    SCOPED_TRACE(::testing::Message() << "rate " << c.rate << " burst " << c.burst);
    const KeyLimits limits = rps(c.rate, c.burst);
    const LimitCheck here = local.check(limits, "k", "", 1'000'000);
    const auto there = RedisLimiter::parse(limits, answer.result());
    ASSERT_TRUE(there);
    EXPECT_EQ(here.limit_requests, static_cast<uint64_t>(std::ceil(c.capacity)));
    EXPECT_EQ(there->limit_requests, here.limit_requests);
  }
  munmap(mem, sizeof(common::RateTable));
}

}  // namespace
}  // namespace llmproxy::worker
