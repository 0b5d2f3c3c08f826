// Price lookup and cost arithmetic.
#include "worker/usage/price_table.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>

#include "common/config/model_pattern.h"
#include "worker/routing/model_matcher.h"

namespace llmproxy::worker {

using common::ModelPatternKind;
using common::PriceConfig;

int64_t costMicros(const PriceConfig& price, const Usage& usage) {
  __extension__ typedef unsigned __int128 Wide;
  const uint64_t cached = std::min(usage.cached_tokens, usage.prompt_tokens);
  const uint64_t written = std::min(usage.cache_write_tokens, usage.prompt_tokens - cached);
  const uint64_t uncached = usage.prompt_tokens - cached - written;
  auto rate = [&](int64_t value) {
    return static_cast<uint64_t>(value < 0 ? std::max<int64_t>(price.input, 0) : value);
  };
  // Micro-dollars per million tokens x tokens = pico-dollars.
  const Wide pico = Wide{uncached} * rate(price.input) + Wide{cached} * rate(price.cached_input) +
                    Wide{written} * rate(price.cache_write) +
                    Wide{usage.completion_tokens} * rate(price.output);
  const Wide micros = (pico + 500'000) / 1'000'000;
  constexpr Wide kMax = static_cast<Wide>(INT64_MAX);
  return static_cast<int64_t>(micros > kMax ? kMax : micros);
}

std::string formatUsd(int64_t micros) {
  const bool negative = micros < 0;
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(micros + 1)) + 1 : static_cast<uint64_t>(micros);
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%s%llu.%06llu", negative ? "-" : "",
                              static_cast<unsigned long long>(magnitude / 1'000'000),
                              static_cast<unsigned long long>(magnitude % 1'000'000));
  return std::string(buf, static_cast<size_t>(n));
}

PriceTable::PriceTable(std::span<const PriceConfig> prices,
                       std::span<const common::ProviderConfig> providers) {
  for (const PriceConfig& price : prices) {
    const ModelPatternKind kind = common::classifyModelPattern(price.model);
    if (kind == ModelPatternKind::Exact) {
      exact_[price.model].push_back(&price);
      continue;
    }
    Pattern p{&price, kind == ModelPatternKind::Regex,
              patternLiteralPrefix(price.model, kind).size(), nullptr};
    if (p.regex) {
      re2::RE2::Options options;
      options.set_log_errors(false);
      p.compiled = std::make_unique<re2::RE2>(price.model, options);
      if (!p.compiled->ok()) continue;  // refused at load; never matches here
    }
    patterns_.push_back(std::move(p));
  }
  for (auto& [model, list] : exact_) {
    std::stable_sort(list.begin(), list.end(), [](const PriceConfig* a, const PriceConfig* b) {
      return !a->provider.empty() && b->provider.empty();
    });
  }
  std::sort(patterns_.begin(), patterns_.end(), [](const Pattern& a, const Pattern& b) {
    const bool a_any = a.price->provider.empty();
    const bool b_any = b.price->provider.empty();
    if (a_any != b_any) return b_any;
    if (a.prefix != b.prefix) return a.prefix > b.prefix;
    if (a.price->model != b.price->model) return a.price->model < b.price->model;
    return a.price->provider < b.price->provider;
  });

  provider_ids_.reserve(providers.size());
  resolved_.resize(providers.size());
  for (size_t i = 0; i < providers.size(); ++i) {
    const common::ProviderConfig& provider = providers[i];
    provider_ids_.push_back(provider.id);
    auto resolve = [&](const std::string& name) {
      if (common::classifyModelPattern(name) != ModelPatternKind::Exact) return;
      resolved_[i].try_emplace(name, find(std::string_view(provider.id), name));
    };
    for (const std::string& model : provider.models) resolve(model);
    for (const common::ModelMapping& mapping : provider.model_mapping) resolve(mapping.target);
  }
}

PriceTable::~PriceTable() = default;

bool PriceTable::matches(const Pattern& p, std::string_view model) const {
  return p.regex ? re2::RE2::FullMatch(model, *p.compiled)
                 : common::globMatch(p.price->model, model);
}

const PriceConfig* PriceTable::find(uint32_t provider_index, std::string_view model) const {
  if (provider_index >= resolved_.size()) return nullptr;
  const auto& names = resolved_[provider_index];
  if (auto it = names.find(model); it != names.end()) return it->second;
  return find(std::string_view(provider_ids_[provider_index]), model);
}

const PriceConfig* PriceTable::find(std::string_view provider_id, std::string_view model) const {
  const std::vector<const PriceConfig*>* exact = nullptr;
  if (auto it = exact_.find(model); it != exact_.end()) exact = &it->second;
  if (exact)
    for (const PriceConfig* price : *exact)
      if (price->provider == provider_id) return price;
  for (const Pattern& p : patterns_)
    if (p.price->provider == provider_id && matches(p, model)) return p.price;
  if (exact)
    for (const PriceConfig* price : *exact)
      if (price->provider.empty()) return price;
  for (const Pattern& p : patterns_)
    if (p.price->provider.empty() && matches(p, model)) return p.price;
  return nullptr;
}

}  // namespace llmproxy::worker
