// loadConfigText / loadConfigFile: [[price]] blocks (USD per million tokens kept as integer
// micro-dollars), an included price file, and their errors at file:line:col.
#include <gtest/gtest.h>

#include "common/config/load.h"
#include "support/env_of.h"
#include "support/temp_dir.h"

namespace llmproxy::common {
namespace {

using testing::envOf;
using llmproxy::testing::TempDir;

constexpr std::string_view kOpen =
    "[server]\n"
    "listen = \"*:8000\"\n"
    "allow_unauthenticated = true\n";

std::string withOpen(std::string_view tail) { return std::string(kOpen) + std::string(tail); }

std::vector<std::string> errorsOf(const std::expected<Config, ConfigErrors>& config) {
  EXPECT_FALSE(config.has_value()) << "config loaded but should not have";
  std::vector<std::string> out;
  if (!config) {
    for (const ConfigError& error : config.error()) out.push_back(error.str());
  }
  return out;
}

TEST(ConfigLoadPrices, BlocksInMicroDollars) {
  auto loaded = loadConfigText(withOpen("[[price]]\n"
                                        "model = \"gpt-4o\"\n"
                                        "input_per_mtok = 2.50\n"
                                        "output_per_mtok = 10\n"
                                        "cached_input_per_mtok = 1.25\n"
                                        "[[price]]\n"
                                        "model = \"claude-sonnet-4-*\"\n"
                                        "provider = \"anthropic\"\n"
                                        "input_per_mtok = 3.0\n"
                                        "output_per_mtok = 15.0\n"
                                        "cached_input_per_mtok = 0.30\n"
                                        "cache_write_per_mtok = 3.75\n"
                                        "[[price]]\n"
                                        "model = \"gpt-4o-mini\"\n"
                                        "input_per_mtok = 0.15\n"),
                               "t.conf", envOf({}));
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  ASSERT_EQ(loaded->prices.size(), 3u);
  EXPECT_EQ(loaded->prices[0],
            (PriceConfig{"gpt-4o", "", 2'500'000, 10'000'000, 1'250'000, -1, 0}));
  EXPECT_EQ(loaded->prices[1], (PriceConfig{"claude-sonnet-4-*", "anthropic", 3'000'000,
                                            15'000'000, 300'000, 3'750'000, 0}));
  EXPECT_EQ(loaded->prices[2].input, 150'000) << "0.15 is exactly 150000 micro-dollars";
  EXPECT_EQ(loaded->prices[2].output, 0);
}

TEST(ConfigLoadPrices, ErrorsAtTheirPlace) {
  EXPECT_EQ(errorsOf(loadConfigText(withOpen("[[price]]\n"                      // 4
                                             "input_per_mtok = 1\n"            // 5
                                             "[[price]]\n"                      // 6
                                             "model = \"a\"\n"                  // 7
                                             "input_per_mtok = -1\n"            // 8
                                             "output_per_mtok = \"x\"\n"        // 9
                                             "[[price]]\n"                      // 10
                                             "model = \"x[\"\n"                 // 11
                                             "[[price]]\n"                      // 12
                                             "model = \"b\"\n"                  // 13
                                             "provider = \"bad id\"\n"          // 14
                                             "inptu_per_mtok = 1\n"             // 15
                                             "[[price]]\n"                      // 16
                                             "model = \"gpt\"\n"                // 17
                                             "[[price]]\n"                      // 18
                                             "model = \"gpt\"\n"),              // 19
                                    "t.conf", envOf({}))),
            (std::vector<std::string>{
                "t.conf:4:1: price.model: is required",
                "t.conf:8:18: price.input_per_mtok: must be between 0 and 1000000 (got -1)",
                "t.conf:9:19: price.output_per_mtok: expected a number",
                "t.conf:11:9: price.model: bad regex \"x[\": missing ]: [",
                "t.conf:14:12: price.provider: use only letters, digits, '.', '_' and '-' (got \"bad "
                "id\")",
                "t.conf:15:1: unknown key \"inptu_per_mtok\" in [[price]]; did you mean "
                "\"input_per_mtok\"?",
                "t.conf:18:1: price: model \"gpt\" is priced twice (first at t.conf:16)",
            }));
}

// `include` is a top-level key, so (TOML) it comes before the first [section].
TEST(ConfigLoadPrices, IncludedPriceFile) {
  TempDir dir;
  dir.write("prices.conf",
            "# read 2026-01-01\n"
            "[[price]]\nmodel = \"gpt-4o\"\ninput_per_mtok = 2.5\noutput_per_mtok = 10\n");
  const std::string main = dir.write("llmproxy.conf",
                                     "include = \"prices.conf\"\n" +
                                         withOpen("[[price]]\nmodel = \"m\"\ninput_per_mtok = 1\n"));
  auto loaded = loadConfigFile(main, envOf({}));
  ASSERT_TRUE(loaded) << loaded.error().front().str();
  ASSERT_EQ(loaded->prices.size(), 2u);
  EXPECT_EQ(loaded->prices[0].model, "gpt-4o");
  EXPECT_EQ(loaded->prices[1].model, "m");

  // Errors in the included file are reported at its own lines; only prices may be there.
  dir.write("bad.conf", "[[price]]\nmodel = \"gpt-4o\"\n[server]\nworkers = 2\n");
  const std::string with_bad = dir.write(
      "bad-main.conf", "include = [\"bad.conf\", \"missing.conf\"]\n" +
                                withOpen("[[price]]\nmodel = \"gpt-4o\"\n"));
  const auto errors = errorsOf(loadConfigFile(with_bad, envOf({})));
  ASSERT_EQ(errors.size(), 3u);
  // Sorted by line and column, whichever file they are in.
  EXPECT_EQ(errors[0].find(with_bad + ":1:24: include: cannot read \"" +
                           dir.file("missing.conf") + "\""),
            0u)
      << errors[0];
  EXPECT_EQ(errors[1].find(dir.file("bad.conf") +
                           ":3:2: an included file may hold only [[price]] tables"),
            0u)
      << errors[1];
  EXPECT_EQ(errors[2], with_bad + ":5:1: price: model \"gpt-4o\" is priced twice (first at " +
                           dir.file("bad.conf") + ":1)");
}

}  // namespace
}  // namespace llmproxy::common
