// Budget words: claim, reserve, settle.
#include "common/shm/budget_table.h"

#include <algorithm>

namespace llmproxy::common {
namespace {

constexpr int kTagShift = 48;

uint16_t tagOfWord(uint64_t word) { return static_cast<uint16_t>(word >> kTagShift); }
uint64_t microsOf(uint64_t word) { return word & BudgetTable::kMaxMicros; }
uint64_t pack(uint16_t tag, uint64_t micros) {
  return (uint64_t{tag} << kTagShift) | std::min(micros, BudgetTable::kMaxMicros);
}
// The word's amount in period `tag` (another period's amount is 0 here).
uint64_t amountIn(uint64_t word, uint16_t tag) {
  return tagOfWord(word) == tag ? microsOf(word) : 0;
}

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

// Applies `change(word) -> word` atomically.
template <typename F>
void update(std::atomic<uint64_t>& a, F change) {
  uint64_t old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, change(old), std::memory_order_acq_rel,
                                  std::memory_order_relaxed)) {
  }
}

}  // namespace

BudgetEntry* BudgetTable::entry(uint64_t id) {
  if (id == 0) id = 1;
  const uint32_t home = static_cast<uint32_t>(mix(id) % kCapacity);
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    BudgetEntry& e = entries_[(home + i) % kCapacity];
    uint64_t seen = e.id.load(std::memory_order_acquire);
    if (seen == id) return &e;
    if (seen != 0) continue;
    if (e.id.compare_exchange_strong(seen, id, std::memory_order_acq_rel)) return &e;
    if (seen == id) return &e;
  }
  return nullptr;
}

BudgetAdmission BudgetTable::reserve(BudgetEntry* e, uint16_t tag, uint64_t max_micros,
                                     uint64_t estimate) {
  BudgetAdmission out;
  uint64_t old = e->committed.load(std::memory_order_relaxed);
  while (true) {
    const uint64_t now = amountIn(old, tag);
    if (now >= max_micros) {
      out.allowed = false;
      out.committed = now;
      return out;
    }
    const uint64_t next = pack(tag, now + estimate);
    if (e->committed.compare_exchange_weak(old, next, std::memory_order_acq_rel,
                                           std::memory_order_relaxed)) {
      out.committed = microsOf(next);
      return out;
    }
  }
}

void BudgetTable::settle(BudgetEntry* e, uint16_t reserved_tag, uint16_t tag, uint64_t estimate,
                         uint64_t actual) {
  update(e->committed, [&](uint64_t word) {
    if (reserved_tag != 0 && tagOfWord(word) == reserved_tag && reserved_tag == tag) {
      const uint64_t held = microsOf(word);
      return pack(tag, (held > estimate ? held - estimate : 0) + actual);
    }
    // Not reserved, or reserved in a period that has ended (or was reset): only the cost.
    return pack(tag, amountIn(word, tag) + actual);
  });
  if (actual > 0)
    update(e->spent, [&](uint64_t word) { return pack(tag, amountIn(word, tag) + actual); });
}

void BudgetTable::add(BudgetEntry* e, uint16_t tag, uint64_t micros) {
  if (micros == 0) return;
  update(e->committed, [&](uint64_t word) { return pack(tag, amountIn(word, tag) + micros); });
  update(e->spent, [&](uint64_t word) { return pack(tag, amountIn(word, tag) + micros); });
}

void BudgetTable::reset(BudgetEntry* e) {
  e->committed.store(0, std::memory_order_release);
  e->spent.store(0, std::memory_order_release);
}

uint64_t BudgetTable::committed(const BudgetEntry* e, uint16_t tag) {
  return amountIn(e->committed.load(std::memory_order_acquire), tag);
}

uint64_t BudgetTable::spent(const BudgetEntry* e, uint16_t tag) {
  return amountIn(e->spent.load(std::memory_order_acquire), tag);
}

}  // namespace llmproxy::common
