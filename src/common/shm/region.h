// The one shared-memory region: an anonymous MAP_SHARED mapping the master creates before it
// forks, so every worker sees it at the same address. It holds only fixed-size POD tables and
// atomics, laid out once at start. Later sections (metric slots, rate-limit buckets, provider
// health) are appended through the section table in the header; readers check layout_version.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/base/result.h"
#include "common/shm/budget_table.h"
#include "common/shm/config_slot.h"
#include "common/shm/db_status.h"
#include "common/shm/metrics.h"
#include "common/shm/provider_health.h"
#include "common/shm/provider_slots.h"
#include "common/shm/rate_table.h"
#include "common/shm/reload_status.h"
#include "common/shm/spend_table.h"
#include "common/shm/worker_status.h"

namespace llmproxy::common {

enum class ShmSection : uint32_t {
  WorkerStatus = 0,
  ReloadStatus,
  ConfigSlot,
  ProviderHealth,
  Metrics,
  RateLimits,
  DbStatus,
  ProviderSlots,
  Spend,
  Budgets,
  kCount
};

struct ShmHeader {
  static constexpr uint64_t kMagic = 0x6c6c6d70726f7879ULL;  // "llmproxy"
  static constexpr uint32_t kLayoutVersion = 7;
  static constexpr uint32_t kMaxSections = 16;  // room for the sections later issues add

  uint64_t magic;
  uint32_t layout_version;
  uint32_t max_workers;
  uint64_t total_size;
  std::atomic<int32_t> master_pid;
  uint32_t reserved;
  int64_t master_started_at_ms;
  uint64_t section_offset[kMaxSections];
  uint64_t section_size[kMaxSections];
};

struct ShmLayout {
  uint32_t max_workers = 256;            // worker slots (respawned workers reuse theirs)
  uint64_t config_capacity = 8u << 20;   // bytes per config half; pages are touched only when used
};

// Owns the mapping in the master; workers get a copy of the pointer across fork and never unmap.
class ShmRegion {
 public:
  static Result<ShmRegion> create(const ShmLayout& layout);
  ShmRegion() = default;
  ShmRegion(ShmRegion&& other) noexcept;
  ShmRegion& operator=(ShmRegion&& other) noexcept;
  ShmRegion(const ShmRegion&) = delete;
  ShmRegion& operator=(const ShmRegion&) = delete;
  ~ShmRegion();

  ShmHeader& header() const { return *static_cast<ShmHeader*>(base_); }
  ConfigSlot& configSlot() const { return *section<ConfigSlot>(ShmSection::ConfigSlot); }
  ReloadStatus& reloadStatus() const { return *section<ReloadStatus>(ShmSection::ReloadStatus); }
  WorkerStatus& worker(uint32_t slot) const {
    return section<WorkerStatus>(ShmSection::WorkerStatus)[slot];
  }
  ProviderHealth& providerHealth() const {
    return *section<ProviderHealth>(ShmSection::ProviderHealth);
  }
  MetricsArea& metrics() const { return *section<MetricsArea>(ShmSection::Metrics); }
  RateTable& rateTable() const { return *section<RateTable>(ShmSection::RateLimits); }
  DbStatus& dbStatus() const { return *section<DbStatus>(ShmSection::DbStatus); }
  ProviderSlots& providerSlots() const {
    return *section<ProviderSlots>(ShmSection::ProviderSlots);
  }
  SpendTable& spend() const { return *section<SpendTable>(ShmSection::Spend); }
  BudgetTable& budgets() const { return *section<BudgetTable>(ShmSection::Budgets); }
  uint32_t maxWorkers() const { return header().max_workers; }
  size_t size() const { return size_; }
  // Forget the mapping without unmapping it (a worker after fork keeps using it until exit).
  void release() { base_ = nullptr; size_ = 0; }

 private:
  template <typename T>
  T* section(ShmSection s) const {
    return reinterpret_cast<T*>(static_cast<char*>(base_) +
                                header().section_offset[static_cast<uint32_t>(s)]);
  }
  void* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace llmproxy::common
