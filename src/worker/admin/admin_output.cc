// Shared pieces of admin JSON output.
#include "worker/admin/admin_output.h"

#include <charconv>

namespace llmproxy::worker::admin {

int64_t rowInt(const common::pg::QueryResult& r, int row, int col) {
  const std::string_view s = r.value(row, col);
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

double rowDouble(const common::pg::QueryResult& r, int row, int col) {
  const std::string_view s = r.value(row, col);
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool rowBool(const common::pg::QueryResult& r, int row, int col) { return r.value(row, col) == "t"; }

void writeTextOrNull(common::JsonWriter& w, const common::pg::QueryResult& r, int row, int col) {
  if (r.isNull(row, col))
    w.null();
  else
    w.value(r.value(row, col));
}

void writeStringList(common::JsonWriter& w, std::string_view key,
                     const std::vector<std::string>& list) {
  w.key(key).beginArray();
  for (const auto& s : list) w.value(s);
  w.endArray();
}

std::string stringListJson(const std::vector<std::string>& list) {
  common::JsonWriter w;
  w.beginArray();
  for (const auto& s : list) w.value(s);
  w.endArray();
  return w.take();
}

void writeRowTail(common::JsonWriter& w, const common::pg::QueryResult& r, int row,
                  int created_col) {
  w.key("created_at");
  writeTextOrNull(w, r, row, created_col);
  w.key("updated_at");
  writeTextOrNull(w, r, row, created_col + 1);
  w.field("source", "database");
}

void writeFileTail(common::JsonWriter& w) {
  w.key("created_at").null();
  w.key("updated_at").null();
  w.field("source", "file");
}

}  // namespace llmproxy::worker::admin
