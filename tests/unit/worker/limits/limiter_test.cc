// The worker-side limiter: decisions, OpenAI's x-ratelimit-* headers and reset format,
// Retry-After, token charges, quotas, per-model scope, reload behaviour and the full-table
// fallback.
#include "worker/limits/limiter.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <map>
#include <new>

namespace llmproxy::worker {
namespace {

using common::RateTable;

class LimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_ =
        mmap(nullptr, sizeof(RateTable), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem_, MAP_FAILED);
    table_ = new (mem_) RateTable{};
    table_->init();
  }
  void TearDown() override { munmap(mem_, sizeof(RateTable)); }

  static std::map<std::string, std::string> headers(const LimitCheck& c) {
    std::map<std::string, std::string> m;
    for (const auto& [k, v] : c.headers()) m.emplace(std::string(k), v);
    return m;
  }

  void* mem_ = nullptr;
  RateTable* table_ = nullptr;
  static constexpr int64_t kNow = 5'000'000;
};

KeyLimits rps(double rate, double burst) {
  KeyLimits l;
  l.requests_per_second = rate;
  l.burst = burst;
  return l;
}

TEST(LimitFormat, ResetDurationsLikeOpenAI) {
  EXPECT_EQ(formatResetDuration(0), "0s");
  EXPECT_EQ(formatResetDuration(-5), "0s");
  EXPECT_EQ(formatResetDuration(1), "1ms");
  EXPECT_EQ(formatResetDuration(547), "547ms");
  EXPECT_EQ(formatResetDuration(1000), "1s");
  EXPECT_EQ(formatResetDuration(8640), "8.64s");
  EXPECT_EQ(formatResetDuration(33'023), "33.023s");
  EXPECT_EQ(formatResetDuration(60'000), "1m0s");
  EXPECT_EQ(formatResetDuration(172'800), "2m52.8s");
  EXPECT_EQ(formatResetDuration(360'000), "6m0s");
  EXPECT_EQ(formatResetDuration(3'600'000), "1h0m0s");
  EXPECT_EQ(formatResetDuration(3'723'050), "1h2m3.05s");
}

TEST(LimitFormat, KeyLimitsFromConfig) {
  common::KeyConfig key;
  key.rate_limit.requests_per_second = 5;
  key.rate_limit.burst = 7;
  key.tokens_per_minute = 1000;
  key.max_requests = 9;
  const KeyLimits l = KeyLimits::of(key);
  EXPECT_EQ(l.requests_per_second, 5);
  EXPECT_EQ(l.burst, 7);
  EXPECT_EQ(l.tokens_per_minute, 1000u);
  EXPECT_EQ(l.max_requests, 9u);
  EXPECT_TRUE(l.any());
  EXPECT_FALSE(KeyLimits{}.any());
}

TEST_F(LimiterTest, NoLimitsNoHeaders) {
  Limiter lim(*table_);
  const LimitCheck c = lim.check(KeyLimits{}, "k", "gpt-4o", kNow);
  EXPECT_TRUE(c.allowed);
  EXPECT_TRUE(c.headers().empty());
  EXPECT_EQ(c.retryAfterSeconds(), 0);
  EXPECT_EQ(table_->used(), 0u);
}

TEST_F(LimiterTest, RequestsHeadersThenDenialWithRetryAfter) {
  Limiter lim(*table_);
  const KeyLimits l = rps(2, 2);
  LimitCheck c = lim.check(l, "k", "", kNow);
  ASSERT_TRUE(c.allowed);
  auto h = headers(c);
  EXPECT_EQ(h["x-ratelimit-limit-requests"], "2");
  EXPECT_EQ(h["x-ratelimit-remaining-requests"], "1");
  EXPECT_EQ(h["x-ratelimit-reset-requests"], "500ms");
  EXPECT_EQ(h.count("retry-after"), 0u);
  EXPECT_EQ(h.count("x-ratelimit-limit-tokens"), 0u);

  ASSERT_TRUE(lim.check(l, "k", "", kNow).allowed);
  c = lim.check(l, "k", "", kNow + 100);
  EXPECT_FALSE(c.allowed);
  EXPECT_EQ(c.reason, LimitReason::Requests);
  EXPECT_EQ(c.errorCode(), "rate_limit_exceeded");
  EXPECT_EQ(c.retry_after_ms, 400);
  EXPECT_EQ(c.retryAfterSeconds(), 1);
  h = headers(c);
  EXPECT_EQ(h["retry-after"], "1");
  EXPECT_EQ(h["x-ratelimit-remaining-requests"], "0");
  EXPECT_EQ(h["x-ratelimit-reset-requests"], "900ms");
  EXPECT_NE(c.message().find("try again in 400ms"), std::string::npos) << c.message();

  // Burst unset: one second's worth, at least one.
  c = lim.check(rps(0.2, 0), "slow", "", kNow);
  ASSERT_TRUE(c.allowed);
  EXPECT_EQ(c.limit_requests, 1u);
  c = lim.check(rps(0.2, 0), "slow", "", kNow);
  EXPECT_FALSE(c.allowed);
  EXPECT_EQ(c.retryAfterSeconds(), 5);
  EXPECT_EQ(headers(c)["x-ratelimit-reset-requests"], "5s");
}

TEST_F(LimiterTest, TokensChargedAfterTheFactAdmitWhilePositive) {
  Limiter lim(*table_);
  KeyLimits l = rps(100, 100);
  l.tokens_per_minute = 600;  // 10 tokens per second
  LimitCheck c = lim.check(l, "k", "", kNow);
  ASSERT_TRUE(c.allowed);
  auto h = headers(c);
  EXPECT_EQ(h["x-ratelimit-limit-tokens"], "600");
  EXPECT_EQ(h["x-ratelimit-remaining-tokens"], "600");
  EXPECT_EQ(h["x-ratelimit-reset-tokens"], "0s");

  lim.chargeTokens(l, "k", "", 550, kNow);
  c = lim.check(l, "k", "", kNow);
  ASSERT_TRUE(c.allowed);  // 50 left: still positive
  EXPECT_EQ(headers(c)["x-ratelimit-remaining-tokens"], "50");
  EXPECT_EQ(headers(c)["x-ratelimit-reset-tokens"], "55s");

  lim.chargeTokens(l, "k", "", 100, kNow);  // -50
  const uint64_t requests_left = c.remaining_requests;
  c = lim.check(l, "k", "", kNow);
  EXPECT_FALSE(c.allowed);
  EXPECT_EQ(c.reason, LimitReason::Tokens);
  EXPECT_EQ(c.errorCode(), "rate_limit_exceeded");
  EXPECT_EQ(c.remaining_tokens, 0u);
  EXPECT_EQ(c.retry_after_ms, 5001);  // 51 tokens at 10/s: strictly positive again
  EXPECT_EQ(c.retryAfterSeconds(), 6);
  h = headers(c);
  EXPECT_EQ(h["retry-after"], "6");
  EXPECT_EQ(h["x-ratelimit-reset-tokens"], "1m5s");
  // Denied by tokens: no request token was taken.
  EXPECT_EQ(c.remaining_requests, requests_left);
  EXPECT_TRUE(lim.check(l, "k", "", kNow + 5001).allowed);
}

TEST_F(LimiterTest, QuotaExhaustedIsInsufficientQuotaWithoutRetryAfter) {
  Limiter lim(*table_);
  KeyLimits l = rps(10, 10);
  l.max_requests = 2;
  ASSERT_TRUE(lim.check(l, "k", "a", kNow).allowed);
  ASSERT_TRUE(lim.check(l, "k", "b", kNow).allowed);  // the quota is per key, not per model
  LimitCheck c = lim.check(l, "k", "a", kNow);
  EXPECT_FALSE(c.allowed);
  EXPECT_EQ(c.reason, LimitReason::Quota);
  EXPECT_EQ(c.errorCode(), "insufficient_quota");
  EXPECT_EQ(c.retryAfterSeconds(), 0);
  EXPECT_EQ(headers(c).count("retry-after"), 0u);
  EXPECT_EQ(c.quota_used, 2u);
  // The request token was given back.
  EXPECT_EQ(c.remaining_requests, 9u);
  // An edited quota counts again from zero.
  l.max_requests = 3;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(lim.check(l, "k", "a", kNow).allowed) << i;
  EXPECT_FALSE(lim.check(l, "k", "a", kNow).allowed);
}

TEST_F(LimiterTest, ModelScopeSeparatesBuckets) {
  Limiter lim(*table_);
  const KeyLimits l = rps(1, 1);
  EXPECT_TRUE(lim.check(l, "k", "", kNow).allowed);
  EXPECT_FALSE(lim.check(l, "k", "", kNow).allowed);
  EXPECT_TRUE(lim.check(l, "k", "gpt-4o", kNow).allowed);
  EXPECT_TRUE(lim.check(l, "other", "", kNow).allowed);
}

TEST_F(LimiterTest, ReloadKeepsUnchangedLimitsAndResetsChangedOnes) {
  Limiter lim(*table_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(lim.check(rps(1, 3), "k", "", kNow).allowed);
  // "Reload" with the same limit (a new Limiter over the same table): still exhausted.
  Limiter after(*table_);
  EXPECT_FALSE(after.check(rps(1, 3), "k", "", kNow).allowed);
  // Changed limit: a fresh bucket.
  const LimitCheck c = after.check(rps(1, 5), "k", "", kNow);
  EXPECT_TRUE(c.allowed);
  EXPECT_EQ(c.remaining_requests, 4u);
}

TEST_F(LimiterTest, FullTableLetsRequestsThroughAndCounts) {
  uint64_t id = 1;
  while (table_->used() < RateTable::kCapacity && id < 8ull * RateTable::kCapacity)
    table_->claim(id++);
  ASSERT_EQ(table_->used(), RateTable::kCapacity);
  const uint64_t before = table_->overflows();
  Limiter lim(*table_);
  KeyLimits l = rps(1, 1);
  l.tokens_per_minute = 10;
  l.max_requests = 1;
  for (int i = 0; i < 5; ++i) {
    const LimitCheck c = lim.check(l, "new-key", "", kNow);
    EXPECT_TRUE(c.allowed);
    EXPECT_TRUE(c.untracked);
  }
  EXPECT_EQ(table_->overflows(), before + 15);    // three limits, five requests
  lim.chargeTokens(l, "new-key", "", 100, kNow);  // no bucket: ignored
}

TEST(LimitClock, MonotonicMilliseconds) {
  const int64_t a = Limiter::nowMs();
  const int64_t b = Limiter::nowMs();
  EXPECT_GE(b, a);
  EXPECT_GT(a, 0);
}

}  // namespace
}  // namespace llmproxy::worker
