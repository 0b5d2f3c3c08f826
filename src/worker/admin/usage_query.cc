// The usage aggregate's SQL from whitelisted fragments.
#include "worker/admin/usage_query.h"

#include <array>
#include <charconv>

#include "common/config/scalars.h"

namespace llmproxy::worker::admin {
namespace {

struct GroupFragment {
  std::string_view name;     // the group_by value
  std::string_view columns;  // SELECT expressions
  std::vector<std::string_view> outputs;
};

const std::array<GroupFragment, 6>& groupFragments() {
  static const std::array<GroupFragment, 6> kGroups{{
      {"credential", "credential_id, credential_name", {"credential_id", "credential_name"}},
      // The same, by the name /admin/v1/spend documents.
      {"key", "credential_id, credential_name", {"credential_id", "credential_name"}},
      {"model", "model", {"model"}},
      {"provider", "provider", {"provider"}},
      {"day",
       "to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), "
       "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
       {"day"}},
      {"hour",
       "to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), "
       "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
       {"hour"}},
  }};
  return kGroups;
}

constexpr std::string_view kAggregates =
    "count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
    "count(*) FILTER (WHERE status >= 400), avg(latency_ms), avg(ttft_ms), "
    "coalesce(sum(cost_usd), 0)::numeric(20,6)::text";

bool digitsOnly(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "YYYY-MM-DD": midnight UTC, a convenience of this query only (a config value must be a full
// date-time); checked by the shared RFC 3339 rule through its own midnight.
std::optional<int64_t> parseDateUs(std::string_view s) {
  if (s.size() != 10) return std::nullopt;
  return common::parseRfc3339(std::string(s) + "T00:00:00Z");
}

std::string toString(int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

std::optional<int64_t> parseTimestampUs(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Unix seconds, optionally with a fraction.
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (digitsOnly(whole) && whole.size() <= 12) {
    int64_t secs = 0;
    std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    int64_t frac_us = 0;
    if (dot != std::string_view::npos) {
      const std::string_view frac = s.substr(dot + 1);
      if (!digitsOnly(frac)) return std::nullopt;
      int64_t scale = 100000;
      for (char c : frac) {
        frac_us += (c - '0') * scale;
        scale /= 10;
      }
    }
    return secs * 1'000'000 + frac_us;
  }
  if (auto date = parseDateUs(s)) return date;
  return common::parseRfc3339(s);
}

UsageQueryBuild buildUsageQuery(const QueryParams& params) {
  UsageQueryBuild out;
  auto bad = [&](std::string param, std::string message) {
    out.error = {std::move(param), std::move(message)};
    return out;
  };
  UsageQuery q;
  std::string where;
  auto addFilter = [&](std::string_view fragment_before, std::string value,
                       std::string_view fragment_after) {
    q.params.emplace_back(std::move(value));
    where += where.empty() ? " WHERE " : " AND ";
    where += fragment_before;
    where += '$';
    where += std::to_string(q.params.size());
    where += fragment_after;
  };
  std::vector<const GroupFragment*> groups;
  bool seen[6] = {};
  constexpr std::array<std::string_view, 6> kNames = {"credential", "model", "provider",
                                                      "since",      "until", "group_by"};
  for (const auto& [name, value] : params) {
    size_t which = kNames.size();
    for (size_t i = 0; i < kNames.size(); ++i)
      if (kNames[i] == name) which = i;
    if (which == kNames.size())
      return bad(name, "unknown parameter '" + name +
                           "' (expected credential, model, provider, since, until, group_by)");
    if (seen[which]) return bad(name, "'" + name + "' is given more than once");
    seen[which] = true;
    if (value.empty()) continue;
    switch (which) {
      case 0:
        if (digitsOnly(value) && value.size() <= 9)
          addFilter("credential_id = ", value, "::integer");
        else
          addFilter("credential_name = ", value, "");
        break;
      case 1: addFilter("model = ", value, ""); break;
      case 2: addFilter("provider = ", value, ""); break;
      case 3:
      case 4: {
        const auto us = parseTimestampUs(value);
        if (!us)
          return bad(name, "'" + name +
                               "' must be an RFC 3339 time (2026-01-31T12:00:00Z) or unix seconds");
        addFilter(which == 3 ? "created_at >= timestamptz 'epoch' + "
                             : "created_at < timestamptz 'epoch' + ",
                  toString(*us), "::bigint * interval '1 microsecond'");
        break;
      }
      case 5: {
        std::string_view rest = value;
        while (true) {
          const size_t comma = rest.find(',');
          std::string_view item = rest.substr(0, comma);
          while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
          while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
          const GroupFragment* g = nullptr;
          for (const auto& f : groupFragments())
            if (f.name == item) g = &f;
          if (!g)
            return bad("group_by", "group_by takes credential (or key), model, provider, day "
                                   "or hour (comma-separated), not '" + std::string(item) + "'");
          for (const GroupFragment* have : groups)
            if (have == g) return bad("group_by", "group_by lists '" + std::string(item) + "' twice");
          groups.push_back(g);
          if (comma == std::string_view::npos) break;
          rest = rest.substr(comma + 1);
        }
        break;
      }
      default: break;
    }
  }

  std::string select = "SELECT ";
  std::string group_list;
  size_t ordinal = 0;
  for (const GroupFragment* g : groups) {
    select += g->columns;
    select += ", ";
    q.group_by.push_back(g->name);
    for (std::string_view o : g->outputs) {
      q.group_columns.push_back(o);
      if (!group_list.empty()) group_list += ", ";
      group_list += std::to_string(++ordinal);
    }
  }
  select += kAggregates;
  select += " FROM usage_log";
  select += where;
  if (!group_list.empty()) {
    select += " GROUP BY " + group_list + " ORDER BY " + group_list;
    select += " LIMIT " + std::to_string(kUsageMaxRows + 1);
  }
  q.sql = std::move(select);
  out.query = std::move(q);
  return out;
}

}  // namespace llmproxy::worker::admin
