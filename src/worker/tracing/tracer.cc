// Trace context per exchange, sampling, and the exporters' configuration.
#include "worker/tracing/tracer.h"

#include <openssl/evp.h>
#include <re2/re2.h>
#include <unistd.h>

#include "common/base/utf8.h"
#include "common/config/upstream_url.h"
#include "common/log/log.h"
#include "worker/net/tls_context.h"
#include "worker/tracing/langfuse_json.h"

namespace llmproxy::worker::tracing {
namespace {

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The origin and the head (up to Content-Length) of a POST to `url` + `path`.
ExportSink::Target targetOf(const common::UpstreamUrl& url, std::string_view path,
                            std::string_view extra_headers) {
  ExportSink::Target t;
  t.origin.tls = url.tls;
  t.origin.host = url.host;
  t.origin.port = url.port;
  t.origin.sni = isNumericHost(url.host) ? "" : url.host;
  t.origin.verify = true;
  t.head = "POST ";
  t.head += path;
  t.head += " HTTP/1.1\r\nHost: ";
  t.head += common::hostHeader(url);
  t.head += "\r\nContent-Type: application/json\r\nUser-Agent: llmproxy/" LLMPROXY_VERSION "\r\n";
  t.head += extra_headers;
  return t;
}

std::optional<ExportSink::Target> otlpTarget(const common::TracingConfig& c) {
  if (c.otlp_endpoint.empty()) return std::nullopt;
  auto url = common::parseUpstreamUrl(c.otlp_endpoint);
  if (!url) return std::nullopt;  // validated at load
  // OTEL_EXPORTER_OTLP_ENDPOINT is a base: the signal's path is appended (OTLP/HTTP spec);
  // a URL that already names it (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is used as it is.
  std::string path = url->base_path;
  if (!path.ends_with("/v1/traces")) path += "/v1/traces";
  std::string headers;
  for (const common::HttpHeader& h : c.otlp_headers) headers += h.name + ": " + h.value + "\r\n";
  return targetOf(*url, path, headers);
}

std::optional<ExportSink::Target> langfuseTarget(const common::LangfuseConfig& c) {
  if (c.public_key.empty() || c.secret_key.empty()) return std::nullopt;
  auto url = common::parseUpstreamUrl(c.host);
  if (!url) return std::nullopt;
  return targetOf(*url, url->base_path + "/api/public/ingestion",
                  "Authorization: Basic " + base64(c.public_key + ":" + c.secret_key) + "\r\n");
}

ExportSink::Settings settingsOf(const common::TracingConfig& c) {
  return {c.batch_size, static_cast<uint64_t>(c.flush_interval.count()), c.queue_size,
          static_cast<uint64_t>(c.export_timeout.count())};
}

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

Tracer::Tracer(uv_loop_t* loop, UpstreamClient& client, common::MetricsWriter& metrics,
               uint64_t seed)
    : ids_(seed) {
  resource_.service_version = LLMPROXY_VERSION;
  resource_.host_name = hostName();
  resource_.pid = getpid();
  otlp_ = std::make_unique<ExportSink>(
      loop, client, metrics, common::TraceSink::Otlp,
      [this](std::span<const std::shared_ptr<const TraceRecord>> records) {
        return encodeOtlpJson(records, resource_);
      });
  langfuse_ = std::make_unique<ExportSink>(
      loop, client, metrics, common::TraceSink::Langfuse,
      [](std::span<const std::shared_ptr<const TraceRecord>> records) {
        return encodeLangfuseBatch(records, LLMPROXY_VERSION);
      });
}

Tracer::~Tracer() = default;

void Tracer::configure(const common::Config& config) {
  const bool first = resource_.service_name.empty();
  if (!first && config.tracing == tracing_config_ && config.langfuse == langfuse_config_) return;
  tracing_config_ = config.tracing;
  langfuse_config_ = config.langfuse;
  resource_.service_name = config.tracing.service_name.empty() ? std::string("llmproxy")
                                                               : config.tracing.service_name;
  sample_ratio_ = config.tracing.sample_ratio;
  langfuse_rate_ = config.langfuse.sample_rate;
  capture_cap_ = config.langfuse.capture_content ? config.langfuse.max_content_size : 0;
  redact_.clear();
  for (const std::string& p : config.langfuse.redact) {
    auto re = std::make_unique<RE2>(p, RE2::Quiet);
    if (re->ok()) redact_.push_back(std::move(re));
  }
  const ExportSink::Settings settings = settingsOf(config.tracing);
  otlp_->configure(otlpTarget(config.tracing), settings);
  langfuse_->configure(langfuseTarget(config.langfuse), settings);
}

void Tracer::begin(ExchangeTrace& t, const std::string* traceparent,
                   const std::string* tracestate) {
  std::optional<TraceParent> parent;
  if (traceparent) parent = parseTraceParent(*traceparent);
  if (parent) {
    t.trace_id = parent->trace_id;
    t.parent = parent->parent_id;
    t.flags = parent->flags;
    if (tracestate && plausibleTraceState(*tracestate)) t.tracestate = *tracestate;
    t.otlp = otlp_->enabled() && (parent->flags & kSampledFlag) != 0;
  } else {
    t.trace_id = ids_.traceId();
    t.otlp = otlp_->enabled() && sampledByRatio(t.trace_id, sample_ratio_);
    t.flags = t.otlp ? kSampledFlag : 0;
  }
  t.span = ids_.spanId();
  t.langfuse = langfuse_->enabled() && sampledByRatio(t.trace_id, langfuse_rate_);
  if (t.langfuse && capture_cap_ > 0) t.capture_cap = 2 * capture_cap_;  // capture()'s margin
}

SpanId Tracer::beginAttempt(const ExchangeTrace& t) {
  const SpanId span = ids_.spanId();
  // Recorded: the provider's spans become children of this attempt's client span. Not
  // recorded: the client's own context goes on as it came (our span would be a dangling link).
  const SpanId parent = !t.otlp && t.parent ? t.parent : span;
  attempt_headers_.clear();
  appendTraceHeaders(attempt_headers_, t.trace_id, parent, t.flags, t.tracestate);
  return span;
}

// Redacted before the cut, over twice the cap, so that a match running across the cap is
// still replaced whole (one running past twice the cap may leave its first part).
std::string Tracer::capture(std::string_view text) const {
  std::string out(common::utf8Prefix(text, 2 * capture_cap_));
  for (const auto& re : redact_) RE2::GlobalReplace(&out, *re, "[REDACTED]");
  out.resize(common::utf8Prefix(out, capture_cap_).size());
  return out;
}

void Tracer::submit(std::shared_ptr<const TraceRecord> record) {
  if (record->otlp) otlp_->push(record);
  if (record->langfuse) langfuse_->push(std::move(record));
}

void Tracer::drain(uint64_t deadline_ms, std::function<void()> done) {
  drain_done_ = std::move(done);
  drains_left_ = 2;
  auto one = [this] {
    if (--drains_left_ == 0 && drain_done_) {
      auto d = std::move(drain_done_);
      drain_done_ = nullptr;
      d();
    }
  };
  otlp_->drain(deadline_ms, one);
  langfuse_->drain(deadline_ms, one);
}

}  // namespace llmproxy::worker::tracing
