// What each key has spent in its current budget period, shared by all workers of a node and
// exact with no locks: a fixed open-addressing table keyed by the key's id (its SHA-256's
// first 8 bytes), entries claimed with CAS and never removed.
//
// Each amount is ONE 64-bit word: bits 63..48 the period's tag (its window index mod 65535,
// plus 1; 0 = never used), bits 47..0 micro-dollars (up to USD 281 million). A word whose tag
// is not the current period's reads as 0, so a period ends everywhere at once without anyone
// clearing anything, and a reservation is one CAS loop:
//   committed = settled spend + reservations of requests in flight
//   spent     = settled spend
// A request is admitted while committed < max_budget, and then reserves its estimate; when it
// finishes, committed moves by (actual - estimate) and spent by actual. So N concurrent
// requests can never pass a budget by more than the last admitted one's reservation.
#pragma once

#include <atomic>
#include <cstdint>

namespace llmproxy::common {

struct BudgetEntry {
  std::atomic<uint64_t> id;         // 0 = free
  std::atomic<uint64_t> committed;  // tag | micro-dollars
  std::atomic<uint64_t> spent;      // tag | micro-dollars
  uint64_t reserved;
};
static_assert(sizeof(BudgetEntry) == 32);

struct BudgetAdmission {
  bool allowed = true;
  uint64_t committed = 0;  // after this request's reservation (when allowed)
};

class BudgetTable {
 public:
  static constexpr uint32_t kCapacity = 1u << 15;  // 1 MiB
  static constexpr uint32_t kMaxProbe = 64;
  static constexpr uint64_t kMaxMicros = (uint64_t{1} << 48) - 1;

  void init() {}

  static uint16_t tagOf(int64_t window_index) {
    const int64_t m = window_index % 65535;
    return static_cast<uint16_t>((m < 0 ? m + 65535 : m) + 1);
  }

  // The entry of `id`, claimed if needed; nullptr when the probe window is full (the key is
  // then not limited on this node, and that is logged by the caller).
  BudgetEntry* entry(uint64_t id);

  // Admits when committed < max_micros, then adds `estimate` to committed.
  static BudgetAdmission reserve(BudgetEntry* e, uint16_t tag, uint64_t max_micros,
                                 uint64_t estimate);
  // The end of a request reserved in period `reserved_tag` (0: nothing was reserved), now in
  // period `tag`: committed gives back the estimate and takes the actual cost, spent takes the
  // actual cost. A request that straddles a period change counts in the new one.
  static void settle(BudgetEntry* e, uint16_t reserved_tag, uint16_t tag, uint64_t estimate,
                     uint64_t actual);
  // Adds `micros` spent elsewhere (the database's total when the node starts).
  static void add(BudgetEntry* e, uint16_t tag, uint64_t micros);
  // Back to 0 for the current period (reservations in flight are forgotten; their actual
  // costs still count when they finish).
  static void reset(BudgetEntry* e);

  static uint64_t committed(const BudgetEntry* e, uint16_t tag);
  static uint64_t spent(const BudgetEntry* e, uint16_t tag);

  // The database's spend is loaded into this node's table once, by the first worker that
  // claims it; until that load ends (loaded or given up) no worker writes spend to the
  // database, so nothing is counted twice.
  // A worker that dies while loading does not hold the others up for more than kSeedMaxMs.
  enum SeedState : uint32_t { kNotSeeded = 0, kSeeding = 1, kSeeded = 2 };
  static constexpr int64_t kSeedMaxMs = 30'000;
  bool claimSeed(int64_t now_ms) {
    uint32_t expected = kNotSeeded;
    if (!seed_.compare_exchange_strong(expected, kSeeding, std::memory_order_acq_rel))
      return false;
    seed_started_ms_.store(now_ms, std::memory_order_release);
    return true;
  }
  void seedDone() { seed_.store(kSeeded, std::memory_order_release); }
  // The worker that claimed the load is stopping before it ended: the claim goes back, so the
  // others write their spend at once instead of waiting kSeedMaxMs (and a worker started
  // after this, by a reload, claims the load again).
  void seedAbandoned() { seed_.store(kNotSeeded, std::memory_order_release); }
  bool seeding(int64_t now_ms) const {
    return seed_.load(std::memory_order_acquire) == kSeeding &&
           now_ms - seed_started_ms_.load(std::memory_order_acquire) < kSeedMaxMs;
  }

 private:
  std::atomic<uint32_t> seed_;
  uint32_t reserved_;
  std::atomic<int64_t> seed_started_ms_;
  uint64_t padding_[6];
  BudgetEntry entries_[kCapacity];
};

}  // namespace llmproxy::common
