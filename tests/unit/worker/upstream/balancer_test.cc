// Smooth weighted round-robin: nginx's sequence, health masks, failover order.
#include "worker/upstream/balancer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace llmproxy::worker {
namespace {

std::string picks(Balancer& balancer, int n, uint64_t mask) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    PickOrder order = balancer.pick(mask);
    out += order.empty() ? '-' : static_cast<char>('a' + order[0]);
  }
  return out;
}

TEST(Balancer, NginxSequenceForWeights511) {
  std::vector<uint32_t> weights = {5, 1, 1};
  Balancer balancer(weights);
  const uint64_t all = Balancer::allHealthy(3);
  EXPECT_EQ(picks(balancer, 7, all), "aabacaa");
  EXPECT_EQ(picks(balancer, 7, all), "aabacaa");  // the cycle repeats exactly
}

TEST(Balancer, EqualWeightsRotate) {
  std::vector<uint32_t> weights = {1, 1, 1};
  Balancer balancer(weights);
  EXPECT_EQ(picks(balancer, 6, Balancer::allHealthy(3)), "abcabc");
}

TEST(Balancer, SplitFollowsWeights) {
  std::vector<uint32_t> weights = {3, 1};
  Balancer balancer(weights);
  std::map<int, int> count;
  for (int i = 0; i < 400; ++i) ++count[balancer.pick(Balancer::allHealthy(2))[0]];
  EXPECT_EQ(count[0], 300);
  EXPECT_EQ(count[1], 100);
}

TEST(Balancer, UnhealthyPeersAreSkipped) {
  std::vector<uint32_t> weights = {5, 1, 1};
  Balancer balancer(weights);
  const uint64_t no_a = 0b110;
  EXPECT_EQ(picks(balancer, 4, no_a), "bcbc");
  const uint64_t only_c = 0b100;
  EXPECT_EQ(picks(balancer, 3, only_c), "ccc");
}

TEST(Balancer, AllUnhealthyGivesNothing) {
  std::vector<uint32_t> weights = {2, 1};
  Balancer balancer(weights);
  EXPECT_TRUE(balancer.pick(0).empty());
  EXPECT_TRUE(balancer.pick(0b100).empty());  // bits past the peers do not count
  // ... and an empty pick leaves the state alone.
  EXPECT_EQ(picks(balancer, 3, Balancer::allHealthy(2)), "aba");
}

TEST(Balancer, OrderHoldsEveryHealthyPeerOnceFirstThePick) {
  std::vector<uint32_t> weights = {5, 1, 1, 2};
  Balancer balancer(weights);
  for (int i = 0; i < 20; ++i) {
    const uint64_t mask = (i % 3 == 0) ? 0b1011 : Balancer::allHealthy(4);
    PickOrder order = balancer.pick(mask);
    std::vector<bool> seen(4, false);
    for (uint8_t peer : order.peers()) {
      ASSERT_LT(peer, 4);
      EXPECT_TRUE(mask >> peer & 1);
      EXPECT_FALSE(seen[peer]);
      seen[peer] = true;
    }
    EXPECT_EQ(order.size(), static_cast<size_t>(__builtin_popcountll(mask)));
  }
}

TEST(Balancer, FailoverOrderIsByCurrentWeight) {
  std::vector<uint32_t> weights = {5, 1, 1};
  Balancer balancer(weights);
  // First pick: current (5,1,1) -> a wins, becomes -2; the rest: b (1) then c (1) by position.
  PickOrder first = balancer.pick(Balancer::allHealthy(3));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0], 0);
  EXPECT_EQ(first[1], 1);
  EXPECT_EQ(first[2], 2);
  // Then (3,2,2): a again, -4; rest b, c. Then (1,3,3): b; rest c (3) before a (1).
  balancer.pick(Balancer::allHealthy(3));
  PickOrder third = balancer.pick(Balancer::allHealthy(3));
  EXPECT_EQ(third[0], 1);
  EXPECT_EQ(third[1], 2);
  EXPECT_EQ(third[2], 0);
}

TEST(Balancer, SinglePeerAndZeroWeight) {
  std::vector<uint32_t> one = {7};
  Balancer single(one);
  EXPECT_EQ(picks(single, 3, 1), "aaa");
  std::vector<uint32_t> zero = {0, 1};  // 0 counts as 1
  Balancer balancer(zero);
  EXPECT_EQ(picks(balancer, 4, Balancer::allHealthy(2)), "abab");
}

TEST(Balancer, AtMost64Peers) {
  std::vector<uint32_t> weights(70, 1);
  Balancer balancer(weights);
  EXPECT_EQ(balancer.size(), Balancer::kMaxPeers);
  PickOrder order = balancer.pick(Balancer::allHealthy(70));
  EXPECT_EQ(order.size(), 64u);
  EXPECT_EQ(Balancer::allHealthy(64), ~uint64_t{0});
}

}  // namespace
}  // namespace llmproxy::worker
