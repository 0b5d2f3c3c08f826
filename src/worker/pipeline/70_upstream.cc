// Stage 70: the attempt loop. One attempt = one candidate provider: build its request (stage
// 60), lease a connection, send, wait for the answer under the TTFT deadline. The driver runs
// this stage once to start, again when the provider gate wakes a queued exchange, and with
// every event of the attempt until an answer is chosen: its first body byte (or its end)
// moves the exchange to stage 80, which takes that same event. Whether a
// failure is retried is decided once, in failover.h, from the error table; never more attempts
// than the candidates (already cut at max_attempts); a retry on a fresh connection after a
// stale pooled one does not count against the provider; every counted failure goes into the
// shared-memory health table (cool-down).
#include <algorithm>
#include <charconv>

#include "common/time/clock.h"
#include "worker/http/downstream_conn.h"
#include "worker/pipeline/failover.h"
#include "worker/pipeline/fallback.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/transform.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {
namespace {

int64_t retryAfterMs(const UpstreamResponseHead& head) {
  for (const auto& [k, v] : head.headers) {
    if (k != "retry-after") continue;
    int64_t seconds = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec == std::errc{} && seconds > 0) return std::min<int64_t>(seconds, 3600) * 1000;
  }
  return 0;
}


void recordFailure(UpstreamState& up, int status, int64_t retry_after_ms) {
  if (up.current < 0) return;
  const ProviderRuntime& p = up.ex.config->provider_runtime[static_cast<size_t>(up.current)];
  common::ProviderHealth::recordFailure(p.health, p.health_policy, status, retry_after_ms,
                                        common::nowUnixMs());
}

void onTimer(void* p) {
  UpstreamState& up = *static_cast<UpstreamState*>(p);
  pipeline::onUpstream(up.ex, {UpstreamEvent::Kind::Timeout});
}

// max_concurrent: the first candidate at or after `from` with a free slot moves to `from` (the
// others keep their order) and its lease goes to up.next_lease. False when all are full.
bool admitCandidate(UpstreamState& up, size_t from) {
  ProviderGate& gate = up.ex.services.provider_gate;
  for (size_t i = from; i < up.candidates.size(); ++i) {
    const ProviderRuntime& p = up.ex.config->provider_runtime[up.candidates[i].provider];
    if (!gate.tryAcquire(p.slots, p.config->max_concurrent, up.next_lease)) continue;
    if (i != from)
      std::rotate(up.candidates.begin() + static_cast<ptrdiff_t>(from),
                  up.candidates.begin() + static_cast<ptrdiff_t>(i),
                  up.candidates.begin() + static_cast<ptrdiff_t>(i) + 1);
    return true;
  }
  return false;
}

void leaveQueue(UpstreamState& up) {
  up.queued = false;
  up.ex.services.provider_gate.dequeue(up.ex.id);
}

// An exported exchange keeps one entry per attempt (its client span); the attempt that ends
// here is closed with why it failed.
void endAttemptSpan(UpstreamState& up, const common::Error& error) {
  tracing::ExchangeTrace& t = up.ex.trace;
  if (!t.exported() || t.attempts.empty()) return;
  t.attempts.back().end_us = common::nowMonotonicUs();
  t.attempts.back().error = error.detail;
}

void startAttempt(UpstreamState& up, size_t candidate_index) {
  Exchange& ex = up.ex;
  const UpstreamCandidate& c = up.candidates[candidate_index];
  const ProviderRuntime& provider = ex.config->provider_runtime[c.provider];
  up.current = static_cast<int>(c.provider);
  up.target = c.target;
  up.provider_id = provider.config->id;
  if (++up.attempts > 1) ex.services.metrics.retry();
  const tracing::SpanId span = ex.services.tracer.beginAttempt(ex.trace);
  buildUpstreamRequest(ex, c);
  up.attempt_started_us = common::nowMonotonicUs();
  if (ex.trace.exported())
    ex.trace.attempts.push_back({span, c.provider, c.target, up.attempt_started_us, 0, 0, {}});
  if (!up.first_attempt_us) up.first_attempt_us = up.attempt_started_us;
  up.attempt = std::make_unique<UpstreamAttempt>(&up);
  up.attempt->lease = std::move(up.next_lease);
  up.attempt->call = ex.services.upstream_client.start(provider.origin, up.outgoing.bufs.span(),
                                                      up.attempt.get(),
                                                      ex.config->server.connect_timeout);
  up.armDeadline(ex.config->server.ttft_timeout);
}

FailoverFacts factsOf(const UpstreamState& up, bool reused, bool response_started) {
  FailoverFacts f;
  f.head_sent = up.head_sent;
  f.reused = reused;
  f.response_started = response_started;
  f.fresh_retry_used = up.fresh_retry_used;
  f.candidates_left = up.next_candidate < up.candidates.size() || fallbacksLeft(up);
  return f;
}

// The attempt failed: the next candidate when one can be admitted, else the final error
// answer. Providers at their max_concurrent are skipped here (no waiting in the middle of a
// failover).
Outcome failover(UpstreamState& up, const common::Error& error) {
  endAttemptSpan(up, error);
  up.dropAttempt();
  up.held_head.reset();
  up.last_failure = error;
  up.last_failed_provider = up.provider_id;
  if (admitCandidate(up, up.next_candidate)) {
    startAttempt(up, up.next_candidate++);
    return Outcome::Wait;
  }
  // Every candidate of the model failed (or is full): its fallback models, in order.
  while (takeFallback(up.ex)) {
    if (admitCandidate(up, up.next_candidate)) {
      startAttempt(up, up.next_candidate++);
      return Outcome::Wait;
    }
  }
  up.timer->stop();
  return pipeline::respondError(up.ex, forClient(error, up.provider_id));
}

// Every provider of the model is in a Retry-After and no fallback can answer: 429, with the
// wait the earliest of them asked for.
Outcome answerRateLimited(UpstreamState& up) {
  const int64_t wait_ms = std::max<int64_t>(up.rate_limited_until_ms - common::nowUnixMs(), 0);
  const std::string seconds = std::to_string(std::max<int64_t>((wait_ms + 999) / 1000, 1));
  return pipeline::respondError(
      up.ex,
      {common::ErrorKind::RateLimited,
       "Every provider of the model '" + up.model + "' asked to be left alone for a while (\"" +
           up.rate_limited_provider + "\" for " + seconds + " s); retry later.",
       0},
      {}, {{"Retry-After", seconds}});
}

// A failure of the attempt before an answer was chosen: what decideFailover says. (The head
// is never sent in this stage, so AbortStream, which needs it sent, cannot come back.)
Outcome onFailure(UpstreamState& up, const common::Error& error, bool reused,
                  bool response_started) {
  if (decideFailover(error, factsOf(up, reused, response_started)) ==
      FailoverStep::RetrySameProvider) {
    // A keep-alive connection the provider had already closed: once more, on a new one.
    up.fresh_retry_used = true;
    endAttemptSpan(up, error);
    up.next_lease = std::move(up.attempt->lease);  // same provider: keep its slot
    up.dropAttempt();
    startAttempt(up, up.next_candidate - 1);
    --up.attempts;
    return Outcome::Wait;
  }
  recordFailure(up, 0, 0);
  return failover(up, error);
}

// The response head: a 5xx/429 with another candidate left fails over; otherwise it is held
// until the first body byte (a provider that stalls before it can still be failed over).
Outcome onHead(UpstreamState& up, UpstreamResponseHead& head) {
  if (up.ex.trace.exported() && !up.ex.trace.attempts.empty())
    up.ex.trace.attempts.back().status = head.status;
  if (auto failure = failureOfStatus(head.status)) {
    recordFailure(up, head.status, head.status == 429 ? retryAfterMs(head) : 0);
    if (decideFailover(*failure, factsOf(up, false, false)) == FailoverStep::NextCandidate)
      return failover(up, *failure);
    // Nobody left to ask: the provider's own answer goes to the client.
  }
  up.head_us = common::nowMonotonicUs();
  if (head.status < 500 && head.status != 429) {
    common::ProviderHealth::recordSuccess(
        up.ex.config->provider_runtime[static_cast<size_t>(up.current)].health);
  }
  up.held_head = std::move(head);
  return Outcome::Wait;
}

// Woken through the provider gate while queued: a slot may be free now.
Outcome onQueueWake(UpstreamState& up) {
  Exchange& ex = up.ex;
  if (!up.queued) return Outcome::Wait;
  if (admitCandidate(up, 0)) {
    leaveQueue(up);
    startAttempt(up, 0);
    return Outcome::Wait;
  }
  if (common::nowMonotonicUs() < up.queue_deadline_us) return Outcome::Wait;
  leaveQueue(up);
  const ProviderRuntime& first = ex.config->provider_runtime[up.candidates[0].provider];
  return pipeline::respondError(
      ex,
      {common::ErrorKind::RateLimited,
       "Every provider of the model '" + up.model + "' is at its max_concurrent (\"" +
           first.config->id + "\" allows " + std::to_string(first.config->max_concurrent) +
           "); retry shortly.",
       0},
      {}, {{"Retry-After", "1"}});
}

// The answer of the attempt in flight, or its failure.
Outcome onEvent(UpstreamState& up, const UpstreamEvent& e) {
  switch (e.kind) {
    case UpstreamEvent::Kind::Head:
      return onHead(up, *e.head);
    case UpstreamEvent::Kind::Body:
    case UpstreamEvent::Kind::End:
      // The first byte of the held answer (or its end): it is chosen, stage 80 relays it.
      return up.held_head ? Outcome::Next : Outcome::Wait;
    case UpstreamEvent::Kind::Error:
      return onFailure(up, *e.error, e.reused, e.response_started);
    case UpstreamEvent::Kind::Timeout:
      return onFailure(up,
                       {common::ErrorKind::UpstreamTimeout,
                        "provider \"" + up.provider_id + "\" sent nothing within ttft_timeout",
                        0},
                       false, false);
    case UpstreamEvent::Kind::Drained:
      return Outcome::Wait;  // nothing is relayed yet
  }
  return Outcome::Wait;
}

}  // namespace

Outcome stage::upstream(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  if (up.event) return onEvent(up, *up.event);
  if (up.timer) return onQueueWake(up);
  up.timer = std::make_unique<common::UvTimer>(ex.services.loop, &up, &onTimer);
  if (up.candidates.empty() && !takeFallback(ex)) return answerRateLimited(up);
  up.next_candidate = 1;
  if (admitCandidate(up, 0)) {
    startAttempt(up, 0);
    return Outcome::Wait;
  }
  // Every candidate is full: wait for a slot, up to the first choice's queue_timeout.
  const auto& first = *ex.config->provider_runtime[up.candidates[0].provider].config;
  up.queued = true;
  up.queue_deadline_us =
      common::nowMonotonicUs() + static_cast<uint64_t>(first.queue_timeout.count()) * 1000;
  ex.services.provider_gate.enqueue(pipeline::wakeToken(ex));
  return Outcome::Wait;
}

}  // namespace llmproxy::worker
