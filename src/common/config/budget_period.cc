// Budget periods: parsing budget_duration and the calendar-aligned window of a moment.
#include "common/config/budget_period.h"

#include <chrono>
#include <charconv>
#include <limits>

namespace llmproxy::common {
namespace {

constexpr int64_t kMaxSeconds = int64_t{100} * 366 * 86400;  // a century
constexpr int64_t kMaxMonths = 1200;

}  // namespace

std::expected<int64_t, std::string> parseBudgetDuration(std::string_view text) {
  if (text.empty()) return 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  int64_t n = 0;
  if (digits == 0 || std::from_chars(text.data(), text.data() + digits, n).ec != std::errc{} ||
      n <= 0)
    return std::unexpected("expected a positive whole number and a unit, e.g. \"30d\" or \"1mo\"");
  const std::string_view unit = text.substr(digits);
  int64_t factor = 0;
  if (unit == "s") factor = 1;
  else if (unit == "m") factor = 60;
  else if (unit == "h") factor = 3600;
  else if (unit == "d") factor = 86400;
  else if (unit == "mo") {
    if (n > kMaxMonths) return std::unexpected("at most 1200mo");
    return -n;
  } else {
    return std::unexpected("unknown unit \"" + std::string(unit) + "\" (use s, m, h, d or mo)");
  }
  if (n > kMaxSeconds / factor) return std::unexpected("at most 100 years");
  return n * factor;
}

std::string formatBudgetDuration(int64_t duration) {
  if (duration == 0) return "";
  if (duration < 0) return std::to_string(-duration) + "mo";
  if (duration % 86400 == 0) return std::to_string(duration / 86400) + "d";
  if (duration % 3600 == 0) return std::to_string(duration / 3600) + "h";
  if (duration % 60 == 0) return std::to_string(duration / 60) + "m";
  return std::to_string(duration) + "s";
}

BudgetWindow budgetWindow(int64_t duration, int64_t now_s) {
  using namespace std::chrono;
  if (duration == 0) return {0, 0, std::numeric_limits<int64_t>::max()};
  if (duration > 0) {
    // Floor division: moments before 1970 fall in negative windows.
    int64_t index = now_s / duration;
    if (now_s < 0 && now_s % duration != 0) --index;
    return {index, index * duration, (index + 1) * duration};
  }
  const int64_t months = -duration;
  const year_month_day ymd{floor<days>(sys_seconds{seconds{now_s}})};
  const int64_t since_epoch =
      (static_cast<int64_t>(static_cast<int>(ymd.year())) - 1970) * 12 +
      static_cast<int64_t>(static_cast<unsigned>(ymd.month())) - 1;
  int64_t index = since_epoch / months;
  if (since_epoch < 0 && since_epoch % months != 0) --index;
  auto monthStart = [](int64_t month_index) {
    const year_month_day first{year{1970 + static_cast<int>(month_index / 12)},
                               month{static_cast<unsigned>(month_index % 12) + 1}, day{1}};
    return static_cast<int64_t>(sys_seconds{sys_days{first}}.time_since_epoch().count());
  };
  return {index, monthStart(index * months), monthStart((index + 1) * months)};
}

}  // namespace llmproxy::common
