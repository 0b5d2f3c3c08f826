// The latest usage-log rows as JSON.
#include "worker/admin/recent_requests_api.h"

#include <charconv>

#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"
#include "worker/admin/admin_common.h"
#include "worker/admin/admin_db.h"
#include "worker/admin/admin_output.h"
#include "worker/http/query_string.h"

namespace llmproxy::worker::admin {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;

constexpr const char* kSql =
    "SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "request_id, credential_id, credential_name, endpoint, model, provider, status, stream, "
    "prompt_tokens, completion_tokens, latency_ms, ttft_ms "
    "FROM usage_log ORDER BY id DESC LIMIT $1";

Response render(const common::pg::QueryResult& r) {
  common::JsonWriter w;
  w.beginObject().field("object", "list").key("data").beginArray();
  for (int row = 0; row < r.rows(); ++row) {
    w.beginObject();
    w.field("id", rowInt(r, row, 0));
    w.field("created_at", r.value(row, 1));
    w.field("request_id", r.value(row, 2));
    w.key("credential_id");
    if (r.isNull(row, 3))
      w.null();
    else
      w.value(rowInt(r, row, 3));
    w.field("credential_name", r.value(row, 4));
    w.field("endpoint", r.value(row, 5));
    w.field("model", r.value(row, 6));
    w.field("provider", r.value(row, 7));
    w.field("status", rowInt(r, row, 8));
    w.field("stream", rowBool(r, row, 9));
    w.field("prompt_tokens", rowInt(r, row, 10));
    w.field("completion_tokens", rowInt(r, row, 11));
    w.field("latency_ms", rowDouble(r, row, 12));
    w.key("ttft_ms");
    if (r.isNull(row, 13))
      w.null();
    else
      w.value(rowDouble(r, row, 13));
    w.endObject();
  }
  w.endArray().endObject();
  return Response::json(200, w.take());
}

}  // namespace

Outcome recentRequests(LocalCall& call) {
  const auto params = parseQueryString(call.request.target);
  if (!params)
    return call.respondError(
        {common::ErrorKind::BadRequest, "The query string has a malformed %-escape.", 0});
  int limit = kDefaultLimit;
  for (const auto& [name, value] : *params) {
    if (name != "limit")
      return call.respondError(
          {common::ErrorKind::BadRequest, "unknown parameter '" + name + "'", 0}, name);
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
    if (ec != std::errc{} || end != value.data() + value.size() || limit < 1 ||
        limit > kMaxLimit)
      return call.respondError(
          {common::ErrorKind::BadRequest, "limit: must be an integer between 1 and 500", 0},
          "limit");
  }
  if (const common::pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "", "usage");
    return call.respond(render(*r));
  }
  if (!hasDatabase(call))
    return call.respondError(
        {common::ErrorKind::Conflict,
         "Usage is recorded only with a database: set [database] url (or DB_URL).", 0});
  return runQuery(call, kSql, {std::to_string(limit)}, false);
}

}  // namespace llmproxy::worker::admin
