// UvTimer: start/stop, and the lazy arm/disarm (never early, never lost, never after disarm).
#include "common/uv/uv_timer.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <vector>

namespace llmproxy::common {
namespace {

class UvTimerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);  // close callbacks
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  uv_loop_t loop_{};
};

struct Fired {
  uv_loop_t* loop = nullptr;
  std::vector<uint64_t> at;  // loop time of each callback
  static void onTimer(void* p) {
    auto* f = static_cast<Fired*>(p);
    f->at.push_back(uv_now(f->loop));
  }
};

TEST_F(UvTimerTest, ArmMovedLaterFiresOnceAtTheLaterDeadline) {
  Fired fired{&loop_, {}};
  {
    UvTimer timer(&loop_, &fired, Fired::onTimer);
    const uint64_t t0 = uv_now(&loop_);
    timer.arm(5);
    timer.arm(40);  // later: the libuv timer stays at 5 ms, then sleeps again
    uv_run(&loop_, UV_RUN_DEFAULT);
    ASSERT_EQ(fired.at.size(), 1u);
    EXPECT_GE(fired.at[0], t0 + 40);
  }
}

TEST_F(UvTimerTest, ArmMovedEarlierFiresAtTheEarlierDeadline) {
  Fired fired{&loop_, {}};
  UvTimer timer(&loop_, &fired, Fired::onTimer);
  UvTimer guard(&loop_, &fired, [](void*) {});
  guard.start(60000);  // would keep the loop alive: stopped from the callback below
  const uint64_t t0 = uv_now(&loop_);
  timer.arm(60000);
  timer.arm(5);
  uv_run(&loop_, UV_RUN_NOWAIT);
  while (fired.at.empty()) uv_run(&loop_, UV_RUN_ONCE);
  EXPECT_GE(fired.at[0], t0 + 5);
  EXPECT_LT(fired.at[0], t0 + 60000);
  timer.stop();
  guard.stop();
}

TEST_F(UvTimerTest, DisarmedTimerNeverCallsBack) {
  Fired fired{&loop_, {}};
  UvTimer timer(&loop_, &fired, Fired::onTimer);
  timer.arm(5);
  timer.disarm();
  uv_run(&loop_, UV_RUN_DEFAULT);  // the libuv timer expires harmlessly, then the loop is empty
  EXPECT_TRUE(fired.at.empty());
  EXPECT_FALSE(timer.active());
  timer.arm(1);  // armed again after a disarm: fires
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired.at.size(), 1u);
}

TEST_F(UvTimerTest, StartAfterArmIsExact) {
  Fired fired{&loop_, {}};
  UvTimer timer(&loop_, &fired, Fired::onTimer);
  timer.arm(60000);
  timer.start(1);  // start() takes over: no lazy re-arm to the old deadline
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired.at.size(), 1u);
}

}  // namespace
}  // namespace llmproxy::common
