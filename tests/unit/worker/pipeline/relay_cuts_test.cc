// The relay's cut logic: which bytes of each slice reach the client when SSE events are cut.
#include "worker/pipeline/relay_cuts.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace llmproxy::worker {
namespace {

// What the client gets of `slice` (starting at stream offset `start`) under `cuts`.
std::string kept(const StreamCuts& cuts, uint64_t start, std::string_view slice) {
  std::string out;
  forEachKeptPiece(cuts, start, slice.size(), [&](size_t offset, size_t length) {
    EXPECT_GT(length, 0u);
    out.append(slice.substr(offset, length));
  });
  return out;
}

constexpr std::string_view kStream =
    "data: {\"a\":1}\n\n"          // [0, 15)
    "data: {\"usage\":{}}\n\n"     // [15, 35)
    "data: [DONE]\n\n";            // [35, 49)
static_assert(kStream.size() == 49);

TEST(RelayCuts, NoCutsKeepsEverything) {
  EXPECT_EQ(kept({}, 0, kStream), kStream);
}

TEST(RelayCuts, CutsTheUsageEventInTheMiddle) {
  EXPECT_EQ(kept({{15, 35}}, 0, kStream), "data: {\"a\":1}\n\ndata: [DONE]\n\n");
}

TEST(RelayCuts, CutsAtTheStartAndTheEndOfASlice) {
  EXPECT_EQ(kept({{0, 15}}, 0, kStream), kStream.substr(15));
  EXPECT_EQ(kept({{35, 49}}, 0, kStream), kStream.substr(0, 35));
  EXPECT_EQ(kept({{0, 49}}, 0, kStream), "");
}

TEST(RelayCuts, OffsetsAreStreamOffsets) {
  // The slice holds stream bytes [15, 49): the cut [15, 35) is its first 20 bytes.
  EXPECT_EQ(kept({{15, 35}}, 15, kStream.substr(15)), "data: [DONE]\n\n");
}

TEST(RelayCuts, AnEventThatBeganInAnEarlierSliceIsKeptWhole) {
  // Bytes [10, ...) of the stream were relayed already; the event [0, 15) cannot be cut now.
  EXPECT_EQ(kept({{0, 15}}, 10, kStream.substr(10)), kStream.substr(10));
}

TEST(RelayCuts, SeveralCutsInOrder) {
  EXPECT_EQ(kept({{0, 15}, {35, 49}}, 0, kStream), "data: {\"usage\":{}}\n\n");
}

}  // namespace
}  // namespace llmproxy::worker
