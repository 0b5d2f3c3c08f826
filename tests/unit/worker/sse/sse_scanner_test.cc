// SseScanner: every split point (h2o loopback style), all three line endings, offsets, caps.
#include "worker/sse/sse_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace llmproxy::worker {
namespace {

struct Recorded {
  std::string type;
  std::string data;
  uint64_t begin;
  uint64_t end;
  bool operator==(const Recorded&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Recorded& r) {
  return os << "{type=" << r.type << " data=" << r.data << " [" << r.begin << "," << r.end << ")}";
}

struct ScanRun {
  std::vector<Recorded> events;
  int first_data_feeds = 0;  // feeds that reported first_data
  int done_feeds = 0;
  bool failed = false;
};

// Feeds `stream` cut at the given offsets (ascending) and records everything.
ScanRun scan(std::string_view stream, const std::vector<size_t>& cuts,
             size_t cap = SseScanner::kDefaultMaxEventBytes) {
  ScanRun run;
  SseScanner scanner(
      [&](const SseEvent& e) {
        run.events.push_back({std::string(e.type), std::string(e.data), e.begin, e.end});
      },
      cap);
  size_t at = 0;
  auto feed = [&](size_t to) {
    // Each slice is its own heap copy, freed after feed(): views must not outlive it.
    std::string slice(stream.substr(at, to - at));
    auto r = scanner.feed(slice);
    if (!r) {
      run.failed = true;
      return;
    }
    run.first_data_feeds += r->first_data;
    run.done_feeds += r->done;
    at = to;
  };
  for (size_t cut : cuts) feed(cut);
  feed(stream.size());
  EXPECT_EQ(scanner.offset(), run.failed ? scanner.offset() : stream.size());
  return run;
}

ScanRun scanWhole(std::string_view stream) { return scan(stream, {}); }

// An OpenAI-like stream exercising every feature, written with '\n'; other endings derived.
const std::string kStreamLf =
    ": keep-alive comment\n"
    "\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n"
    "\n"
    "id: 7\n"
    "retry: 1000\n"
    "data:{\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n"
    "\n"
    "event: ping\n"
    "data: line1\n"
    "data\n"
    "data:  two spaces\n"
    "\n"
    "event: only-type-no-data\n"
    "\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n"
    "\n"
    "data: [DONE]\n"
    "\n"
    "data: unterminated at end of stream\n";

std::string withEnding(const std::string& lf, std::string_view ending) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') {
      out += ending;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<Recorded> expectedEvents(std::string_view stream, std::string_view ending) {
  // Offsets: each event spans from the end of the previous blank line to the end of its own.
  auto at = [&](std::string_view needle) { return static_cast<uint64_t>(stream.find(needle)); };
  const std::string blank = std::string(ending) + std::string(ending);
  auto end_of_event = [&](std::string_view start) {
    return static_cast<uint64_t>(stream.find(blank, stream.find(start)) + blank.size());
  };
  const uint64_t e1 = at("data: {\"id\"");
  const uint64_t e2 = end_of_event("data: {\"id\"");
  const uint64_t e3 = end_of_event("data:{\"choices\"");
  const uint64_t e4 = end_of_event("event: ping");
  const uint64_t e5 = end_of_event("event: only-type");
  const uint64_t e6 = end_of_event("data: {\"choices\":[]");
  const uint64_t e7 = end_of_event("data: [DONE]");
  return {
      {"", R"({"id":"c1","choices":[{"delta":{"content":"Hel"}}]})", e1, e2},
      {"", R"({"choices":[{"delta":{"content":"lo"}}]})", e2, e3},
      {"ping", "line1\n\n two spaces", e3, e4},
      {"", R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}})", e5, e6},
      {"", "[DONE]", e6, e7},
  };
}

// Split-independence, with the one documented exception: when a slice ends between the CR and
// the LF of a blank line's CRLF, the event ends before the LF (which belongs to no event).
void expectSameEvents(const std::vector<Recorded>& actual, const std::vector<Recorded>& expected,
                      std::string_view stream, const std::string& where) {
  ASSERT_EQ(actual.size(), expected.size()) << where;
  for (size_t i = 0; i < actual.size(); ++i) {
    Recorded want = expected[i];
    if (actual[i].end + 1 == want.end && stream.substr(want.end - 2, 2) == "\r\n") {
      want.end -= 1;
    }
    ASSERT_EQ(actual[i], want) << where << " event " << i;
  }
}

class SseScannerEndings : public ::testing::TestWithParam<std::string_view> {};

TEST_P(SseScannerEndings, WholeStream) {
  const std::string stream = withEnding(kStreamLf, GetParam());
  ScanRun run = scanWhole(stream);
  EXPECT_FALSE(run.failed);
  EXPECT_EQ(run.events, expectedEvents(stream, GetParam()));
  EXPECT_EQ(run.first_data_feeds, 1);
  EXPECT_EQ(run.done_feeds, 1);
}

TEST_P(SseScannerEndings, EverySingleSplitPoint) {
  const std::string stream = withEnding(kStreamLf, GetParam());
  const auto expected = expectedEvents(stream, GetParam());
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    ScanRun run = scan(stream, {cut});
    ASSERT_FALSE(run.failed) << "cut " << cut;
    expectSameEvents(run.events, expected, stream, "cut " + std::to_string(cut));
    ASSERT_EQ(run.first_data_feeds, 1) << "cut " << cut;
    ASSERT_EQ(run.done_feeds, 1) << "cut " << cut;
  }
}

TEST_P(SseScannerEndings, ByteByByte) {
  const std::string stream = withEnding(kStreamLf, GetParam());
  std::vector<size_t> cuts;
  for (size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
  ScanRun run = scan(stream, cuts);
  EXPECT_FALSE(run.failed);
  expectSameEvents(run.events, expectedEvents(stream, GetParam()), stream, "byte by byte");
  EXPECT_EQ(run.first_data_feeds, 1);
  EXPECT_EQ(run.done_feeds, 1);
}

TEST_P(SseScannerEndings, EveryPairOfSplitPoints) {
  const std::string stream =
      withEnding("data: a\n\n: c\nevent: e\ndata: b1\ndata: b2\n\ndata: [DONE]\n\n", GetParam());
  const auto expected = scanWhole(stream).events;
  ASSERT_EQ(expected.size(), 3u);
  for (size_t i = 0; i <= stream.size(); ++i) {
    for (size_t j = i; j <= stream.size(); ++j) {
      ScanRun run = scan(stream, {i, j});
      expectSameEvents(run.events, expected, stream,
                       "cuts " + std::to_string(i) + "," + std::to_string(j));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LineEndings, SseScannerEndings,
                         ::testing::Values(std::string_view("\n"), std::string_view("\r\n"),
                                           std::string_view("\r")),
                         [](const auto& param_info) {
                           return param_info.param == "\n"     ? "LF"
                                  : param_info.param == "\r\n" ? "CRLF"
                                                               : "CR";
                         });

TEST(SseScanner, MixedLineEndings) {
  const std::string stream = "data: a\r\n\ndata: b\r\rdata: c\n\r\n";
  ScanRun run = scanWhole(stream);
  ASSERT_EQ(run.events.size(), 3u);
  EXPECT_EQ(run.events[0].data, "a");
  EXPECT_EQ(run.events[1].data, "b");
  EXPECT_EQ(run.events[2].data, "c");
  EXPECT_EQ(run.events[0].end, 10u);
  EXPECT_EQ(run.events[1].begin, 10u);
  EXPECT_EQ(run.events[2].end, stream.size());
}

TEST(SseScanner, OffsetsCutEventsExactly) {
  const std::string stream = withEnding(kStreamLf, "\r\n");
  ScanRun run = scanWhole(stream);
  ASSERT_EQ(run.events.size(), 5u);
  // The "event:" block before it ended with a blank line and no data: not part of the event.
  EXPECT_EQ(
      stream.substr(run.events[3].begin, run.events[3].end - run.events[3].begin),
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\r\n\r\n");
  // Comment, id and retry lines belong to the event that follows them.
  EXPECT_EQ(
      stream.substr(run.events[1].begin, run.events[1].end - run.events[1].begin),
      "id: 7\r\nretry: 1000\r\ndata:{\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\r\n\r\n");
  // Dropping an event's bytes leaves a stream with the other events intact.
  std::string dropped = stream;
  dropped.erase(run.events[3].begin, run.events[3].end - run.events[3].begin);
  ScanRun again = scanWhole(dropped);
  ASSERT_EQ(again.events.size(), 4u);
  EXPECT_EQ(again.events[3].data, "[DONE]");
}

TEST(SseScanner, CrAtSliceEndThenLfStartsNextEventAfterIt) {
  // "\r" | "\n" as the blank line's ending: the next event begins after the "\n".
  const std::string stream = "data: a\r\n\r\ndata: b\r\n\r\n";
  ScanRun run = scan(stream, {10});  // cut between the blank line's "\r" and "\n"
  ASSERT_EQ(run.events.size(), 2u);
  EXPECT_EQ(run.events[0].end, 10u);  // known at the "\r"
  EXPECT_EQ(run.events[1].begin, 11u);
  EXPECT_EQ(run.events[1].end, stream.size());
}

TEST(SseScanner, BomAtStartIsIgnored) {
  ScanRun run = scan(
      "\xEF\xBB\xBF"
      "data: x\n\n",
      {1});
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, "x");
  ScanRun later = scanWhole("data: \xEF\xBB\xBFx\n\n");  // not at the start: kept
  EXPECT_EQ(later.events[0].data, "\xEF\xBB\xBFx");
}

TEST(SseScanner, NoDataNoEvent) {
  EXPECT_TRUE(scanWhole("event: x\n\n: comment\n\nid: 1\n\n\n\n").events.empty());
  ScanRun run = scanWhole("data:\n\n");  // an empty data line still dispatches ""
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, "");
}

TEST(SseScanner, UnknownFieldsAndColonsInValues) {
  ScanRun run = scanWhole("foo: bar\ndata: a: b : c\nDATA: ignored\n\n");
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, "a: b : c");
}

TEST(SseScanner, EventTypeResetsAfterDispatch) {
  ScanRun run = scanWhole("event: error\ndata: {}\n\ndata: x\n\n");
  ASSERT_EQ(run.events.size(), 2u);
  EXPECT_EQ(run.events[0].type, "error");
  EXPECT_EQ(run.events[1].type, "");
}

TEST(SseScanner, WholeEventsInOneSliceAreNotCopied) {
  const std::string slice = "data: zero-copy\n\n";
  const char* data_ptr = nullptr;
  SseScanner scanner([&](const SseEvent& e) { data_ptr = e.data.data(); });
  ASSERT_TRUE(scanner.feed(slice).has_value());
  EXPECT_EQ(data_ptr, slice.data() + 6);
}

TEST(SseScanner, FirstDataIsReportedWhereTheDataLineStarts) {
  // The "data:" prefix is complete in the first slice, the line is not: TTFT is that slice.
  std::vector<bool> first;
  SseScanner scanner([](const SseEvent&) {});
  for (std::string_view part : {": ping\n\n", "data: {\"cho", "ices\":[]}\n\n", "data: x\n\n"}) {
    auto r = scanner.feed(part);
    ASSERT_TRUE(r.has_value());
    first.push_back(r->first_data);
  }
  EXPECT_EQ(first, (std::vector<bool>{false, true, false, false}));
  EXPECT_TRUE(scanner.sawData());
  EXPECT_FALSE(scanner.sawDone());
}

TEST(SseScanner, DoneIsNoticed) {
  SseScanner scanner([](const SseEvent&) {});
  auto r = scanner.feed("data: [DONE]\n\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->events, 1u);
  EXPECT_TRUE(scanner.sawDone());
  // "[DONE]" inside a larger payload is not the end marker.
  ScanRun run = scanWhole("data: [DONE] \n\ndata: x[DONE]\n\n");
  EXPECT_EQ(run.done_feeds, 0);
}

TEST(SseScanner, OversizedEventFailsAndStaysFailed) {
  const std::string big(100, 'x');
  // Split so the data has to be carried between slices.
  ScanRun run = scan("data: " + big + "\n\n", {50}, /*cap=*/64);
  EXPECT_TRUE(run.failed);

  SseScanner scanner([](const SseEvent&) {}, 64);
  EXPECT_TRUE(scanner.feed("data: " + std::string(40, 'a') + "\n").has_value());
  auto r = scanner.feed("data: " + std::string(40, 'b') + "\n");  // 81 bytes of event data
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, common::ErrorKind::UpstreamProtocol);
  EXPECT_FALSE(scanner.feed("\n").has_value());
}

TEST(SseScanner, LongLinesWithinOneSliceNeedNoBuffer) {
  // A whole event in one slice is never copied, so the cap does not apply to it.
  const std::string big(1000, 'x');
  ScanRun run = scan("data: " + big + "\n\n", {}, 64);
  EXPECT_FALSE(run.failed);
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, big);
}

TEST(SseScanner, LongCommentsAreNeverBuffered) {
  std::string stream = ":" + std::string(10000, 'c') + "\ndata: ok\n\n";
  std::vector<size_t> cuts;
  for (size_t i = 1; i < stream.size(); i += 7) cuts.push_back(i);
  ScanRun run = scan(stream, cuts, 64);
  EXPECT_FALSE(run.failed);
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, "ok");
}

TEST(SseScanner, EmptyFeedsAreHarmless) {
  ScanRun run = scan("data: a\n\n", {0, 0, 3, 3, 9});
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, "a");
}

TEST(SseScanner, ManyEventsInOneSlice) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += "data: " + std::to_string(i) + "\n\n";
  SseScanner scanner([](const SseEvent&) {});
  auto r = scanner.feed(stream);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->events, 1000u);
}

// The line-ending search remembers where the next '\r' and the next '\n' are: endings of one
// kind far apart, and the other kind in between, must still be found in order.
TEST(SseScanner, ManyEventsInOneSliceWithEveryEnding) {
  for (std::string_view ending : {"\n", "\r\n", "\r"}) {
    std::string stream;
    for (int i = 0; i < 500; ++i)
      stream += "data: " + std::to_string(i) + std::string(ending) + std::string(ending);
    stream += "data: last\n\n";  // one LF event after a long run of CRs
    std::vector<std::string> seen;
    SseScanner scanner([&](const SseEvent& e) { seen.emplace_back(e.data); });
    auto r = scanner.feed(stream);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(seen.size(), 501u) << "ending " << (ending == "\r" ? "CR" : "LF/CRLF");
    EXPECT_EQ(seen[0], "0");
    EXPECT_EQ(seen[499], "499");
    EXPECT_EQ(seen[500], "last");
  }
}

TEST(SseScanner, LoneCrEndsALineInsideASlice) {
  // "\r" alone ends a line; a "\n" much later does not join it.
  ScanRun run = scanWhole("data: a\rdata: b\r\rdata: c\n\n");
  ASSERT_EQ(run.events.size(), 2u);
  EXPECT_EQ(run.events[0].data, "a\nb");
  EXPECT_EQ(run.events[1].data, "c");
}

TEST(SseScanner, CrlfSplitAcrossReadsInsideAnEvent) {
  // "\r" | "\n" between two data lines of one event: one line ending, not a blank line.
  const std::string stream = "data: a\r\ndata: b\r\n\r\n";
  for (size_t cut : {8u, 17u, 18u}) {
    ScanRun run = scan(stream, {cut});
    ASSERT_EQ(run.events.size(), 1u) << "cut " << cut;
    EXPECT_EQ(run.events[0].data, "a\nb") << "cut " << cut;
  }
}

TEST(SseScanner, LfAfterCrAtSliceStartIsNotABlankLine) {
  // The slice starts with the "\n" of a CRLF whose "\r" ended the previous slice; then a CR.
  ScanRun run = scan("data: a\r\ndata: b\r\r", {8});
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].data, "a\nb");
}

}  // namespace
}  // namespace llmproxy::worker
