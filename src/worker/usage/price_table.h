// What a request cost: the price table of one config snapshot (which [[price]] applies to a
// model as asked of a provider) and the arithmetic from exact token usage to integer
// micro-dollars. Built once per config generation; read-only afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>
#include <vector>

#include "common/config/config.h"
#include "worker/sse/usage_extractor.h"

namespace re2 {
class RE2;
}

namespace llmproxy::worker {

// The cost of `usage` at `price`, in micro-dollars, rounded to the nearest one (half up).
// Uncached input = prompt - cached - cache_write (never below 0); cached tokens at the cached
// price and cache writes at the cache-write price (each the input price when not set); output
// at the output price. Computed in pico-dollars (tokens x micro-dollars per million) with
// 128-bit integers, so nothing is lost before the one rounding.
int64_t costMicros(const common::PriceConfig& price, const Usage& usage);

// "0.001234": micro-dollars as a decimal USD string with six places (negative allowed).
std::string formatUsd(int64_t micros);

// Which price applies, most specific first:
//   1. prices naming the provider, then 2. prices for any provider; inside each,
//   an exact model name first, then patterns by literal-prefix length (longest first,
//   model_matcher.h's patternLiteralPrefix), ties by the bytewise-smaller pattern.
// Independent of the order prices are written in, so the file and the database agree.
class PriceTable {
 public:
  // `providers` (the snapshot's, by index) lets the lookups of every name a provider serves
  // exactly (its exact `models` and every mapping target) be resolved here, at load.
  PriceTable(std::span<const common::PriceConfig> prices,
             std::span<const common::ProviderConfig> providers);
  ~PriceTable();
  PriceTable(const PriceTable&) = delete;
  PriceTable& operator=(const PriceTable&) = delete;

  // The price of `model` as sent to the provider at `provider_index`; null = unpriced. One
  // hash lookup for a name resolved at load, else the rule above.
  const common::PriceConfig* find(uint32_t provider_index, std::string_view model) const;
  // The rule above, by provider id.
  const common::PriceConfig* find(std::string_view provider_id, std::string_view model) const;
  bool empty() const { return exact_.empty() && patterns_.empty(); }

 private:
  struct Pattern {
    const common::PriceConfig* price;
    bool regex;
    size_t prefix;
    std::unique_ptr<re2::RE2> compiled;  // regex only
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using NameMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
  bool matches(const Pattern& p, std::string_view model) const;

  std::vector<std::string> provider_ids_;  // by index
  // Exact model names -> prices for them (provider-specific ones first).
  NameMap<std::vector<const common::PriceConfig*>> exact_;
  std::vector<Pattern> patterns_;  // in priority order (provider-specific first)
  // Per provider index: every name it serves exactly -> its price (null = unpriced).
  std::vector<NameMap<const common::PriceConfig*>> resolved_;
};

}  // namespace llmproxy::worker
