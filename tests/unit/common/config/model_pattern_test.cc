// Pattern kinds, literal prefixes, the priority order and glob matching.
#include "common/config/model_pattern.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace llmproxy::common {
namespace {

TEST(ConfigModelPattern, Kinds) {
  EXPECT_EQ(classifyModelPattern("gpt-4"), ModelPatternKind::Exact);
  EXPECT_EQ(classifyModelPattern("gpt-3.5-turbo"), ModelPatternKind::Exact);
  EXPECT_EQ(classifyModelPattern("gemini-*"), ModelPatternKind::Glob);
  EXPECT_EQ(classifyModelPattern("gpt-4o?"), ModelPatternKind::Glob);
  EXPECT_EQ(classifyModelPattern("gpt-4.1-*"), ModelPatternKind::Glob);
  EXPECT_EQ(classifyModelPattern("claude-opus-4-5-.*"), ModelPatternKind::Regex);
  EXPECT_EQ(classifyModelPattern("^gpt"), ModelPatternKind::Regex);
  EXPECT_EQ(classifyModelPattern("gpt-(4|5)"), ModelPatternKind::Regex);
  EXPECT_EQ(classifyModelPattern("a.?b"), ModelPatternKind::Regex);
  EXPECT_EQ(classifyModelPattern("o[13]-mini"), ModelPatternKind::Regex);
}

TEST(ConfigModelPattern, LiteralPrefix) {
  EXPECT_EQ(literalPrefix("gpt-4"), "gpt-4");
  EXPECT_EQ(literalPrefix("gemini-*"), "gemini-");
  EXPECT_EQ(literalPrefix("gpt-4.1-*"), "gpt-4.1-");
  EXPECT_EQ(literalPrefix("claude-opus-4-5-.*"), "claude-opus-4-5-");
  EXPECT_EQ(literalPrefix("gpt-(4|5)"), "gpt-");
  EXPECT_EQ(literalPrefix("*"), "");
}

TEST(ConfigModelPattern, PriorityIsDeterministic) {
  std::vector<ModelMapping> expected = {
      {"gpt-3.5-turbo", "a"},
      {"gpt-4", "b"},
      {"claude-opus-4-5-.*", "c"},
      {"gemini-*", "d"},
      {"gpt-(4|5)", "e"},
      {"gpt-*", "f"},
      {"*", "g"},
  };
  std::vector<ModelMapping> shuffled = expected;
  std::reverse(shuffled.begin(), shuffled.end());
  sortModelMapping(shuffled);
  EXPECT_EQ(shuffled, expected);
  std::rotate(shuffled.begin(), shuffled.begin() + 3, shuffled.end());
  sortModelMapping(shuffled);
  EXPECT_EQ(shuffled, expected);
}

TEST(ConfigModelPattern, Glob) {
  EXPECT_TRUE(globMatch("gemini-*", "gemini-pro"));
  EXPECT_TRUE(globMatch("gemini-*", "gemini-"));
  EXPECT_FALSE(globMatch("gemini-*", "gemini"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_TRUE(globMatch("gpt-4o?", "gpt-4o1"));
  EXPECT_FALSE(globMatch("gpt-4o?", "gpt-4o"));
  EXPECT_TRUE(globMatch("a*b*c", "a-x-b-y-c"));
  EXPECT_FALSE(globMatch("a*b*c", "a-x-b-y-d"));
  EXPECT_TRUE(globMatch("gpt-4.1-*", "gpt-4.1-mini"));
  EXPECT_FALSE(globMatch("gpt-4.1-*", "gpt-4x1-mini"));
}

}  // namespace
}  // namespace llmproxy::common
