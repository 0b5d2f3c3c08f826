// The wake token: a completion finds its exchange only while it is alive and still in the
// wait that issued the token; stale and missing tokens are dropped.
#include "worker/pipeline/wake_registry.h"

#include <gtest/gtest.h>

namespace llmproxy::worker {
namespace {

struct FakeExchange {
  uint64_t id;
  uint32_t generation = 1;
};

TEST(WakeRegistry, CurrentTokenFindsTheExchange) {
  WakeRegistry<FakeExchange> registry;
  FakeExchange ex{7};
  registry.add(ex);
  const common::WakeToken token = WakeRegistry<FakeExchange>::tokenOf(ex);
  EXPECT_EQ(token.exchange, 7u);
  EXPECT_EQ(registry.find(token), &ex);
}

TEST(WakeRegistry, TokenOfAnEarlierGenerationIsStale) {
  WakeRegistry<FakeExchange> registry;
  FakeExchange ex{7};
  registry.add(ex);
  const common::WakeToken token = WakeRegistry<FakeExchange>::tokenOf(ex);
  ++ex.generation;  // the exchange left the stage that waited
  EXPECT_EQ(registry.find(token), nullptr);
  EXPECT_EQ(registry.find(WakeRegistry<FakeExchange>::tokenOf(ex)), &ex);
}

TEST(WakeRegistry, TokenOfAGoneExchangeFindsNothing) {
  WakeRegistry<FakeExchange> registry;
  common::WakeToken token;
  {
    FakeExchange ex{9};
    registry.add(ex);
    token = WakeRegistry<FakeExchange>::tokenOf(ex);
    registry.remove(ex);
  }
  EXPECT_EQ(registry.find(token), nullptr);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.find({}), nullptr);  // the empty token never matches
}

TEST(WakeRegistry, IdsAreNotConfused) {
  WakeRegistry<FakeExchange> registry;
  FakeExchange a{1}, b{2};
  registry.add(a);
  registry.add(b);
  EXPECT_EQ(registry.find({2, 1}), &b);
  EXPECT_EQ(registry.find({3, 1}), nullptr);
}

}  // namespace
}  // namespace llmproxy::worker
