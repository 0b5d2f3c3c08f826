// Durations and sizes: units, case, edge values, overflow and garbage.
#include "common/config/units.h"

#include <gtest/gtest.h>

#include <limits>

namespace llmproxy::common {
namespace {

TEST(ConfigUnits, Durations) {
  EXPECT_EQ(parseDuration("250ms").value(), Millis{250});
  EXPECT_EQ(parseDuration("30s").value(), Millis{30'000});
  EXPECT_EQ(parseDuration("5m").value(), Millis{300'000});
  EXPECT_EQ(parseDuration("1h").value(), Millis{3'600'000});
  EXPECT_EQ(parseDuration("1H").value(), Millis{3'600'000});
  EXPECT_EQ(parseDuration("10MS").value(), Millis{10});
  EXPECT_EQ(parseDuration("45").value(), Millis{45'000});  // a bare number is seconds
  EXPECT_EQ(parseDuration(" 2 s ").value(), Millis{2'000});
  EXPECT_EQ(parseDuration("0s").value(), Millis{0});  // "> 0" is the loader's rule
}

TEST(ConfigUnits, DurationErrors) {
  EXPECT_EQ(parseDuration("-5s").error(), "duration must not be negative");
  EXPECT_EQ(parseDuration("30x").error(), "unknown unit \"x\" (use ms, s, m or h)");
  EXPECT_EQ(parseDuration("1d").error(), "unknown unit \"d\" (use ms, s, m or h)");
  EXPECT_EQ(parseDuration("").error(), "empty duration");
  EXPECT_EQ(parseDuration("s").error(), "expected a number");
  EXPECT_FALSE(parseDuration("1.5s"));
  EXPECT_FALSE(parseDuration("1h30m"));
  EXPECT_EQ(parseDuration("99999999999999999999s").error(), "duration is too large");
  EXPECT_EQ(parseDuration("9223372036854776h").error(), "duration is too large");
  // The largest value that fits in milliseconds is accepted.
  EXPECT_EQ(parseDuration("9223372036854775807ms").value().count(),
            std::numeric_limits<Millis::rep>::max());
  EXPECT_EQ(parseDuration("9223372036854775808ms").error(), "duration is too large");
}

TEST(ConfigUnits, Sizes) {
  EXPECT_EQ(parseSize("512").value(), 512u);
  EXPECT_EQ(parseSize("16k").value(), 16u << 10);
  EXPECT_EQ(parseSize("16K").value(), 16u << 10);
  EXPECT_EQ(parseSize("16m").value(), 16u << 20);
  EXPECT_EQ(parseSize("1g").value(), 1ull << 30);
  EXPECT_EQ(parseSize("1G").value(), 1ull << 30);
  EXPECT_EQ(parseSize("0").value(), 0u);
  EXPECT_EQ(parseSize("18446744073709551615").value(), std::numeric_limits<uint64_t>::max());
}

TEST(ConfigUnits, SizeErrors) {
  EXPECT_EQ(parseSize("-1k").error(), "size must not be negative");
  EXPECT_EQ(parseSize("12q").error(), "unknown unit \"q\" (use k, m or g)");
  EXPECT_EQ(parseSize("1kb").error(), "unknown unit \"kb\" (use k, m or g)");
  EXPECT_EQ(parseSize("18446744073709551616").error(), "size is too large");
  EXPECT_EQ(parseSize("17179869184g").error(), "size is too large");
  EXPECT_EQ(parseSize("17179869183g").value(), 17179869183ull << 30);
  EXPECT_EQ(parseSize("k").error(), "expected a number");
}

TEST(ConfigUnits, FormatDuration) {
  EXPECT_EQ(formatDuration(Millis{250}), "250ms");
  EXPECT_EQ(formatDuration(Millis{30'000}), "30s");
  EXPECT_EQ(formatDuration(Millis{300'000}), "5m");
  EXPECT_EQ(formatDuration(Millis{7'200'000}), "2h");
  EXPECT_EQ(formatDuration(Millis{0}), "0s");
}

}  // namespace
}  // namespace llmproxy::common
