// The path-segment rule (what may become an Azure deployment) and percent-encoding.
#include "worker/protocol/path_segment.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::worker::protocol {
namespace {

std::string encoded(std::string_view text) {
  std::string out;
  appendPercentEncoded(out, text);
  return out;
}

TEST(PathSegment, OrdinaryDeploymentNamesPass) {
  for (std::string_view name : {"gpt-4o", "my_deployment.v2", "a", "gpt-4o:latest", "x~y",
                                "a..b", "...", "modèle", "a@b", "a;b", "a+b"})
    EXPECT_EQ(segmentProblem(name), "") << name;
  EXPECT_EQ(segmentProblem(std::string(kMaxSegmentSize, 'a')), "");
}

TEST(PathSegment, RefusesEveryByteThatCouldLeaveTheSegment) {
  for (int c = 0; c < 0x20; ++c)
    EXPECT_EQ(segmentProblem(std::string("gpt") + static_cast<char>(c) + "4o"),
              "it contains a control character")
        << c;
  EXPECT_EQ(segmentProblem("gpt\x7f"), "it contains a control character");
  EXPECT_EQ(segmentProblem("gpt 4o"), "it contains a space");
  EXPECT_EQ(segmentProblem("gpt-4o/../gpt-4-32k"), "it contains '/'");
  EXPECT_EQ(segmentProblem("a\\b"), "it contains '\\'");
  EXPECT_EQ(segmentProblem("a?b"), "it contains '?'");
  EXPECT_EQ(segmentProblem("a#b"), "it contains '#'");
  EXPECT_EQ(segmentProblem("a%2Fb"), "it contains '%'");
  EXPECT_EQ(segmentProblem("gpt-4o\r\nX-Injected: 1"), "it contains a control character");
}

TEST(PathSegment, RefusesEmptyDotSegmentsAndOversizedNames) {
  EXPECT_EQ(segmentProblem(""), "it is empty");
  EXPECT_EQ(segmentProblem("."), "it is a dot-segment (\".\" or \"..\")");
  EXPECT_EQ(segmentProblem(".."), "it is a dot-segment (\".\" or \"..\")");
  EXPECT_EQ(segmentProblem(std::string(kMaxSegmentSize + 1, 'a')), "it is longer than 256 bytes");
}

TEST(PathSegment, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(encoded("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(encoded("gpt-4o:latest"), "gpt-4o%3Alatest");
  EXPECT_EQ(encoded("a b/c?d#e%f"), "a%20b%2Fc%3Fd%23e%25f");
  EXPECT_EQ(encoded("\r\n"), "%0D%0A");
  EXPECT_EQ(encoded("é"), "%C3%A9");
  EXPECT_EQ(encoded(std::string("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(encoded(""), "");
}

}  // namespace
}  // namespace llmproxy::worker::protocol
