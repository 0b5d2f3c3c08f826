// A libuv timer owned by a C++ object: the uv_timer_t lives on the heap and is freed in its
// close callback, so the owner may be destroyed at any time (even from inside the callback's
// caller chain) without libuv touching freed memory. Only on its loop's thread (worker or
// master).
#pragma once

#include <uv.h>

#include <cstdint>

#include "common/base/pooled.h"

namespace llmproxy::common {

class UvTimer : public Pooled<UvTimer> {
 public:
  using Callback = void (*)(void* owner);

  UvTimer(uv_loop_t* loop, void* owner, Callback cb);
  ~UvTimer();
  UvTimer(const UvTimer&) = delete;
  UvTimer& operator=(const UvTimer&) = delete;

  void start(uint64_t timeout_ms, uint64_t repeat_ms = 0);
  void stop();
  // active(): the libuv timer is scheduled (after disarm() it may still be, harmlessly).
  bool active() const;

  // For deadlines re-armed on every read or write (idle, phase and send timeouts): the callback
  // runs no earlier than `timeout_ms` from now (loop time). When the libuv timer is already
  // due no later than that it stays where it is, no timer-heap work: on firing before the
  // deadline it re-arms itself for the rest (nginx moves a timer only when it must, too).
  void arm(uint64_t timeout_ms);
  // The callback will not run until the next start()/arm(); the libuv timer is left to expire.
  void disarm();

 private:
  struct Handle : Pooled<Handle> {
    uv_timer_t timer;
    void* owner;
    Callback cb;
    uint64_t due = 0;       // arm(): the deadline (loop ms); 0 = none (start() or disarmed)
    uint64_t fires_at = 0;  // arm(): when the libuv timer is set to fire
  };
  static void onFire(uv_timer_t* t);
  Handle* h_;
};

}  // namespace llmproxy::common
