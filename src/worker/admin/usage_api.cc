// The usage aggregate: parameters -> SQL (usage_query) -> PostgreSQL -> JSON.
#include "worker/admin/usage_api.h"

#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"
#include "worker/admin/admin_common.h"
#include "worker/admin/admin_db.h"
#include "worker/admin/admin_output.h"
#include "worker/admin/usage_query.h"
#include "worker/http/query_string.h"

namespace llmproxy::worker::admin {
namespace {

void writeNumberOrNull(common::JsonWriter& w, const common::pg::QueryResult& r, int row, int col) {
  if (r.isNull(row, col))
    w.null();
  else
    w.value(rowDouble(r, row, col));
}

Response render(const UsageQuery& q, const common::pg::QueryResult& r, bool spend) {
  const int rows = std::min(r.rows(), kUsageMaxRows);
  const int g = static_cast<int>(q.group_columns.size());
  common::JsonWriter w;
  w.beginObject().field("object", spend ? "spend" : "usage").key("group_by").beginArray();
  for (std::string_view name : q.group_by) w.value(name);
  w.endArray().key("data").beginArray();
  for (int row = 0; row < rows; ++row) {
    w.beginObject();
    for (int c = 0; c < g; ++c) {
      w.key(q.group_columns[c]);
      if (r.isNull(row, c))
        w.null();
      else if (q.group_columns[c] == "credential_id")
        w.value(rowInt(r, row, c));
      else
        w.value(r.value(row, c));
    }
    if (spend) {
      w.field("requests", rowInt(r, row, g)).key("spend_usd").raw(r.value(row, g + 6));
      w.endObject();
      continue;
    }
    const int64_t prompt = rowInt(r, row, g + 1);
    const int64_t completion = rowInt(r, row, g + 2);
    w.field("requests", rowInt(r, row, g))
        .field("prompt_tokens", prompt)
        .field("completion_tokens", completion)
        .field("total_tokens", prompt + completion)
        .field("errors", rowInt(r, row, g + 3))
        .key("avg_latency_ms");
    writeNumberOrNull(w, r, row, g + 4);
    w.key("avg_ttft_ms");
    writeNumberOrNull(w, r, row, g + 5);
    // numeric's text, written as it is: exact to the micro-dollar.
    w.key("cost_usd").raw(r.value(row, g + 6));
    w.endObject();
  }
  w.endArray().field("truncated", r.rows() > kUsageMaxRows).endObject();
  return Response::json(200, w.take());
}

// The usage query, answered as usage or as spend.
Outcome aggregate(LocalCall& call, bool spend) {
  // The query is rebuilt on re-entry (pure and cheap) rather than kept in the exchange.
  const auto params = parseQueryString(call.request.target);
  if (!params)
    return call.respondError(
        {common::ErrorKind::BadRequest, "The query string has a malformed %-escape.", 0});
  UsageQueryBuild built = buildUsageQuery(*params);
  if (!built.query)
    return call.respondError({common::ErrorKind::BadRequest, built.error.message, 0},
                             built.error.param);
  if (const common::pg::QueryResult* r = finishedQuery(call)) {
    if (!r->ok) return respondDbError(call, *r, "", "usage");
    return call.respond(render(*built.query, *r, spend));
  }
  if (!hasDatabase(call))
    return call.respondError(
        {common::ErrorKind::Conflict,
         "Usage is recorded only with a database: set [database] url (or DB_URL).", 0});
  return runQuery(call, std::move(built.query->sql), std::move(built.query->params), false);
}

}  // namespace

Outcome usage(LocalCall& call) { return aggregate(call, false); }

Outcome spend(LocalCall& call) { return aggregate(call, true); }

}  // namespace llmproxy::worker::admin
