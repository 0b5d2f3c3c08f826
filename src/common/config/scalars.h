// Scalar rules shared by every front end of the configuration (llmproxy.conf, database rows,
// admin API bodies, the seed YAML import) and by the admin API's outputs: RFC 3339 date-times,
// secret masking, and numbers printed in messages. Durations and sizes are units.h's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmproxy::common {

// ---- RFC 3339 ----------------------------------------------------------------------------
// The one rule for a date-time written as text, everywhere:
//
//   YYYY-MM-DD ( T | t | ' ' ) HH:MM:SS [ .F ] ( Z | z | +HH:MM | -HH:MM )
//
// F is 1 to 9 digits (kept to the microsecond). A space in place of the 'T' is accepted, as
// RFC 3339 §5.6 allows and as PostgreSQL prints. A bare date, a time without seconds and a time
// without an offset are not date-times and are refused. Every field is range-checked: month
// 01-12, day within its month (leap years included), hour 00-23, minute 00-59, second 00-60
// (60, a leap second, reads as the start of the next second), offset at most 23:59.
// Returns unix microseconds, or nullopt.
std::optional<int64_t> parseRfc3339(std::string_view text);

// The message for a text parseRfc3339 refuses (every front end prints it after its location).
inline constexpr std::string_view kExpectedRfc3339 =
    "expected an RFC 3339 date-time such as \"2026-01-31T00:00:00Z\"";

// A unix time as RFC 3339 UTC, to the second ("2026-01-31T12:00:00Z").
std::string formatRfc3339(int64_t unix_seconds);

// ---- secrets ------------------------------------------------------------------------------
// How a provider api_key is shown (admin API, logs): "" when empty, "****" when shorter than
// kMaskMinLength characters, else "****" and its last kMaskVisible characters.
inline constexpr std::string_view kMaskPrefix = "****";
inline constexpr size_t kMaskMinLength = 12;
inline constexpr size_t kMaskVisible = 4;
std::string maskSecret(std::string_view secret);
// The same rule as a PostgreSQL expression over `column`, so a masked read never brings the
// secret out of the database.
std::string maskSecretSql(std::string_view column);
// True for a value that looks like a mask (a client echoing back what a read showed it).
bool looksMasked(std::string_view value);

// ---- numbers in messages ----------------------------------------------------------------
// The shortest text that reads back as `value`, without an exponent for whole numbers up to
// 2^53 ("1000000000", "0.5", "-1").
std::string formatNumber(double value);

}  // namespace llmproxy::common
