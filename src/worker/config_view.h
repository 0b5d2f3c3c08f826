// The worker's view of the published configuration: one relaxed atomic load per request to
// notice a new generation, then a seqlock copy + decode + pointer swap. In-flight exchanges
// keep the shared_ptr they pinned at their start. Worker-loop-only.
#pragma once

#include <memory>

#include "common/base/result.h"
#include "common/config/config.h"
#include "common/shm/config_slot.h"
#include "common/shm/provider_slots.h"
#include "worker/runtime_config.h"

namespace llmproxy::worker {

class ConfigView {
 public:
  // `slots` (may be null in tests) binds each provider to its max_concurrent counter.
  ConfigView(const common::ConfigSlot& slot, common::ProviderHealth& health,
             common::ProviderSlots* slots = nullptr)
      : slot_(slot), health_(health), slots_(slots) {}

  // Loads the current snapshot; fails when it cannot be decoded.
  common::Result<void> load();
  // True when a newer generation was published and swapped in by this call.
  bool refresh();

  const std::shared_ptr<const RuntimeConfig>& current() const { return current_; }
  uint64_t generation() const { return generation_; }

 private:
  const common::ConfigSlot& slot_;
  common::ProviderHealth& health_;
  common::ProviderSlots* slots_;
  std::shared_ptr<const RuntimeConfig> current_;
  uint64_t generation_ = 0;
  uint64_t failed_generation_ = 0;  // a blob that did not decode; not retried every request

  // Binds max_concurrent counters and reads the admin UI files for a new generation.
  void bindToWorker(RuntimeConfig& runtime) const;
};

}  // namespace llmproxy::worker
