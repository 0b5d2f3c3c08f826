// ProviderSlots: the node-wide in-flight cap per provider, and giving back a dead worker's slots.
#include "common/shm/provider_slots.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>

namespace llmproxy::common {
namespace {

struct Table {
  explicit Table(uint32_t workers)
      : bytes(new (std::align_val_t{64}) char[ProviderSlots::bytesFor(workers)]) {
    slots = new (bytes) ProviderSlots{};
    slots->init(workers);
  }
  ~Table() { ::operator delete[](bytes, std::align_val_t{64}); }
  char* bytes;
  ProviderSlots* slots;
};

TEST(ProviderSlots, CapIsSharedByAllWorkers) {
  Table t(4);
  const uint32_t e = t.slots->entry("p");
  ASSERT_NE(e, ProviderSlots::kNone);
  EXPECT_EQ(t.slots->entry("p"), e);
  EXPECT_NE(t.slots->entry("q"), e);
  EXPECT_TRUE(t.slots->tryAcquire(e, 0, 2));
  EXPECT_TRUE(t.slots->tryAcquire(e, 1, 2));
  EXPECT_FALSE(t.slots->tryAcquire(e, 2, 2));
  EXPECT_EQ(t.slots->inFlight(e), 2);
  t.slots->release(e, 0);
  EXPECT_TRUE(t.slots->tryAcquire(e, 2, 2));
  EXPECT_TRUE(t.slots->tryAcquire(e, 3, 0));  // 0 = no cap, still counted
  EXPECT_EQ(t.slots->inFlight(e), 3);
}

TEST(ProviderSlots, ReleaseWorkerGivesBackOnlyThatWorkersSlots) {
  Table t(4);
  const uint32_t p = t.slots->entry("p"), q = t.slots->entry("q");
  ASSERT_TRUE(t.slots->tryAcquire(p, 1, 10));
  ASSERT_TRUE(t.slots->tryAcquire(p, 1, 10));
  ASSERT_TRUE(t.slots->tryAcquire(q, 1, 10));
  ASSERT_TRUE(t.slots->tryAcquire(p, 2, 10));
  EXPECT_EQ(t.slots->releaseWorker(1), 3u);
  EXPECT_EQ(t.slots->inFlight(p), 1);
  EXPECT_EQ(t.slots->inFlight(q), 0);
  EXPECT_EQ(t.slots->releaseWorker(1), 0u);  // idempotent
  t.slots->release(p, 2);
  EXPECT_EQ(t.slots->inFlight(p), 0);
}

}  // namespace
}  // namespace llmproxy::common
