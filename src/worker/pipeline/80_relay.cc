// Stage 80: the chosen answer to the client as it arrives. Stage 70 holds the provider's head
// until the first body byte (or the end), so a provider that stalls before its first token can
// still be failed over; that byte's event brings the exchange here, and from then on every
// slice is written the moment it is read — no buffering, no copy (the slice's read buffer is
// kept alive by the write). The driver hands this stage every later event of the attempt. Backpressure: above kHighWater
// bytes queued for the client, upstream reading pauses; below kLowWater it resumes.
#include <algorithm>
#include <string_view>

#include "common/http/anthropic_error.h"
#include "common/http/openai_error.h"
#include "common/time/clock.h"
#include "worker/cache/cache_entry.h"
#include "worker/cache/cache_store.h"
#include "worker/http/downstream_conn.h"
#include "worker/http/response_writer.h"
#include "worker/pipeline/exchange.h"
#include "worker/pipeline/failover.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/relay_cuts.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/services.h"
#include "worker/protocol/response_headers.h"
#include "worker/protocol/translator.h"

namespace llmproxy::worker {
namespace {

constexpr size_t kHighWater = 64 * 1024;
constexpr size_t kLowWater = 16 * 1024;


// The provider's head, filtered, plus ours; the writer adds the status line, Server,
// x-request-id, the framing and the keep-alive decision.
void sendHead(UpstreamState& up) {
  Exchange& ex = up.ex;
  UpstreamResponseHead& head = *up.held_head;
  ResponseWriter& out = ex.conn.writer();
  for (const auto& [name, value] : head.headers)
    if (name == "content-type" && value.starts_with("text/event-stream")) up.sse = true;
  up.translating = up.translator && up.translator->rewritesResponse();
  if (up.translating) {
    // The client's protocol differs: its bytes are the translator's, of a length unknown yet.
    up.translation = up.translator->newState(
        {up.model, up.facts.stream, up.facts.include_usage == true, ex.request_id});
    up.translator->responseHead(head, up.translation.get());
    head.content_length.reset();
    up.cache.collecting = false;  // the cache holds answers in the provider's own protocol
  }

  // Langfuse capture_content: the answer's text, read in the provider's protocol.
  if (ex.trace.capture_cap > 0)
    ex.trace.completion =
        std::make_unique<tracing::CompletionText>(up.provider_api, ex.trace.capture_cap);
  out.beginHead(head.status, head.content_length);
  up.chunked_to_client = out.chunked();
  const protocol::ResponseHeaderFilter relayed(head.headers);
  for (const auto& [name, value] : head.headers)
    if (relayed.relays(name)) out.header(name, value);
  if (up.limit_check)
    for (const auto& [name, value] : up.limit_check->headers()) out.header(name, value);
  if (ex.client_key) {
    const common::KeyConfig& key = ex.config->keys[ex.client_key->index];
    if (key.max_budget > 0 || key.soft_budget > 0) {
      BudgetState state =
          Budgets(ex.services.shm.budgets()).state(key, common::nowUnixMs() / 1000);
      if (!up.budget.redis_key.empty()) {  // the nodes' totals, as Redis answered
        state.committed = up.budget.redis_committed;
        state.spent = up.budget.redis_spent;
      }
      for (const auto& [name, value] : budgetHeaders(key, state)) out.header(name, value);
    }
  }
  out.header("x-llmproxy-provider", up.provider_id);
  if (!up.fallback_model.empty()) {
    out.header("x-llmproxy-fallback-model", up.fallback_model);
    up.cache.collecting = false;  // the cache key names the requested model's providers
  }
  if (up.sse) out.header("X-Accel-Buffering", "no");
  if (up.cache.phase == ExchangeCache::Phase::Miss) {
    out.header("x-llmproxy-cache", "miss");
    if (head.status != 200 || up.sse) {
      up.cache.collecting = false;  // errors and streams are never stored
    } else {
      for (const auto& [name, value] : head.headers)
        if (name == "content-type") up.cache.content_type = value;
      if (head.content_length && *head.content_length > up.ex.config->cache.max_entry_size)
        up.cache.collecting = false;
      else if (head.content_length)
        up.cache.body.reserve(*head.content_length);
    }
  }
  // Time spent inside the proxy: request parsed -> upstream request out, plus answer in -> out.
  const uint64_t now = common::nowMonotonicUs();
  const uint64_t arrived = up.first_byte_us ? up.first_byte_us : now;
  const uint64_t overhead = (up.first_attempt_us - ex.request_read_us) + (now - arrived);
  out.header("x-llmproxy-overhead-us", overhead);
  out.endHead();
  up.head_sent = true;
  up.held_head.reset();
}

constexpr size_t kTailBytes = 4096;

// A stream may report usage in pieces (Anthropic: input tokens in message_start, output
// tokens in message_delta) or once (OpenAI): each counter keeps the largest value seen.
void mergeUsage(UpstreamState& up, const Usage& seen) {
  if (!up.usage) {
    up.usage = seen;
    return;
  }
  up.usage->prompt_tokens = std::max(up.usage->prompt_tokens, seen.prompt_tokens);
  up.usage->completion_tokens = std::max(up.usage->completion_tokens, seen.completion_tokens);
  up.usage->cached_tokens = std::max(up.usage->cached_tokens, seen.cached_tokens);
  up.usage->cache_write_tokens = std::max(up.usage->cache_write_tokens, seen.cache_write_tokens);
  up.usage->total_tokens = up.usage->prompt_tokens + up.usage->completion_tokens;
}

// An exported exchange: the first finish_reason (OpenAI) or stop_reason (Anthropic) value in
// `text`, found by a plain search (no parse: it is observed, never enforced).
void noteFinishReason(tracing::ExchangeTrace& t, std::string_view text) {
  if (!t.finish_reason.empty()) return;
  for (std::string_view key : {std::string_view("\"finish_reason\":"),
                               std::string_view("\"stop_reason\":")}) {
    size_t at = text.find(key);
    while (at != std::string_view::npos) {
      size_t i = at + key.size();
      while (i < text.size() && text[i] == ' ') ++i;
      if (i < text.size() && text[i] == '"') {
        const size_t end = text.find('"', i + 1);
        if (end != std::string_view::npos && end - i - 1 <= 64) {
          t.finish_reason.assign(text.substr(i + 1, end - i - 1));
          return;
        }
      }
      at = text.find(key, at + key.size());
    }
  }
}

// SSE: every complete event is looked at for usage; the usage-only chunk we asked for on the
// client's behalf is cut out (only when the whole event is still ahead of what was sent).
// Translating, every event also goes through the translator, whose events replace it.
// False when the stream cannot be read (an event beyond the scanner's cap): a pass-through
// stops looking and keeps relaying, a translation cannot go on.
bool scanSse(UpstreamState& up, const BodySlice& slice) {
  if (!up.scanner) {
    up.scanner = std::make_unique<SseScanner>([&up](const SseEvent& e) {
      if (up.translating) up.translator->streamEvent(e, up.translation.get(), up.translated);
      if (up.ex.trace.exported()) noteFinishReason(up.ex.trace, e.data);
      if (up.ex.trace.completion) up.ex.trace.completion->streamEvent(e.data);
      if (!mayHaveUsage(e.data)) return;
      const UsageFacts facts = up.ex.services.usage_extractor.extract(e.data);
      if (facts.usage) mergeUsage(up, *facts.usage);
      if (facts.usage_only && up.outgoing.drop_usage_chunk) up.cuts.emplace_back(e.begin, e.end);
    });
  }
  if (up.scanner->feed(std::string_view(slice.data, slice.len))) return true;
  if (up.translating) return false;
  up.sse = false;
  up.scanner.reset();
  return true;
}

// What the translator wrote for this slice goes out as one piece (copied into the batch).
void writeTranslated(UpstreamState& up) {
  if (up.translated.empty()) return;
  up.ex.conn.writer().body(std::string_view(up.translated));
  up.translated.clear();
}

// JSON bodies carry "usage" at the end: keep the last few KiB to read it when the body ends.
// A slice that holds them all is kept as it is (its read buffer stays alive, nothing copied).
void keepTail(UpstreamState& up, const BodySlice& slice) {
  if (slice.len >= kTailBytes || (up.tail_slice.len == 0 && up.body_tail.empty())) {
    up.tail_slice = slice;
    up.body_tail.clear();
    return;
  }
  if (up.tail_slice.len != 0) {
    up.body_tail.assign(up.tail_slice.data, up.tail_slice.len);
    up.tail_slice = {};
  }
  up.body_tail.append(slice.data, slice.len);
  if (up.body_tail.size() > kTailBytes) up.body_tail.erase(0, up.body_tail.size() - kTailBytes);
}

// The last bytes of a non-streamed body: the kept read slice, or the copied tail.
std::string_view tailOf(const UpstreamState& up) {
  return up.tail_slice.len != 0 ? std::string_view(up.tail_slice.data, up.tail_slice.len)
                                : std::string_view(up.body_tail);
}

void usageFromTail(UpstreamState& up) {
  const std::string_view t = tailOf(up);
  const size_t key = t.rfind("\"usage\"");
  if (key == std::string_view::npos) return;
  const size_t open = t.find('{', key);
  if (open == std::string_view::npos) return;
  int depth = 0;
  for (size_t i = open; i < t.size(); ++i) {
    if (t[i] == '{') ++depth;
    if (t[i] == '}' && --depth == 0) {
      // The worker loop's one scratch buffer: its capacity stays, no allocation per answer.
      thread_local std::string payload;
      payload.assign("{");
      payload.append(t.substr(key, i + 1 - key));
      payload.push_back('}');
      if (auto facts = up.ex.services.usage_extractor.extract(payload); facts.usage)
        up.usage = facts.usage;
      return;
    }
  }
}

// A miss keeps a copy of the answer, up to cache.max_entry_size, to store it when it ends.
void collectForCache(UpstreamState& up, const BodySlice& slice) {
  ExchangeCache& c = up.cache;
  if (c.body.size() + slice.len > up.ex.config->cache.max_entry_size) {
    c.collecting = false;
    std::string().swap(c.body);
    return;
  }
  c.body.append(slice.data, slice.len);
}

void storeInCache(UpstreamState& up) {
  ExchangeCache& c = up.cache;
  c.collecting = false;
  CacheEntry entry;
  entry.created_ms = common::nowUnixMs();
  if (up.usage) {
    entry.prompt_tokens = static_cast<uint32_t>(std::min<uint64_t>(up.usage->prompt_tokens, UINT32_MAX));
    entry.completion_tokens =
        static_cast<uint32_t>(std::min<uint64_t>(up.usage->completion_tokens, UINT32_MAX));
  }
  entry.content_type = std::move(c.content_type);
  entry.body = std::move(c.body);
  up.ex.services.cacheStore().put(c.key, entry.encode(), c.policy.ttl);
}

void writeSlice(UpstreamState& up, BodySlice slice, uint64_t slice_start) {
  ResponseWriter& out = up.ex.conn.writer();
  if (up.cuts.empty()) {
    out.body(std::move(slice));
    return;
  }
  forEachKeptPiece(up.cuts, slice_start, slice.len, [&](size_t offset, size_t length) {
    out.body(BodySlice{slice.owner, slice.data + offset, length});
  });
  up.cuts.clear();
}

Outcome abortStream(UpstreamState& up, const common::Error& error);

Outcome relayBody(UpstreamState& up, BodySlice& slice) {
  Exchange& ex = up.ex;
  up.last_byte_us = common::nowMonotonicUs();
  if (!up.head_sent) {
    up.first_byte_us = up.last_byte_us;
    sendHead(up);
  }
  up.armDeadline(ex.config->server.stream_idle_timeout);
  const uint64_t slice_start = up.stream_offset;
  up.stream_offset += slice.len;
  if (up.sse) {
    if (!scanSse(up, slice))
      return abortStream(up, {common::ErrorKind::UpstreamProtocol,
                              "the provider sent an event larger than the stream scanner's cap",
                              0});
  } else {
    keepTail(up, slice);
    if (ex.trace.completion)
      ex.trace.completion->bodyBytes(std::string_view(slice.data, slice.len));
    if (up.translating)
      up.translator->responseBody(std::string_view(slice.data, slice.len),
                                  up.translation.get(), up.translated);
  }
  if (up.translating) {
    writeTranslated(up);
  } else {
    if (up.cache.collecting) collectForCache(up, slice);
    writeSlice(up, std::move(slice), slice_start);
  }
  if (!up.paused && up.call() && ex.conn.queuedBytes() > kHighWater) {
    up.paused = true;
    up.call()->pause();
  }
  return Outcome::Wait;
}

void onDrained(UpstreamState& up) {
  if (up.paused && up.call() && up.ex.conn.queuedBytes() < kLowWater) {
    up.paused = false;
    up.call()->resume();
  }
}

Outcome relayEnd(UpstreamState& up) {
  Exchange& ex = up.ex;
  if (!up.head_sent) sendHead(up);
  up.timer->stop();
  if (!up.sse && (up.tail_slice.len != 0 || !up.body_tail.empty())) {
    usageFromTail(up);
    if (ex.trace.exported()) noteFinishReason(ex.trace, tailOf(up));
  }
  up.tail_slice = {};  // its read buffer goes back now
  if (!up.sse && ex.trace.completion) ex.trace.completion->bodyEnd();
  if (up.translating) {
    if (up.sse) {
      up.translator->streamEnd(up.translation.get(), up.translated);
    } else {
      up.translator->responseEnd(up.translation.get(), up.translated);
    }
    writeTranslated(up);
  }
  if (up.cache.collecting && ex.status == 200 && !up.cache.body.empty()) storeInCache(up);
  // Tokens per minute are charged with the real usage here, before the client can see the end
  // of the answer (and send its next request).
  // With Redis: one fire-and-forget script, pipelined ahead of the client's next check on this
  // worker's connection; charged locally when Redis cannot take it.
  if (up.usage && up.limits.tokens_per_minute > 0 && ex.client_key && up.limit_scope) {
    const uint64_t tokens = up.usage->prompt_tokens + up.usage->completion_tokens;
    if (ex.config->redis.url.empty() ||
        !ex.services.redis_limiter.chargeTokens(*up.limit_scope, tokens))
      ex.services.limiter.chargeTokens(up.limits, ex.client_key->limit_id, up.limit_scope->model,
                                       tokens, Limiter::nowMs());
  }
  // The upstream connection goes back to the pool now, not when the client has drained.
  up.dropAttempt();
  pipeline::beginResponse(ex);
  ex.conn.writer().end();  // last: may complete the exchange at once
  return Outcome::Respond;
}

// After the first byte went to the client: SSE error event + end for streams, else abort.
Outcome abortStream(UpstreamState& up, const common::Error& provider_error) {
  Exchange& ex = up.ex;
  const common::Error error = forClient(provider_error, up.provider_id);
  up.timer->stop();
  ex.error = error;  // finish writes the error-log line
  pipeline::beginResponse(ex);
  ResponseWriter& out = ex.conn.writer();
  if (up.sse && up.chunked_to_client) {
    // Tell the SDK what happened, in its own protocol, then end the stream cleanly and close
    // the connection.
    out.closeAfterResponse();
    if (up.translating) {
      up.translator->streamError(error, up.translation.get(), up.translated);
      writeTranslated(up);
    } else {
      out.body(isAnthropicEndpoint(ex.endpoint) ? common::anthropicErrorSseEvent(error)
                                                : common::openAIErrorSseEvent(error));
    }
    out.end();
  } else {
    out.abort();
  }
  return Outcome::Respond;
}

}  // namespace

Outcome stage::relay(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  if (!up.event) return Outcome::Wait;
  const UpstreamEvent& e = *up.event;
  switch (e.kind) {
    case UpstreamEvent::Kind::Body:
      return relayBody(up, *e.slice);
    case UpstreamEvent::Kind::End:
      return relayEnd(up);
    case UpstreamEvent::Kind::Error:
      return abortStream(up, *e.error);
    case UpstreamEvent::Kind::Timeout:
      return abortStream(up, {common::ErrorKind::UpstreamTimeout,
                              "the provider stopped sending (stream_idle_timeout or "
                              "request_timeout)",
                              0});
    case UpstreamEvent::Kind::Drained:
      onDrained(up);
      return Outcome::Wait;
    case UpstreamEvent::Kind::Head:
      return Outcome::Wait;  // one head per attempt: 70 took it
  }
  return Outcome::Wait;
}

}  // namespace llmproxy::worker
