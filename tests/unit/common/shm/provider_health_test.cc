// The provider health table's states: max_fails within fail_timeout, cool-down, the one
// half-open probe, recovery, Retry-After, active checks.
#include "common/shm/provider_health.h"

#include <gtest/gtest.h>

#include <memory>

namespace llmproxy::common {
namespace {

struct Table {
  std::unique_ptr<ProviderHealth> health = std::make_unique<ProviderHealth>();
  Table() { health->init(); }
  ProviderHealthEntry* e(std::string_view id = "p") { return health->entry(id); }
};

constexpr HealthPolicy kPolicy{3, 10'000, false};

TEST(ProviderHealth, MaxFailsWithinFailTimeoutTakeItOutForFailTimeout) {
  Table t;
  auto* e = t.e();
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 1'000);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 2'000);
  EXPECT_EQ(ProviderHealth::state(e, 2'000), ProviderState::Up);
  ProviderHealth::recordFailure(e, kPolicy, 502, 0, 3'000);
  EXPECT_EQ(ProviderHealth::state(e, 3'000), ProviderState::Down);
  EXPECT_EQ(ProviderHealth::state(e, 12'999), ProviderState::Down);
  EXPECT_EQ(ProviderHealth::state(e, 13'000), ProviderState::HalfOpen);
  EXPECT_EQ(e->downs_total.load(), 1u);
  EXPECT_EQ(e->failures_total.load(), 3u);
  EXPECT_EQ(e->last_status.load(), 502);
}

TEST(ProviderHealth, FailuresSpreadBeyondFailTimeoutDoNotAddUp) {
  Table t;
  auto* e = t.e();
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 0 + 1);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 9'000);
  // The window began at 1: a failure at 10'001 opens a new one.
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 10'001);
  EXPECT_EQ(ProviderHealth::state(e, 10'001), ProviderState::Up);
  EXPECT_EQ(e->window_failures.load(), 1u);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 11'000);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 12'000);
  EXPECT_EQ(ProviderHealth::state(e, 12'000), ProviderState::Down);
}

TEST(ProviderHealth, ASuccessBetweenFailuresStartsTheCountAgain) {
  Table t;
  auto* e = t.e();
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 1'000);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 2'000);
  ProviderHealth::recordSuccess(e);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 3'000);
  EXPECT_EQ(ProviderHealth::state(e, 3'000), ProviderState::Up);
  EXPECT_EQ(e->window_failures.load(), 1u);
  EXPECT_EQ(e->successes_total.load(), 1u);
}

TEST(ProviderHealth, MaxFailsZeroNeverTakesItOut) {
  Table t;
  auto* e = t.e();
  const HealthPolicy never{0, 10'000, false};
  for (int i = 0; i < 100; ++i) ProviderHealth::recordFailure(e, never, 500, 0, 1'000 + i);
  EXPECT_EQ(ProviderHealth::state(e, 2'000), ProviderState::Up);
  EXPECT_EQ(e->failures_total.load(), 100u);
}

TEST(ProviderHealth, HalfOpenLetsOneProbeThroughAndItsOutcomeDecides) {
  Table t;
  auto* e = t.e();
  for (int i = 0; i < 3; ++i) ProviderHealth::recordFailure(e, kPolicy, 500, 0, 1'000);
  const int64_t later = 11'000;
  ASSERT_EQ(ProviderHealth::state(e, later), ProviderState::HalfOpen);
  EXPECT_TRUE(ProviderHealth::claimProbe(e, later, 5'000));
  EXPECT_FALSE(ProviderHealth::claimProbe(e, later, 5'000));  // one probe at a time
  EXPECT_FALSE(ProviderHealth::claimProbe(e, later + 4'999, 5'000));
  // The probe failed: out for another fail_timeout.
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, later + 100);
  EXPECT_EQ(ProviderHealth::state(e, later + 100), ProviderState::Down);
  EXPECT_EQ(ProviderHealth::state(e, later + 10'099), ProviderState::Down);
  EXPECT_EQ(ProviderHealth::state(e, later + 10'100), ProviderState::HalfOpen);
  EXPECT_TRUE(ProviderHealth::claimProbe(e, later + 10'100, 5'000));
  // This probe succeeded: up, with a fresh window.
  ProviderHealth::recordSuccess(e);
  EXPECT_EQ(ProviderHealth::state(e, later + 10'200), ProviderState::Up);
  EXPECT_EQ(e->window_failures.load(), 0u);
  EXPECT_EQ(e->downs_total.load(), 1u);
}

TEST(ProviderHealth, AnUnansweredProbeIsHandedOnAfterItsHold) {
  Table t;
  auto* e = t.e();
  for (int i = 0; i < 3; ++i) ProviderHealth::recordFailure(e, kPolicy, 0, 0, 0 + 1);
  EXPECT_TRUE(ProviderHealth::claimProbe(e, 20'000, 5'000));
  EXPECT_FALSE(ProviderHealth::claimProbe(e, 24'999, 5'000));
  EXPECT_TRUE(ProviderHealth::claimProbe(e, 25'000, 5'000));
}

TEST(ProviderHealth, AReleasedProbeIsFreeAtOnceButAVerdictOrANewClaimIsKept) {
  Table t;
  auto* e = t.e();
  for (int i = 0; i < 3; ++i) ProviderHealth::recordFailure(e, kPolicy, 500, 0, 1'000);
  const int64_t token = ProviderHealth::claimProbe(e, 20'000, 5'000);
  ASSERT_NE(token, 0);
  ProviderHealth::releaseProbe(e, token);  // never sent (a cache hit, say)
  const int64_t second = ProviderHealth::claimProbe(e, 20'001, 5'000);
  ASSERT_NE(second, 0);
  ProviderHealth::releaseProbe(e, token);  // a stale token does not free the new claim
  EXPECT_EQ(ProviderHealth::claimProbe(e, 20'002, 5'000), 0);
  ProviderHealth::recordFailure(e, kPolicy, 500, 0, 20'100);  // the probe failed: down again
  ProviderHealth::releaseProbe(e, second);
  EXPECT_EQ(ProviderHealth::state(e, 20'200), ProviderState::Down);
  EXPECT_NE(ProviderHealth::claimProbe(e, 30'100, 5'000), 0);
}

TEST(ProviderHealth, RetryAfterSkipsItUntilThenWithoutCounting) {
  Table t;
  auto* e = t.e();
  ProviderHealth::recordFailure(e, kPolicy, 429, 30'000, 1'000);
  EXPECT_EQ(ProviderHealth::state(e, 1'000), ProviderState::RateLimited);
  EXPECT_EQ(ProviderHealth::state(e, 30'999), ProviderState::RateLimited);
  EXPECT_EQ(ProviderHealth::state(e, 31'000), ProviderState::Up);
  EXPECT_EQ(e->window_failures.load(), 0u);
  // A shorter Retry-After never shortens a longer one.
  ProviderHealth::recordFailure(e, kPolicy, 429, 60'000, 2'000);
  ProviderHealth::recordFailure(e, kPolicy, 429, 1'000, 3'000);
  EXPECT_EQ(ProviderHealth::state(e, 61'999), ProviderState::RateLimited);
}

TEST(ProviderHealth, ChecksAreHandedOutOncePerIntervalAndBringItBack) {
  Table t;
  auto* e = t.e();
  const HealthPolicy checked{3, 10'000, true};
  EXPECT_TRUE(ProviderHealth::claimCheck(e, 1'000, 2'000));
  EXPECT_FALSE(ProviderHealth::claimCheck(e, 2'999, 2'000));  // another worker, same interval
  EXPECT_TRUE(ProviderHealth::claimCheck(e, 3'000, 2'000));
  EXPECT_FALSE(ProviderHealth::claimCheck(e, 3'000, 0));  // checks off
  for (int i = 0; i < 3; ++i) ProviderHealth::recordFailure(e, checked, 500, 0, 4'000);
  ASSERT_EQ(ProviderHealth::state(e, 4'000), ProviderState::Down);
  ProviderHealth::recordCheck(e, checked, false, 503, 5'000);  // still failing: stays out
  EXPECT_EQ(ProviderHealth::state(e, 14'999), ProviderState::Down);
  ProviderHealth::recordCheck(e, checked, true, 200, 6'000);
  EXPECT_EQ(ProviderHealth::state(e, 6'000), ProviderState::Up);
  EXPECT_EQ(e->checks_total.load(), 2u);
  EXPECT_EQ(e->checks_failed_total.load(), 1u);
  EXPECT_EQ(e->last_check_status.load(), 200);
}

TEST(ProviderHealth, NamesAsHealthDetailedShowsThem) {
  EXPECT_EQ(ProviderHealth::stateName(ProviderState::Up), "healthy");
  EXPECT_EQ(ProviderHealth::stateName(ProviderState::Down), "cooling_down");
  EXPECT_EQ(ProviderHealth::stateName(ProviderState::HalfOpen), "half_open");
  EXPECT_EQ(ProviderHealth::stateName(ProviderState::RateLimited), "rate_limited");
}

}  // namespace
}  // namespace llmproxy::common
