// Smooth weighted round-robin.
#include "worker/upstream/balancer.h"

#include <algorithm>

namespace llmproxy::worker {

Balancer::Balancer(std::span<const uint32_t> weights) {
  const size_t n = std::min(weights.size(), kMaxPeers);
  peers_.reserve(n);
  for (size_t i = 0; i < n; ++i) peers_.push_back(Peer{std::max<int64_t>(weights[i], 1), 0});
}

PickOrder Balancer::pick(uint64_t healthy_mask) {
  PickOrder order;
  int64_t total = 0;
  Peer* best = nullptr;
  size_t best_index = 0;
  for (size_t i = 0; i < peers_.size(); ++i) {
    if ((healthy_mask >> i & 1) == 0) continue;
    Peer& peer = peers_[i];
    peer.current += peer.weight;
    total += peer.weight;
    if (best == nullptr || peer.current > best->current) {
      best = &peer;
      best_index = i;
    }
  }
  if (best == nullptr) return order;
  best->current -= total;

  order.peers_[order.count_++] = static_cast<uint8_t>(best_index);
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (i != best_index && (healthy_mask >> i & 1) != 0) {
      order.peers_[order.count_++] = static_cast<uint8_t>(i);
    }
  }
  // NOTE: stable sort keeps position order between equal current weights.
  std::stable_sort(order.peers_.begin() + 1, order.peers_.begin() + order.count_,
                   [&](uint8_t a, uint8_t b) { return peers_[a].current > peers_[b].current; });
  return order;
}

}  // namespace llmproxy::worker
