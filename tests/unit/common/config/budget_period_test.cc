// budget_duration: its forms, and the calendar-aligned (UTC) window a moment falls in.
#include "common/config/budget_period.h"

#include <gtest/gtest.h>

#include <limits>

namespace llmproxy::common {
namespace {

TEST(BudgetPeriod, Parse) {
  EXPECT_EQ(parseBudgetDuration(""), 0);
  EXPECT_EQ(parseBudgetDuration("30s"), 30);
  EXPECT_EQ(parseBudgetDuration("5m"), 300);
  EXPECT_EQ(parseBudgetDuration("1h"), 3600);
  EXPECT_EQ(parseBudgetDuration("30d"), 30 * 86400);
  EXPECT_EQ(parseBudgetDuration("1mo"), -1);
  EXPECT_EQ(parseBudgetDuration("3mo"), -3);
  EXPECT_FALSE(parseBudgetDuration("0d"));
  EXPECT_FALSE(parseBudgetDuration("d"));
  EXPECT_FALSE(parseBudgetDuration("1w"));
  EXPECT_FALSE(parseBudgetDuration("-1d"));
  EXPECT_FALSE(parseBudgetDuration("99999999999d"));
  EXPECT_EQ(parseBudgetDuration("1w").error(), "unknown unit \"w\" (use s, m, h, d or mo)");
  for (int64_t d : {int64_t{30}, int64_t{300}, int64_t{7200}, int64_t{86400}, int64_t{-1}})
    EXPECT_EQ(parseBudgetDuration(formatBudgetDuration(d)), d);
  EXPECT_EQ(formatBudgetDuration(90), "90s");
  EXPECT_EQ(formatBudgetDuration(30 * 86400), "30d");
}

TEST(BudgetPeriod, WindowsAreCalendarAlignedInUtc) {
  // 2026-12-05T18:30:00Z
  constexpr int64_t kNow = 1796495400;
  const BudgetWindow day = budgetWindow(86400, kNow);
  EXPECT_EQ(day.start_s, 1796428800);  // 2026-12-05T00:00:00Z
  EXPECT_EQ(day.end_s, 1796515200);    // 2026-12-06T00:00:00Z
  const BudgetWindow hour = budgetWindow(3600, kNow);
  EXPECT_EQ(hour.start_s, 1796493600);  // 18:00
  const BudgetWindow month = budgetWindow(-1, kNow);
  EXPECT_EQ(month.start_s, 1796083200);  // 2026-12-01T00:00:00Z
  EXPECT_EQ(month.end_s, 1798761600);    // 2027-01-01T00:00:00Z
  const BudgetWindow quarter = budgetWindow(-3, kNow);
  EXPECT_EQ(quarter.start_s, 1790812800);  // 2026-10-01T00:00:00Z
  EXPECT_EQ(quarter.end_s, 1798761600);
  EXPECT_EQ(budgetWindow(-1, 1798761600).start_s, 1798761600) << "the first second is in";
  const BudgetWindow never = budgetWindow(0, kNow);
  EXPECT_EQ(never.start_s, 0);
  EXPECT_EQ(never.end_s, std::numeric_limits<int64_t>::max());
  EXPECT_NE(budgetWindow(86400, kNow).index, budgetWindow(86400, kNow + 86400).index);
}

}  // namespace
}  // namespace llmproxy::common
