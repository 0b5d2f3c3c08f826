// The spend counters' claim and add.
#include "common/shm/spend_table.h"

#include <cstring>
#include <string>

namespace llmproxy::common {
namespace {

constexpr std::string_view kOther = "__other__";
constexpr uint32_t kOverflowRow = SpendTable::kCapacity - 1;

// FNV-1a over the three labels with separators, mixed; never 0.
uint64_t labelHash(std::string_view model, std::string_view provider, std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff;
    h *= 0x100000001b3ULL;
  };
  mix(model);
  mix(provider);
  mix(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}

template <size_t N>
void putLabel(char (&dst)[N], std::string_view v) {
  size_t n = v.size() < N ? v.size() : N;
  if (n < v.size())
    while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  std::memset(dst, 0, N);
  if (n > 0) std::memcpy(dst, v.data(), n);
}

template <size_t N>
std::string_view getLabel(const char (&src)[N]) {
  return std::string_view(src, strnlen(src, N));
}

}  // namespace

void SpendTable::init() {
  // The region is zero-filled: every other row is free already.
  SpendRow& other = rows_[kOverflowRow];
  putLabel(other.model, kOther);
  putLabel(other.provider, kOther);
  putLabel(other.key, kOther);
  other.id.store(1, std::memory_order_relaxed);  // never matches a probe start (not in window)
  other.ready.store(1, std::memory_order_release);
}

SpendRow* SpendTable::claim(std::string_view model, std::string_view provider,
                            std::string_view key) {
  const uint64_t id = labelHash(model, provider, key);
  const uint32_t home = static_cast<uint32_t>(id % kOverflowRow);
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    SpendRow& row = rows_[(home + i) % kOverflowRow];
    uint64_t seen = row.id.load(std::memory_order_acquire);
    if (seen == id) return &row;
    if (seen != 0) continue;
    if (row.id.compare_exchange_strong(seen, id, std::memory_order_acq_rel)) {
      putLabel(row.model, model);
      putLabel(row.provider, provider);
      putLabel(row.key, key);
      row.ready.store(1, std::memory_order_release);
      return &row;
    }
    if (seen == id) return &row;  // another worker claimed it for the same labels
  }
  return &rows_[kOverflowRow];
}

void SpendTable::add(std::string_view model, std::string_view provider, std::string_view key,
                     int64_t micros, bool unpriced) {
  SpendRow* row = claim(model, provider, key);
  if (micros > 0)
    row->spend_micros.fetch_add(static_cast<uint64_t>(micros), std::memory_order_relaxed);
  if (unpriced) row->unpriced.fetch_add(1, std::memory_order_relaxed);
}

void SpendTable::forEach(const std::function<void(std::string_view, std::string_view,
                                                  std::string_view, uint64_t, uint64_t)>& visit)
    const {
  for (const SpendRow& row : rows_) {
    if (row.ready.load(std::memory_order_acquire) != 1) continue;
    visit(getLabel(row.model), getLabel(row.provider), getLabel(row.key),
          row.spend_micros.load(std::memory_order_relaxed),
          row.unpriced.load(std::memory_order_relaxed));
  }
}

}  // namespace llmproxy::common
