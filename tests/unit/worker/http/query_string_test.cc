// Query-string decoding for the admin API's filters.
#include "worker/http/query_string.h"

#include <gtest/gtest.h>

namespace llmproxy::worker {
namespace {

TEST(QueryString, DecodesPairs) {
  const auto q = parseQueryString("/admin/v1/usage?model=gpt%2D4o&x=a+b&flag&empty=&&k=%E2%9C%93#frag");
  ASSERT_TRUE(q);
  const QueryParams want = {{"model", "gpt-4o"}, {"x", "a b"}, {"flag", ""}, {"empty", ""},
                            {"k", "\xE2\x9C\x93"}};
  EXPECT_EQ(*q, want);
}

TEST(QueryString, NoQueryIsEmpty) {
  EXPECT_EQ(parseQueryString("/admin/v1/usage")->size(), 0u);
  EXPECT_EQ(parseQueryString("/x?")->size(), 0u);
}

TEST(QueryString, MalformedEscapeIsRefused) {
  EXPECT_FALSE(parseQueryString("/x?a=%4"));
  EXPECT_FALSE(parseQueryString("/x?a=%zz"));
  EXPECT_FALSE(parseQueryString("/x?%=1"));
}

}  // namespace
}  // namespace llmproxy::worker
