// The worker-side limiter over the shared RateTable.
#include "worker/limits/limiter.h"

#include <algorithm>
#include <cmath>

#include "common/config/schema.h"
#include "common/time/clock.h"

namespace llmproxy::worker {
namespace {

uint64_t wholeTokens(double remaining) {
  return remaining <= 0 ? 0 : static_cast<uint64_t>(std::floor(remaining + 1e-9));
}

}  // namespace

double KeyLimits::requestsBurst() const {
  return std::max(1.0, common::schema::defaultBurst(requests_per_second, burst > 0 ? burst : 0));
}

KeyLimits KeyLimits::of(const common::KeyConfig& key) {
  KeyLimits l;
  l.requests_per_second = key.rate_limit.requests_per_second;
  l.burst = key.rate_limit.burst;
  l.tokens_per_minute = key.tokens_per_minute;
  l.max_requests = key.max_requests;
  return l;
}

std::string formatResetDuration(int64_t ms) {
  if (ms <= 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  const int64_t h = ms / 3'600'000;
  const int64_t m = ms / 60'000 % 60;
  const int64_t s = ms / 1000 % 60;
  int64_t frac = ms % 1000;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac > 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 3 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  out += "s";
  return out;
}

int64_t LimitCheck::retryAfterSeconds() const {
  if (allowed || reason == LimitReason::Quota) return 0;
  return std::max<int64_t>(1, (retry_after_ms + 999) / 1000);
}

std::string_view LimitCheck::errorCode() const {
  switch (reason) {
    case LimitReason::None:
      return {};
    case LimitReason::Quota:
      return "insufficient_quota";
    case LimitReason::Requests:
    case LimitReason::Tokens:
      break;
  }
  return "rate_limit_exceeded";
}

std::string LimitCheck::message() const {
  switch (reason) {
    case LimitReason::None:
      return {};
    case LimitReason::Requests:
      return "Rate limit reached for requests: Limit " + std::to_string(limit_requests) +
             ", Remaining 0. Please try again in " + formatResetDuration(retry_after_ms) + ".";
    case LimitReason::Tokens:
      return "Rate limit reached for tokens per min (TPM): Limit " + std::to_string(limit_tokens) +
             ", Remaining 0. Please try again in " + formatResetDuration(retry_after_ms) + ".";
    case LimitReason::Quota:
      break;
  }
  return "You exceeded your quota of " + std::to_string(quota_limit) +
         " requests for this API key.";
}

std::vector<std::pair<std::string_view, std::string>> LimitCheck::headers() const {
  std::vector<std::pair<std::string_view, std::string>> h;
  if (has_requests) {
    h.emplace_back("x-ratelimit-limit-requests", std::to_string(limit_requests));
    h.emplace_back("x-ratelimit-remaining-requests", std::to_string(remaining_requests));
    h.emplace_back("x-ratelimit-reset-requests", formatResetDuration(reset_requests_ms));
  }
  if (has_tokens) {
    h.emplace_back("x-ratelimit-limit-tokens", std::to_string(limit_tokens));
    h.emplace_back("x-ratelimit-remaining-tokens", std::to_string(remaining_tokens));
    h.emplace_back("x-ratelimit-reset-tokens", formatResetDuration(reset_tokens_ms));
  }
  if (const int64_t s = retryAfterSeconds(); s > 0)
    h.emplace_back("retry-after", std::to_string(s));
  return h;
}

LimitCheck Limiter::check(const KeyLimits& limits, std::string_view limit_id,
                          std::string_view model, int64_t now_ms) {
  LimitCheck out;
  using common::RateKind;
  using common::RateTable;

  // Tokens per minute: admission only, charged at the end.
  if (limits.tokens_per_minute > 0) {
    const double tpm = static_cast<double>(limits.tokens_per_minute);
    common::RateBucket* b = table_.claim(common::rateBucketId(limit_id, model, RateKind::Tokens));
    if (!b) out.untracked = true;
    const auto d = RateTable::peek(b, tpm / 60.0, tpm, now_ms);
    out.has_tokens = true;
    out.limit_tokens = limits.tokens_per_minute;
    out.remaining_tokens = wholeTokens(d.remaining);
    out.reset_tokens_ms = d.reset_ms;
    if (!d.allowed) {
      out.allowed = false;
      out.reason = LimitReason::Tokens;
      out.retry_after_ms = d.retry_after_ms;
    }
  }

  common::RateBucket* requests = nullptr;
  const double burst = limits.requestsBurst();
  if (limits.requests_per_second > 0) {
    requests = table_.claim(common::rateBucketId(limit_id, model, RateKind::Requests));
    if (!requests) out.untracked = true;
    // Denied by tokens: report the request bucket without taking from it.
    const auto d = out.allowed
                       ? RateTable::take(requests, limits.requests_per_second, burst, 1, now_ms)
                       : RateTable::peek(requests, limits.requests_per_second, burst, now_ms);
    out.has_requests = true;
    out.limit_requests = static_cast<uint64_t>(std::ceil(burst));
    out.remaining_requests = wholeTokens(d.remaining);
    out.reset_requests_ms = d.reset_ms;
    if (out.allowed && !d.allowed) {
      out.allowed = false;
      out.reason = LimitReason::Requests;
      out.retry_after_ms = d.retry_after_ms;
    }
  }
  if (!out.allowed) return out;

  if (limits.max_requests > 0) {
    common::RateBucket* b = table_.claim(common::rateBucketId(limit_id, {}, RateKind::Quota));
    if (!b) out.untracked = true;
    const auto q = RateTable::takeQuota(b, limits.max_requests);
    out.has_quota = true;
    out.quota_used = q.used;
    out.quota_limit = limits.max_requests;
    if (!q.allowed) {
      out.allowed = false;
      out.reason = LimitReason::Quota;
      // Give the request token back: this request never runs.
      if (requests) {
        const auto d = RateTable::charge(requests, limits.requests_per_second, burst, -1, now_ms);
        out.remaining_requests = wholeTokens(d.remaining);
        out.reset_requests_ms = d.reset_ms;
      }
    }
  }
  return out;
}

void Limiter::chargeTokens(const KeyLimits& limits, std::string_view limit_id,
                           std::string_view model, uint64_t tokens, int64_t now_ms) {
  if (limits.tokens_per_minute == 0 || tokens == 0) return;
  const double tpm = static_cast<double>(limits.tokens_per_minute);
  common::RateBucket* b =
      table_.claim(common::rateBucketId(limit_id, model, common::RateKind::Tokens));
  common::RateTable::charge(b, tpm / 60.0, tpm, static_cast<double>(tokens), now_ms);
}

int64_t Limiter::nowMs() { return static_cast<int64_t>(common::nowMonotonicUs() / 1000); }

}  // namespace llmproxy::worker
