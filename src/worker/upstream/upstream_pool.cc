// Idle keep-alive connections per origin: LIFO reuse, cap per origin, idle sweep, dead reaping.
#include "worker/upstream/upstream_pool.h"

#include <algorithm>

namespace llmproxy::worker {

UpstreamPool::UpstreamPool(uv_loop_t* loop, const UpstreamLimits& limits)
    : loop_(loop),
      limits_(limits),
      sweep_timer_(loop, this, onSweep),
      reap_timer_(loop, this, onReap) {}

UpstreamPool::~UpstreamPool() { closeIdle(); }

std::unique_ptr<UpstreamConn> UpstreamPool::take(const OriginKey& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  while (!list.empty()) {
    std::unique_ptr<UpstreamConn> conn = std::move(list.front());
    list.pop_front();
    if (!conn->dead()) {
      if (list.empty()) idle_.erase(it);
      return conn;
    }
  }
  idle_.erase(it);
  return nullptr;
}

void UpstreamPool::put(std::unique_ptr<UpstreamConn> conn) {
  if (limits_.max_idle_per_origin == 0) return;  // pooling off: the connection closes here
  conn->startIdle();
  auto& list = idle_[conn->origin()];
  list.push_front(std::move(conn));
  while (list.size() > limits_.max_idle_per_origin) list.pop_back();
  if (!sweep_timer_.active()) {
    // A few sweeps per idle_timeout bound how long past it a connection may linger.
    uint64_t period =
        static_cast<uint64_t>(std::clamp<int64_t>(limits_.idle_timeout.count() / 4, 10, 1000));
    sweep_timer_.start(period, period);
  }
}

void UpstreamPool::onConnDead() {
  // NOTE: the connection is inside its own read callback: remove it on the next loop turn.
  if (!reap_timer_.active()) reap_timer_.start(0);
}

void UpstreamPool::onSweep(void* self) { static_cast<UpstreamPool*>(self)->reap(true); }

void UpstreamPool::onReap(void* self) { static_cast<UpstreamPool*>(self)->reap(false); }

void UpstreamPool::reap(bool expire) {
  uint64_t now = uv_now(loop_);
  auto limit = static_cast<uint64_t>(limits_.idle_timeout.count());
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    std::erase_if(list, [&](const std::unique_ptr<UpstreamConn>& c) {
      return c->dead() || (expire && now - c->idleSinceMs() >= limit);
    });
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
  if (idle_.empty()) sweep_timer_.stop();
}

void UpstreamPool::closeIdle() {
  idle_.clear();
  sweep_timer_.stop();
}

size_t UpstreamPool::idleCount() const {
  size_t n = 0;
  for (const auto& [origin, list] : idle_) {
    n += static_cast<size_t>(
        std::count_if(list.begin(), list.end(),
                      [](const std::unique_ptr<UpstreamConn>& c) { return !c->dead(); }));
  }
  return n;
}

}  // namespace llmproxy::worker
