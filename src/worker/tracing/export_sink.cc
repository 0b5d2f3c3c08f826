// Bounded, batched, retried delivery of finished requests to one tracing sink.
#include "worker/tracing/export_sink.h"

#include <algorithm>
#include <charconv>

#include "common/log/log.h"

namespace llmproxy::worker::tracing {

// One export call: the receiver of its UpstreamCall's callbacks. The result is read by the
// sink after the callback chain has unwound (settle_timer_), where the call may be destroyed.
class ExportSink::Call : public UpstreamCallbacks {
 public:
  explicit Call(ExportSink* sink) : sink_(sink) {}

  void onUpstreamHead(UpstreamResponseHead head) override { status = head.status; }
  void onUpstreamBody(BodySlice) override {}
  void onUpstreamEnd() override { finished(); }
  void onUpstreamError(const common::Error& e, bool was_reused, bool started) override {
    failed = true;
    error = e.detail;
    reused = was_reused;
    response_started = started;
    finished();
  }

  int status = 0;
  bool failed = false;
  bool reused = false;
  bool response_started = false;
  bool done = false;
  std::string error;
  std::unique_ptr<UpstreamCall> upstream;  // declared last: destroyed before the callbacks

 private:
  void finished() {
    if (done) return;
    done = true;
    sink_->settle_timer_->start(0);
  }
  ExportSink* sink_;
};

ExportSink::ExportSink(uv_loop_t* loop, UpstreamClient& client, common::MetricsWriter& metrics,
                       common::TraceSink which, Encode encode)
    : loop_(loop), client_(client), metrics_(metrics), which_(which), encode_(std::move(encode)) {
  timer_ = std::make_unique<common::UvTimer>(loop_, this, &ExportSink::onTimer);
  call_timer_ = std::make_unique<common::UvTimer>(loop_, this, &ExportSink::onCallTimeout);
  settle_timer_ = std::make_unique<common::UvTimer>(loop_, this, &ExportSink::onSettle);
}

ExportSink::~ExportSink() {
  call_.reset();
  if (const size_t n = queued(); n > 0) {
    metrics_.traceDropped(which_, n);
    LLMP_LOG_WARN("tracing: {} request(s) not exported to {} before the worker stopped", n,
                  common::traceSinkName(which_));
  }
  metrics_.setTraceQueued(which_, 0);
}

void ExportSink::configure(std::optional<Target> target, const Settings& settings) {
  settings_ = settings;
  settings_.batch_size = std::max<uint32_t>(1, settings_.batch_size);
  if (!target) {
    if (target_) {
      drop(queue_.size() + (call_ ? 0 : batch_.size()), "export turned off");
      queue_.clear();
      if (!call_) batch_.clear();  // a batch in flight is dropped when its call ends
    }
    target_.reset();
    timer_->stop();
    backing_off_ = false;
    metrics_.setTraceQueued(which_, queued());
    return;
  }
  target_ = std::move(target);
}

void ExportSink::push(std::shared_ptr<const TraceRecord> record) {
  if (!target_) return;
  if (queued() >= settings_.queue_size) {
    metrics_.traceDropped(which_, 1);
    if (!full_) {
      full_ = true;
      LLMP_LOG_WARN("tracing: {} request(s) wait for {} (tracing.queue_size); new ones are "
                    "dropped until it takes them",
                    queued(), common::traceSinkName(which_));
    }
    return;
  }
  queue_.push_back({uv_now(loop_), std::move(record)});
  metrics_.setTraceQueued(which_, queued());
  if (call_ || backing_off_ || !batch_.empty()) return;  // the call's end schedules the rest
  if (queue_.size() >= settings_.batch_size)
    wantSend(0);
  else if (queue_.size() == 1)
    wantSend(settings_.flush_interval_ms);
}

void ExportSink::wantSend(uint64_t delay_ms) {
  if (backing_off_) return;
  const uint64_t due = uv_now(loop_) + delay_ms;
  if (timer_->active() && timer_due_ms_ <= due) return;
  timer_due_ms_ = due;
  timer_->start(delay_ms);
}

void ExportSink::onTimer(void* self) {
  auto* s = static_cast<ExportSink*>(self);
  s->backing_off_ = false;
  s->send();
}

void ExportSink::send() {
  if (call_ || !target_) return;
  if (batch_.empty()) {
    const size_t n = std::min<size_t>(queue_.size(), settings_.batch_size);
    if (n == 0) return;
    batch_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch_.push_back(std::move(queue_.front().record));
      queue_.pop_front();
    }
    body_ = encode_(batch_);
    sends_ = 0;
    fresh_retry_used_ = false;
  }
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, body_.size()).ptr;
  head_ = target_->head;
  head_ += "Content-Length: ";
  head_.append(digits, static_cast<size_t>(end - digits));
  head_ += "\r\nConnection: keep-alive\r\n\r\n";
  ++sends_;
  call_ = std::make_unique<Call>(this);
  std::vector<uv_buf_t> bufs = {uv_buf_init(head_.data(), static_cast<unsigned>(head_.size())),
                                uv_buf_init(body_.data(), static_cast<unsigned>(body_.size()))};
  call_->upstream = client_.start(target_->origin, std::move(bufs), call_.get(),
                                  std::chrono::milliseconds(settings_.timeout_ms));
  call_timer_->start(settings_.timeout_ms);
}

void ExportSink::onSettle(void* self) { static_cast<ExportSink*>(self)->settle(); }

void ExportSink::onCallTimeout(void* self) {
  auto* s = static_cast<ExportSink*>(self);
  if (!s->call_ || s->call_->done) return;
  s->call_->failed = true;
  s->call_->done = true;
  s->call_->error = "no answer within tracing.export_timeout";
  s->settle();
}

void ExportSink::settle() {
  if (!call_) return;
  settle_timer_->stop();
  call_timer_->stop();
  const std::unique_ptr<Call> call = std::move(call_);
  const std::string_view sink = common::traceSinkName(which_);
  // A pooled connection the collector closed just as the batch went out: once more, at once,
  // on a new connection (not a failure of the collector).
  if (call->failed && call->reused && !call->response_started && !fresh_retry_used_ &&
      target_) {
    fresh_retry_used_ = true;
    --sends_;
    send();
    return;
  }
  const bool ok = !call->failed && call->status >= 200 && call->status < 300;
  metrics_.traceExport(which_, ok);
  if (ok) {
    batch_.clear();
    sends_ = 0;
    full_ = false;
    if (down_) {
      down_ = false;
      LLMP_LOG_INFO("tracing: {} takes exports again ({} queued)", sink, queue_.size());
    }
  } else {
    const int st = call->status;
    const bool refused = !call->failed && st >= 400 && st < 500 && st != 408 && st != 429;
    const std::string why = call->failed ? call->error : "HTTP " + std::to_string(st);
    if (!down_) {
      down_ = true;
      if (refused)
        LLMP_LOG_ERROR("tracing: {} refused a batch of {} request(s) ({}); check the endpoint "
                       "and the credentials",
                       sink, batch_.size(), why);
      else
        LLMP_LOG_WARN("tracing: cannot export to {} ({}); retrying with back-off", sink, why);
    }
    if (refused || sends_ >= kMaxSends || draining_ || !target_) {
      dropBatch();
    } else {
      const uint64_t backoff = std::min(kMaxBackoffMs, kFirstBackoffMs << (sends_ - 1));
      backing_off_ = true;
      timer_due_ms_ = uv_now(loop_) + backoff;
      timer_->start(backoff);
    }
  }
  metrics_.setTraceQueued(which_, queued());
  afterCall();
}

void ExportSink::afterCall() {
  if (draining_) {
    if (queued() == 0 || !target_) {
      finishDrainIfIdle();
    } else {
      send();
    }
    return;
  }
  if (backing_off_ || queue_.empty()) return;
  if (queue_.size() >= settings_.batch_size) {
    wantSend(0);
  } else {
    const uint64_t due = queue_.front().queued_ms + settings_.flush_interval_ms;
    const uint64_t now = uv_now(loop_);
    wantSend(due > now ? due - now : 0);
  }
}

void ExportSink::dropBatch() {
  drop(batch_.size(), nullptr);
  batch_.clear();
  sends_ = 0;
}

void ExportSink::drop(size_t n, const char* why) {
  if (n == 0) return;
  metrics_.traceDropped(which_, n);
  if (why)
    LLMP_LOG_WARN("tracing: dropping {} request(s) for {}: {}", n, common::traceSinkName(which_),
                  why);
}

void ExportSink::drain(uint64_t deadline_ms, std::function<void()> done) {
  if (draining_) return;
  draining_ = true;
  if (!target_ || queued() == 0) {
    done();
    return;
  }
  drain_done_ = std::move(done);
  drain_timer_ = std::make_unique<common::UvTimer>(loop_, this, &ExportSink::onDrainTimer);
  drain_timer_->start(deadline_ms);
  timer_->stop();
  backing_off_ = false;
  send();
}

void ExportSink::onDrainTimer(void* self) {
  auto* s = static_cast<ExportSink*>(self);
  s->call_.reset();
  s->drop(s->queued(), "not exported before the stop deadline");
  s->queue_.clear();
  s->batch_.clear();
  s->metrics_.setTraceQueued(s->which_, 0);
  s->finishDrainIfIdle();
}

void ExportSink::finishDrainIfIdle() {
  if (!drain_done_ || call_) return;
  auto done = std::move(drain_done_);
  drain_done_ = nullptr;
  if (drain_timer_) drain_timer_->stop();
  done();
}

}  // namespace llmproxy::worker::tracing
