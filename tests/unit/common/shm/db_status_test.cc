// DbStatus: what the master writes is what a worker reads, through the shared region.
#include "common/shm/db_status.h"

#include <gtest/gtest.h>

#include "common/shm/region.h"

namespace llmproxy::common {
namespace {

TEST(ShmDbStatus, RoundTripAndBoundedError) {
  ShmLayout layout;
  layout.max_workers = 2;
  layout.config_capacity = 4096;
  auto shm = ShmRegion::create(layout);
  ASSERT_TRUE(shm);
  DbStatus::Snapshot s;
  ASSERT_TRUE(shm->dbStatus().read(s));
  EXPECT_EQ(s.state, DbState::NotConfigured);

  DbStatus::Snapshot w;
  w.state = DbState::Unavailable;
  w.since_ms = 123;
  w.last_load_ms = 100;
  w.loads = 4;
  w.providers = 2;
  w.keys = 3;
  w.skipped_rows = 1;
  w.last_error = std::string(5000, 'e');
  shm->dbStatus().write(w);
  ASSERT_TRUE(shm->dbStatus().read(s));
  EXPECT_EQ(s.state, DbState::Unavailable);
  EXPECT_EQ(s.since_ms, 123);
  EXPECT_EQ(s.loads, 4u);
  EXPECT_EQ(s.keys, 3u);
  EXPECT_EQ(s.last_error.size(), DbStatus::kErrorCapacity);
  EXPECT_EQ(dbStateName(s.state), "unavailable");

  // A writer that died mid-update: the read fails (bounded) and leaves `out` as it was.
  shm->dbStatus().lock.sequence().fetch_add(1);
  DbStatus::Snapshot untouched;
  untouched.loads = 99;
  EXPECT_FALSE(shm->dbStatus().read(untouched));
  EXPECT_EQ(untouched.loads, 99u);
}

}  // namespace
}  // namespace llmproxy::common
