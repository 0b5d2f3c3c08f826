// Pieces of the JSON the admin resource endpoints write, shared by providers and credentials:
// values read from a database row, string lists, and the common tail of every object
// (created_at, updated_at, source).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json/json_writer.h"
#include "common/pg/pg_result.h"

namespace llmproxy::worker::admin {

int64_t rowInt(const common::pg::QueryResult& r, int row, int col);
double rowDouble(const common::pg::QueryResult& r, int row, int col);
bool rowBool(const common::pg::QueryResult& r, int row, int col);
// The column as a JSON string, or null for SQL NULL.
void writeTextOrNull(common::JsonWriter& w, const common::pg::QueryResult& r, int row, int col);

// `key`: ["a", "b"]
void writeStringList(common::JsonWriter& w, std::string_view key,
                     const std::vector<std::string>& list);
// ["a","b"] as text (a jsonb parameter).
std::string stringListJson(const std::vector<std::string>& list);

// "created_at", "updated_at" from the row's columns `created_col` and the next one, then
// "source":"database". For file entries: both null and "source":"file".
void writeRowTail(common::JsonWriter& w, const common::pg::QueryResult& r, int row,
                  int created_col);
void writeFileTail(common::JsonWriter& w);

}  // namespace llmproxy::worker::admin
