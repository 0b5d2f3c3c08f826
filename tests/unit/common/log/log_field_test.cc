// logField / capField: client values in log lines cannot break or forge a line.
#include "common/log/log_field.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::common::log {
namespace {

TEST(LogField, PlainValuesPassAndEmptyIsDash) {
  EXPECT_EQ(logField("gpt-4o-mini"), "gpt-4o-mini");
  EXPECT_EQ(logField("/v1/chat/completions?a=b"), "/v1/chat/completions?a=b");
  EXPECT_EQ(logField(""), "-");
}

TEST(LogField, ControlCharactersQuotesSpacesAndHighBytesAreEscaped) {
  EXPECT_EQ(logField("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  EXPECT_EQ(logField("say \"hi\"\\"), "say\\x20\\x22hi\\x22\\x5c");
  EXPECT_EQ(logField(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(logField("\x7f\xc3\xa9"), "\\x7f\\xc3\\xa9");
}

TEST(LogField, ALongValueIsCut) {
  const std::string long_model(10000, 'm');
  const std::string out = logField(long_model);
  EXPECT_EQ(out, std::string(kLogFieldCap, 'm') + "...");
  EXPECT_EQ(logField(std::string(20, '\n'), 4), "\\x0a\\x0a\\x0a\\x0a...");
}

TEST(CapField, CutsAtTheCapWithoutSplittingACharacter) {
  EXPECT_EQ(capField("short"), "short");
  EXPECT_EQ(capField("abcdef", 4), "abcd");
  EXPECT_EQ(capField("ab\xc3\xa9z", 3), "ab");  // é is two bytes: not cut in half
  EXPECT_EQ(capField(std::string(5000, 'p'), kLogPathCap).size(), kLogPathCap);
}

}  // namespace
}  // namespace llmproxy::common::log
