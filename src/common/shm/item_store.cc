// The shared store of streamed Responses items: slots, their writer flag and seqlock reads.
#include "common/shm/item_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstring>

namespace llmproxy::common {
namespace {

// A writer flag this old belongs to a worker that died while writing (a write takes
// microseconds): the next writer takes the slot over.
constexpr int64_t kStaleWriterMs = 60'000;

// Reads are on a request's path: a slot that is being rewritten the whole time is a miss
// rather than a wait.
constexpr uint32_t kReadAttempts = 256;

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

size_t ItemStore::slotBytes() { return sizeof(Slot); }

Result<ItemStore> ItemStore::create(uint64_t bytes) {
  ItemStore store;
  if (bytes == 0) return store;
  const size_t count = std::max<uint64_t>(1, bytes / sizeof(Slot));
  const size_t size = count * sizeof(Slot);
  // MAP_NORESERVE: pages are touched (and count) only as slots are written.
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return fail(ErrorKind::Internal,
                std::string("responses item store: mmap failed: ") + std::strerror(errno));
  // Zero-filled by the kernel, and zero is every slot's start (free, count even, empty): no
  // constructor runs, so a page is touched only when a slot on it is first written or read.
  store.base_ = base;
  store.size_ = size;
  store.slot_count_ = count;
  return store;
}

ItemStore::ItemStore(ItemStore&& other) noexcept
    : base_(other.base_), size_(other.size_), slot_count_(other.slot_count_) {
  other.base_ = nullptr;
  other.size_ = 0;
  other.slot_count_ = 0;
}

ItemStore& ItemStore::operator=(ItemStore&& other) noexcept {
  if (this != &other) {
    if (base_) munmap(base_, size_);
    base_ = other.base_;
    size_ = other.size_;
    slot_count_ = other.slot_count_;
    other.base_ = nullptr;
    other.size_ = 0;
    other.slot_count_ = 0;
  }
  return *this;
}

ItemStore::~ItemStore() {
  if (base_) munmap(base_, size_);
}

ItemStore::Slot& ItemStore::candidate(std::string_view id, int which) const {
  const size_t first = fnv1a(id) % slot_count_;
  return static_cast<Slot*>(base_)[(first + static_cast<size_t>(which)) % slot_count_];
}

bool ItemStore::copyIf(const Slot& slot, std::string_view id, int64_t now_ms,
                       std::string* out) const {
  bool found = false;
  int64_t stored_at = 0;
  const bool stable = slot.lock.read(
      [&] {
        // The copy may be torn (the count check discards it): sizes are clamped before use.
        found = false;
        stored_at = slot.stored_at_ms;
        const size_t id_size = std::min<size_t>(slot.id_size, kItemStoreMaxId);
        if (id_size != id.size() || std::memcmp(slot.id, id.data(), id_size) != 0) return;
        if (out) out->assign(slot.item, std::min<size_t>(slot.item_size, kItemStoreMaxItem));
        found = true;
      },
      kReadAttempts);
  return stable && found && now_ms - stored_at <= kItemStoreTtlMs;
}

// The slot an item goes to: the candidate that already holds its id, else the one whose entry
// is worth least (empty or expired first, then the older), never one being written if the
// other is not.
ItemStore::Slot& ItemStore::target(std::string_view id, int64_t now_ms) const {
  Slot* best = nullptr;
  int64_t best_rank = 0;
  for (int which = 0; which < 2; ++which) {
    Slot& slot = candidate(id, which);
    if (copyIf(slot, id, now_ms, nullptr)) return slot;
    int64_t at = 0;
    const bool stable = slot.lock.readOnce([&] { at = slot.stored_at_ms; });
    const int64_t rank = !stable                                        ? INT64_MAX  // being written
                         : (at == 0 || now_ms - at > kItemStoreTtlMs) ? INT64_MIN
                                                                      : at;
    if (best == nullptr || rank < best_rank) {
      best = &slot;
      best_rank = rank;
    }
  }
  return *best;
}

bool ItemStore::put(std::string_view id, std::string_view item, int64_t now_ms) {
  if (!enabled() || id.empty() || id.size() > kItemStoreMaxId || item.size() > kItemStoreMaxItem)
    return false;
  Slot& slot = target(id, now_ms);
  const int64_t mark = std::max<int64_t>(now_ms, 1);
  int64_t held = 0;
  if (!slot.writer.compare_exchange_strong(held, mark, std::memory_order_acquire)) {
    if (mark - held < kStaleWriterMs) return false;  // another worker is writing it
    if (!slot.writer.compare_exchange_strong(held, mark, std::memory_order_acquire)) return false;
  }
  // A writer that died inside write() left the count odd; make it even so write() leaves it
  // odd while this one writes and even after.
  std::atomic<uint64_t>& sequence = slot.lock.sequence();
  if (const uint64_t s = sequence.load(std::memory_order_relaxed); s & 1)
    sequence.store(s + 1, std::memory_order_relaxed);
  slot.lock.write([&] {
    slot.stored_at_ms = now_ms;
    slot.id_size = static_cast<uint32_t>(id.size());
    slot.item_size = static_cast<uint32_t>(item.size());
    std::memcpy(slot.id, id.data(), id.size());
    std::memcpy(slot.item, item.data(), item.size());
  });
  slot.writer.store(0, std::memory_order_release);
  return true;
}

void ItemStore::simulateDeadWriter(std::string_view id, int64_t now_ms) {
  for (int which = 0; which < 2; ++which) {
    Slot& slot = candidate(id, which);
    if (slot.writer.exchange(now_ms) == 0) slot.lock.sequence().fetch_add(1);
  }
}

bool ItemStore::get(std::string_view id, int64_t now_ms, std::string& out) const {
  out.clear();
  if (!enabled() || id.empty() || id.size() > kItemStoreMaxId) return false;
  for (int which = 0; which < 2; ++which) {
    if (copyIf(candidate(id, which), id, now_ms, &out)) return true;
  }
  out.clear();
  return false;
}

}  // namespace llmproxy::common
