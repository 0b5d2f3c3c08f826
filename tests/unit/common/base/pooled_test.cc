// Pooled<T>: freed blocks are handed out again; other sizes go to the global allocator.
#include "common/base/pooled.h"

#include <gtest/gtest.h>

#include <memory>

namespace llmproxy::common {
namespace {

struct Item : Pooled<Item> {
  explicit Item(int v) : value(v) {}
  virtual ~Item() = default;
  int value;
  char pad[40] = {};
};

struct Bigger : Item {
  Bigger() : Item(2) {}
  char more[100] = {};
};

TEST(Pooled, ObjectsAreConstructedAndDestroyedNormally) {
  auto a = std::make_unique<Item>(1);
  auto b = std::make_unique<Item>(2);
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(a->value, 1);
  EXPECT_EQ(b->value, 2);
  std::unique_ptr<Item> derived = std::make_unique<Bigger>();  // another size: global new
  EXPECT_EQ(derived->value, 2);
}

#ifndef __SANITIZE_ADDRESS__
TEST(Pooled, AFreedBlockIsReused) {
  auto* first = new Item(1);
  void* where = first;
  delete first;
  auto* second = new Item(7);
  EXPECT_EQ(static_cast<void*>(second), where);
  EXPECT_EQ(second->value, 7);
  delete second;
}
#endif

}  // namespace
}  // namespace llmproxy::common
