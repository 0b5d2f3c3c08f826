// The one wake-up mechanism of the pipeline: live exchanges by id, and the check a completion
// passes before it may touch one. Every asynchronous part of an exchange — the provider gate's
// queue, Redis replies, cache lookups, the admin API's PostgreSQL statements and timers —
// captures a common::WakeToken {id, generation} instead of a pointer; on completion the token
// is looked up here, and a token whose exchange is gone or has moved past the wait (another
// generation) finds nothing: the completion is dropped silently.
//
// A template over the registered type (it needs `id` and `generation` members) so the rule is
// unit-tested without an exchange. Worker-loop-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/base/wake_token.h"

namespace llmproxy::worker {

template <typename T>
class WakeRegistry {
 public:
  // A removed entry's node is kept for the next add: no allocation per exchange.
  void add(T& item) {
    if (spare_.empty()) {
      live_.emplace(item.id, &item);
      return;
    }
    auto node = std::move(spare_.back());
    spare_.pop_back();
    node.key() = item.id;
    node.mapped() = &item;
    live_.insert(std::move(node));
  }
  void remove(const T& item) {
    auto node = live_.extract(item.id);
    if (!node.empty() && spare_.size() < kSpareNodes) spare_.push_back(std::move(node));
  }

  // The item `token` names, when it is alive and still in the wait that issued the token.
  T* find(common::WakeToken token) const {
    auto it = live_.find(token.exchange);
    if (it == live_.end() || it->second->generation != token.generation) return nullptr;
    return it->second;
  }
  size_t size() const { return live_.size(); }

  static common::WakeToken tokenOf(const T& item) { return {item.id, item.generation}; }

 private:
  static constexpr size_t kSpareNodes = 64;
  using Map = std::unordered_map<uint64_t, T*>;
  Map live_;
  std::vector<typename Map::node_type> spare_;
};

}  // namespace llmproxy::worker
