// Budget helpers: what a request reserves, max_tokens from a body, the headers, and admission
// with settlement through Budgets over a table.
#include "worker/limits/budget.h"

#include <gtest/gtest.h>

#include <memory>

namespace llmproxy::worker {
namespace {

TEST(Budget, MaxTokensOfABody) {
  EXPECT_EQ(maxTokensOf(R"({"model":"m","max_tokens":512})"), 512u);
  EXPECT_EQ(maxTokensOf(R"({"max_completion_tokens":9,"model":"m"})"), 9u);
  EXPECT_EQ(maxTokensOf(R"({"max_output_tokens":7})"), 7u);
  EXPECT_EQ(maxTokensOf(R"({"model":"m"})"), std::nullopt);
  EXPECT_EQ(maxTokensOf(R"({"max_tokens":null})"), std::nullopt);
  EXPECT_EQ(maxTokensOf(R"({"x":{"max_tokens":5}})"), std::nullopt) << "top level only";
  EXPECT_EQ(maxTokensOf("not json max_tokens"), std::nullopt);
}

TEST(Budget, ReservationIsTheBodyAtTheInputPriceAndMaxTokensAtTheOutputPrice) {
  common::PriceConfig p;
  p.input = 2'000'000;   // $2 per million: 2 µ$ a token
  p.output = 8'000'000;  // 8 µ$ a token
  EXPECT_EQ(reservationMicros(&p, 400, 1000), 100 * 2 + 1000 * 8);
  EXPECT_EQ(reservationMicros(&p, 401, 0), 101 * 2) << "a started 4 bytes counts";
  EXPECT_EQ(reservationMicros(nullptr, 400, 1000), 0u) << "unpriced costs nothing";
}

TEST(Budget, AdmitSettleStateAndHeaders) {
  auto table = std::make_unique<common::BudgetTable>();
  Budgets budgets(*table);
  common::KeyConfig key;
  key.key_sha256[0] = 1;
  key.max_budget = 1000;
  key.soft_budget = 600;
  key.budget_duration = 86400;
  constexpr int64_t kNow = 1796495400;
  BudgetHold a, b, c;
  EXPECT_TRUE(budgets.admit(key, 500, kNow, a));
  EXPECT_TRUE(budgets.admit(key, 500, kNow, b));
  EXPECT_FALSE(budgets.admit(key, 500, kNow, c));
  BudgetState s = budgets.state(key, kNow);
  EXPECT_EQ(s.committed, 1000u);
  EXPECT_EQ(s.remaining(), 0);
  budgets.settle(key, a, 100, kNow);
  budgets.settle(key, a, 100, kNow);  // once only
  s = budgets.state(key, kNow);
  EXPECT_EQ(s.spent, 100u);
  EXPECT_EQ(s.committed, 600u);
  const auto headers = budgetHeaders(key, s);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].second, "0.000100");
  EXPECT_EQ(headers[1].second, "0.000400");
  EXPECT_EQ(headers[2].first, "x-llmproxy-budget-warning");
  // The next day starts from 0.
  EXPECT_EQ(budgets.state(key, kNow + 86400).committed, 0u);
  budgets.reset(key);
  EXPECT_EQ(budgets.state(key, kNow).committed, 0u);
  common::KeyConfig plain;
  EXPECT_TRUE(budgetHeaders(plain, s).empty()) << "no budget, no headers";
}

}  // namespace
}  // namespace llmproxy::worker
