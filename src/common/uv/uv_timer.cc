// Close-then-free timer ownership.
#include "common/uv/uv_timer.h"

namespace llmproxy::common {

UvTimer::UvTimer(uv_loop_t* loop, void* owner, Callback cb) : h_(new Handle{{}, {}, owner, cb}) {
  uv_timer_init(loop, &h_->timer);
  h_->timer.data = h_;
}

UvTimer::~UvTimer() {
  uv_timer_stop(&h_->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&h_->timer),
           [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
}

void UvTimer::onFire(uv_timer_t* t) {
  auto* h = static_cast<Handle*>(t->data);
  if (h->fires_at != 0) {  // arm()ed or disarm()ed
    if (h->due == 0) {
      h->fires_at = 0;
      return;
    }
    const uint64_t now = uv_now(t->loop);
    if (h->due > now) {  // moved later since it was set: sleep again for the rest
      h->fires_at = h->due;
      uv_timer_start(t, onFire, h->due - now, 0);
      return;
    }
    h->due = 0;
    h->fires_at = 0;
  }
  h->cb(h->owner);
}

void UvTimer::start(uint64_t timeout_ms, uint64_t repeat_ms) {
  h_->due = 0;
  h_->fires_at = 0;
  uv_timer_start(&h_->timer, onFire, timeout_ms, repeat_ms);
}

void UvTimer::stop() {
  h_->due = 0;
  h_->fires_at = 0;
  uv_timer_stop(&h_->timer);
}

void UvTimer::arm(uint64_t timeout_ms) {
  const uint64_t now = uv_now(h_->timer.loop);
  h_->due = now + timeout_ms;
  if (h_->fires_at != 0 && h_->fires_at <= h_->due && active()) return;
  h_->fires_at = h_->due;
  uv_timer_start(&h_->timer, onFire, timeout_ms, 0);
}

void UvTimer::disarm() {
  if (h_->fires_at == 0) {  // not arm()ed: a plain stop
    uv_timer_stop(&h_->timer);
    return;
  }
  h_->due = 0;
}

bool UvTimer::active() const {
  return uv_is_active(reinterpret_cast<const uv_handle_t*>(&h_->timer)) != 0;
}

}  // namespace llmproxy::common
