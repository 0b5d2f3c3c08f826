// A key's budget_duration and the period it puts a moment in. Periods are calendar-aligned
// (UTC), not rolling: "1d" is the UTC day, "1h" the hour, "7d" a week from Thursday 00:00
// (windows of the length counted from 1970-01-01T00:00:00Z), "1mo" the calendar month. Every
// node and worker computes the same period from the clock alone, and the spend of a period
// is one number that starts again at 0 when the period ends.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace llmproxy::common {

// budget_duration as kept in KeyConfig: 0 = never resets; > 0 = windows of that many
// seconds; < 0 = that many calendar months (-1 = "1mo").
std::expected<int64_t, std::string> parseBudgetDuration(std::string_view text);
// "" for 0, else the shortest form: "30d", "12h", "90s", "1mo".
std::string formatBudgetDuration(int64_t duration);

struct BudgetWindow {
  int64_t index = 0;     // windows since the epoch (0 when it never resets)
  int64_t start_s = 0;   // unix seconds, inclusive
  int64_t end_s = 0;     // unix seconds, exclusive; INT64_MAX when it never resets
};
BudgetWindow budgetWindow(int64_t duration, int64_t now_s);

}  // namespace llmproxy::common
