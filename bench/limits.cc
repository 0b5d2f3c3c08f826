// bench-limits: the cost of one limit check (make bench, bench/run.sh).
//   local: Limiter::check on the shared-memory RateTable (requests/s + tokens/minute + quota),
//          one process, nanoseconds per check;
//   redis: RedisLimiter::check (one EVALSHA of the check script) over a unix socket to a private
//          redis-server, (a) one check at a time: round-trip latency p50/p99, (b) 64 in flight
//          on the worker's one connection (pipelined): checks per second.
// Prints "key value" lines for the runner.
#include <sys/mman.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <new>
#include <vector>

#include "common/shm/rate_table.h"
#include "support/redis_server.h"
#include "worker/limits/limit_plan.h"
#include "worker/limits/limiter.h"
#include "worker/limits/redis_limiter.h"
#include "worker/redis/redis_client.h"

using namespace llmproxy;
using Clock = std::chrono::steady_clock;

namespace {

common::Config benchConfig() {
  common::Config c;
  common::KeyConfig k;
  k.name = "bench";
  // Large enough never to deny: the cost of an admitted check is measured.
  k.rate_limit = {1e8, 1e8};
  k.tokens_per_minute = 1'000'000'000'000;
  k.max_requests = 1'000'000'000'000;
  c.keys.push_back(k);
  return c;
}

struct Sampler {
  worker::RedisLimiter* limiter = nullptr;
  const worker::LimitScope* scope = nullptr;
  int left = 0;
  int in_flight = 0;
  int errors = 0;
  std::vector<double> latencies_us;
  std::vector<std::unique_ptr<worker::RedisWaiter>> waiters;
  std::vector<Clock::time_point> sent;
};

void onReply(void* owner, const worker::RedisResult& r);

void sendOne(Sampler& s, size_t slot) {
  if (s.left <= 0) return;
  --s.left;
  ++s.in_flight;
  s.sent[slot] = Clock::now();
  if (!s.limiter->check(*s.scope, s.waiters[slot].get())) {
    ++s.errors;
    --s.in_flight;
  }
}

struct SlotOwner {
  Sampler* s;
  size_t slot;
};

void onReply(void* owner, const worker::RedisResult& r) {
  auto* o = static_cast<SlotOwner*>(owner);
  Sampler& s = *o->s;
  --s.in_flight;
  if (!worker::RedisLimiter::parse(s.scope->limits, r)) ++s.errors;
  s.latencies_us.push_back(
      std::chrono::duration<double, std::micro>(Clock::now() - s.sent[o->slot]).count());
  sendOne(s, o->slot);
}

// Runs `total` checks with `depth` in flight; returns elapsed seconds.
double runRedis(uv_loop_t* loop, Sampler& s, int total, size_t depth) {
  s.left = total;
  s.latencies_us.clear();
  s.waiters.clear();
  s.sent.assign(depth, {});
  std::vector<SlotOwner> owners(depth);
  for (size_t i = 0; i < depth; ++i) {
    owners[i] = {&s, i};
    s.waiters.push_back(std::make_unique<worker::RedisWaiter>(&owners[i], &onReply));
  }
  const auto t0 = Clock::now();
  for (size_t i = 0; i < depth; ++i) sendOne(s, i);
  while (s.in_flight > 0 || (s.left > 0 && s.errors == 0)) uv_run(loop, UV_RUN_ONCE);
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  s.waiters.clear();
  return elapsed;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main() {
  const common::Config cfg = benchConfig();
  const auto plans = worker::buildLimitPlans(cfg);
  const worker::LimitScope& scope = plans[0].own;

  // ---- local ----
  void* mem = mmap(nullptr, sizeof(common::RateTable), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 1;
  auto* table = new (mem) common::RateTable();
  table->init();
  worker::Limiter limiter(*table);
  constexpr int kLocal = 2'000'000;
  int denied = 0;
  const auto t0 = Clock::now();
  for (int i = 0; i < kLocal; ++i)
    denied += !limiter.check(scope.limits, "bench", scope.model, worker::Limiter::nowMs()).allowed;
  const double local_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("local_check_ns %.0f\n", local_s * 1e9 / kLocal);
  std::printf("local_denied %d\n", denied);

  // ---- redis ----
  llmproxy::testing::RedisServer server;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    common::RedisConfig rc;
    rc.url = server.unixUrl();
    rc.timeout = common::Millis{1000};
    worker::RedisClient client(&loop, rc);
    worker::RedisLimiter redis_limiter(client);
    while (!client.up()) uv_run(&loop, UV_RUN_ONCE);
    Sampler s;
    s.limiter = &redis_limiter;
    s.scope = &scope;
    runRedis(&loop, s, 2000, 1);  // warm-up
    runRedis(&loop, s, 20000, 1);
    std::printf("redis_c1_p50_us %.1f\n", pct(s.latencies_us, 0.50));
    std::printf("redis_c1_p99_us %.1f\n", pct(s.latencies_us, 0.99));
    const double secs = runRedis(&loop, s, 100000, 64);
    std::printf("redis_pipelined64_checks_per_s %.0f\n", 100000 / secs);
    std::printf("redis_errors %d\n", s.errors);
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  return 0;
}
