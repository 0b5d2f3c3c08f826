// Up to usage_batch_size usage_log rows encoded as one PostgreSQL array literal per column, so
// a batch is written by ONE parameterised statement (kInsertSql: INSERT ... SELECT FROM
// unnest($1::bigint[], $2::text[], ...)) and never needs quoting inside the SQL text.
//
// Encoding happens in add(), so a record is copied once, into text that grows amortised (a
// recycled batch keeps its capacity). Text values are made safe for PostgreSQL first: cut to
// kMaxTextBytes at a character boundary, NUL and malformed UTF-8 replaced by U+FFFD (libpq
// parameters are C strings, and text columns reject both), then quoted with '"' and '\' escaped.
// Worker-loop-only value type.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/pg/pg_connection.h"
#include "worker/usage/usage_record.h"

namespace llmproxy::worker {

class UsageBatch {
 public:
  static constexpr size_t kColumns = 16;
  // The first 15 columns: a database without migration 0004 (no trace_id column).
  static constexpr size_t kProtocolColumns = 15;
  // The first 13 columns: a database without migration 0002 (no protocol columns).
  static constexpr size_t kLegacyColumns = 13;
  static constexpr size_t kMaxTextBytes = 256;  // per text value (model names come from clients)
  static const std::string_view kInsertSql;
  static const std::string_view kProtocolInsertSql;
  static const std::string_view kLegacyInsertSql;

  void add(const UsageRecord& r);
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  // Forget the rows, keep the memory.
  void clear();
  // The statement's parameters: one array literal per column ("{...}"), the first `columns`
  // of them (kColumns, kProtocolColumns or kLegacyColumns: what the database has). The batch is
  // unchanged (it stays queued until PostgreSQL has accepted it).
  common::pg::Connection::Params params(size_t columns = kColumns) const;

 private:
  std::array<std::string, kColumns> columns_;
  size_t rows_ = 0;
};

// Appends `v` as one quoted element of a PostgreSQL array literal, made safe as described above.
void appendArrayText(std::string& out, std::string_view v, size_t max_bytes);

}  // namespace llmproxy::worker
