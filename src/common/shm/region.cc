// Creation and layout of the shared-memory region.
#include "common/shm/region.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

namespace llmproxy::common {
namespace {

uint64_t alignUp(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

}  // namespace

Result<ShmRegion> ShmRegion::create(const ShmLayout& layout) {
  if (layout.max_workers == 0) return fail(ErrorKind::Internal, "shm: max_workers is 0");
  uint64_t sizes[static_cast<uint32_t>(ShmSection::kCount)];
  sizes[static_cast<uint32_t>(ShmSection::WorkerStatus)] =
      sizeof(WorkerStatus) * layout.max_workers;
  sizes[static_cast<uint32_t>(ShmSection::ReloadStatus)] = sizeof(ReloadStatus);
  sizes[static_cast<uint32_t>(ShmSection::ConfigSlot)] =
      ConfigSlot::bytesFor(layout.config_capacity);
  sizes[static_cast<uint32_t>(ShmSection::ProviderHealth)] = sizeof(ProviderHealth);
  sizes[static_cast<uint32_t>(ShmSection::RateLimits)] = sizeof(RateTable);
  sizes[static_cast<uint32_t>(ShmSection::Metrics)] = MetricsArea::bytesFor(layout.max_workers);
  sizes[static_cast<uint32_t>(ShmSection::DbStatus)] = sizeof(DbStatus);
  sizes[static_cast<uint32_t>(ShmSection::ProviderSlots)] =
      ProviderSlots::bytesFor(layout.max_workers);
  sizes[static_cast<uint32_t>(ShmSection::Spend)] = sizeof(SpendTable);
  sizes[static_cast<uint32_t>(ShmSection::Budgets)] = sizeof(BudgetTable);

  uint64_t offset = alignUp(sizeof(ShmHeader), 64);
  uint64_t offsets[static_cast<uint32_t>(ShmSection::kCount)];
  for (uint32_t i = 0; i < static_cast<uint32_t>(ShmSection::kCount); ++i) {
    offsets[i] = offset;
    offset = alignUp(offset + sizes[i], 64);
  }
  const uint64_t total = alignUp(offset, static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));

  void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return fail(ErrorKind::Internal, std::string("shm: mmap failed: ") + std::strerror(errno));

  // Anonymous mappings are zero-filled; placement-new gives the atomics their lifetime.
  auto* header = new (base) ShmHeader{};
  header->magic = ShmHeader::kMagic;
  header->layout_version = ShmHeader::kLayoutVersion;
  header->max_workers = layout.max_workers;
  header->total_size = total;
  for (uint32_t i = 0; i < static_cast<uint32_t>(ShmSection::kCount); ++i) {
    header->section_offset[i] = offsets[i];
    header->section_size[i] = sizes[i];
  }

  ShmRegion region;
  region.base_ = base;
  region.size_ = total;
  auto* workers = new (region.section<void>(ShmSection::WorkerStatus))
      WorkerStatus[layout.max_workers];
  for (uint32_t i = 0; i < layout.max_workers; ++i) workers[i].clear();
  new (region.section<void>(ShmSection::ReloadStatus)) ReloadStatus{};
  region.reloadStatus().init();
  new (region.section<void>(ShmSection::ConfigSlot)) ConfigSlot{};
  region.configSlot().init(layout.config_capacity);
  new (region.section<void>(ShmSection::ProviderHealth)) ProviderHealth{};
  region.providerHealth().init();
  new (region.section<void>(ShmSection::RateLimits)) RateTable{};
  region.rateTable().init();
  new (region.section<void>(ShmSection::Metrics)) MetricsArea{};
  region.metrics().init(layout.max_workers);
  new (region.section<void>(ShmSection::DbStatus)) DbStatus{};
  region.dbStatus().init();
  new (region.section<void>(ShmSection::ProviderSlots)) ProviderSlots{};
  region.providerSlots().init(layout.max_workers);
  new (region.section<void>(ShmSection::Spend)) SpendTable{};
  region.spend().init();
  new (region.section<void>(ShmSection::Budgets)) BudgetTable{};
  region.budgets().init();
  return region;
}

ShmRegion::ShmRegion(ShmRegion&& other) noexcept : base_(other.base_), size_(other.size_) {
  other.base_ = nullptr;
  other.size_ = 0;
}

ShmRegion& ShmRegion::operator=(ShmRegion&& other) noexcept {
  if (this != &other) {
    if (base_) munmap(base_, size_);
    base_ = other.base_;
    size_ = other.size_;
    other.base_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

ShmRegion::~ShmRegion() {
  if (base_) munmap(base_, size_);
}

}  // namespace llmproxy::common
