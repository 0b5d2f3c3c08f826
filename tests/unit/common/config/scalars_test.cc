// The shared scalar rules: RFC 3339 date-times (good forms, every bad form, range boundaries),
// the secret mask (in C++ and as SQL), and numbers as messages print them.
#include "common/config/scalars.h"

#include <gtest/gtest.h>

namespace llmproxy::common {
namespace {

constexpr int64_t kUs = 1'000'000;

TEST(Rfc3339, AcceptedForms) {
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseRfc3339("2026-12-31T23:59:59Z"), 1798761599 * kUs);
  EXPECT_EQ(parseRfc3339("2026-01-02t03:04:05z"), parseRfc3339("2026-01-02T03:04:05Z"));
  // A space for the 'T' (RFC 3339 section 5.6; what PostgreSQL prints).
  EXPECT_EQ(parseRfc3339("2026-12-31 23:59:59Z"), parseRfc3339("2026-12-31T23:59:59Z"));
  EXPECT_EQ(parseRfc3339("2026-01-02T03:04:05.123Z"), parseRfc3339("2026-01-02T03:04:05Z").value() + 123000);
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00.123456789Z"), 123456) << "nine digits, kept to the µs";
  EXPECT_EQ(parseRfc3339("1970-01-02T01:00:00+01:00"), 86400 * kUs);
  EXPECT_EQ(parseRfc3339("1970-01-01T19:00:00-05:00"), 86400 * kUs);
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00-00:00"), 0);
  EXPECT_EQ(parseRfc3339("1969-12-31T23:59:59Z"), -1 * kUs);
}

TEST(Rfc3339, RefusedForms) {
  for (const char* bad :
       {"", "tomorrow", "2026-12-31", "2026-12-31T23:59", "2026-12-31T23:59:59",
        "2026-12-31T23:59:59.Z", "2026-12-31T23:59:59.1234567890Z", "2026-12-31T23:59:59+0200",
        "2026-12-31T23:59:59+02", "2026-12-31T23:59:59Zjunk", " 2026-12-31T23:59:59Z",
        "2026-12-31T23:59:59Z ", "2026-1-31T23:59:59Z", "26-12-31T23:59:59Z",
        "2026-12-31_23:59:59Z", "+2026-12-31T23:59:59Z"})
    EXPECT_FALSE(parseRfc3339(bad)) << bad;
}

TEST(Rfc3339, RangeBoundaries) {
  EXPECT_TRUE(parseRfc3339("2026-12-31T23:59:60Z")) << "a leap second";
  EXPECT_EQ(parseRfc3339("2026-12-31T23:59:60Z"), parseRfc3339("2027-01-01T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-12-31T23:59:61Z"));
  EXPECT_FALSE(parseRfc3339("2026-12-31T24:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-12-31T23:60:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-00-10T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-13-10T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-01-00T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-01-32T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-04-31T00:00:00Z"));
  EXPECT_TRUE(parseRfc3339("2024-02-29T00:00:00Z")) << "leap year";
  EXPECT_FALSE(parseRfc3339("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2100-02-29T00:00:00Z")) << "not a leap year";
  EXPECT_TRUE(parseRfc3339("2000-02-29T00:00:00Z")) << "a leap year";
  EXPECT_TRUE(parseRfc3339("2026-01-01T00:00:00+23:59"));
  EXPECT_FALSE(parseRfc3339("2026-01-01T00:00:00+24:00"));
  EXPECT_FALSE(parseRfc3339("2026-01-01T00:00:00+00:60"));
  EXPECT_TRUE(parseRfc3339("9999-12-31T23:59:59Z"));
  EXPECT_TRUE(parseRfc3339("0000-01-01T00:00:00Z"));
}

TEST(Rfc3339, FormatRoundTrips) {
  EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(formatRfc3339(-1), "1969-12-31T23:59:59Z");
  for (int64_t t : {int64_t{0}, int64_t{951782400}, int64_t{1893553445}, int64_t{253402300799}})
    EXPECT_EQ(parseRfc3339(formatRfc3339(t)), t * kUs) << t;
}

TEST(SecretMask, SameRuleInCppAndSql) {
  EXPECT_EQ(maskSecret(""), "");
  EXPECT_EQ(maskSecret("short-key"), "****");
  EXPECT_EQ(maskSecret("12345678901"), "****");
  EXPECT_EQ(maskSecret("123456789012"), "****9012");
  EXPECT_EQ(maskSecret("sk-0123456789abcd"), "****abcd");
  EXPECT_EQ(maskSecretSql("api_key"),
            "CASE WHEN api_key = '' THEN '' WHEN length(api_key) < 12 THEN '****' "
            "ELSE '****' || right(api_key, 4) END");
  EXPECT_TRUE(looksMasked("****abcd"));
  EXPECT_FALSE(looksMasked("sk-***"));
}

TEST(FormatNumber, ShortestWithoutExponentForWholeNumbers) {
  EXPECT_EQ(formatNumber(1e9), "1000000000");
  EXPECT_EQ(formatNumber(-1), "-1");
  EXPECT_EQ(formatNumber(0.5), "0.5");
  EXPECT_EQ(formatNumber(2.5e-7), "2.5e-07");
  EXPECT_EQ(formatNumber(1e300), "1e+300");
}

}  // namespace
}  // namespace llmproxy::common
