// Where cached answers live: the per-worker LRU (MemoryCache) when no [redis] is configured,
// Redis otherwise. Both are used only on the worker loop.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace llmproxy::worker {

class CacheStore {
 public:
  // Called exactly once with the stored bytes, or nullopt for a miss. A backend failure or
  // timeout is a miss, never an error.
  using GetDone = std::function<void(std::optional<std::string>)>;

  virtual ~CacheStore() = default;

  // `done` runs either before get() returns (memory) or later from the worker loop (Redis).
  // Callers must not capture a raw Exchange in `done` (see docs/architecture.md, ownership):
  // capture its id and look it up.
  virtual void get(const std::string& key, GetDone done) = 0;
  // Fire and forget: a store that fails is simply not there next time.
  virtual void put(const std::string& key, std::string value, std::chrono::milliseconds ttl) = 0;
};

}  // namespace llmproxy::worker
