// The seqlock template: publish and read, torn reads refused across processes, bounded reads.
#include "common/shm/seqlock.h"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <new>

namespace llmproxy::common {
namespace {

struct Record {
  SeqLock lock;
  uint64_t a;
  uint64_t b;  // always equal to a in a consistent copy
};

// A record in a MAP_SHARED mapping, as in the shared-memory region, so a child can write it.
class SharedRecord {
 public:
  SharedRecord() {
    void* p = mmap(nullptr, sizeof(Record), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    EXPECT_NE(p, MAP_FAILED);
    record_ = new (p) Record{};
    record_->lock.init();
    record_->a = record_->b = 0;
  }
  ~SharedRecord() { munmap(record_, sizeof(Record)); }
  Record& operator*() { return *record_; }
  Record* operator->() { return record_; }

 private:
  Record* record_;
};

TEST(SeqLock, WriteThenRead) {
  SharedRecord r;
  r->lock.write([&] { r->a = r->b = 7; });
  uint64_t a = 0, b = 0;
  ASSERT_TRUE(r->lock.read([&] {
    a = r->a;
    b = r->b;
  }));
  EXPECT_EQ(a, 7u);
  EXPECT_EQ(b, 7u);
  EXPECT_EQ(r->lock.sequence().load() % 2, 0u) << "even once the write is done";
}

TEST(SeqLock, ReadOnceFailsWhileAWriteIsOpen) {
  SharedRecord r;
  bool copied = false;
  r->lock.sequence().store(1);  // a writer inside write()
  EXPECT_FALSE(r->lock.readOnce([&] { copied = true; }));
  EXPECT_FALSE(copied) << "no copy is even attempted while the count is odd";
}

TEST(SeqLock, ReadOnceFailsWhenAWriteOverlapsTheCopy) {
  SharedRecord r;
  EXPECT_FALSE(r->lock.readOnce([&] { r->lock.write([&] { r->a = r->b = 1; }); }));
  EXPECT_TRUE(r->lock.readOnce([] {}));
}

TEST(SeqLock, BoundedReadGivesUpOnAnAbandonedWrite) {
  SharedRecord r;
  r->lock.sequence().store(3);  // the writer died after its first increment
  int tries = 0;
  EXPECT_FALSE(r->lock.read([&] { ++tries; }, 100));
  EXPECT_EQ(tries, 0);
  // The default bound ends too (it yields after the first tries, it never spins for ever).
  EXPECT_FALSE(r->lock.read([] {}));
}

TEST(SeqLock, RetryBoundedCountsItsTries) {
  int calls = 0;
  EXPECT_FALSE(retryBounded([&] { return ++calls < 0; }, 10));
  EXPECT_EQ(calls, 10);
  calls = 0;
  EXPECT_TRUE(retryBounded([&] { return ++calls == 3; }, 10));
  EXPECT_EQ(calls, 3);
}

// A child process writes as fast as it can; every copy the parent keeps is consistent.
TEST(SeqLock, ConcurrentWriterNeverYieldsATornCopy) {
  SharedRecord r;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (uint64_t i = 1; i <= 200000; ++i) r->lock.write([&] {
      r->a = i;
      r->b = i;
    });
    _exit(0);
  }
  uint64_t last = 0;
  int kept = 0;
  for (;;) {
    uint64_t a = 0, b = 0;
    if (r->lock.read([&] {
          a = r->a;
          b = r->b;
        })) {
      ASSERT_EQ(a, b) << "torn copy kept";
      ASSERT_GE(a, last);
      last = a;
      ++kept;
    }
    if (last == 200000) break;
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
      waitpid(child, nullptr, 0);
      break;
    }
  }
  waitpid(child, nullptr, 0);
  EXPECT_GT(kept, 0);
}

}  // namespace
}  // namespace llmproxy::common
