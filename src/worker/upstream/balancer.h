// Smooth weighted round-robin (nginx's ngx_http_upstream_get_peer) over the providers of one
// tier, returning the whole failover order for one request.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace llmproxy::worker {

// The order in which to try a tier's peers for one request: first the balancer's pick, then
// the other healthy peers. Indices are positions in the tier (not provider ids). Fixed size,
// no allocation.
class PickOrder {
 public:
  std::span<const uint8_t> peers() const { return {peers_.data(), count_}; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  uint8_t operator[](size_t i) const { return peers_[i]; }

 private:
  friend class Balancer;
  std::array<uint8_t, 64> peers_{};
  uint8_t count_ = 0;
};

// Balancing state of one tier inside one worker: per-worker, so each worker balances on its
// own (as nginx without a shared zone); over N requests each worker's split follows the
// weights. Owned by whoever keeps the worker's per-tier state (e.g. a map keyed by Tier::key,
// rebuilt when the config changes); worker-loop-only, not thread-safe.
//
// The algorithm, per pick, over the healthy peers only: every peer's current weight grows by
// its weight; the largest current weight wins (the first one on a tie) and loses the sum of
// the healthy weights. Weights 5,1,1 give a a b a c a a, then repeat: the heavy peer is
// spread out instead of picked five times in a row. Unhealthy peers neither gain nor lose.
class Balancer {
 public:
  static constexpr size_t kMaxPeers = 64;  // peers past this are never picked

  // One weight per peer; 0 counts as 1 (config validation rejects it anyway).
  explicit Balancer(std::span<const uint32_t> weights);

  // Picks for one request. Bit i of `healthy_mask` set = peer i may be tried. Returns the
  // pick followed by the remaining healthy peers by descending current weight (the order the
  // next picks would favour; ties by position), so failover needs no second call. Empty
  // when no peer is healthy; the caller decides whether to probe anyway (e.g. with all bits).
  // Only the first peer counts as picked: the state changes once per call.
  PickOrder pick(uint64_t healthy_mask);

  size_t size() const { return peers_.size(); }
  static uint64_t allHealthy(size_t count) {
    return count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
  }

 private:
  struct Peer {
    int64_t weight;
    int64_t current;
  };
  std::vector<Peer> peers_;
};

}  // namespace llmproxy::worker
