// A libuv timer owned by a C++ object: the uv_timer_t lives on the heap and is freed in its
// close callback, so the owner may be destroyed at any time (even from inside the callback's
// caller chain) without libuv touching freed memory. Only on its loop's thread (worker or
// master).
#pragma once

#include <uv.h>

#include <cstdint>

namespace llmproxy::common {

class UvTimer {
 public:
  using Callback = void (*)(void* owner);

  UvTimer(uv_loop_t* loop, void* owner, Callback cb);
  ~UvTimer();
  UvTimer(const UvTimer&) = delete;
  UvTimer& operator=(const UvTimer&) = delete;

  void start(uint64_t timeout_ms, uint64_t repeat_ms = 0);
  void stop();
  bool active() const;

 private:
  struct Handle {
    uv_timer_t timer;
    void* owner;
    Callback cb;
  };
  Handle* h_;
};

}  // namespace llmproxy::common
