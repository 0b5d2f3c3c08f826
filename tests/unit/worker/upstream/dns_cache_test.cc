// DnsCache: numeric bypass, caching, coalescing of concurrent lookups, cached failures.
#include "worker/net/dns_cache.h"

#include <gtest/gtest.h>

#include "unit/worker/upstream/upstream_test_util.h"

namespace llmproxy::worker {
namespace {

using namespace std::chrono_literals;

class DnsCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  uv_loop_t loop_;
};

TEST_F(DnsCacheTest, NumericHostsNeverTouchTheResolver) {
  DnsCache dns(&loop_, 30s);
  auto v4 = dns.lookupNow("127.0.0.1");
  ASSERT_TRUE(v4 && *v4);
  EXPECT_EQ((**v4)->front().ss_family, AF_INET);
  auto v6 = dns.lookupNow("::1");
  ASSERT_TRUE(v6 && *v6);
  EXPECT_EQ((**v6)->front().ss_family, AF_INET6);
  EXPECT_EQ(dns.resolverCalls(), 0u);
}

TEST_F(DnsCacheTest, ConcurrentLookupsShareOneResolverCallAndAnswerIsCached) {
  DnsCache dns(&loop_, 30s);
  EXPECT_FALSE(dns.lookupNow("localhost"));
  int answered = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(dns.resolve("localhost", [&](const DnsAnswer& a) {
      EXPECT_TRUE(a) << a.error().detail;
      ++answered;
    }));
  }
  EXPECT_EQ(answered, 0);  // never synchronous
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return answered == 3; }));
  EXPECT_EQ(dns.resolverCalls(), 1u);
  auto cached = dns.lookupNow("localhost");
  ASSERT_TRUE(cached && *cached);
  EXPECT_FALSE((**cached)->empty());
}

TEST_F(DnsCacheTest, FailuresAreCachedBriefly) {
  DnsCache dns(&loop_, 30s, 5s);
  bool done = false;
  dns.resolve("nonexistent.invalid", [&](const DnsAnswer& a) {
    EXPECT_FALSE(a);
    EXPECT_EQ(a.error().kind, common::ErrorKind::UpstreamConnect);
    done = true;
  });
  ASSERT_TRUE(test::runUntil(&loop_, [&] { return done; }));
  auto cached = dns.lookupNow("nonexistent.invalid");
  ASSERT_TRUE(cached);
  EXPECT_FALSE(*cached);
}

TEST_F(DnsCacheTest, DestroyedWithLookupInFlightDropsCallbacks) {
  bool called = false;
  {
    DnsCache dns(&loop_, 30s);
    dns.resolve("localhost", [&](const DnsAnswer&) { called = true; });
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace llmproxy::worker
