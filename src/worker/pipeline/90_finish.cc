// Stage 90: the one exit of every exchange. Counts the request, queues its usage record and
// (when exported) its trace, writes the error-log line (if any) and the access-log line.
#include <algorithm>
#include <ctime>

#include "common/config/budget_period.h"
#include "common/crypto/sha256.h"
#include "common/json/json_writer.h"
#include "common/log/log.h"
#include "common/log/log_field.h"
#include "common/time/clock.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/services.h"
#include "worker/protocol/operation.h"
#include "worker/limits/budget.h"
#include "worker/tracing/client_name.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker {
namespace {

constexpr std::string_view kUnknownModelLabel = "__unknown__";

std::string isoTime() {
  char buf[40];
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  const size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &t);
  snprintf(buf + n, sizeof(buf) - n, ".%03ldZ", ts.tv_nsec / 1000000);
  return buf;
}

// What the request cost, worked out once for the logs, the usage record and the metrics.
struct Spend {
  bool asked = false;                         // a provider answered (not the cache)
  const common::PriceConfig* price = nullptr;  // null = unpriced
  int64_t micros = 0;
  // "0.001234", or "-" when nothing was bought or no price applies.
  std::string text() const { return asked && price ? formatUsd(micros) : "-"; }
};

Spend spendOf(const Exchange& ex) {
  Spend s;
  const UpstreamState* up = ex.upstream.get();
  if (!up || up->attempts == 0 || up->cache.hit || up->current < 0) return s;
  s.asked = true;
  if (ex.config->price_table)
    s.price = ex.config->price_table->find(static_cast<uint32_t>(up->current), up->target);
  if (s.price && up->usage) s.micros = costMicros(*s.price, *up->usage);
  return s;
}

// The key's spend takes the real cost, and the reservation of stage 52 (if any) is given back:
// on success, error and client disconnect alike, since this is the one exit.
// Decided by Redis: its count too (fire and forget; a Redis that is away just keeps the
// reservation until the period's hash expires). A check still waiting for its answer (the
// client left meanwhile) is cancelled the same way: its reservation, if it made one, goes back.
void settleBudget(Exchange& ex, const Spend& spend) {
  if (!ex.client_key || !ex.upstream) return;
  BudgetHold& hold = ex.upstream->budget;
  const uint64_t actual = static_cast<uint64_t>(std::max<int64_t>(0, spend.micros));
  if (const RedisBudgetWait* wait = ex.upstream->budget_wait.get())
    ex.services.redis_limiter.settleBudget(wait->key, wait->hold, 0);
  if (!hold.redis_key.empty() && !hold.settled)
    ex.services.redis_limiter.settleBudget(hold.redis_key, hold.redis_hold, actual);
  if (!hold.entry && actual == 0) return;
  const uint64_t estimate = hold.estimate;
  if (!hold.redis_key.empty()) hold.estimate = 0;  // the node's table reserved nothing
  Budgets(ex.services.shm.budgets())
      .settle(ex.config->keys[ex.client_key->index], hold, actual, common::nowUnixMs() / 1000);
  hold.estimate = estimate;
}

void writeAccessLog(const Exchange& ex, uint64_t latency_us, const Spend& spend) {
  const std::string& peer = ex.conn.peerAddress();
  const std::string_view path = ex.request.path();
  const std::string key = ex.key_name.empty() ? std::string("-") : ex.key_name;
  const UpstreamState* up = ex.upstream.get();
  const std::string_view model = up && !up->model.empty() ? std::string_view(up->model) : "-";
  const std::string_view provider =
      up && !up->provider_id.empty() ? std::string_view(up->provider_id) : "-";
  const uint32_t attempts = up ? up->attempts : 0;
  const Usage usage = up && up->usage ? *up->usage : Usage{};
  const double ttft_ms = up && up->first_byte_us
                             ? static_cast<double>(up->first_byte_us - ex.started_us) / 1000.0
                             : 0.0;
  using common::log::capField;
  using common::log::logField;
  // "-" for a request that could not be read (it never began a trace).
  char trace_hex[32];
  tracing::formatTraceId(trace_hex, ex.trace.trace_id);
  const std::string_view trace_id =
      ex.trace.trace_id.valid() ? std::string_view(trace_hex, sizeof trace_hex) : "-";
  if (ex.config->log.access_format == "json") {
    common::JsonWriter w;
    w.beginObject()
        .field("time", isoTime())
        .field("request_id", ex.request_id)
        .field("key", capField(key))
        .field("client", peer)
        .field("method", ex.request.method)
        .field("path", capField(path, common::log::kLogPathCap))
        .field("model", capField(model))
        .field("provider", capField(provider))
        .field("status", ex.status)
        .field("bytes_in", ex.bytes_in)
        .field("bytes_out", ex.bytes_out)
        .field("latency_ms", static_cast<double>(latency_us) / 1000.0)
        .field("ttft_ms", ttft_ms)
        .field("attempts", attempts)
        .field("client_protocol",
               isProxyEndpoint(ex.endpoint)
                   ? common::apiName(protocol::clientApi(protocol::operationOf(ex.endpoint)))
                   : "-")
        .field("provider_protocol",
               up && up->attempts > 0 ? common::apiName(up->provider_api) : "-")
        .field("prompt_tokens", usage.prompt_tokens)
        .field("completion_tokens", usage.completion_tokens)
        .field("trace_id", trace_id)
        .field("cached_tokens", usage.cached_tokens);
    if (spend.asked && spend.price)
      w.key("cost_usd").raw(formatUsd(spend.micros));
    else
      w.key("cost_usd").null();
    w.endObject();
    common::log::access(w.str());
    return;
  }
  common::log::access(fmt::format(
      "{} {} {} {} \"{} {}\" {} {} {} {} {} {:.3f} {:.3f} {} {}/{} {} {}", isoTime(),
      ex.request_id, logField(key), logField(peer), logField(ex.request.method),
      logField(path, common::log::kLogPathCap), logField(model), logField(provider), ex.status,
      ex.bytes_in, ex.bytes_out,
      static_cast<double>(latency_us) / 1000.0, ttft_ms, attempts, usage.prompt_tokens,
      usage.completion_tokens, trace_id, spend.text()));
}

// The model label of a request: its name when the config names it exactly, else one shared
// label, so clients cannot fill the label table with names of their own (and push the real
// models into "__other__").
std::string_view modelLabel(const Exchange& ex) {
  const UpstreamState* up = ex.upstream.get();
  if (!up || up->model.empty()) return {};
  if (ex.config->model_index && ex.config->model_index->knowsExactly(up->model)) return up->model;
  return kUnknownModelLabel;
}

void recordMetrics(const Exchange& ex, uint64_t latency_us, const Spend& spend) {
  const UpstreamState* up = ex.upstream.get();
  common::RequestSample s;
  s.method = ex.request.method;
  s.endpoint = endpointLabel(ex.endpoint);
  s.model = modelLabel(ex);
  s.provider = up ? std::string_view(up->provider_id) : std::string_view();
  s.status = ex.status;
  s.duration_s = static_cast<double>(latency_us) / 1e6;
  s.ttft_s = up && up->first_byte_us
                 ? static_cast<double>(up->first_byte_us - ex.started_us) / 1e6
                 : -1;
  s.provider_latency_s = up && up->head_us
                             ? static_cast<double>(up->head_us - up->attempt_started_us) / 1e6
                             : -1;
  if (up && up->usage) {
    s.prompt_tokens = up->usage->prompt_tokens;
    s.completion_tokens = up->usage->completion_tokens;
  }
  ex.services.metrics.requestFinished(s);
  if (up && up->attempts > 0) ex.services.metrics.protocolPair(up->client_api, up->provider_api);
  // Labelled like the request metrics (a model name clients made up counts as __unknown__).
  if (spend.asked && (spend.micros > 0 || !spend.price))
    ex.services.shm.spend().add(s.model, up->provider_id, ex.key_name, spend.micros,
                                spend.price == nullptr);
}

// One usage_log row per proxy request that got past authentication (401s belong to no key).
void recordUsage(const Exchange& ex, uint64_t latency_us, const Spend& spend) {
  UsageWriter& writer = ex.services.usage;
  if (!writer.enabled() || !isProxyEndpoint(ex.endpoint) || ex.key_name.empty()) return;
  const UpstreamState* up = ex.upstream.get();
  UsageRecord r;
  r.time_us = common::nowUnixUs() - static_cast<int64_t>(latency_us);
  r.request_id = ex.request_id;
  char trace_id[32];
  tracing::formatTraceId(trace_id, ex.trace.trace_id);
  if (ex.trace.trace_id.valid()) r.trace_id = std::string_view(trace_id, sizeof trace_id);
  if (ex.client_key) {
    r.credential_id = ex.config->keys[ex.client_key->index].db_id;
    r.credential_name = ex.client_key->name;
  }
  r.endpoint = endpointLabel(ex.endpoint);
  r.client_protocol = common::apiName(protocol::clientApi(protocol::operationOf(ex.endpoint)));
  r.status = ex.status;
  r.latency_ms = static_cast<double>(latency_us) / 1000.0;
  if (up) {
    r.model = up->model;
    r.provider = up->provider_id;
    r.stream = up->facts.stream;
    if (up->usage) {
      r.prompt_tokens = up->usage->prompt_tokens;
      r.completion_tokens = up->usage->completion_tokens;
    }
    if (up->first_byte_us)
      r.ttft_ms = static_cast<double>(up->first_byte_us - ex.started_us) / 1000.0;
    if (up->attempts > 0) r.provider_protocol = common::apiName(up->provider_api);
  }
  r.cost_micros = spend.asked && spend.price ? spend.micros : -1;
  std::string key_hash;  // outlives record(), which copies it
  if (ex.client_key && r.cost_micros > 0) {
    const common::KeyConfig& key = ex.config->keys[ex.client_key->index];
    key_hash = common::toHex(key.key_sha256);
    r.key_hash = key_hash;
    const common::BudgetWindow window =
        common::budgetWindow(key.budget_duration, common::nowUnixMs() / 1000);
    r.period_start_s = window.start_s;
    r.period_end_s = window.end_s;
    r.budget_duration = key.budget_duration;
  }
  writer.record(r);
}

std::string_view genAiOperation(protocol::Operation op) {
  switch (op) {
    case protocol::Operation::Completions: return "text_completion";
    case protocol::Operation::Embeddings: return "embeddings";
    case protocol::Operation::CountTokens: return "count_tokens";
    default: return "chat";
  }
}

// gen_ai.system of a provider type (the GenAI semantic conventions' names).
std::string_view genAiSystem(common::ProviderType type) {
  switch (type) {
    case common::ProviderType::Anthropic: return "anthropic";
    case common::ProviderType::Azure: return "az.ai.openai";
    default: return "openai";
  }
}

// An exported proxy exchange: one record for the exporters, from what the exchange recorded.
// Monotonic times become unix nanoseconds against one reading of both clocks.
void recordTrace(Exchange& ex, uint64_t latency_us) {
  tracing::ExchangeTrace& t = ex.trace;
  if (!t.exported() || !isProxyEndpoint(ex.endpoint)) return;
  const UpstreamState* up = ex.upstream.get();
  const uint64_t now_mono = common::nowMonotonicUs();
  const int64_t now_unix_ns = common::nowUnixUs() * 1000;
  auto unixNs = [&](uint64_t mono_us) {
    return now_unix_ns - static_cast<int64_t>(now_mono - mono_us) * 1000;
  };
  auto r = std::make_shared<tracing::TraceRecord>();
  r->trace_id = t.trace_id;
  r->span = t.span;
  r->parent = t.parent;
  r->tracestate = t.tracestate;
  r->otlp = t.otlp;
  r->langfuse = t.langfuse;
  r->start_ns = now_unix_ns - static_cast<int64_t>(latency_us) * 1000;
  r->end_ns = now_unix_ns;
  r->request_id = ex.request_id;
  r->method = ex.request.method;
  r->route = endpointLabel(ex.endpoint);
  if (const std::string* ua = ex.request.header("user-agent")) r->user_agent = *ua;
  r->client_name = tracing::clientName(r->user_agent);
  r->client_address = ex.conn.peerAddress();
  r->status = ex.status;
  const protocol::Operation op = protocol::operationOf(ex.endpoint);
  r->operation = genAiOperation(op);
  r->client_protocol = common::apiName(protocol::clientApi(op));
  if (ex.key_name != "-") r->key_name = ex.key_name;  // "-": no key was needed
  if (ex.error) {
    r->error_type = common::errorKindName(ex.error->kind);
    r->error_message = ex.error->detail;
  }
  if (up) {
    r->request_model = up->model;
    r->provider = up->provider_id;
    r->stream = up->facts.stream;
    if (up->first_byte_us) r->first_token_ns = unixNs(up->first_byte_us);
    if (up->usage) {
      r->has_usage = true;
      r->input_tokens = up->usage->prompt_tokens;
      r->output_tokens = up->usage->completion_tokens;
    }
    if (up->attempts > 0) r->provider_protocol = common::apiName(up->provider_api);
  }
  r->finish_reason = std::move(t.finish_reason);
  r->attempts.reserve(t.attempts.size());
  for (const tracing::AttemptSpan& a : t.attempts) {
    const ProviderRuntime& p = ex.config->provider_runtime[a.provider];
    tracing::AttemptRecord& ar = r->attempts.emplace_back();
    ar.span = a.span;
    ar.provider = p.config->id;
    ar.system = genAiSystem(p.config->type);
    ar.model = a.target;
    ar.server_address = p.origin.host;
    ar.server_port = p.origin.port;
    ar.start_ns = unixNs(a.start_us);
    ar.end_ns = a.end_us ? unixNs(a.end_us) : now_unix_ns;
    ar.status = a.status;
    ar.error = a.error;
  }
  if (!r->attempts.empty()) {
    tracing::AttemptRecord& last = r->attempts.back();
    // The last attempt's own failure: a provider error relayed as it is, or a stream that
    // broke after its first byte.
    if (last.error.empty() && (last.status >= 500 || last.status == 429))
      last.error = "HTTP " + std::to_string(last.status);
    if (last.error.empty() && ex.error &&
        common::errorInfo(ex.error->kind).side == common::ErrorSide::Upstream)
      last.error = ex.error->detail;
    if (last.status) {
      r->response_model = last.model;
      r->system = last.system;
    }
  }
  if (r->langfuse && ex.services.tracer.captureCap() > 0) {
    r->input = ex.services.tracer.capture(ex.request.body);
    if (t.completion) r->output = ex.services.tracer.capture(t.completion->text());
  }
  ex.services.tracer.submit(std::move(r));
}

// Who an error-log line is about: request id, key name (never the key), model, provider and
// attempt count.
std::string aboutExchange(const Exchange& ex) {
  const UpstreamState* up = ex.upstream.get();
  std::string s = "[" + ex.request_id + "] key \"" + common::log::logField(ex.key_name) + "\"";
  if (up && !up->model.empty()) s += " model \"" + common::log::logField(up->model) + "\"";
  if (up && !up->provider_id.empty()) s += " provider \"" + up->provider_id + "\"";
  if (up && up->attempts > 0) s += " attempt " + std::to_string(up->attempts);
  return s;
}

// The one error-log line of an exchange: its error when a provider or the proxy failed
// (client mistakes are in the access log only), or, once, a failover that recovered.
void writeErrorLog(const Exchange& ex) {
  if (ex.error) {
    const common::ErrorInfo& info = common::errorInfo(ex.error->kind);
    if (info.side == common::ErrorSide::Downstream) return;
    const std::string& more = ex.error->log_detail;
    const std::string line =
        fmt::format("{}: {}{}{} ({})", aboutExchange(ex), ex.error->detail,
                    more.empty() ? "" : ": ", more, common::errorKindName(ex.error->kind));
    if (info.side == common::ErrorSide::Internal) {
      LLMP_LOG_ERROR("{}", line);
    } else {
      LLMP_LOG_WARN("{}", line);
    }
    return;
  }
  const UpstreamState* up = ex.upstream.get();
  if (up && up->last_failure)
    LLMP_LOG_INFO("{}: provider \"{}\" failed ({}), recovered by failover", aboutExchange(ex),
                  up->last_failed_provider, up->last_failure->detail);
}

}  // namespace

void stage::finish(Exchange& ex) {
  ex.stage = Stage::Done;
  ++ex.generation;
  if (ex.status == 0) ex.status = 499;  // nginx's "client closed request"
  const uint64_t latency_us = common::nowMonotonicUs() - ex.started_us;
  ex.services.status.requests.fetch_add(1, std::memory_order_relaxed);
  const Spend spend = spendOf(ex);
  settleBudget(ex, spend);
  recordMetrics(ex, latency_us, spend);
  recordUsage(ex, latency_us, spend);
  recordTrace(ex, latency_us);
  writeErrorLog(ex);

  if (common::log::accessEnabled()) writeAccessLog(ex, latency_us, spend);
}

}  // namespace llmproxy::worker
