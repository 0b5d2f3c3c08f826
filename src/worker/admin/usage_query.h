// GET /admin/v1/usage's parameters turned into one parameterised aggregate over usage_log.
// The SQL text is assembled only from fixed fragments (a whitelist per group_by value and per
// filter); every value the client sent travels as a $n parameter. Pure: no I/O.
//
//   credential  numeric credentials.id, or a key name
//   model, provider  exact match
//   since, until     RFC 3339 as common::parseRfc3339 reads it ("2026-11-23T10:00:00Z",
//                    offsets and fractions allowed), a bare date (midnight UTC) or unix
//                    seconds; since inclusive, until exclusive
//   group_by         comma-separated: credential (or key), model, provider, day, hour (UTC)
// Empty values count as absent. Unknown parameters are refused, so a typo never widens a query.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/pg/pg_connection.h"
#include "worker/http/query_string.h"

namespace llmproxy::worker::admin {

struct UsageQuery {
  std::string sql;
  common::pg::Connection::Params params;
  // The output names of the leading group columns, in order ("credential" is two columns:
  // credential_id and credential_name).
  std::vector<std::string_view> group_columns;
  std::vector<std::string_view> group_by;  // as given, validated
};

// A parameter the query cannot use: 400 with `param` named.
struct UsageQueryError {
  std::string param;
  std::string message;
};

// Rows beyond this are cut (the response says "truncated": true).
inline constexpr int kUsageMaxRows = 10'000;

// Either the query or why not.
struct UsageQueryBuild {
  std::optional<UsageQuery> query;
  UsageQueryError error;
};
UsageQueryBuild buildUsageQuery(const QueryParams& params);

// RFC 3339 date-time (common::parseRfc3339), YYYY-MM-DD (midnight UTC) or unix seconds
// (optionally fractional) -> unix microseconds; nullopt if it is none of them.
std::optional<int64_t> parseTimestampUs(std::string_view s);

}  // namespace llmproxy::worker::admin
