// The shared rate-limit table: packed token buckets and quota counters, CAS only.
#include "common/shm/rate_table.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace llmproxy::common {
namespace {

constexpr int kStateBits = 54;
constexpr uint64_t kStateMask = (uint64_t{1} << kStateBits) - 1;
constexpr uint64_t kTagMax = (uint64_t{1} << (64 - kStateBits)) - 1;  // 1023
constexpr int64_t kMaxUnits = int64_t{1} << 52;        // bound of burst, cost and debt, in units
constexpr double kStateModulus = 18014398509481984.0;  // 2^54

constexpr int kQuotaBits = 40;
constexpr uint64_t kQuotaMask = (uint64_t{1} << kQuotaBits) - 1;
constexpr uint64_t kQuotaTagMax = (uint64_t{1} << (64 - kQuotaBits)) - 1;

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: spreads FNV's weak low bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

struct Params {
  bool unlimited = false;
  double units_per_token = 1000;
  double units_per_ms = 0;
  int64_t burst_units = 0;
  uint64_t tag = 0;
};

Params paramsOf(double rate_per_s, double burst) {
  Params p;
  if (!(rate_per_s > 0) || !(burst > 0)) {
    p.unlimited = true;
    return p;
  }
  const double rate = std::min(rate_per_s, RateTable::kMaxRate);
  p.units_per_token = rate <= 1e4 ? 1000 : 1;
  p.units_per_ms = rate * p.units_per_token / 1000;
  const double b = std::min(burst * p.units_per_token, static_cast<double>(kMaxUnits));
  p.burst_units = std::max<int64_t>(1, std::llround(b));
  const uint64_t h = mix(std::bit_cast<uint64_t>(rate_per_s) ^
                         mix(std::bit_cast<uint64_t>(burst) + 0x9e3779b97f4a7c15ULL));
  p.tag = h % kTagMax + 1;
  return p;
}

int64_t costUnits(const Params& p, double cost) {
  if (!std::isfinite(cost)) cost = cost > 0 ? static_cast<double>(kMaxUnits) : 0;
  const double c = std::clamp(cost * p.units_per_token, -static_cast<double>(kMaxUnits),
                              static_cast<double>(kMaxUnits));
  int64_t u = std::llround(c);
  if (u == 0 && cost > 0) u = 1;  // a positive cost never rounds to free
  return u;
}

// Units refilled since the clock's zero, modulo 2^54.
uint64_t refilled(const Params& p, int64_t now_ms) {
  const double t =
      std::fmod(std::floor(static_cast<double>(now_ms) * p.units_per_ms), kStateModulus);
  return static_cast<uint64_t>(static_cast<int64_t>(t)) & kStateMask;
}

int64_t signExtend(uint64_t x) {
  return static_cast<int64_t>(x << (64 - kStateBits)) >> (64 - kStateBits);
}

// Units available in `state` at refill mark `t`, capped at the burst. A word written under other
// parameters (or never written) reads as a full bucket.
int64_t available(uint64_t state, const Params& p, uint64_t t) {
  if ((state >> kStateBits) != p.tag) return p.burst_units;
  const int64_t d = signExtend((t - (state & kStateMask)) & kStateMask);
  return std::min(d, p.burst_units);
}

uint64_t pack(const Params& p, uint64_t t, int64_t avail) {
  return (p.tag << kStateBits) | ((t - static_cast<uint64_t>(avail)) & kStateMask);
}

int64_t msFor(const Params& p, int64_t units) {
  if (units <= 0) return 0;
  return static_cast<int64_t>(std::ceil(static_cast<double>(units) / p.units_per_ms));
}

RateDecision decide(const Params& p, bool allowed, int64_t avail_after, int64_t need_units) {
  RateDecision d;
  d.allowed = allowed;
  d.remaining = static_cast<double>(avail_after) / p.units_per_token;
  d.reset_ms = msFor(p, p.burst_units - avail_after);
  d.retry_after_ms = allowed ? 0 : std::max<int64_t>(1, msFor(p, need_units));
  return d;
}

RateDecision unlimited(double burst) {
  RateDecision d;
  d.remaining = burst > 0 ? burst : 0;
  return d;
}

uint64_t quotaTag(uint64_t max_requests) { return mix(max_requests + 1) % kQuotaTagMax + 1; }

}  // namespace

void RateTable::init() {
  overflows_.store(0, std::memory_order_relaxed);
  used_.store(0, std::memory_order_relaxed);
  for (auto& b : buckets_) {
    b.id.store(0, std::memory_order_relaxed);
    b.state.store(0, std::memory_order_relaxed);
  }
}

RateBucket* RateTable::lookup(uint64_t id, bool claim_if_absent) {
  if (id == 0) id = 1;
  const uint64_t home = mix(id);
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    RateBucket& b = buckets_[(home + i) & (kCapacity - 1)];
    uint64_t k = b.id.load(std::memory_order_acquire);
    if (k == id) return &b;
    if (k != 0) continue;
    if (!claim_if_absent) return nullptr;  // claims fill the window in order: absent
    if (b.id.compare_exchange_strong(k, id, std::memory_order_acq_rel)) {
      used_.fetch_add(1, std::memory_order_relaxed);
      return &b;
    }
    if (k == id) return &b;  // another process claimed it for the same id
  }
  if (claim_if_absent) overflows_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

RateBucket* RateTable::find(uint64_t id) { return lookup(id, false); }
RateBucket* RateTable::claim(uint64_t id) { return lookup(id, true); }

RateDecision RateTable::take(RateBucket* b, double rate_per_s, double burst, double cost,
                             int64_t now_ms) {
  const Params p = paramsOf(rate_per_s, burst);
  if (p.unlimited || !b) return unlimited(burst);
  if (!(cost > 0)) return peek(b, rate_per_s, burst, now_ms);
  const int64_t c = costUnits(p, cost);
  const uint64_t t = refilled(p, now_ms);
  uint64_t s = b->state.load(std::memory_order_acquire);
  for (;;) {
    const int64_t avail = available(s, p, t);
    if (avail < c) return decide(p, false, avail, c - avail);
    if (b->state.compare_exchange_weak(s, pack(p, t, avail - c), std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      return decide(p, true, avail - c, 0);
  }
}

RateDecision RateTable::charge(RateBucket* b, double rate_per_s, double burst, double cost,
                               int64_t now_ms) {
  const Params p = paramsOf(rate_per_s, burst);
  if (p.unlimited || !b) return unlimited(burst);
  const int64_t c = costUnits(p, cost);
  if (c == 0) return peek(b, rate_per_s, burst, now_ms);
  const uint64_t t = refilled(p, now_ms);
  uint64_t s = b->state.load(std::memory_order_acquire);
  for (;;) {
    const int64_t avail = available(s, p, t);
    const int64_t after = std::clamp(avail - c, -kMaxUnits, p.burst_units);
    if (b->state.compare_exchange_weak(s, pack(p, t, after), std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      return decide(p, after > 0, after, 1 - after);
  }
}

RateDecision RateTable::peek(const RateBucket* b, double rate_per_s, double burst, int64_t now_ms) {
  const Params p = paramsOf(rate_per_s, burst);
  if (p.unlimited || !b) return unlimited(burst);
  const int64_t avail = available(b->state.load(std::memory_order_acquire), p, refilled(p, now_ms));
  return decide(p, avail > 0, avail, 1 - avail);
}

QuotaDecision RateTable::takeQuota(RateBucket* b, uint64_t max_requests) {
  QuotaDecision d;
  d.limit = max_requests;
  if (max_requests == 0 || !b) return d;
  const uint64_t limit = std::min(max_requests, kQuotaMask);
  const uint64_t tag = quotaTag(max_requests);
  uint64_t s = b->state.load(std::memory_order_acquire);
  for (;;) {
    const uint64_t used = (s >> kQuotaBits) == tag ? (s & kQuotaMask) : 0;
    if (used >= limit) {
      d.allowed = false;
      d.used = used;
      return d;
    }
    if (b->state.compare_exchange_weak(s, (tag << kQuotaBits) | (used + 1),
                                       std::memory_order_acq_rel, std::memory_order_acquire)) {
      d.used = used + 1;
      return d;
    }
  }
}

QuotaDecision RateTable::peekQuota(const RateBucket* b, uint64_t max_requests) {
  QuotaDecision d;
  d.limit = max_requests;
  if (max_requests == 0 || !b) return d;
  const uint64_t s = b->state.load(std::memory_order_acquire);
  d.used = (s >> kQuotaBits) == quotaTag(max_requests) ? (s & kQuotaMask) : 0;
  d.allowed = d.used < std::min(max_requests, kQuotaMask);
  return d;
}

uint64_t rateBucketId(std::string_view key_id, std::string_view model, RateKind kind) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  auto feed = [&h](unsigned char c) { h = (h ^ c) * 1099511628211ULL; };
  for (unsigned char c : key_id) feed(c);
  feed(0xff);  // not a UTF-8 byte: "ab"+"c" and "a"+"bc" differ
  for (unsigned char c : model) feed(c);
  feed(0xff);
  feed(static_cast<unsigned char>(kind));
  h = mix(h);
  return h == 0 ? 1 : h;
}

}  // namespace llmproxy::common
