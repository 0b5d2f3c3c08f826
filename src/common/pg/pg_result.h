// The outcome of one queued statement on a pg::Connection: PostgreSQL's results (one per
// statement in the text), or an error with PostgreSQL's SQLSTATE so callers can map
// unique violations to 409, bad input to 400 and lost connections to 503.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pg_result;

namespace llmproxy::common::pg {

struct ResultDeleter {
  void operator()(pg_result* r) const;
};
using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

// SQLSTATEs callers care about.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kCheckViolation = "23514";
inline constexpr std::string_view kNotNullViolation = "23502";
inline constexpr std::string_view kInvalidText = "22P02";       // bad input syntax for a type
inline constexpr std::string_view kStringTooLong = "22001";
inline constexpr std::string_view kNumericOutOfRange = "22003";
inline constexpr std::string_view kUndefinedTable = "42P01";

struct QueryResult {
  bool ok = false;
  bool connection_error = false;  // not PostgreSQL's answer: no connection, timeout, lost
  std::string error;              // PostgreSQL's (or libpq's) message, first line
  std::string sqlstate;           // "" for connection errors
  std::vector<ResultPtr> results; // one per statement, in order

  // Accessors over the LAST result (the usual single-statement case).
  int rows() const;
  int columns() const;
  bool isNull(int row, int col) const;
  std::string_view value(int row, int col) const;  // "" for NULL
  // Number of rows a command touched (INSERT/UPDATE/DELETE), 0 if none.
  long affected() const;
  // Same over the i-th result.
  int rowsOf(size_t i) const;
  std::string_view valueOf(size_t i, int row, int col) const;
  bool isNullOf(size_t i, int row, int col) const;
};

}  // namespace llmproxy::common::pg
