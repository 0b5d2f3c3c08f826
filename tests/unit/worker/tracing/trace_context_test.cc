// W3C traceparent reading and writing, ratio sampling, id generation.
#include "worker/tracing/trace_context.h"

#include <gtest/gtest.h>

#include <set>

namespace llmproxy::worker::tracing {
namespace {

constexpr const char* kSpec = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContext, ReadsTheSpecificationsExample) {
  auto p = parseTraceParent(kSpec);
  ASSERT_TRUE(p);
  EXPECT_EQ(traceIdHex(p->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(spanIdHex(p->parent_id), "00f067aa0ba902b7");
  EXPECT_EQ(p->flags, 1);
}

TEST(TraceContext, RefusesWhatTheSpecificationRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",     // short
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // 00 has no more fields
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
       })
    EXPECT_FALSE(parseTraceParent(bad)) << bad;
}

TEST(TraceContext, LaterVersionsKeepTheFieldsTheyShare) {
  auto p = parseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  ASSERT_TRUE(p);
  EXPECT_EQ(spanIdHex(p->parent_id), "00f067aa0ba902b7");
  EXPECT_FALSE(parseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"));
}

TEST(TraceContext, WritesTraceparentAndTracestateLines) {
  std::string out;
  const TraceId id{0x4bf92f3577b34da6ULL, 0xa3ce929d0e0e4736ULL};
  appendTraceHeaders(out, id, 0x00f067aa0ba902b7ULL, kSampledFlag, "");
  EXPECT_EQ(out, std::string("traceparent: ") + kSpec + "\r\n");
  out.clear();
  appendTraceHeaders(out, id, 1, 0, "congo=t61rcWkgMzE");
  EXPECT_EQ(out,
            "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-00\r\n"
            "tracestate: congo=t61rcWkgMzE\r\n");
}

TEST(TraceContext, TracestatePassesOnlyWhenPlausible) {
  EXPECT_TRUE(plausibleTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
  EXPECT_FALSE(plausibleTraceState(""));
  EXPECT_FALSE(plausibleTraceState("a=b\r\nx-injected: 1"));
  EXPECT_FALSE(plausibleTraceState(std::string(513, 'a')));
}

TEST(TraceContext, RatioSamplingIsDecidedByTheTraceId) {
  const TraceId low{0, 1};
  const TraceId high{0, 0x00ffffffffffffffULL};
  EXPECT_TRUE(sampledByRatio(high, 1.0));
  EXPECT_FALSE(sampledByRatio(low, 0.0));
  EXPECT_TRUE(sampledByRatio(low, 0.5));
  EXPECT_FALSE(sampledByRatio(high, 0.5));
  IdSource ids(42);
  int sampled = 0;
  for (int i = 0; i < 10000; ++i) sampled += sampledByRatio(ids.traceId(), 0.25) ? 1 : 0;
  EXPECT_GT(sampled, 2000);
  EXPECT_LT(sampled, 3000);
}

TEST(TraceContext, NewIdsAreValidAndDistinct) {
  IdSource ids(7);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const TraceId t = ids.traceId();
    EXPECT_TRUE(t.valid());
    EXPECT_NE(ids.spanId(), 0u);
    seen.insert(traceIdHex(t));
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_NE(traceIdHex(IdSource(1).traceId()), traceIdHex(IdSource(2).traceId()));
}

}  // namespace
}  // namespace llmproxy::worker::tracing
