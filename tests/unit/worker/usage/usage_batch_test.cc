// UsageBatch's array-literal encoding (the PostgreSQL round trip is in usage_writer_test).
#include "worker/usage/usage_batch.h"

#include <gtest/gtest.h>

namespace llmproxy::worker {
namespace {

std::string text(std::string_view v, size_t cap = 256) {
  std::string out;
  appendArrayText(out, v, cap);
  return out;
}

TEST(UsageBatch, ArrayTextQuotesAndEscapes) {
  EXPECT_EQ(text("plain"), "\"plain\"");
  EXPECT_EQ(text(""), "\"\"");
  EXPECT_EQ(text("NULL"), "\"NULL\"");  // quoted: the string, not SQL NULL
  EXPECT_EQ(text("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(text("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(text("{x,y}"), "\"{x,y}\"");
  EXPECT_EQ(text("ü😀"), "\"ü😀\"");
}

TEST(UsageBatch, ArrayTextReplacesNulAndMalformedUtf8AndCuts) {
  EXPECT_EQ(text(std::string_view("a\0b", 3)), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(text("\xFF"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(text("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate
  EXPECT_EQ(text("abcdef", 4), "\"abcd\"");
  EXPECT_EQ(text("ab\xC3\xBC", 3), "\"ab\"");  // never half a character
}

TEST(UsageBatch, ParamsAreOneArrayPerColumn) {
  UsageBatch b;
  UsageRecord r;
  r.time_us = 5;
  r.request_id = "r1";
  r.status = 200;
  r.latency_ms = 1.5;
  b.add(r);
  r.request_id = "r2";
  r.credential_id = 7;
  r.stream = true;
  r.ttft_ms = 0.25;
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.cost_micros = 1'234'567;
  b.add(r);
  EXPECT_EQ(b.rows(), 2u);
  const auto p = b.params();
  ASSERT_EQ(p.size(), UsageBatch::kColumns);
  EXPECT_EQ(*p[0], "{5,5}");
  EXPECT_EQ(*p[1], "{\"r1\",\"r2\"}");
  EXPECT_EQ(*p[2], "{NULL,7}");
  EXPECT_EQ(*p[8], "{f,t}");
  EXPECT_EQ(*p[11], "{1.500,1.500}");
  EXPECT_EQ(*p[12], "{NULL,0.250}");
  EXPECT_EQ(*p[15], "{\"\",\"4bf92f3577b34da6a3ce929d0e0e4736\"}");
  EXPECT_EQ(*p[16], "{NULL,1.234567}");  // no price: NULL; else USD with six places
  EXPECT_EQ(*p[17], "{\"\",\"\"}");        // no key hash: nothing for key_spend
  EXPECT_EQ(*p[18], "{0,0}");
  EXPECT_EQ(*p[19], "{0,0}");
  EXPECT_EQ(*p[20], "{0,0}");
  // A database before migration 0005 (no cost), 0004 (no trace_id) or 0002 (no protocols):
  // fewer columns.
  EXPECT_EQ(b.params(UsageBatch::Schema::NoCost).size(), 16u);
  EXPECT_EQ(b.params(UsageBatch::Schema::NoTrace).size(), 15u);
  EXPECT_EQ(b.params(UsageBatch::Schema::NoProtocols).size(), 13u);
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(*b.params()[0], "{}");
}

}  // namespace
}  // namespace llmproxy::worker
