// The shared budget table: admission while under the budget, reservations settled with the real
// cost, periods that end by their tag, reset, and exactness across forked processes.
#include "common/shm/budget_table.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <vector>

namespace llmproxy::common {
namespace {

// An anonymous MAP_SHARED mapping, as the region makes: children see the parent's table.
struct SharedTable {
  SharedTable() {
    mem = mmap(nullptr, sizeof(BudgetTable), PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(mem, MAP_FAILED);
    table = new (mem) BudgetTable{};
  }
  ~SharedTable() { munmap(mem, sizeof(BudgetTable)); }
  void* mem = nullptr;
  BudgetTable* table = nullptr;
};

TEST(BudgetTable, AdmitsWhileUnderAndSettlesWithTheRealCost) {
  SharedTable t;
  BudgetEntry* e = t.table->entry(42);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(t.table->entry(42), e) << "the same id, the same entry";
  const uint16_t tag = BudgetTable::tagOf(7);
  // Budget 10: three requests reserving 4 each are admitted at 0, 4 and 8; the fourth is not.
  EXPECT_TRUE(BudgetTable::reserve(e, tag, 10, 4).allowed);
  EXPECT_TRUE(BudgetTable::reserve(e, tag, 10, 4).allowed);
  EXPECT_TRUE(BudgetTable::reserve(e, tag, 10, 4).allowed);
  EXPECT_FALSE(BudgetTable::reserve(e, tag, 10, 4).allowed);
  EXPECT_EQ(BudgetTable::committed(e, tag), 12u);
  EXPECT_EQ(BudgetTable::spent(e, tag), 0u);
  // One fails (costs 0), one costs 1: 12 - 4 - 4 + 1 = 5 committed, 1 spent.
  BudgetTable::settle(e, tag, tag, 4, 0);
  BudgetTable::settle(e, tag, tag, 4, 1);
  EXPECT_EQ(BudgetTable::committed(e, tag), 5u);
  EXPECT_EQ(BudgetTable::spent(e, tag), 1u);
  EXPECT_TRUE(BudgetTable::reserve(e, tag, 10, 4).allowed);
  // A request that reserved nothing just adds its cost.
  BudgetTable::settle(e, 0, tag, 0, 3);
  EXPECT_EQ(BudgetTable::committed(e, tag), 12u);
  EXPECT_EQ(BudgetTable::spent(e, tag), 4u);
}

TEST(BudgetTable, ANewPeriodStartsFromZeroAndLateSettlementsCountInIt) {
  SharedTable t;
  BudgetEntry* e = t.table->entry(1);
  const uint16_t day1 = BudgetTable::tagOf(100);
  const uint16_t day2 = BudgetTable::tagOf(101);
  EXPECT_TRUE(BudgetTable::reserve(e, day1, 10, 10).allowed);
  EXPECT_FALSE(BudgetTable::reserve(e, day1, 10, 1).allowed);
  EXPECT_EQ(BudgetTable::committed(e, day2), 0u) << "another period reads as 0";
  EXPECT_TRUE(BudgetTable::reserve(e, day2, 10, 2).allowed);
  // The day-1 request ends on day 2: its estimate is gone with day 1, its cost counts on day 2.
  BudgetTable::settle(e, day1, day2, 10, 3);
  EXPECT_EQ(BudgetTable::committed(e, day2), 5u);
  EXPECT_EQ(BudgetTable::spent(e, day2), 3u);
  EXPECT_EQ(BudgetTable::tagOf(-1), BudgetTable::tagOf(65534));
  EXPECT_NE(BudgetTable::tagOf(0), 0) << "tag 0 is 'never used'";
}

TEST(BudgetTable, ResetAndAdd) {
  SharedTable t;
  BudgetEntry* e = t.table->entry(9);
  const uint16_t tag = BudgetTable::tagOf(0);
  BudgetTable::add(e, tag, 7);
  EXPECT_EQ(BudgetTable::spent(e, tag), 7u);
  EXPECT_TRUE(BudgetTable::reserve(e, tag, 10, 2).allowed);
  BudgetTable::reset(e);
  EXPECT_EQ(BudgetTable::committed(e, tag), 0u);
  EXPECT_EQ(BudgetTable::spent(e, tag), 0u);
  // The request in flight at the reset still adds its cost.
  BudgetTable::settle(e, tag, tag, 2, 1);
  EXPECT_EQ(BudgetTable::committed(e, tag), 1u);
  EXPECT_EQ(BudgetTable::spent(e, tag), 1u);
}

TEST(BudgetTable, SeedIsClaimedOnceAndGivenUpAfterItsDeadline) {
  SharedTable t;
  EXPECT_TRUE(t.table->claimSeed(1000));
  EXPECT_FALSE(t.table->claimSeed(1000));
  EXPECT_TRUE(t.table->seeding(1000));
  EXPECT_FALSE(t.table->seeding(1000 + BudgetTable::kSeedMaxMs)) << "a dead loader holds no one";
  t.table->seedDone();
  EXPECT_FALSE(t.table->seeding(1000));
}

// Eight processes race reservations of 3 against a budget of 100 and settle each at cost 3:
// exactly ceil(100 / 3) = 34 are admitted, whatever the interleaving.
TEST(BudgetTable, ExactAcrossProcesses) {
  SharedTable t;
  struct Counters {
    std::atomic<int> admitted;
    std::atomic<int> ready;
  };
  void* mem = mmap(nullptr, sizeof(Counters), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* c = new (mem) Counters{};
  constexpr int kChildren = 8;
  const uint16_t tag = BudgetTable::tagOf(5);
  std::vector<pid_t> children;
  for (int i = 0; i < kChildren; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      c->ready.fetch_add(1);
      while (c->ready.load() < kChildren) {
      }
      BudgetEntry* e = t.table->entry(77);
      if (!e) _exit(1);
      for (int n = 0; n < 20; ++n) {
        if (BudgetTable::reserve(e, tag, 100, 3).allowed) {
          c->admitted.fetch_add(1);
          BudgetTable::settle(e, tag, tag, 3, 3);
        }
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(c->admitted.load(), 34);
  EXPECT_EQ(BudgetTable::spent(t.table->entry(77), tag), 102u);
  munmap(mem, sizeof(Counters));
}

}  // namespace
}  // namespace llmproxy::common
