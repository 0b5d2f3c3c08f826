// Cost arithmetic (integer micro-dollars, each token kind at its price) and which [[price]]
// applies to a model as asked of a provider.
#include "worker/usage/price_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace llmproxy::worker {
namespace {

using common::PriceConfig;
using common::ProviderConfig;

PriceConfig price(std::string model, int64_t input, int64_t output, std::string provider = "",
                  int64_t cached = -1, int64_t write = -1) {
  PriceConfig p;
  p.model = std::move(model);
  p.provider = std::move(provider);
  p.input = input;
  p.output = output;
  p.cached_input = cached;
  p.cache_write = write;
  return p;
}

Usage usage(uint64_t prompt, uint64_t completion, uint64_t cached = 0, uint64_t written = 0) {
  return Usage{prompt, completion, prompt + completion, cached, written};
}

TEST(Cost, InputAndOutputPerMillionTokens) {
  // gpt-4o at $2.50 / $10.00 per Mtok: 1,000 in and 500 out = 0.0025 + 0.005.
  const PriceConfig p = price("gpt-4o", 2'500'000, 10'000'000);
  EXPECT_EQ(costMicros(p, usage(1000, 500)), 7'500);
  EXPECT_EQ(costMicros(p, usage(1'000'000, 0)), 2'500'000);
  EXPECT_EQ(costMicros(p, usage(0, 0)), 0);
}

TEST(Cost, CachedTokensAtTheCachedPriceAndWritesAtTheWritePrice) {
  // Anthropic-like: input 3.00, cached read 0.30, cache write 3.75, output 15.00.
  const PriceConfig p = price("claude", 3'000'000, 15'000'000, "", 300'000, 3'750'000);
  // 10,000 prompt tokens: 6,000 read from the cache, 1,000 written, 3,000 plain.
  // 3,000 x 3 + 6,000 x 0.3 + 1,000 x 3.75 + 2,000 x 15 = 9,000 + 1,800 + 3,750 + 30,000 µ$.
  EXPECT_EQ(costMicros(p, usage(10'000, 2'000, 6'000, 1'000)), 44'550);
  // Not set: cached input and cache writes cost the input price.
  const PriceConfig flat = price("m", 1'000'000, 0);
  EXPECT_EQ(costMicros(flat, usage(1'000, 0, 400, 100)), 1'000);
  // Counts that exceed the prompt are clamped to it, never negative.
  EXPECT_EQ(costMicros(p, usage(100, 0, 500, 0)), 30);
}

TEST(Cost, RoundsOnceToTheNearestMicroDollarAndAddsUpExactly) {
  // $0.15 per Mtok: 7 tokens are 1.05 µ$ -> 1; 10 tokens are 1.5 µ$ -> 2 (half up).
  const PriceConfig p = price("mini", 150'000, 600'000);
  EXPECT_EQ(costMicros(p, usage(7, 0)), 1);
  EXPECT_EQ(costMicros(p, usage(10, 0)), 2);
  // Pico-dollars are summed before rounding: 3 + 1 tokens at 0.15 and 0.6 = 0.45 + 0.6 µ$.
  EXPECT_EQ(costMicros(p, usage(3, 1)), 1);
  // Huge counts do not overflow: the most a price may be ($1M per Mtok) times the most tokens
  // stays inside 128 bits, and a cost past INT64_MAX micro-dollars is clamped to it.
  const PriceConfig dearest = price("dear", 1'000'000'000'000, 1'000'000'000'000);
  EXPECT_EQ(costMicros(dearest, usage(UINT64_MAX, UINT64_MAX)), INT64_MAX);
  EXPECT_EQ(costMicros(p, usage(UINT64_MAX / 2, 0)), 1'383'505'805'528'216'371);
}

TEST(Cost, FormatUsd) {
  EXPECT_EQ(formatUsd(0), "0.000000");
  EXPECT_EQ(formatUsd(7'500), "0.007500");
  EXPECT_EQ(formatUsd(12'345'678), "12.345678");
  EXPECT_EQ(formatUsd(-1), "-0.000001");
}

std::vector<ProviderConfig> providers() {
  ProviderConfig a;
  a.id = "openai";
  a.models = {"gpt-4o", "gpt-4o-mini"};
  a.model_mapping = {{"gpt-4", "gpt-4-turbo"}};
  ProviderConfig b;
  b.id = "azure-eu";
  b.models = {"gpt-4o", "gpt-*"};
  return {a, b};
}

TEST(PriceTable, ExactBeatsPatternsAndLongerPrefixesBeatShorter) {
  const std::vector<PriceConfig> prices = {
      price("gpt-*", 1, 1),  price("gpt-4o*", 2, 2), price("gpt-4o", 3, 3),
      price("gpt-4o-mini", 4, 4), price("o[0-9]+(-mini)?", 5, 5), price("claude-.*", 6, 6)};
  const auto list = providers();
  const PriceTable table(prices, list);
  EXPECT_EQ(table.find("openai", "gpt-4o")->input, 3);
  EXPECT_EQ(table.find("openai", "gpt-4o-mini")->input, 4);
  EXPECT_EQ(table.find("openai", "gpt-4o-2024-08-06")->input, 2);
  EXPECT_EQ(table.find("openai", "gpt-4-turbo")->input, 1);
  EXPECT_EQ(table.find("openai", "o3-mini")->input, 5);
  EXPECT_EQ(table.find("openai", "claude-sonnet-4")->input, 6);
  EXPECT_EQ(table.find("openai", "o3-max"), nullptr) << "regexes match the whole name";
  EXPECT_EQ(table.find("openai", "llama"), nullptr);
}

TEST(PriceTable, ProviderPricesComeFirstWhateverTheirPattern) {
  const std::vector<PriceConfig> prices = {price("gpt-4o", 3, 3), price("*", 9, 9, "azure-eu"),
                                           price("gpt-4o", 7, 7, "azure-eu")};
  const auto list = providers();
  const PriceTable table(prices, list);
  EXPECT_EQ(table.find("openai", "gpt-4o")->input, 3);
  EXPECT_EQ(table.find("azure-eu", "gpt-4o")->input, 7);
  EXPECT_EQ(table.find("azure-eu", "gpt-4o-mini")->input, 9)
      << "its pattern beats an any-provider name";
  EXPECT_EQ(table.find("openai", "gpt-4o-mini"), nullptr);
}

TEST(PriceTable, NamesServedExactlyAreResolvedAtLoadAndAgreeWithTheRule) {
  const std::vector<PriceConfig> prices = {price("gpt-4*", 1, 1), price("gpt-4o", 3, 3),
                                           price("gpt-4-turbo", 5, 5, "openai")};
  const auto list = providers();
  const PriceTable table(prices, list);
  // By index (what finish uses) and by id give the same answer, resolved or not.
  for (const char* model : {"gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-4.1", "x"}) {
    EXPECT_EQ(table.find(0u, model), table.find("openai", model)) << model;
    EXPECT_EQ(table.find(1u, model), table.find("azure-eu", model)) << model;
  }
  EXPECT_EQ(table.find(0u, "gpt-4-turbo")->input, 5);
  EXPECT_EQ(table.find(1u, "gpt-4-turbo")->input, 1);
  EXPECT_EQ(table.find(7u, "gpt-4o"), nullptr) << "no such provider";
}

TEST(PriceTable, OrderWrittenDoesNotMatter) {
  std::vector<PriceConfig> prices = {price("gpt-*", 1, 1), price("gpt-4*", 2, 2),
                                     price("gpt-?o", 3, 3)};
  const auto list = providers();
  const PriceTable forward(prices, list);
  // A table points into its prices (the config snapshot's): the reversed order is a copy.
  std::vector<PriceConfig> reversed(prices.rbegin(), prices.rend());
  const PriceTable backward(reversed, list);
  for (const char* model : {"gpt-4o", "gpt-5o", "gpt-4.1", "gpt-3"})
    EXPECT_EQ(forward.find("openai", model)->input, backward.find("openai", model)->input)
        << model;
  EXPECT_EQ(forward.find("openai", "gpt-4o")->input, 2) << "gpt-4* has the longer literal prefix";
}

}  // namespace
}  // namespace llmproxy::worker
