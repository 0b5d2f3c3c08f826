// The seqlock double buffer: publication, generations, torn-read protection across processes.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/shm/region.h"

namespace llmproxy::common {
namespace {

ShmRegion makeRegion(uint64_t capacity = 1 << 16) {
  ShmLayout layout;
  layout.max_workers = 8;
  layout.config_capacity = capacity;
  auto r = ShmRegion::create(layout);
  EXPECT_TRUE(r.has_value());
  return std::move(*r);
}

TEST(ConfigSlot, NothingPublishedReadsGenerationZero) {
  auto shm = makeRegion();
  std::string out = "x";
  EXPECT_EQ(shm.configSlot().read(out), 0u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(shm.configSlot().currentGeneration(), 0u);
}

TEST(ConfigSlot, PublishAlternatesHalvesAndKeepsNewest) {
  auto shm = makeRegion();
  auto& slot = shm.configSlot();
  ASSERT_TRUE(slot.publish("first", 1));
  const uint32_t first_half = slot.active.load();
  ASSERT_TRUE(slot.publish("second blob", 2));
  EXPECT_NE(slot.active.load(), first_half);
  std::string out;
  EXPECT_EQ(slot.read(out), 2u);
  EXPECT_EQ(out, "second blob");
  EXPECT_EQ(slot.currentGeneration(), 2u);
}

TEST(ConfigSlot, RejectsBlobLargerThanHalf) {
  auto shm = makeRegion(16);
  EXPECT_FALSE(shm.configSlot().publish(std::string(17, 'a'), 1));
  EXPECT_EQ(shm.configSlot().currentGeneration(), 0u);
  EXPECT_TRUE(shm.configSlot().publish(std::string(16, 'a'), 1));
}

// A child process publishes as fast as it can while the parent reads: every read must be one
// whole blob (all bytes equal to its generation's letter), never a mix of two.
TEST(ConfigSlot, ConcurrentReaderNeverSeesTornBlob) {
  auto shm = makeRegion(1 << 16);
  auto& slot = shm.configSlot();
  ASSERT_TRUE(slot.publish(std::string(4096, 'b'), 1));  // 'a' + 1 % 26
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (uint64_t g = 2; g < 20000; ++g)
      slot.publish(std::string(1024 + (g % 7) * 1000, static_cast<char>('a' + g % 26)), g);
    _exit(0);
  }
  std::string out;
  uint64_t last = 0;
  int reads = 0;
  for (;;) {
    const uint64_t g = slot.read(out);
    ++reads;
    ASSERT_GE(g, last);
    last = g;
    ASSERT_FALSE(out.empty());
    const char want = static_cast<char>('a' + g % 26);
    ASSERT_EQ(out.find_first_not_of(want), std::string::npos) << "torn read at generation " << g;
    if (g == 19999) break;
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
      slot.read(out);
      break;
    }
  }
  waitpid(child, nullptr, 0);
  EXPECT_GT(reads, 0);
}

TEST(ReloadStatus, RecordsOutcomeAndCounts) {
  auto shm = makeRegion();
  auto& rs = shm.reloadStatus();
  ReloadStatus::Snapshot s;
  ASSERT_TRUE(rs.read(s));
  EXPECT_EQ(s.completed, 0u);
  rs.record(false, 1000, 1, "a.conf:3:1: bad");
  ASSERT_TRUE(rs.read(s));
  EXPECT_EQ(s.completed, 1u);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.message, "a.conf:3:1: bad");
  EXPECT_EQ(s.failed, 1u);
  rs.record(true, 2000, 2, "");
  ASSERT_TRUE(rs.read(s));
  EXPECT_TRUE(s.ok);
  EXPECT_EQ(s.generation, 2u);
  EXPECT_EQ(s.succeeded, 1u);
  EXPECT_TRUE(s.message.empty());
  rs.record(false, 3000, 2, std::string(5000, 'm'));
  ASSERT_TRUE(rs.read(s));
  EXPECT_EQ(s.message.size(), ReloadStatus::kMessageCapacity) << "bounded";
}

// A master that died inside record() leaves the count odd: readers give up instead of spinning,
// keep the counters and report the outcome as unknown.
TEST(ReloadStatus, ReadOfAnAbandonedWriteFailsButKeepsCounters) {
  auto shm = makeRegion();
  auto& rs = shm.reloadStatus();
  rs.record(false, 1000, 1, "bad");
  rs.lock.sequence().fetch_add(1);
  ReloadStatus::Snapshot s;
  EXPECT_FALSE(rs.read(s));
  EXPECT_EQ(s.completed, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_TRUE(s.message.empty());
}

TEST(ConfigSlot, ReadOfAnAbandonedWriteReturnsGenerationZero) {
  auto shm = makeRegion();
  auto& slot = shm.configSlot();
  ASSERT_TRUE(slot.publish("one", 1));
  slot.half[slot.active.load()].lock.sequence().fetch_add(1);
  std::string out = "stale";
  EXPECT_EQ(slot.read(out), 0u);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(slot.publish("two", 2)) << "the writer moves to the other half";
  EXPECT_EQ(slot.read(out), 2u);
  EXPECT_EQ(out, "two");
}

TEST(ShmRegion, HeaderDescribesLayout) {
  auto shm = makeRegion();
  EXPECT_EQ(shm.header().magic, ShmHeader::kMagic);
  EXPECT_EQ(shm.header().layout_version, ShmHeader::kLayoutVersion);
  EXPECT_EQ(shm.maxWorkers(), 8u);
  shm.worker(7).requests.store(5);
  EXPECT_EQ(shm.worker(7).requests.load(), 5u);
  EXPECT_EQ(shm.worker(0).pid.load(), 0);
}

}  // namespace
}  // namespace llmproxy::common
