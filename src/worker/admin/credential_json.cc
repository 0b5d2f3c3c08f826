// Credential bodies in, credential objects out; key generation.
#include "worker/admin/credential_json.h"

#include <openssl/rand.h>

#include <array>
#include <limits>
#include <tuple>

#include "common/config/budget_period.h"
#include "common/config/scalars.h"
#include "common/config/schema.h"
#include "common/crypto/sha256.h"
#include "common/time/clock.h"
#include "worker/admin/admin_output.h"
#include "worker/limits/budget.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker::admin {
namespace {

namespace field = common::schema::key;

bool usableKey(std::string_view key) {
  for (char c : key)
    if (c < 0x21 || c > 0x7e) return false;
  return key.size() >= 8;
}

void readRateLimit(JsonBody& body, JsonBody::Element v, CredentialFields& f) {
  auto members = body.members(v, "rate_limit");
  if (!members) return;
  for (auto& [name, value] : *members) {
    if (name == "requests_per_second")
      f.requests_per_second = body.number(value, field::kRequestsPerSecond.member,
                                          field::kRequestsPerSecond);
    else if (name == "burst")
      f.burst = body.number(value, field::kBurst.member, field::kBurst);
    else
      body.fail("rate_limit." + name, "unknown field 'rate_limit." + name + "'");
    if (!body.ok()) return;
  }
}

std::optional<std::string> readPerModel(JsonBody& body, JsonBody::Element v) {
  auto models = body.members(v, "rate_limit_per_model");
  if (!models) return std::nullopt;
  common::JsonWriter out;
  out.beginObject();
  for (auto& [model, limits_value] : *models) {
    const std::string param = "rate_limit_per_model." + model;
    if (model.empty()) {
      body.fail("rate_limit_per_model", "'rate_limit_per_model' model names must not be empty");
      return std::nullopt;
    }
    auto limits = body.members(limits_value, param);
    if (!limits) return std::nullopt;
    out.key(model).beginObject();
    for (auto& [name, value] : *limits) {
      const std::string p = param + "." + name;
      if (name == "requests_per_second" || name == "burst") {
        const auto& spec = name == "burst" ? field::kBurst : field::kRequestsPerSecond;
        if (auto d = body.number(value, p, spec)) out.field(name, *d);
      } else if (name == "tokens_per_minute") {
        if (auto n = body.integer(value, p, field::kTokensPerMinute)) out.field(name, *n);
      } else {
        body.fail(p, "unknown field '" + p + "'");
      }
      if (!body.ok()) return std::nullopt;
    }
    out.endObject();
  }
  out.endObject();
  return out.take();
}

}  // namespace

const std::string_view kCredentialColumns =
    "id, name, substr(key_hash, 1, 8), array_to_json(allowed_models)::text, rate_limit_rps, "
    "rate_limit_burst, tokens_per_minute, max_requests, rate_limit_per_model::text, cache, "
    "cache_namespace, "
    "to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), is_enabled, "
    "max_budget::numeric(18,6)::text, soft_budget::numeric(18,6)::text, budget_duration, "
    "key_hash, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

std::optional<CredentialFields> readCredentialBody(std::string_view text, bool create,
                                                   FieldError& error) {
  JsonBody body;
  CredentialFields f;
  auto done = [&]() -> std::optional<CredentialFields> {
    if (body.ok()) return f;
    error = body.error();
    return std::nullopt;
  };
  if (!body.parse(text,
                  {"name", "key", "regenerate_key", "allowed_models", "rate_limit",
                   "tokens_per_minute", "max_requests", "rate_limit_per_model", "cache",
                   "cache_namespace", "expires_at", "is_enabled", "max_budget", "soft_budget",
                   "budget_duration"},
                  {"id", "created_at", "updated_at", "source", "key_sha256_prefix"}))
    return done();

  if (auto v = body.get("name"))
    f.name = body.text(*v, "name", field::kName);
  else if (create)
    body.fail("name", "'name' is required");
  if (auto v = body.get("key"); v && body.ok()) {
    f.key = body.string(*v, "key", kMaxSecretSize, false);
    if (f.key && !usableKey(*f.key))
      body.fail("key", "'key' must be at least 8 printable ASCII characters without spaces");
  }
  if (auto v = body.get("regenerate_key"); v && body.ok()) {
    auto b = body.boolean(*v, "regenerate_key");
    f.regenerate_key = b.value_or(false);
    if (b && create)
      body.fail("regenerate_key", "'regenerate_key' is for PUT; POST generates a key when "
                                  "the body has none");
    else if (f.regenerate_key && f.key)
      body.fail("regenerate_key", "give either 'key' or 'regenerate_key', not both");
  }
  if (auto v = body.get("allowed_models"); v && body.ok()) {
    if (auto list = body.stringList(*v, "allowed_models", kMaxNameSize))
      f.allowed_models = stringListJson(*list);
  }
  if (auto v = body.get("rate_limit"); v && body.ok()) readRateLimit(body, *v, f);
  if (auto v = body.get("tokens_per_minute"); v && body.ok())
    f.tokens_per_minute = body.integer(*v, "tokens_per_minute", field::kTokensPerMinute);
  if (auto v = body.get("max_requests"); v && body.ok())
    f.max_requests = body.integer(*v, "max_requests", field::kMaxRequests);
  if (auto v = body.get("rate_limit_per_model"); v && body.ok())
    f.rate_limit_per_model = readPerModel(body, *v);
  if (auto v = body.get("cache"); v && body.ok()) f.cache = body.boolean(*v, "cache");
  if (auto v = body.get("cache_namespace"); v && body.ok())
    f.cache_namespace = body.text(*v, "cache_namespace", field::kCacheNamespace);
  if (auto v = body.get("expires_at"); v && body.ok()) {
    f.expires_at_set = true;
    if (!v->is_null()) {
      // Stored as the canonical UTC text of the checked instant: PostgreSQL never has to
      // guess a zone, and what a GET shows is what the file loader would have read.
      if (auto written = body.string(*v, "expires_at", 64, false)) {
        if (auto at = body.checked("expires_at", common::schema::expiresAt(*written)))
          f.expires_at = common::formatRfc3339(*at);
      }
    }
  }
  if (auto v = body.get("is_enabled"); v && body.ok()) f.is_enabled = body.boolean(*v, "is_enabled");
  for (auto [name, field, out] :
       {std::tuple{"max_budget", &field::kMaxBudget, &f.max_budget},
        std::tuple{"soft_budget", &field::kSoftBudget, &f.soft_budget}}) {
    if (auto v = body.get(name); v && body.ok()) {
      if (auto usd = body.number(*v, name, *field)) {
        if (auto micros = body.checked(name, common::schema::budgetMicros(*field, *usd)))
          *out = formatUsd(*micros);
      }
    }
  }
  if (auto v = body.get("budget_duration"); v && body.ok()) {
    if (auto written = body.text(*v, "budget_duration", field::kBudgetDuration)) {
      if (auto period = body.checked("budget_duration", common::schema::budgetDuration(*written)))
        f.budget_duration = common::formatBudgetDuration(*period);
    }
  }
  if (body.ok() && !create && body.size() == 0) body.fail("", "the body sets no field");
  return done();
}

std::optional<std::string> generateClientKey() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::nullopt;
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "sk-llmp-";
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

namespace {

// The key's spend now, as the budget table has it.
void writeBudgetState(common::JsonWriter& w, const common::KeyConfig& k,
                      common::BudgetTable* budgets) {
  if (!budgets) return;
  const BudgetState s = Budgets(*budgets).state(k, common::nowUnixMs() / 1000);
  w.key("spend_usd").raw(formatUsd(static_cast<int64_t>(s.spent)));
  w.key("reserved_usd")
      .raw(formatUsd(static_cast<int64_t>(s.committed > s.spent ? s.committed - s.spent : 0)));
  w.key("budget_remaining_usd");
  if (k.max_budget > 0)
    w.raw(formatUsd(s.remaining()));
  else
    w.null();
  w.field("budget_period_start", common::formatRfc3339(s.period_start_s));
  w.key("budget_period_end");
  if (k.budget_duration == 0)
    w.null();
  else
    w.value(common::formatRfc3339(s.period_end_s));
}

}  // namespace

void writeFileCredentialSpend(common::JsonWriter& w, const common::KeyConfig& k,
                              common::BudgetTable& budgets) {
  writeBudgetState(w, k, &budgets);
}

void writeCredentialRow(common::JsonWriter& w, const common::pg::QueryResult& r, int row,
                        common::BudgetTable* budgets) {
  w.beginObject();
  w.field("id", rowInt(r, row, 0));
  w.field("name", r.value(row, 1));
  w.field("key_sha256_prefix", r.value(row, 2));
  w.key("allowed_models").raw(r.value(row, 3));
  w.key("rate_limit").beginObject();
  w.field("requests_per_second", rowDouble(r, row, 4));
  w.field("burst", rowDouble(r, row, 5));
  w.endObject();
  w.field("tokens_per_minute", rowInt(r, row, 6));
  w.field("max_requests", rowInt(r, row, 7));
  w.key("rate_limit_per_model").raw(r.value(row, 8));
  w.field("cache", rowBool(r, row, 9));
  w.field("cache_namespace", r.value(row, 10));
  w.key("expires_at");
  writeTextOrNull(w, r, row, 11);
  w.field("is_enabled", rowBool(r, row, 12));
  w.key("max_budget").raw(r.value(row, 13));
  w.key("soft_budget").raw(r.value(row, 14));
  w.field("budget_duration", r.value(row, 15));
  if (budgets) {
    // The row's own budget, whether or not the running config has loaded it yet.
    common::KeyConfig k;
    if (auto hash = common::sha256FromHex(r.value(row, 16))) k.key_sha256 = *hash;
    auto micros = [&](int col, const common::schema::Field& f) -> int64_t {
      auto usd = common::schema::numberText(f, r.value(row, col));
      return usd ? common::schema::budgetMicros(f, *usd).value_or(0) : 0;
    };
    k.max_budget = micros(13, field::kMaxBudget);
    k.soft_budget = micros(14, field::kSoftBudget);
    k.budget_duration = common::parseBudgetDuration(r.value(row, 15)).value_or(0);
    writeBudgetState(w, k, budgets);
  }
  writeRowTail(w, r, row, 17);
  w.endObject();
}

void writeFileCredential(common::JsonWriter& w, const common::KeyConfig& k,
                         common::BudgetTable* budgets) {
  w.beginObject();
  w.key("id").null();
  w.field("name", k.name);
  w.field("key_sha256_prefix", common::toHex(k.key_sha256).substr(0, 8));
  writeStringList(w, "allowed_models", k.allowed_models);
  w.key("rate_limit").beginObject();
  w.field("requests_per_second", k.rate_limit.requests_per_second);
  w.field("burst", k.rate_limit.burst);
  w.endObject();
  w.field("tokens_per_minute", static_cast<int64_t>(k.tokens_per_minute));
  w.field("max_requests", static_cast<int64_t>(k.max_requests));
  w.key("rate_limit_per_model").beginObject();
  for (const auto& m : k.model_limits) {
    w.key(m.model).beginObject();
    w.field("requests_per_second", m.rate_limit.requests_per_second);
    w.field("burst", m.rate_limit.burst);
    w.field("tokens_per_minute", static_cast<int64_t>(m.tokens_per_minute));
    w.endObject();
  }
  w.endObject();
  w.field("cache", k.cache);
  w.field("cache_namespace", k.cache_namespace);
  w.key("expires_at");
  if (k.expires_at == 0)
    w.null();
  else
    w.value(common::formatRfc3339(k.expires_at));
  w.field("is_enabled", k.enabled);
  w.key("max_budget").raw(formatUsd(k.max_budget));
  w.key("soft_budget").raw(formatUsd(k.soft_budget));
  w.field("budget_duration", common::formatBudgetDuration(k.budget_duration));
  writeBudgetState(w, k, budgets);
  writeFileTail(w);
  w.endObject();
}

}  // namespace llmproxy::worker::admin
