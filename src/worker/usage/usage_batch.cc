// Usage rows as PostgreSQL array literals, one per column.
#include "worker/usage/usage_batch.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "common/base/utf8.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker {
namespace {

void appendInt(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

int64_t clampTokens(uint64_t v) {
  return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
             ? std::numeric_limits<int64_t>::max()
             : static_cast<int64_t>(v);
}

void appendMillis(std::string& out, double v) {
  if (!std::isfinite(v) || v < 0) v = 0;
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  out.append(buf, r.ptr);
}

// NOTE: the column order here is the order of the $n parameters and of add()'s appends.
// Migration 0005 added cost_usd and key_spend, 0004 trace_id, 0002 the protocols: older
// schemas take the leading columns. The current statement writes the rows and adds each key's
// cost to its period's key_spend row in one statement, so the two never disagree.
constexpr std::string_view kInsertCurrent =
    "WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], "
    "$5::text[], $6::text[], $7::text[], $8::integer[], $9::boolean[], $10::bigint[], "
    "$11::bigint[], $12::double precision[], $13::double precision[], $14::text[], $15::text[], "
    "$16::text[], $17::numeric[], $18::text[], $19::bigint[], $20::bigint[], $21::bigint[]) "
    "AS u(t, r, c, n, e, m, p, s, st, pt, ct, l, tt, cp, pp, ti, cu, kh, ps, pe, bd)), "
    "logged AS (INSERT INTO usage_log (created_at, request_id, credential_id, credential_name, "
    "endpoint, model, provider, status, stream, prompt_tokens, completion_tokens, latency_ms, "
    "ttft_ms, client_protocol, provider_protocol, trace_id, cost_usd) "
    "SELECT timestamptz 'epoch' + t * interval '1 microsecond', r, c, n, e, m, p, s, st, pt, ct, "
    "l, tt, cp, pp, ti, cu FROM u) "
    "INSERT INTO key_spend (key_hash, period_start, period_end, budget_duration, key_name, "
    "spent_usd) "
    "SELECT kh, timestamptz 'epoch' + ps * interval '1 second', "
    "timestamptz 'epoch' + max(pe) * interval '1 second', max(bd), max(n), sum(cu) FROM u "
    "WHERE kh <> '' AND cu > 0 GROUP BY kh, ps "
    "ON CONFLICT (key_hash, period_start) DO UPDATE SET "
    "spent_usd = key_spend.spent_usd + excluded.spent_usd, key_name = excluded.key_name, "
    "period_end = excluded.period_end, budget_duration = excluded.budget_duration, "
    "updated_at = now()";

constexpr std::string_view kInsertNoCost =
    "INSERT INTO usage_log (created_at, request_id, credential_id, credential_name, endpoint, "
    "model, provider, status, stream, prompt_tokens, completion_tokens, latency_ms, ttft_ms, "
    "client_protocol, provider_protocol, trace_id) "
    "SELECT timestamptz 'epoch' + t * interval '1 microsecond', r, c, n, e, m, p, s, st, pt, ct, "
    "l, tt, cp, pp, ti FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], "
    "$5::text[], $6::text[], $7::text[], $8::integer[], $9::boolean[], $10::bigint[], "
    "$11::bigint[], $12::double precision[], $13::double precision[], $14::text[], $15::text[], "
    "$16::text[]) AS u(t, r, c, n, e, m, p, s, st, pt, ct, l, tt, cp, pp, ti)";

constexpr std::string_view kInsertNoTrace =
    "INSERT INTO usage_log (created_at, request_id, credential_id, credential_name, endpoint, "
    "model, provider, status, stream, prompt_tokens, completion_tokens, latency_ms, ttft_ms, "
    "client_protocol, provider_protocol) "
    "SELECT timestamptz 'epoch' + t * interval '1 microsecond', r, c, n, e, m, p, s, st, pt, ct, "
    "l, tt, cp, pp FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::integer[], $9::boolean[], $10::bigint[], $11::bigint[], "
    "$12::double precision[], $13::double precision[], $14::text[], $15::text[]) "
    "AS u(t, r, c, n, e, m, p, s, st, pt, ct, l, tt, cp, pp)";

constexpr std::string_view kInsertNoProtocols =
    "INSERT INTO usage_log (created_at, request_id, credential_id, credential_name, endpoint, "
    "model, provider, status, stream, prompt_tokens, completion_tokens, latency_ms, ttft_ms) "
    "SELECT timestamptz 'epoch' + t * interval '1 microsecond', r, c, n, e, m, p, s, st, pt, ct, "
    "l, tt FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[], "
    "$6::text[], $7::text[], $8::integer[], $9::boolean[], $10::bigint[], $11::bigint[], "
    "$12::double precision[], $13::double precision[]) "
    "AS u(t, r, c, n, e, m, p, s, st, pt, ct, l, tt)";

}  // namespace

std::string_view UsageBatch::insertSql(Schema schema) {
  switch (schema) {
    case Schema::Current: return kInsertCurrent;
    case Schema::NoCost: return kInsertNoCost;
    case Schema::NoTrace: return kInsertNoTrace;
    case Schema::NoProtocols: return kInsertNoProtocols;
  }
  return kInsertCurrent;
}

void appendArrayText(std::string& out, std::string_view v, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  v = common::utf8Prefix(v, max_bytes);
  out += '"';
  size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
      ++i;
      continue;
    }
    const size_t n = c == '\0' ? 0 : common::utf8SequenceLength(v, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    out.append(v.data() + i, n);
    i += n;
  }
  out += '"';
}

void UsageBatch::add(const UsageRecord& r) {
  if (rows_ > 0)
    for (std::string& c : columns_) c += ',';
  appendInt(columns_[0], r.time_us);
  appendArrayText(columns_[1], r.request_id, kMaxTextBytes);
  if (r.credential_id > 0 && r.credential_id <= std::numeric_limits<int32_t>::max())
    appendInt(columns_[2], r.credential_id);
  else
    columns_[2] += "NULL";
  appendArrayText(columns_[3], r.credential_name, kMaxTextBytes);
  appendArrayText(columns_[4], r.endpoint, kMaxTextBytes);
  appendArrayText(columns_[5], r.model, kMaxTextBytes);
  appendArrayText(columns_[6], r.provider, kMaxTextBytes);
  appendInt(columns_[7], r.status);
  columns_[8] += r.stream ? 't' : 'f';
  appendInt(columns_[9], clampTokens(r.prompt_tokens));
  appendInt(columns_[10], clampTokens(r.completion_tokens));
  appendMillis(columns_[11], r.latency_ms);
  if (r.ttft_ms >= 0 && std::isfinite(r.ttft_ms))
    appendMillis(columns_[12], r.ttft_ms);
  else
    columns_[12] += "NULL";
  appendArrayText(columns_[13], r.client_protocol, kMaxTextBytes);
  appendArrayText(columns_[14], r.provider_protocol, kMaxTextBytes);
  appendArrayText(columns_[15], r.trace_id, kMaxTextBytes);
  if (r.cost_micros >= 0)
    columns_[16] += formatUsd(r.cost_micros);
  else
    columns_[16] += "NULL";
  appendArrayText(columns_[17], r.key_hash, kMaxTextBytes);
  appendInt(columns_[18], r.period_start_s);
  if (r.period_end_s == std::numeric_limits<int64_t>::max())
    columns_[19] += "NULL";
  else
    appendInt(columns_[19], r.period_end_s);
  appendInt(columns_[20], r.budget_duration);
  ++rows_;
}

void UsageBatch::clear() {
  for (std::string& c : columns_) c.clear();
  rows_ = 0;
}

common::pg::Connection::Params UsageBatch::params(Schema schema) const {
  common::pg::Connection::Params p;
  const size_t n = columnsOf(schema);
  p.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& c = columns_[i];
    std::string a;
    a.reserve(c.size() + 2);
    a += '{';
    a += c;
    a += '}';
    p.emplace_back(std::move(a));
  }
  return p;
}

}  // namespace llmproxy::worker
