// Spend counters shared by all workers of a node, for /metrics: micro-dollars spent and
// requests without a price, per (model, provider, key name). A fixed table of rows claimed
// with CAS on a hash of the labels and never removed; counters are added with fetch_add by
// whichever worker finished the request, so no slot ownership and no locks. Label sets beyond
// the capacity count under "__other__" (one reserved row).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace llmproxy::common {

struct alignas(64) SpendRow {
  std::atomic<uint64_t> id;      // hash of the labels; 0 = free
  std::atomic<uint32_t> ready;   // 1 once the labels below are written (release)
  uint32_t reserved;
  char model[64];                // NUL-padded, cut at a UTF-8 boundary
  char provider[64];
  char key[64];                  // the key's configured name, never key material
  std::atomic<uint64_t> spend_micros;
  std::atomic<uint64_t> unpriced;  // requests a provider answered with no price for the model
};

class SpendTable {
 public:
  static constexpr uint32_t kCapacity = 4096;
  static constexpr uint32_t kMaxProbe = 64;

  void init();

  // Adds one finished request: `micros` spent, or one unpriced request.
  void add(std::string_view model, std::string_view provider, std::string_view key,
           int64_t micros, bool unpriced);

  // Every published row, in table order (the renderer sorts).
  void forEach(const std::function<void(std::string_view model, std::string_view provider,
                                        std::string_view key, uint64_t spend_micros,
                                        uint64_t unpriced)>& visit) const;

 private:
  SpendRow* claim(std::string_view model, std::string_view provider, std::string_view key);

  SpendRow rows_[kCapacity];
};

}  // namespace llmproxy::common
