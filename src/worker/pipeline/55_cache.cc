// Stage 55: the response cache. When caching applies to the request (cache_policy.h), the key
// is computed from the key's namespace, the endpoint, the mapped model names and the canonical
// body (cache_key.h), and looked up: a hit is answered here with the stored answer and
// `x-llmproxy-cache: hit`; a miss goes on to the provider, and the relay stores the answer
// when it ends as a complete 200 (80_relay). The lookup may be asynchronous (Redis): the
// stage returns Wait and runs again, from Phase::Looked, when the store answers.
#include <vector>

#include "common/log/log.h"
#include "common/time/clock.h"
#include "worker/cache/cache_entry.h"
#include "worker/cache/cache_key.h"
#include "worker/cache/cache_store.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {
namespace {

// Every model name the request may go out as, across all candidate tiers: a config whose
// mapping changes gets new keys, and providers that map a name differently do not share
// answers with a config that maps it one way only.
std::vector<std::string_view> targetsOf(Exchange& ex, const UpstreamState& up) {
  std::vector<std::string_view> targets;
  for (const Tier& tier : ex.config->model_index->match(up.model, ex.services.tier_scratch))
    for (const auto& c : tier.candidates) targets.push_back(c.target);
  return targets;
}

void onLookup(WakeRegistry<Exchange>& exchanges, common::WakeToken token,
              std::optional<std::string> found) {
  Exchange* ex = exchanges.find(token);
  if (!ex || !ex->upstream) return;  // gone meanwhile, or past this stage
  ExchangeCache& c = ex->upstream->cache;
  if (c.phase != ExchangeCache::Phase::Pending) return;
  c.found = std::move(found);
  c.phase = ExchangeCache::Phase::Looked;
  if (!c.in_get) pipeline::resume(*ex);  // answered later: the stage waits, run it again
}

Outcome answerFromCache(Exchange& ex, UpstreamState& up, CacheEntry entry) {
  const int64_t age_s = std::max<int64_t>(0, (common::nowUnixMs() - entry.created_ms) / 1000);
  up.cache.hit = true;
  up.provider_id = "cache";
  up.usage = Usage{entry.prompt_tokens, entry.completion_tokens,
                   uint64_t{entry.prompt_tokens} + entry.completion_tokens};
  Response r;
  r.status = 200;
  r.content_type = std::move(entry.content_type);
  r.body = std::move(entry.body);
  if (up.limit_check)
    for (auto& [name, value] : up.limit_check->headers()) r.headers.emplace_back(name, value);
  r.headers.emplace_back("x-llmproxy-cache", "hit");
  r.headers.emplace_back("age", std::to_string(age_s));
  return pipeline::respond(ex, std::move(r));
}

}  // namespace

Outcome stage::cache(Exchange& ex) {
  UpstreamState& up = *ex.upstream;
  ExchangeCache& c = up.cache;
  using Phase = ExchangeCache::Phase;
  if (c.phase == Phase::Start) {
    const common::KeyConfig* key =
        ex.client_key ? &ex.config->keys[ex.client_key->index] : nullptr;
    c.policy = cachePolicyFor(ex.endpoint, up.facts.stream, ex.request.header("cache-control"),
                              key, *ex.config);
    if (!c.policy.applies) {
      c.phase = Phase::Off;
      return Outcome::Next;
    }
    auto digest = cacheKeyFor(cacheNamespaceOf(key), ex.endpoint, targetsOf(ex, up),
                              ex.request.body);
    if (!digest) {
      c.phase = Phase::Off;
      return Outcome::Next;
    }
    c.key = std::move(*digest);
    c.phase = Phase::Pending;
    WakeRegistry<Exchange>& exchanges = ex.services.exchanges;
    const common::WakeToken token = pipeline::wakeToken(ex);
    c.in_get = true;
    ex.services.cacheStore().get(c.key, [&exchanges, token](std::optional<std::string> found) {
      onLookup(exchanges, token, std::move(found));
    });
    c.in_get = false;
    if (c.phase == Phase::Pending) return Outcome::Wait;  // answered later (Redis)
  }
  if (c.phase != Phase::Looked) return Outcome::Next;

  std::optional<CacheEntry> entry;
  if (c.found) entry = CacheEntry::decode(*c.found);
  c.found.reset();
  if (entry && c.policy.max_age &&
      common::nowUnixMs() - entry->created_ms > c.policy.max_age->count())
    entry.reset();  // older than the client accepts
  if (entry) return answerFromCache(ex, up, std::move(*entry));
  c.phase = Phase::Miss;
  c.collecting = true;
  return Outcome::Next;
}

}  // namespace llmproxy::worker
