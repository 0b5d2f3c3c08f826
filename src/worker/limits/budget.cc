// Budget reservations and settlements over the shared table.
#include "worker/limits/budget.h"

#include <simdjson.h>

#include <cstring>

#include "common/config/budget_period.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker {

uint64_t budgetKeyId(const common::Sha256& key_sha256) {
  uint64_t id = 0;
  std::memcpy(&id, key_sha256.data(), sizeof id);
  return id == 0 ? 1 : id;
}

std::optional<uint64_t> maxTokensOf(std::string_view body) {
  namespace od = simdjson::ondemand;
  if (body.find("max_") == std::string_view::npos) return std::nullopt;
  thread_local od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  od::object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) return std::nullopt;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return std::nullopt;
    if (key == "max_tokens" || key == "max_completion_tokens" || key == "max_output_tokens") {
      uint64_t n = 0;
      if (!field.value().get_uint64().get(n)) return n;
    }
  }
  return std::nullopt;
}

uint64_t reservationMicros(const common::PriceConfig* price, size_t body_bytes,
                           uint64_t output_tokens) {
  if (!price) return 0;
  Usage usage;
  usage.prompt_tokens = (body_bytes + 3) / 4;
  usage.completion_tokens = output_tokens;
  return static_cast<uint64_t>(costMicros(*price, usage));
}

std::vector<std::pair<std::string_view, std::string>> budgetHeaders(const common::KeyConfig& key,
                                                                    const BudgetState& state) {
  std::vector<std::pair<std::string_view, std::string>> out;
  if (key.max_budget <= 0 && key.soft_budget <= 0) return out;
  out.emplace_back("x-llmproxy-spend-usd", formatUsd(static_cast<int64_t>(state.spent)));
  if (key.max_budget > 0)
    out.emplace_back("x-llmproxy-budget-remaining-usd", formatUsd(state.remaining()));
  if (key.soft_budget > 0 && state.committed >= static_cast<uint64_t>(key.soft_budget))
    out.emplace_back("x-llmproxy-budget-warning",
                     "soft budget of $" + formatUsd(key.soft_budget) + " reached");
  return out;
}

bool Budgets::admit(const common::KeyConfig& key, uint64_t estimate, int64_t now_s,
                    BudgetHold& hold) {
  hold.entry = table_.entry(budgetKeyId(key.key_sha256));
  if (!hold.entry) return true;  // table full: not limited on this node
  const uint16_t tag =
      common::BudgetTable::tagOf(common::budgetWindow(key.budget_duration, now_s).index);
  const common::BudgetAdmission a = common::BudgetTable::reserve(
      hold.entry, tag, static_cast<uint64_t>(key.max_budget), estimate);
  if (!a.allowed) return false;
  hold.tag = tag;
  hold.estimate = estimate;
  return true;
}

void Budgets::settle(const common::KeyConfig& key, BudgetHold& hold, uint64_t actual,
                     int64_t now_s) {
  if (hold.settled) return;
  hold.settled = true;
  if (!hold.entry) {
    if (actual == 0) return;
    hold.entry = table_.entry(budgetKeyId(key.key_sha256));
    if (!hold.entry) return;
  }
  const uint16_t tag =
      common::BudgetTable::tagOf(common::budgetWindow(key.budget_duration, now_s).index);
  common::BudgetTable::settle(hold.entry, hold.tag, tag, hold.estimate, actual);
}

BudgetState Budgets::state(const common::KeyConfig& key, int64_t now_s) {
  BudgetState s;
  s.max = key.max_budget;
  s.soft = key.soft_budget;
  const common::BudgetWindow window = common::budgetWindow(key.budget_duration, now_s);
  s.period_start_s = window.start_s;
  s.period_end_s = window.end_s;
  const common::BudgetEntry* e = table_.entry(budgetKeyId(key.key_sha256));
  if (!e) return s;
  const uint16_t tag = common::BudgetTable::tagOf(window.index);
  s.spent = common::BudgetTable::spent(e, tag);
  s.committed = common::BudgetTable::committed(e, tag);
  return s;
}

void Budgets::reset(const common::KeyConfig& key) {
  if (common::BudgetEntry* e = table_.entry(budgetKeyId(key.key_sha256)))
    common::BudgetTable::reset(e);
}

}  // namespace llmproxy::worker
