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
#include <cstdint>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/pg/pg_connection.h"
#include "worker/usage/usage_record.h"

namespace llmproxy::worker {

class UsageBatch {
 public:
  static constexpr size_t kColumns = 21;
  static constexpr size_t kMaxTextBytes = 256;  // per text value (model names come from clients)

  // What the database's usage_log has: every column, or an older schema, whose rows are
  // written with the columns it has (the first columnsOf(schema) of the batch).
  enum class Schema : uint8_t {
    Current,      // migration 0005: cost_usd, and each key's spend added to key_spend
    NoCost,       // migration 0004: trace_id
    NoTrace,      // migration 0002: client_protocol, provider_protocol
    NoProtocols,  // migration 0001
  };
  static constexpr size_t columnsOf(Schema schema) {
    switch (schema) {
      case Schema::Current: return kColumns;
      case Schema::NoCost: return 16;
      case Schema::NoTrace: return 15;
      case Schema::NoProtocols: return 13;
    }
    return kColumns;
  }
  // The statement for a schema.
  static std::string_view insertSql(Schema schema);

  void add(const UsageRecord& r);
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  // Forget the rows, keep the memory.
  void clear();
  // The statement's parameters: one array literal per column ("{...}"), the columns `schema`
  // has. The batch is unchanged (it stays queued until PostgreSQL has accepted it).
  common::pg::Connection::Params params(Schema schema = Schema::Current) const;

 private:
  std::array<std::string, kColumns> columns_;
  size_t rows_ = 0;
};

// Appends `v` as one quoted element of a PostgreSQL array literal, made safe as described above.
void appendArrayText(std::string& out, std::string_view v, size_t max_bytes);

}  // namespace llmproxy::worker
