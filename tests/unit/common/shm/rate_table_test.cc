// The shared rate table: token-bucket arithmetic on a simulated clock, the packed state (param
// changes reset, unchanged params keep), quotas, claims, the full-table fallback, and exactness
// across forked processes hammering one bucket.
#include "common/shm/rate_table.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <new>
#include <set>
#include <vector>

namespace llmproxy::common {
namespace {

// An anonymous MAP_SHARED mapping, as the region makes: children see the parent's table.
template <typename T>
class Shared {
 public:
  Shared() {
    mem_ = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(mem_, MAP_FAILED);
    ptr_ = new (mem_) T{};
  }
  ~Shared() { munmap(mem_, sizeof(T)); }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;
  T& operator*() { return *ptr_; }
  T* operator->() { return ptr_; }

 private:
  void* mem_ = nullptr;
  T* ptr_ = nullptr;
};

struct Table : Shared<RateTable> {
  Table() { (*this)->init(); }
};

constexpr int64_t kT0 = 1'700'000'000'000;  // unix ms; any clock works, tests use both

void waitAll(const std::vector<pid_t>& children) {
  for (pid_t c : children) {
    int status = 0;
    ASSERT_EQ(waitpid(c, &status, 0), c);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
}

TEST(RateTable, BurstThenRefillAtRate) {
  Table t;
  RateBucket* b = t->claim(42);
  ASSERT_NE(b, nullptr);
  for (int i = 0; i < 10; ++i) {
    const auto d = RateTable::take(b, 10, 10, 1, kT0);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_DOUBLE_EQ(d.remaining, 9 - i);
    EXPECT_EQ(d.reset_ms, (i + 1) * 100);
  }
  auto d = RateTable::take(b, 10, 10, 1, kT0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 100);
  EXPECT_EQ(d.reset_ms, 1000);
  EXPECT_FALSE(RateTable::take(b, 10, 10, 1, kT0 + 99).allowed);
  d = RateTable::take(b, 10, 10, 1, kT0 + 100);
  EXPECT_TRUE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, 0);
  // Half a token is there after 50 ms: not enough for a request, reported as such.
  d = RateTable::take(b, 10, 10, 1, kT0 + 150);
  EXPECT_FALSE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, 0.5);
  EXPECT_EQ(d.retry_after_ms, 50);
}

TEST(RateTable, RefillIsCappedAtBurst) {
  Table t;
  RateBucket* b = t->claim(1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(RateTable::take(b, 100, 5, 1, kT0).allowed);
  const int64_t later = kT0 + 3'600'000;  // an hour idle: still only the burst
  int admitted = 0;
  while (RateTable::take(b, 100, 5, 1, later).allowed) ++admitted;
  EXPECT_EQ(admitted, 5);
  EXPECT_DOUBLE_EQ(RateTable::peek(b, 100, 5, later + 10).remaining, 1);
}

TEST(RateTable, FractionalRate) {
  Table t;
  RateBucket* b = t->claim(2);
  // One request every two seconds.
  ASSERT_TRUE(RateTable::take(b, 0.5, 1, 1, kT0).allowed);
  auto d = RateTable::take(b, 0.5, 1, 1, kT0 + 1999);
  EXPECT_FALSE(d.allowed);
  // 1 ms in truth; the refill is counted in whole milli-tokens (0.5 per ms here), so the hint may
  // be one unit late, never early.
  EXPECT_GE(d.retry_after_ms, 1);
  EXPECT_LE(d.retry_after_ms, 2);
  EXPECT_TRUE(RateTable::take(b, 0.5, 1, 1, kT0 + 2000).allowed);

  // 3 per second, burst 10, probed every millisecond for 10 s: exactly 10 + 30.
  RateBucket* c = t->claim(3);
  int admitted = 0;
  for (int64_t ms = 0; ms <= 10'000; ++ms)
    while (RateTable::take(c, 3, 10, 1, kT0 + ms).allowed) ++admitted;
  EXPECT_EQ(admitted, 40);
}

TEST(RateTable, NoDriftOverALongRun) {
  Table t;
  RateBucket* b = t->claim(4);
  // 3.3/s for 1000 s (a million probes): 5 + 3300, nothing lost or gained to rounding.
  int admitted = 0;
  for (int64_t ms = 0; ms <= 1'000'000; ++ms)
    if (RateTable::take(b, 3.3, 5, 1, kT0 + ms).allowed) ++admitted;
  EXPECT_EQ(admitted, 5 + 3300);
}

TEST(RateTable, HighRatesUseWholeTokenUnits) {
  Table t;
  RateBucket* b = t->claim(5);
  // 25 000/s (above the milli-unit range), burst 100, 40 probes per ms for one second.
  int admitted = 0;
  for (int64_t ms = 0; ms <= 1000; ++ms)
    for (int i = 0; i < 40; ++i)
      if (RateTable::take(b, 25'000, 100, 1, kT0 + ms).allowed) ++admitted;
  EXPECT_EQ(admitted, 100 + 25'000);
}

TEST(RateTable, WorksWithAMonotonicClockNearZero) {
  Table t;
  RateBucket* b = t->claim(6);
  int admitted = 0;
  for (int64_t ms = 0; ms <= 1000; ++ms)
    while (RateTable::take(b, 10, 10, 1, ms).allowed) ++admitted;
  EXPECT_EQ(admitted, 20);
}

TEST(RateTable, CostAboveOneAndAdmissionOnly) {
  Table t;
  RateBucket* b = t->claim(7);
  EXPECT_TRUE(RateTable::take(b, 10, 100, 60, kT0).allowed);
  auto d = RateTable::take(b, 10, 100, 60, kT0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 2000);  // 20 more tokens at 10/s
  // cost 0: admission while positive, consumes nothing.
  d = RateTable::take(b, 10, 100, 0, kT0);
  EXPECT_TRUE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, 40);
  EXPECT_DOUBLE_EQ(RateTable::peek(b, 10, 100, kT0).remaining, 40);
}

TEST(RateTable, ChargeGoesNegativeAndAdmitsOnlyWhilePositive) {
  Table t;
  RateBucket* b = t->claim(8);
  // 600 tokens per minute = 10/s, bucket of 600.
  EXPECT_TRUE(RateTable::peek(b, 10, 600, kT0).allowed);
  auto d = RateTable::charge(b, 10, 600, 1000, kT0);
  EXPECT_FALSE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, -400);
  EXPECT_EQ(d.reset_ms, 100'000);
  d = RateTable::peek(b, 10, 600, kT0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 40'001);  // until strictly positive
  EXPECT_FALSE(RateTable::take(b, 10, 600, 0, kT0 + 40'000).allowed);
  EXPECT_TRUE(RateTable::take(b, 10, 600, 0, kT0 + 40'001).allowed);
  // A refund is capped at the burst.
  d = RateTable::charge(b, 10, 600, -10'000, kT0 + 40'001);
  EXPECT_DOUBLE_EQ(d.remaining, 600);
}

TEST(RateTable, ChangedParamsResetUnchangedKeep) {
  Table t;
  RateBucket* b = t->claim(9);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(RateTable::take(b, 10, 10, 1, kT0).allowed);
  // A reload with the same limit: still empty.
  EXPECT_FALSE(RateTable::take(b, 10, 10, 1, kT0).allowed);
  // A changed limit: a full bucket under the new parameters, atomically with the first take.
  auto d = RateTable::take(b, 20, 10, 1, kT0);
  EXPECT_TRUE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, 9);
  d = RateTable::take(b, 20, 15, 1, kT0);
  EXPECT_TRUE(d.allowed);
  EXPECT_DOUBLE_EQ(d.remaining, 14);
  EXPECT_DOUBLE_EQ(RateTable::peek(b, 20, 15, kT0).remaining, 14);
}

TEST(RateTable, UnlimitedAndNullBucketAlwaysAllow) {
  Table t;
  RateBucket* b = t->claim(10);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(RateTable::take(b, 0, 0, 1, kT0).allowed);
  EXPECT_TRUE(RateTable::take(nullptr, 1, 1, 1, kT0).allowed);
  EXPECT_TRUE(RateTable::charge(nullptr, 1, 1, 1e9, kT0).allowed);
  EXPECT_EQ(b->state.load(), 0u);
  EXPECT_TRUE(RateTable::takeQuota(nullptr, 1).allowed);
  EXPECT_TRUE(RateTable::takeQuota(b, 0).allowed);
}

TEST(RateTable, AnOlderClockNeverOverAdmits) {
  Table t;
  RateBucket* b = t->claim(11);
  int admitted = 0;
  // Two "processes" whose readings of the clock differ by up to 7 ms, interleaved.
  for (int64_t ms = 0; ms <= 5000; ++ms) {
    if (RateTable::take(b, 10, 10, 1, kT0 + ms).allowed) ++admitted;
    if (RateTable::take(b, 10, 10, 1, kT0 + ms - 7).allowed) ++admitted;
  }
  EXPECT_LE(admitted, 10 + 50);
  EXPECT_GE(admitted, 10 + 50 - 1);
}

TEST(RateTable, QuotaCountsUpToTheMaxAndResetsWhenTheMaxChanges) {
  Table t;
  RateBucket* q = t->claim(12);
  for (uint64_t i = 1; i <= 3; ++i) {
    const auto d = RateTable::takeQuota(q, 3);
    ASSERT_TRUE(d.allowed);
    EXPECT_EQ(d.used, i);
  }
  auto d = RateTable::takeQuota(q, 3);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.used, 3u);
  EXPECT_FALSE(RateTable::peekQuota(q, 3).allowed);
  // Edited quota: counting starts again.
  EXPECT_TRUE(RateTable::peekQuota(q, 5).allowed);
  EXPECT_EQ(RateTable::peekQuota(q, 5).used, 0u);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(RateTable::takeQuota(q, 5).allowed);
  EXPECT_FALSE(RateTable::takeQuota(q, 5).allowed);
}

TEST(RateTable, FindClaimAndIds) {
  Table t;
  EXPECT_EQ(t->find(77), nullptr);
  RateBucket* b = t->claim(77);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(t->claim(77), b);
  EXPECT_EQ(t->find(77), b);
  EXPECT_EQ(t->used(), 1u);
  EXPECT_NE(t->claim(78), b);

  std::set<uint64_t> ids = {
      rateBucketId("key", "", RateKind::Requests),  rateBucketId("key", "", RateKind::Tokens),
      rateBucketId("key", "", RateKind::Quota),     rateBucketId("key", "m", RateKind::Requests),
      rateBucketId("ke", "ym", RateKind::Requests), rateBucketId("other", "", RateKind::Requests)};
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(ids.count(0), 0u);
  EXPECT_EQ(rateBucketId("key", "m", RateKind::Tokens), rateBucketId("key", "m", RateKind::Tokens));
}

TEST(RateTable, FullTableReturnsNullAndCountsOverflows) {
  Table t;
  uint64_t id = 1;
  uint64_t failures = 0;
  while (t->used() < RateTable::kCapacity && id < 8ull * RateTable::kCapacity)
    if (!t->claim(id++)) ++failures;
  EXPECT_EQ(t->overflows(), failures);
  // Every slot is reachable from some probe window: the table does fill completely.
  EXPECT_EQ(t->used(), RateTable::kCapacity);
  EXPECT_EQ(t->claim(id + 1), nullptr);
  EXPECT_EQ(t->find(id + 1), nullptr);
  EXPECT_EQ(t->overflows(), failures + 1);
  // Existing buckets keep working.
  EXPECT_NE(t->find(1), nullptr);
}

// 4 processes hammer one bucket on a shared simulated clock that advances with the attempts:
// the admitted total is exactly burst + rate·t, however the attempts interleave.
struct Hammer {
  RateTable table;
  std::atomic<uint64_t> attempts;
  std::atomic<uint64_t> admitted;
  std::atomic<uint32_t> ready;
};

uint64_t hammer(double rate, double burst, int64_t window_ms, uint64_t attempts_per_ms) {
  Shared<Hammer> h;
  h->table.init();
  constexpr int kChildren = 4;
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    const pid_t pid = fork();
    if (pid == 0) {
      h->ready.fetch_add(1);
      while (h->ready.load() < kChildren) {
      }
      RateBucket* b = h->table.claim(rateBucketId("k", "", RateKind::Requests));
      if (!b) _exit(1);
      for (;;) {
        const uint64_t n = h->attempts.fetch_add(1);
        const int64_t now = kT0 + static_cast<int64_t>(n / attempts_per_ms);
        if (now > kT0 + window_ms) break;
        if (RateTable::take(b, rate, burst, 1, now).allowed) h->admitted.fetch_add(1);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  waitAll(children);
  EXPECT_EQ(h->table.used(), 1u);
  return h->admitted.load();
}

TEST(RateTable, ExactAcrossProcesses) {
  // 10 rps, burst 10, 10 simulated seconds: 110.
  const uint64_t a = hammer(10, 10, 10'000, 20);
  EXPECT_GE(a, 109u);
  EXPECT_LE(a, 110u);
  // 1000 rps, burst 50, 2 s, 4 attempts per ms (more than the rate): 2050.
  const uint64_t b = hammer(1000, 50, 2'000, 4);
  EXPECT_GE(b, 2049u);
  EXPECT_LE(b, 2050u);
}

TEST(RateTable, ConcurrentClaimsOfTheSameIdsYieldOneBucketEach) {
  struct Claims {
    RateTable table;
    std::atomic<uint32_t> ready;
    uint32_t index[8][100];
  };
  Shared<Claims> s;
  s->table.init();
  std::vector<pid_t> children;
  for (int c = 0; c < 8; ++c) {
    const pid_t pid = fork();
    if (pid == 0) {
      s->ready.fetch_add(1);
      while (s->ready.load() < 8) {
      }
      for (uint32_t i = 0; i < 100; ++i) {
        RateBucket* b =
            s->table.claim(rateBucketId("key" + std::to_string(i), "", RateKind::Quota));
        if (!b) _exit(1);
        RateTable::takeQuota(b, 1000);
        s->index[c][i] =
            static_cast<uint32_t>(reinterpret_cast<char*>(b) - reinterpret_cast<char*>(&s->table));
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  waitAll(children);
  EXPECT_EQ(s->table.used(), 100u);
  for (uint32_t i = 0; i < 100; ++i) {
    for (int c = 1; c < 8; ++c) EXPECT_EQ(s->index[c][i], s->index[0][i]);
    RateBucket* b = s->table.find(rateBucketId("key" + std::to_string(i), "", RateKind::Quota));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(RateTable::peekQuota(b, 1000).used, 8u);  // every process counted in one bucket
  }
}

TEST(RateTable, QuotaExactAcrossProcesses) {
  struct Quota {
    RateTable table;
    std::atomic<uint64_t> allowed;
  };
  Shared<Quota> s;
  s->table.init();
  std::vector<pid_t> children;
  for (int c = 0; c < 4; ++c) {
    const pid_t pid = fork();
    if (pid == 0) {
      RateBucket* b = s->table.claim(rateBucketId("k", "", RateKind::Quota));
      for (int i = 0; i < 1000; ++i)
        if (RateTable::takeQuota(b, 1234).allowed) s->allowed.fetch_add(1);
      _exit(0);
    }
    children.push_back(pid);
  }
  waitAll(children);
  EXPECT_EQ(s->allowed.load(), 1234u);
}

}  // namespace
}  // namespace llmproxy::common
