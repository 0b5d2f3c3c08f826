// Small helpers the admin resource handlers share.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "common/pg/pg_result.h"
#include "worker/admin/admin_state.h"
#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

inline bool isRead(const LocalCall& call) {
  return call.request.method == "GET" || call.request.method == "HEAD";
}
inline bool hasDatabase(const LocalCall& call) { return !call.config->database.url.empty(); }

// The finished statement's result when the handler is re-entered after runQuery, else null.
inline const common::pg::QueryResult* finishedQuery(LocalCall& call) {
  return call.admin && call.admin->result ? &*call.admin->result : nullptr;
}

inline std::optional<std::string> boolParam(std::optional<bool> b) {
  if (!b) return std::nullopt;
  return std::string(*b ? "true" : "false");
}
// Numbers as PostgreSQL reads them back exactly (shortest round-trip form for doubles).
template <typename T>
std::optional<std::string> numberParam(std::optional<T> n) {
  if (!n) return std::nullopt;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), *n);
  return std::string(buf, ec == std::errc{} ? end : buf);
}

Outcome respondNotFound(LocalCall& call, std::string_view what);
Outcome respondJson(LocalCall& call, int status, std::string body);

}  // namespace llmproxy::worker::admin
