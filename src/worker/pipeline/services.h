// What the pipeline's stages use of their worker, and nothing else: the per-worker tools and
// clients, the shared-memory region, the wake registry. Owned by the Worker (built once its
// clients exist, destroyed before them); every Exchange holds a reference. Stages reach their
// services here, never through the Worker. Worker-loop-only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/json/json_facts.h"
#include "common/shm/metrics.h"
#include "common/shm/region.h"
#include "worker/cache/cache_store.h"
#include "worker/config_view.h"
#include "worker/limits/limiter.h"
#include "worker/limits/redis_limiter.h"
#include "worker/pipeline/wake_registry.h"
#include "worker/redis/redis_client.h"
#include "worker/routing/model_matcher.h"
#include "worker/sse/usage_extractor.h"
#include "worker/tracing/tracer.h"
#include "worker/upstream/provider_gate.h"
#include "worker/upstream/upstream_client.h"
#include "worker/usage/usage_writer.h"

namespace llmproxy::worker {

struct Exchange;
namespace admin {
class AdminDb;
}

struct Services {
  uv_loop_t* loop;
  common::ShmRegion& shm;
  common::WorkerStatus& status;  // this worker's row in shared memory
  pid_t master_pid;
  const ConfigView& config_view;  // the generation this worker serves
  const bool& draining;           // the worker is shutting down gracefully
  common::MetricsWriter& metrics;
  common::JsonFactsParser& json_parser;
  std::vector<Tier>& tier_scratch;  // ModelIndex::match's scratch, reused by every exchange
  UsageExtractor& usage_extractor;
  UpstreamClient& upstream_client;
  ProviderGate& provider_gate;      // per-provider max_concurrent: leases and the queue
  Limiter& limiter;
  RedisClient& redis;               // idle when [redis] url is empty
  RedisLimiter& redis_limiter;
  UsageWriter& usage;               // disabled without [database] url or with usage_log = false
  admin::AdminDb& admin_db;         // the admin API's PostgreSQL connection
  CacheStore& memory_cache;
  CacheStore& redis_cache;
  WakeRegistry<Exchange>& exchanges;  // live exchanges, for wake tokens
  // Upstream attempts freed after the current callback chain (the Worker's reaper).
  std::vector<std::unique_ptr<UpstreamCallbacks>>& call_graveyard;
  tracing::Tracer& tracer;          // trace context and the OTLP / Langfuse exporters
  uint64_t request_id_seed = 0;  // random, per worker start
  uint64_t request_ids = 0;
  pid_t pid = 0;                 // this worker's

  // The response cache's store: Redis when [redis] url is set, else the per-worker LRU
  // (chosen per lookup, so a reload that adds or removes Redis takes effect at once).
  CacheStore& cacheStore() { return redis.configured() ? redis_cache : memory_cache; }
  void deferDelete(std::unique_ptr<UpstreamCallbacks> attempt) {
    call_graveyard.push_back(std::move(attempt));
  }
  // A fresh x-request-id: 32 hex digits, unique across workers and restarts.
  std::string newRequestId();
};

}  // namespace llmproxy::worker
