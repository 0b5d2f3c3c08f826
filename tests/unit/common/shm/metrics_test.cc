// The shared-memory metric store: per-slot writers, summing, overflow, histograms, respawn,
// cross-process visibility, and the Prometheus text it renders (parsed and checked here).
#include "common/shm/metrics.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/shm/region.h"
#include "common/time/clock.h"

namespace llmproxy::common {
namespace {

ShmRegion makeRegion(uint32_t workers = 4) {
  ShmLayout layout;
  layout.max_workers = workers;
  layout.config_capacity = 1 << 12;
  auto r = ShmRegion::create(layout);
  EXPECT_TRUE(r.has_value());
  return std::move(*r);
}

RequestSample sample(std::string_view model = "gpt-4o", int status = 200,
                     std::string_view provider = "openai") {
  RequestSample s;
  s.method = "POST";
  s.endpoint = "/v1/chat/completions";
  s.model = model;
  s.provider = provider;
  s.status = status;
  s.duration_s = 0.2;
  return s;
}

// The value of the sample line `series` (name plus braces exactly as rendered); -1 if absent.
double value(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

const std::string kReq =
    "llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/completions\",model=\"gpt-4o\","
    "provider=\"openai\",status_code=\"200\"}";

// A small checker for text format 0.0.4: every sample belongs to a family announced by HELP and
// TYPE before it, families appear once, names and label syntax are valid, values parse,
// histogram buckets are cumulative and end in +Inf equal to _count. Returns "" when valid.
std::string validateExposition(const std::string& text) {
  if (text.empty() || text.back() != '\n') return "text must end with a newline";
  std::istringstream in(text);
  std::string line;
  std::map<std::string, std::string> type;  // family -> type
  std::set<std::string> helped, seen_families;
  std::string current;
  std::map<std::string, double> last_bucket;  // label set without le -> last cumulative value
  std::map<std::string, double> inf_bucket;
  std::map<std::string, double> counts;
  auto validName = [](const std::string& n) {
    if (n.empty() || !(isalpha(n[0]) || n[0] == '_' || n[0] == ':')) return false;
    for (char c : n)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
    return true;
  };
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string where = "line " + std::to_string(lineno) + ": " + line + ": ";
    if (line.rfind("# HELP ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      if (!validName(name)) return where + "bad family name";
      if (seen_families.count(name)) return where + "family repeated";
      helped.insert(name);
      current = name;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const size_t sp = line.find(' ', 7);
      const std::string name = line.substr(7, sp - 7);
      const std::string t = line.substr(sp + 1);
      if (name != current || !helped.count(name)) return where + "TYPE without HELP";
      if (t != "counter" && t != "gauge" && t != "histogram") return where + "bad type";
      type[name] = t;
      seen_families.insert(name);
      continue;
    }
    if (line.empty() || line[0] == '#') return where + "unexpected line";
    // name{labels} value
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    const std::string name = line.substr(0, i);
    if (!validName(name)) return where + "bad metric name";
    std::string family = name;
    std::string suffix;
    if (type.count(current) && type[current] == "histogram") {
      for (std::string s : {"_bucket", "_sum", "_count"})
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
          family = name.substr(0, name.size() - s.size());
          suffix = s;
        }
    }
    if (family != current || !type.count(family)) return where + "sample outside its family";
    if (type[family] == "histogram" && suffix.empty()) return where + "histogram without suffix";
    std::string labels_no_le;
    std::string le;
    if (i < line.size() && line[i] == '{') {
      ++i;
      bool first = true;
      while (i < line.size() && line[i] != '}') {
        if (!first) {
          if (line[i] != ',') return where + "missing comma";
          ++i;
        }
        first = false;
        const size_t eq = line.find('=', i);
        if (eq == std::string::npos) return where + "missing =";
        const std::string lname = line.substr(i, eq - i);
        if (!validName(lname) || lname.find(':') != std::string::npos)
          return where + "bad label name";
        if (eq + 1 >= line.size() || line[eq + 1] != '"') return where + "unquoted value";
        size_t j = eq + 2;
        std::string v;
        while (j < line.size() && line[j] != '"') {
          if (line[j] == '\\') {
            if (j + 1 >= line.size()) return where + "dangling backslash";
            const char e = line[j + 1];
            if (e != '\\' && e != '"' && e != 'n') return where + "bad escape";
            v += e;
            j += 2;
          } else {
            v += line[j++];
          }
        }
        if (j >= line.size()) return where + "unterminated value";
        if (lname == "le") {
          le = v;
        } else {
          labels_no_le += lname + "=" + v + ";";
        }
        i = j + 1;
      }
      if (i >= line.size()) return where + "unterminated labels";
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') return where + "missing space before value";
    const std::string num = line.substr(i + 1);
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(num, &used);
    } catch (...) {
      return where + "bad value";
    }
    if (used != num.size()) return where + "trailing garbage";
    if (type[family] == "counter" && v < 0) return where + "negative counter";
    if (suffix == "_bucket") {
      if (le.empty()) return where + "bucket without le";
      const std::string key = family + "|" + labels_no_le;
      if (last_bucket.count(key) && v < last_bucket[key]) return where + "buckets not cumulative";
      last_bucket[key] = v;
      if (le == "+Inf") inf_bucket[key] = v;
    } else if (suffix == "_count") {
      counts[family + "|" + labels_no_le] = v;
    }
  }
  for (const auto& [key, c] : counts) {
    if (!inf_bucket.count(key)) return key + ": no +Inf bucket";
    if (inf_bucket[key] != c) return key + ": +Inf bucket != _count";
  }
  return "";
}

// ---- counting ---------------------------------------------------------------------------------

TEST(Metrics, TwoSlotsSum) {
  auto shm = makeRegion();
  MetricsWriter w0(shm.metrics(), 0);
  MetricsWriter w1(shm.metrics(), 1);
  for (int i = 0; i < 3; ++i) w0.requestFinished(sample());
  for (int i = 0; i < 4; ++i) w1.requestFinished(sample());
  w1.requestFinished(sample("gpt-4o", 502));
  w0.retry();
  w1.retry();
  w1.retry();
  const std::string text = renderPrometheus(shm, {});
  EXPECT_EQ(value(text, kReq), 7);
  EXPECT_EQ(value(text,
                  "llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/completions\","
                  "model=\"gpt-4o\",provider=\"openai\",status_code=\"502\"}"),
            1);
  EXPECT_EQ(value(text, "llm_proxy_upstream_retries_total"), 3);
  EXPECT_EQ(value(text,
                  "llm_proxy_request_duration_seconds_count{endpoint=\"/v1/chat/completions\","
                  "model=\"gpt-4o\",provider=\"openai\"}"),
            8);
  EXPECT_EQ(validateExposition(text), "");
}

// Spend and unpriced requests, added by any worker, by model, provider and key name.
TEST(Metrics, SpendAndUnpricedRequests) {
  auto shm = makeRegion();
  SpendTable& spend = shm.spend();
  spend.add("gpt-4o", "openai", "team-a", 7'500, false);
  spend.add("gpt-4o", "openai", "team-a", 2'500, false);
  spend.add("gpt-4o", "azure", "team-a", 1, false);
  spend.add("llama", "local", "team-a", 0, true);
  spend.add("llama", "local", "team-b", 0, true);
  const std::string text = renderPrometheus(shm, {});
  EXPECT_NE(text.find("llm_proxy_spend_usd_total{model=\"gpt-4o\",provider=\"openai\","
                      "key=\"team-a\"} 0.010000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("llm_proxy_spend_usd_total{model=\"gpt-4o\",provider=\"azure\","
                      "key=\"team-a\"} 0.000001\n"),
            std::string::npos);
  EXPECT_NE(text.find("llm_proxy_unpriced_requests_total{model=\"llama\"} 2\n"),
            std::string::npos);
  EXPECT_EQ(text.find("model=\"llama\",provider"), std::string::npos) << "no spend, no row";
  EXPECT_EQ(validateExposition(text), "");
}

TEST(Metrics, SameLabelSetReusesItsRow) {
  auto shm = makeRegion();
  MetricsWriter w(shm.metrics(), 2);
  for (int i = 0; i < 5; ++i) w.requestFinished(sample());
  EXPECT_EQ(shm.metrics().slot(2).series_used.load(), 1u);
  EXPECT_EQ(shm.metrics().series(2)[0].requests.load(), 5u);
  w.requestFinished(sample("gpt-4o", 404));
  w.requestFinished(sample("gpt-4o-mini"));
  w.requestFinished(sample());
  EXPECT_EQ(shm.metrics().slot(2).series_used.load(), 3u);
  EXPECT_EQ(shm.metrics().series(2)[0].requests.load(), 6u);
  EXPECT_EQ(shm.metrics().slot(0).series_used.load(), 0u) << "other slots untouched";
}

TEST(Metrics, ActiveRequestsGaugeCountsLiveWorkersOnly) {
  auto shm = makeRegion();
  MetricsWriter w0(shm.metrics(), 0);
  MetricsWriter w1(shm.metrics(), 1);
  shm.worker(0).state.store(static_cast<uint32_t>(WorkerState::Running));
  shm.worker(1).state.store(static_cast<uint32_t>(WorkerState::Draining));
  for (int i = 0; i < 3; ++i) w0.requestStarted();
  w0.requestFinished(sample());
  w1.requestStarted();
  EXPECT_EQ(value(renderPrometheus(shm, {}), "llm_proxy_active_requests"), 3);
  shm.worker(1).state.store(static_cast<uint32_t>(WorkerState::Exited));
  EXPECT_EQ(value(renderPrometheus(shm, {}), "llm_proxy_active_requests"), 2);
  w1.requestFinished(sample());
  w1.requestFinished(sample());  // more finishes than starts never goes negative
  EXPECT_EQ(shm.metrics().slot(1).active_requests.load(), 0);
}

TEST(Metrics, TokensAndTokensPerSecond) {
  auto shm = makeRegion();
  MetricsWriter w(shm.metrics(), 0);
  auto s = sample();
  s.prompt_tokens = 100;
  s.completion_tokens = 50;
  s.duration_s = 1.5;
  s.ttft_s = 0.5;  // 50 tokens over 1 s of generation
  w.requestFinished(s);
  s.prompt_tokens = 10;
  s.completion_tokens = 0;  // unknown: no rate observation
  w.requestFinished(s);
  const std::string text = renderPrometheus(shm, {});
  const std::string l = "{model=\"gpt-4o\",provider=\"openai\",token_type=";
  EXPECT_EQ(value(text, "llm_proxy_tokens_total" + l + "\"prompt\"}"), 110);
  EXPECT_EQ(value(text, "llm_proxy_tokens_total" + l + "\"completion\"}"), 50);
  EXPECT_EQ(value(text, "llm_proxy_tokens_total" + l + "\"total\"}"), 160);
  const std::string mp = "{model=\"gpt-4o\",provider=\"openai\"";
  EXPECT_EQ(value(text, "llm_proxy_tokens_per_second_count" + mp + "}"), 1);
  EXPECT_EQ(value(text, "llm_proxy_tokens_per_second_sum" + mp + "}"), 50);
  EXPECT_EQ(value(text, "llm_proxy_tokens_per_second_bucket" + mp + ",le=\"25\"}"), 0);
  EXPECT_EQ(value(text, "llm_proxy_tokens_per_second_bucket" + mp + ",le=\"50\"}"), 1);
  EXPECT_EQ(value(text, "llm_proxy_ttft_seconds_count" + mp + "}"), 2);
  EXPECT_EQ(validateExposition(text), "");
}

// ---- overflow ---------------------------------------------------------------------------------

TEST(Metrics, OverflowGoesToOtherAndNeverFails) {
  auto shm = makeRegion();
  MetricsWriter w(shm.metrics(), 0);
  const uint32_t ordinary = MetricsArea::kSeriesForOrdinary;
  for (uint32_t i = 0; i < ordinary; ++i) w.requestFinished(sample("m" + std::to_string(i)));
  EXPECT_EQ(shm.metrics().slot(0).series_used.load(), ordinary);
  EXPECT_EQ(shm.metrics().slot(0).overflow.load(), 0u);

  // New sets now count under model="__other__"; known sets keep their own rows.
  for (int i = 0; i < 10; ++i) w.requestFinished(sample("new" + std::to_string(i)));
  w.requestFinished(sample("m0"));
  std::string text = renderPrometheus(shm, {});
  EXPECT_EQ(value(text,
                  "llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/completions\","
                  "model=\"__other__\",provider=\"openai\",status_code=\"200\"}"),
            10);
  EXPECT_EQ(value(text,
                  "llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/completions\","
                  "model=\"m0\",provider=\"openai\",status_code=\"200\"}"),
            2);
  EXPECT_EQ(value(text, "llm_proxy_metric_overflow_total"), 10);

  // Exhaust the rows kept for "__other__" too (distinct providers): the catch-all takes over.
  uint64_t sent = ordinary + 11;
  for (int i = 0; i < 2000; ++i, ++sent)
    w.requestFinished(sample("x" + std::to_string(i), 200, "p" + std::to_string(i)));
  EXPECT_EQ(shm.metrics().slot(0).series_used.load(), MetricsArea::kSeriesPerWorker);
  text = renderPrometheus(shm, {});
  EXPECT_EQ(value(text, "llm_proxy_metric_overflow_total"), 2010);
  EXPECT_GT(value(text,
                  "llm_proxy_requests_total{method=\"__other__\",endpoint=\"__other__\","
                  "model=\"__other__\",provider=\"__other__\",status_code=\"0\"}"),
            0);
  // Nothing is lost: the rows add up to every request sent.
  uint64_t total = 0;
  for (uint32_t r = 0; r < MetricsArea::kSeriesPerWorker; ++r)
    total += shm.metrics().series(0)[r].requests.load();
  EXPECT_EQ(total, sent);
  EXPECT_EQ(validateExposition(text), "");
}

// ---- histograms -------------------------------------------------------------------------------

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  auto shm = makeRegion();
  MetricsWriter w(shm.metrics(), 0);
  for (double d : {0.003, 0.005, 0.02, 0.7, 0.7, 400.0}) {
    auto s = sample();
    s.duration_s = d;
    s.provider_latency_s = d / 2;
    w.requestFinished(s);
  }
  const std::string text = renderPrometheus(shm, {});
  const std::string b =
      "llm_proxy_request_duration_seconds_bucket{endpoint=\"/v1/chat/completions\","
      "model=\"gpt-4o\",provider=\"openai\",le=";
  EXPECT_EQ(value(text, b + "\"0.005\"}"), 2) << "le is inclusive";
  EXPECT_EQ(value(text, b + "\"0.01\"}"), 2);
  EXPECT_EQ(value(text, b + "\"0.025\"}"), 3);
  EXPECT_EQ(value(text, b + "\"0.5\"}"), 3);
  EXPECT_EQ(value(text, b + "\"1\"}"), 5);
  EXPECT_EQ(value(text, b + "\"300\"}"), 5);
  EXPECT_EQ(value(text, b + "\"+Inf\"}"), 6);
  const std::string l = "{endpoint=\"/v1/chat/completions\",model=\"gpt-4o\",provider=\"openai\"}";
  EXPECT_EQ(value(text, "llm_proxy_request_duration_seconds_count" + l), 6);
  EXPECT_DOUBLE_EQ(value(text, "llm_proxy_request_duration_seconds_sum" + l), 401.428);
  EXPECT_NE(text.find("llm_proxy_request_duration_seconds_sum" + l + " 401.428000\n"),
            std::string::npos);
  EXPECT_EQ(value(text, "llm_proxy_provider_latency_seconds_count{provider=\"openai\"}"), 6);
  EXPECT_DOUBLE_EQ(value(text, "llm_proxy_provider_latency_seconds_sum{provider=\"openai\"}"),
                   200.714);
  // No TTFT was observed: no series rather than a zero histogram.
  EXPECT_EQ(text.find("llm_proxy_ttft_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("# TYPE llm_proxy_ttft_seconds histogram\n"), std::string::npos);
  EXPECT_EQ(validateExposition(text), "");
}

// ---- labels and rendering ---------------------------------------------------------------------

TEST(Metrics, LabelValuesAreEscaped) {
  std::string out;
  appendPrometheusLabelValue(out, "a\"b\\c\nd\te");
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\te");
  out.clear();
  appendPrometheusLabelValue(out, "caf\xC3\xA9 \xFF \xC3 \xED\xA0\x80!");
  EXPECT_EQ(out, "caf\xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!");

  auto shm = makeRegion();
  MetricsWriter w(shm.metrics(), 0);
  w.requestFinished(sample("we\"ird\\mod\nel"));
  const std::string text = renderPrometheus(shm, {});
  EXPECT_NE(text.find("model=\"we\\\"ird\\\\mod\\nel\""), std::string::npos) << text;
  EXPECT_EQ(validateExposition(text), "");
}

TEST(Metrics, LongLabelsAreCutAtCharacterBoundary) {
  auto shm = makeRegion();
  MetricsWriter w(shm.metrics(), 0);
  std::string model(63, 'a');
  model += "\xC3\xA9tail";  // the 2-byte é straddles byte 64
  w.requestFinished(sample(model));
  w.requestFinished(sample(std::string(63, 'a') + "\xC3\xA9other"));  // same prefix: same row
  EXPECT_EQ(shm.metrics().slot(0).series_used.load(), 1u);
  const std::string text = renderPrometheus(shm, {});
  EXPECT_NE(text.find("model=\"" + std::string(63, 'a') + "\""), std::string::npos);
  EXPECT_EQ(validateExposition(text), "");
}

TEST(Metrics, RenderingIsDeterministic) {
  auto a = makeRegion();
  auto b = makeRegion();
  std::vector<RequestSample> samples;
  const std::vector<std::string> models = {"zeta", "alpha", "mid", "beta"};
  for (size_t i = 0; i < models.size(); ++i) {
    auto s = sample(models[i], i % 2 ? 200 : 429, i % 3 ? "openai" : "anthropic");
    s.ttft_s = 0.1 * static_cast<double>(i);
    s.completion_tokens = 10 * i;
    samples.push_back(s);
  }
  {
    MetricsWriter w0(a.metrics(), 0);
    MetricsWriter w1(a.metrics(), 1);
    for (size_t i = 0; i < samples.size(); ++i) (i % 2 ? w1 : w0).requestFinished(samples[i]);
  }
  {
    MetricsWriter w3(b.metrics(), 3);
    for (size_t i = samples.size(); i-- > 0;) w3.requestFinished(samples[i]);
  }
  const std::vector<std::string> ids = {"openai", "anthropic"};
  const std::vector<std::string> ids_reversed = {"anthropic", "openai", "openai"};
  const std::string ta = renderPrometheus(a, ids);
  EXPECT_EQ(ta, renderPrometheus(a, ids));
  EXPECT_EQ(ta, renderPrometheus(b, ids_reversed));
  EXPECT_LT(ta.find("model=\"alpha\""), ta.find("model=\"beta\""));
  EXPECT_EQ(validateExposition(ta), "");
}

TEST(Metrics, ReloadConfigHealthAndBuildFamilies) {
  auto shm = makeRegion();
  shm.reloadStatus().record(true, 1, 1, "");
  shm.reloadStatus().record(true, 2, 2, "");
  shm.reloadStatus().record(false, 3, 2, "bad");
  ASSERT_TRUE(shm.configSlot().publish("blob", 7));
  auto& health = shm.providerHealth();
  ProviderHealth::recordFailure(health.entry("down"), HealthPolicy{}, 503, 60'000, nowUnixMs());
  const std::vector<std::string> ids = {"up", "down"};
  const std::string text = renderPrometheus(shm, ids);
  EXPECT_EQ(value(text, "llm_proxy_config_reloads_total{result=\"success\"}"), 2);
  EXPECT_EQ(value(text, "llm_proxy_config_reloads_total{result=\"failure\"}"), 1);
  EXPECT_EQ(value(text, "llm_proxy_config_version"), 7);
  EXPECT_EQ(value(text, "llm_proxy_provider_health{provider=\"up\"}"), 1);
  EXPECT_EQ(value(text, "llm_proxy_provider_health{provider=\"down\"}"), 0);
  EXPECT_EQ(value(text, std::string("llm_proxy_build_info{version=\"") + LLMPROXY_VERSION + "\"}"),
            1);
  EXPECT_EQ(value(text, "llm_proxy_metric_overflow_total"), 0);
  EXPECT_EQ(value(text, "llm_proxy_upstream_retries_total"), 0);
  EXPECT_EQ(value(text, "llm_proxy_active_requests"), 0);
  for (const char* family :
       {"llm_proxy_requests_total counter", "llm_proxy_request_duration_seconds histogram",
        "llm_proxy_active_requests gauge", "llm_proxy_tokens_total counter",
        "llm_proxy_provider_health gauge", "llm_proxy_provider_latency_seconds histogram",
        "llm_proxy_ttft_seconds histogram", "llm_proxy_tokens_per_second histogram",
        "llm_proxy_upstream_retries_total counter", "llm_proxy_config_reloads_total counter",
        "llm_proxy_config_version gauge", "llm_proxy_build_info gauge",
        "llm_proxy_metric_overflow_total counter"})
    EXPECT_NE(text.find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
  EXPECT_EQ(validateExposition(text), "");
}

// ---- respawn and processes --------------------------------------------------------------------

TEST(Metrics, RespawnedWriterContinuesFromOldTotals) {
  auto shm = makeRegion();
  {
    MetricsWriter old(shm.metrics(), 1);
    for (int i = 0; i < 5; ++i) old.requestFinished(sample());
    old.requestFinished(sample("other-model"));
    old.retry();
    old.requestStarted();  // in flight when the process dies
  }
  const std::string before = renderPrometheus(shm, {});
  MetricsWriter respawned(shm.metrics(), 1);
  EXPECT_EQ(shm.metrics().slot(1).active_requests.load(), 0) << "the dead process's requests";
  EXPECT_EQ(value(renderPrometheus(shm, {}), kReq), 5) << "constructing clears nothing";
  respawned.requestFinished(sample());
  respawned.requestFinished(sample("third"));  // a new set goes after the old rows
  respawned.retry();
  EXPECT_EQ(shm.metrics().slot(1).series_used.load(), 3u);
  const std::string after = renderPrometheus(shm, {});
  EXPECT_EQ(value(after, kReq), 6);
  EXPECT_EQ(value(after, "llm_proxy_upstream_retries_total"), 2);
  EXPECT_EQ(value(after,
                  "llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/completions\","
                  "model=\"other-model\",provider=\"openai\",status_code=\"200\"}"),
            1);
  EXPECT_GE(value(after,
                  "llm_proxy_request_duration_seconds_count{endpoint=\"/v1/chat/"
                  "completions\",model=\"gpt-4o\",provider=\"openai\"}"),
            value(before,
                  "llm_proxy_request_duration_seconds_count{endpoint=\"/v1/chat/"
                  "completions\",model=\"gpt-4o\",provider=\"openai\"}"));
}

TEST(Metrics, ForkedChildWritesAreVisibleToParent) {
  auto shm = makeRegion();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    MetricsWriter w(shm.metrics(), 1);
    for (int i = 0; i < 42; ++i) w.requestFinished(sample());
    w.retry();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::string text = renderPrometheus(shm, {});
  EXPECT_EQ(value(text, kReq), 42);
  EXPECT_EQ(value(text, "llm_proxy_upstream_retries_total"), 1);
}

TEST(Metrics, ConcurrentWritersInTwoProcessesLoseNothing) {
  auto shm = makeRegion();
  constexpr int kPerChild = 20000;
  constexpr int kModels = 7;
  pid_t children[2];
  for (uint32_t slot = 0; slot < 2; ++slot) {
    children[slot] = fork();
    ASSERT_GE(children[slot], 0);
    if (children[slot] == 0) {
      MetricsWriter w(shm.metrics(), slot);
      const std::string models[kModels] = {"a", "b", "c", "d", "e", "f", "g"};
      for (int i = 0; i < kPerChild; ++i) {
        auto s = sample(models[i % kModels]);
        s.completion_tokens = 3;
        w.requestFinished(s);
        if (i % 10 == 0) w.retry();
      }
      _exit(0);
    }
  }
  // Read while they write: totals only ever grow and the text stays valid.
  auto total = [](const std::string& text) {
    double sum = 0;
    for (char m = 'a'; m < 'a' + kModels; ++m) {
      const double v =
          value(text, std::string("llm_proxy_requests_total{method=\"POST\",endpoint=\"/v1/chat/"
                                  "completions\",model=\"") +
                          m + "\",provider=\"openai\",status_code=\"200\"}");
      if (v > 0) sum += v;
    }
    return sum;
  };
  double last = 0;
  int done = 0;
  while (done < 2) {
    const std::string text = renderPrometheus(shm, {});
    const double t = total(text);
    ASSERT_GE(t, last);
    last = t;
    ASSERT_EQ(validateExposition(text), "");
    done = 0;
    for (pid_t c : children) {
      int status = 0;
      if (waitpid(c, &status, WNOHANG) == c || kill(c, 0) != 0) ++done;
    }
  }
  for (pid_t c : children) waitpid(c, nullptr, 0);
  const std::string text = renderPrometheus(shm, {});
  EXPECT_EQ(total(text), 2 * kPerChild);
  EXPECT_EQ(value(text, "llm_proxy_upstream_retries_total"), 2 * (kPerChild / 10));
  double tokens = 0;
  for (char m = 'a'; m < 'a' + kModels; ++m)
    tokens += value(text, std::string("llm_proxy_tokens_total{model=\"") + m +
                              "\",provider=\"openai\",token_type=\"completion\"}");
  EXPECT_EQ(tokens, 3.0 * 2 * kPerChild);
}

TEST(Metrics, SectionIsSizedForEveryWorkerSlot) {
  auto shm = makeRegion(4);
  EXPECT_EQ(shm.metrics().slotCount(), 4u);
  EXPECT_EQ(shm.header().section_size[static_cast<uint32_t>(ShmSection::Metrics)],
            MetricsArea::bytesFor(4));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(&shm.metrics()) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(shm.metrics().series(3)) % 64, 0u);
  EXPECT_LE(reinterpret_cast<char*>(shm.metrics().series(3) + MetricsArea::kSeriesPerWorker),
            reinterpret_cast<char*>(&shm.header()) + shm.size());
}

}  // namespace
}  // namespace llmproxy::common
