// The node's store of streamed Responses items: round trip, id compared, overwrite, bounds,
// expiry, the off switch, sharing across fork and a slot whose writer died.
#include "common/shm/item_store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::common {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

ItemStore storeOf(size_t slots) {
  auto store = ItemStore::create(slots * ItemStore::slotBytes());
  EXPECT_TRUE(store) << store.error().detail;
  EXPECT_EQ(store->slotCount(), slots);
  return std::move(*store);
}

std::string get(const ItemStore& store, std::string_view id, int64_t now = kNow) {
  std::string out = "stale";
  if (!store.get(id, now, out)) {
    EXPECT_EQ(out, "");
    return "<miss>";
  }
  return out;
}

TEST(ItemStore, KeepsAnItemUnderItsId) {
  ItemStore store = storeOf(64);
  EXPECT_TRUE(store.enabled());
  EXPECT_TRUE(store.put("msg_a_0_x", R"({"type":"message"})", kNow));
  EXPECT_TRUE(store.put("fc_a_1_y", R"({"type":"function_call"})", kNow));
  EXPECT_EQ(get(store, "msg_a_0_x"), R"({"type":"message"})");
  EXPECT_EQ(get(store, "fc_a_1_y"), R"({"type":"function_call"})");
  EXPECT_EQ(get(store, "msg_a_0_z"), "<miss>");
  EXPECT_EQ(get(store, ""), "<miss>");
}

// One slot: every id lands in it, so a read must compare the id, and the newer item wins.
TEST(ItemStore, ComparesTheIdAndANewerItemReplacesAnOlderOne) {
  ItemStore store = storeOf(1);
  ASSERT_TRUE(store.put("msg_first", "one", kNow));
  EXPECT_EQ(get(store, "msg_other"), "<miss>");
  EXPECT_EQ(get(store, "msg_firs"), "<miss>");  // a prefix of the id is another id
  ASSERT_TRUE(store.put("msg_second", "two", kNow + 1));
  EXPECT_EQ(get(store, "msg_first"), "<miss>");
  EXPECT_EQ(get(store, "msg_second"), "two");
  ASSERT_TRUE(store.put("msg_second", "three", kNow + 2));
  EXPECT_EQ(get(store, "msg_second"), "three");
}

TEST(ItemStore, RefusesWhatDoesNotFitASlot) {
  ItemStore store = storeOf(4);
  EXPECT_FALSE(store.put("msg_big", std::string(kItemStoreMaxItem + 1, 'x'), kNow));
  EXPECT_EQ(get(store, "msg_big"), "<miss>");
  const std::string fits(kItemStoreMaxItem, 'x');
  EXPECT_TRUE(store.put("msg_fits", fits, kNow));
  EXPECT_EQ(get(store, "msg_fits"), fits);
  const std::string long_id(kItemStoreMaxId + 1, 'm');
  EXPECT_FALSE(store.put(long_id, "x", kNow));
  EXPECT_EQ(get(store, long_id), "<miss>");
  EXPECT_FALSE(store.put("", "x", kNow));
}

TEST(ItemStore, AnEntryPastItsTimeIsAMiss) {
  ItemStore store = storeOf(8);
  ASSERT_TRUE(store.put("msg_t", "text", kNow));
  EXPECT_EQ(get(store, "msg_t", kNow + kItemStoreTtlMs), "text");
  EXPECT_EQ(get(store, "msg_t", kNow + kItemStoreTtlMs + 1), "<miss>");
}

TEST(ItemStore, SizeZeroIsOff) {
  auto store = ItemStore::create(0);
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->enabled());
  EXPECT_FALSE(store->put("msg_a", "x", kNow));
  EXPECT_EQ(get(*store, "msg_a"), "<miss>");
  ItemStore unset;
  EXPECT_FALSE(unset.put("msg_a", "x", kNow));
  // A size below one slot still holds one.
  auto tiny = ItemStore::create(1);
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->slotCount(), 1u);
}

// Workers are forked after the master creates it: what one writes, the others read.
TEST(ItemStore, SharedAcrossFork) {
  ItemStore store = storeOf(16);
  ASSERT_TRUE(store.put("msg_parent", "from the parent", kNow));
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string seen;
    const bool ok = store.get("msg_parent", kNow, seen) && seen == "from the parent" &&
                    store.put("msg_child", "from the child", kNow);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(get(store, "msg_child"), "from the child");
}

// A worker killed while writing leaves the slot's writer flag set and its count odd: writes
// meanwhile are dropped (never two writers in one slot), and once the flag is old enough the
// next writer takes the slot over and readers see its item.
TEST(ItemStore, ASlotWhoseWriterDiedIsTakenOver) {
  ItemStore store = storeOf(1);
  ASSERT_TRUE(store.put("msg_old", "old", kNow));
  store.simulateDeadWriter("msg_new", kNow);
  EXPECT_EQ(get(store, "msg_old"), "<miss>");  // a write is open: no stable copy
  EXPECT_FALSE(store.put("msg_new", "new", kNow + 1000));
  EXPECT_TRUE(store.put("msg_new", "new", kNow + 120'000));
  EXPECT_EQ(get(store, "msg_new", kNow + 120'000), "new");
}

}  // namespace
}  // namespace llmproxy::common
