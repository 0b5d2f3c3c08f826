// Per-key budgets on one node: the reservation a request makes before it goes upstream and
// its settlement with the real cost when it finishes, in the node's shared BudgetTable
// (common/shm/budget_table.h), so a budget is exact across the node's workers. Periods are
// common/config/budget_period.h's. Worker-loop-only; pure apart from the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/shm/budget_table.h"

namespace llmproxy::worker {

// A key's identity in the budget table and in key_spend: the first 8 bytes of its SHA-256
// (the hash identifies file and database keys alike and survives renames).
uint64_t budgetKeyId(const common::Sha256& key_sha256);

// The request's max_tokens (also max_completion_tokens, max_output_tokens) when its body
// names one at the top level; nullopt otherwise or when the body does not parse.
std::optional<uint64_t> maxTokensOf(std::string_view body);

// What a request reserves: its prompt estimated at a token per 4 bytes of body at the input
// price, plus `output_tokens` at the output price; 0 without a price.
uint64_t reservationMicros(const common::PriceConfig* price, size_t body_bytes,
                           uint64_t output_tokens);

// One request's part in its key's budget, from the check to the settlement.
struct BudgetHold {
  common::BudgetEntry* entry = nullptr;  // null: no budget applies (or the table was full)
  uint16_t tag = 0;                      // the period reserved in; 0 = nothing reserved
  uint64_t estimate = 0;                 // micro-dollars reserved
  bool settled = false;
  // Decided by Redis ([redis] url): its hash ("" = decided on this node), the request's hold
  // id there, and the key's totals it answered with, for the headers.
  std::string redis_key;
  std::string redis_hold;
  uint64_t redis_committed = 0;
  uint64_t redis_spent = 0;
};

// The budget state of a key now, for headers and the admin API.
struct BudgetState {
  int64_t max = 0;        // micro-dollars; 0 = no budget
  int64_t soft = 0;
  uint64_t spent = 0;     // settled in the current period
  uint64_t committed = 0; // spent + reserved by requests in flight
  int64_t period_start_s = 0;
  int64_t period_end_s = 0;  // INT64_MAX: never resets
  int64_t remaining() const {
    return max > static_cast<int64_t>(committed) ? max - static_cast<int64_t>(committed) : 0;
  }
};

// The budget headers of an answer for a key with max_budget or soft_budget (none otherwise):
// x-llmproxy-spend-usd (settled spend this period, before this request's cost, which is
// known only when the answer ends), x-llmproxy-budget-remaining-usd (the budget less spend
// and reservations, this request's included) and, at or past soft_budget,
// x-llmproxy-budget-warning.
std::vector<std::pair<std::string_view, std::string>> budgetHeaders(const common::KeyConfig& key,
                                                                    const BudgetState& state);

class Budgets {
 public:
  explicit Budgets(common::BudgetTable& table) : table_(table) {}

  // Admits `key` (which has a max_budget) when what is spent and reserved in the current
  // period is under it, and reserves `estimate` in `hold`. False: over budget.
  bool admit(const common::KeyConfig& key, uint64_t estimate, int64_t now_s, BudgetHold& hold);
  // Settles a request of `key` with its actual cost (once; a request that reserved nothing
  // just adds its cost, so every key's spend is known).
  void settle(const common::KeyConfig& key, BudgetHold& hold, uint64_t actual, int64_t now_s);
  BudgetState state(const common::KeyConfig& key, int64_t now_s);
  // The spend of the current period back to 0.
  void reset(const common::KeyConfig& key);
  common::BudgetTable& table() { return table_; }

 private:
  common::BudgetTable& table_;
};

}  // namespace llmproxy::worker
