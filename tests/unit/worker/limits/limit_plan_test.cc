// Limit plans: a key's buckets and quota are named by its digest, not by its name.
#include "worker/limits/limit_plan.h"

#include <gtest/gtest.h>

#include "common/crypto/sha256.h"

namespace llmproxy::worker {
namespace {

common::KeyConfig keyOf(const char* name, const char* secret) {
  common::KeyConfig k;
  k.name = name;
  k.key_sha256 = common::sha256(secret);
  k.rate_limit = {5, 5};
  k.tokens_per_minute = 100;
  k.max_requests = 10;
  return k;
}

TEST(LimitPlan, TwoKeysWithOneNameShareNothing) {
  common::Config c;
  c.keys = {keyOf("team", "sk-one"), keyOf("team", "sk-two")};
  const auto plans = buildLimitPlans(c);
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_NE(plans[0].own.redis_requests, plans[1].own.redis_requests);
  EXPECT_NE(plans[0].own.redis_tokens, plans[1].own.redis_tokens);
  EXPECT_NE(plans[0].own.redis_quota, plans[1].own.redis_quota);
  EXPECT_EQ(plans[0].own.redis_quota.find("team"), std::string::npos);
}

TEST(LimitPlan, ARenameKeepsTheCounters) {
  common::Config before, after;
  before.keys = {keyOf("old-name", "sk-same")};
  after.keys = {keyOf("new-name", "sk-same")};
  const auto a = buildLimitPlans(before);
  const auto b = buildLimitPlans(after);
  EXPECT_EQ(a[0].own.redis_requests, b[0].own.redis_requests);
  EXPECT_EQ(a[0].own.redis_quota, b[0].own.redis_quota);
  EXPECT_EQ(a[0].own.redis_quota,
            "llmproxy:rl:{" + common::toHex(common::sha256("sk-same")).substr(0, 32) + "}:quota:10");
}

TEST(LimitPlan, TheClientKeyCarriesTheSameId) {
  common::KeyConfig k = keyOf("a", "sk-a");
  KeyMatcher matcher(std::span<const common::KeyConfig>(&k, 1));
  const auto found = matcher.authenticateToken("sk-a", 0);
  ASSERT_TRUE(found);
  EXPECT_EQ((*found)->limit_id, limitId(k.key_sha256));
  EXPECT_EQ((*found)->limit_id.size(), 32u);
}

}  // namespace
}  // namespace llmproxy::worker
