// Close-then-free timer ownership.
#include "common/uv/uv_timer.h"

namespace llmproxy::common {

UvTimer::UvTimer(uv_loop_t* loop, void* owner, Callback cb) : h_(new Handle{{}, owner, cb}) {
  uv_timer_init(loop, &h_->timer);
  h_->timer.data = h_;
}

UvTimer::~UvTimer() {
  uv_timer_stop(&h_->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&h_->timer),
           [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
}

void UvTimer::start(uint64_t timeout_ms, uint64_t repeat_ms) {
  uv_timer_start(
      &h_->timer,
      [](uv_timer_t* t) {
        auto* h = static_cast<Handle*>(t->data);
        h->cb(h->owner);
      },
      timeout_ms, repeat_ms);
}

void UvTimer::stop() { uv_timer_stop(&h_->timer); }

bool UvTimer::active() const {
  return uv_is_active(reinterpret_cast<const uv_handle_t*>(&h_->timer)) != 0;
}

}  // namespace llmproxy::common
