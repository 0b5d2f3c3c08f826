// The worker process: one libuv loop, share-nothing. Entered from the master's fork and never
// returns to the master's code; run() returns the process exit code.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "common/shm/region.h"

namespace llmproxy::worker {

struct ListenFd {
  int fd;
  bool admin;  // admin listener: only /admin/v1/..., /health and /metrics
  bool unix_socket;
};

// Everything a worker inherits from the master.
struct WorkerStartup {
  uint32_t slot;
  pid_t master_pid;
  common::ShmRegion* shm;  // mapped before fork; valid for the whole process
  std::vector<ListenFd> listeners;
};

// Exit codes: 0 normal stop, 2 could not start (bad snapshot, log file), master backs off.
int run(const WorkerStartup& startup);

}  // namespace llmproxy::worker

#include <uv.h>

#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/config/config.h"
#include "common/uv/uv_timer.h"
#include "common/json/json_facts.h"
#include "common/shm/metrics.h"
#include "worker/config_view.h"
#include "worker/http/connection_host.h"
#include "worker/routing/model_matcher.h"
#include "worker/limits/limiter.h"
#include "worker/limits/redis_limiter.h"
#include "worker/redis/redis_client.h"
#include "worker/sse/usage_extractor.h"
#include "worker/upstream/provider_gate.h"
#include "worker/upstream/upstream_client.h"
#include "worker/usage/usage_writer.h"

namespace llmproxy::worker {

class CacheStore;
class MemoryCache;
class RedisCache;
class DownstreamConn;
struct Exchange;
namespace admin {
class AdminDb;
}

// The worker's event loop and everything it owns: listeners, client connections, the config
// view. One per process, created after fork, lives until run() returns.
class Worker final : public ConnectionHost {
 public:
  explicit Worker(const WorkerStartup& startup);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int run();

  uv_loop_t* loop() { return &loop_; }
  const WorkerStartup& startup() const { return startup_; }
  common::ShmRegion& shm() { return *startup_.shm; }
  common::WorkerStatus& status() { return shm().worker(startup_.slot); }

  // The config as of the last refresh (cheap), and the per-request refresh + pin.
  const std::shared_ptr<const RuntimeConfig>& config() const { return view_.current(); }
  std::shared_ptr<const RuntimeConfig> currentConfig();
  uint64_t configGeneration() const { return view_.generation(); }

  bool draining() const override { return draining_; }
  uint64_t nextExchangeId() { return ++exchange_ids_; }
  std::string newRequestId();

  // ConnectionHost: what a client connection needs from its worker.
  char* readBuffer() override { return read_buffer_.get(); }
  size_t readBufferSize() const override { return kReadBufferSize; }
  void onConnectionClosed(DownstreamConn* conn) override;
  // Connections with batched writes, flushed in this iteration's check phase.
  void scheduleFlush(DownstreamConn* conn) override { flush_list_.push_back(conn); }
  void cancelFlush(DownstreamConn* conn) override;
  const common::ServerConfig& serverLimits() const override { return config()->server; }
  // A new Exchange, pinned to the config current now.
  std::unique_ptr<RequestHandler> newHandler(DownstreamConn& conn) override;
  // Freed after the current callback chain (drained in a uv_check callback).
  void retireHandler(std::unique_ptr<RequestHandler> handler) override;

  // Free after the current callback chain (drained in a uv_check callback).
  void deferDelete(std::unique_ptr<UpstreamCallbacks> attempt);

  // Per-worker tools of the pipeline, reused by every exchange.
  common::JsonFactsParser& jsonParser() { return json_parser_; }
  std::vector<Tier>& tierScratch() { return tier_scratch_; }
  UpstreamClient& upstreamClient() { return *upstream_client_; }
  UsageExtractor& usageExtractor() { return usage_extractor_; }
  common::MetricsWriter& metrics() { return *metrics_; }
  Limiter& limiter() { return limiter_; }
  // The worker's one Redis connection (idle when [redis] url is empty).
  RedisClient& redis() { return *redis_; }
  // The admin API's PostgreSQL connection (created on first use).
  admin::AdminDb& adminDb() { return *admin_db_; }
  RedisLimiter& redisLimiter() { return *redis_limiter_; }
  // The usage log writer (disabled without [database] url or with usage_log = false).
  UsageWriter& usage() { return *usage_; }
  // The response cache's store: Redis when [redis] url is set, else the per-worker LRU
  // (chosen per lookup, so a reload that adds or removes Redis takes effect at once).
  CacheStore& cacheStore();
  // Per-provider max_concurrent: leases and the queue of exchanges waiting for a slot.
  ProviderGate& providerGate() { return provider_gate_; }

  // Live exchanges by id, for async completions (cache lookups) that must not hold an
  // Exchange*: a missing id means the exchange is gone and the completion is dropped.
  void registerExchange(Exchange* ex);
  void unregisterExchange(const Exchange* ex);
  Exchange* findExchange(uint64_t id) const;

 private:
  static constexpr size_t kReadBufferSize = 64 * 1024;

  struct Listener {
    union {
      uv_tcp_t tcp;
      uv_pipe_t pipe;
    } handle;
    Worker* worker;
    ListenFd fd;
  };

  static void onConnection(uv_stream_t* server, int status);
  static void onSignal(uv_signal_t* handle, int signum);
  static void onFlushTimer(void* self);
  static void onShutdownTimer(void* self);

  common::Result<void> openListeners();
  void acceptOne(Listener& l);
  void startDrain();
  void stopNow();
  void maybeExit();
  void applyConfigChange();
  void onProviderSlotWake(uint64_t exchange_id);

  WorkerStartup startup_;
  uv_loop_t loop_{};
  ConfigView view_;
  ProviderGate provider_gate_;  // early: outlives every lease (exchanges, graveyards)
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::list<DownstreamConn*> connections_;
  std::vector<std::unique_ptr<RequestHandler>> graveyard_;
  std::vector<DownstreamConn*> flush_list_;
  std::vector<DownstreamConn*> flushing_;
  std::vector<std::unique_ptr<UpstreamCallbacks>> call_graveyard_;
  common::JsonFactsParser json_parser_;
  std::vector<Tier> tier_scratch_;
  UsageExtractor usage_extractor_;
  std::unique_ptr<common::MetricsWriter> metrics_;
  Limiter limiter_;
  std::unordered_map<uint64_t, Exchange*> live_exchanges_;
  std::unique_ptr<UpstreamClient> upstream_client_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<MemoryCache> memory_cache_;
  std::unique_ptr<RedisCache> redis_cache_;  // after redis_: destroyed before it
  std::unique_ptr<admin::AdminDb> admin_db_;
  std::unique_ptr<RedisLimiter> redis_limiter_;
  std::unique_ptr<UsageWriter> usage_;
  std::unique_ptr<char[]> read_buffer_;
  uv_check_t reaper_{};
  uv_signal_t signals_[4]{};
  std::unique_ptr<common::UvTimer> flush_timer_;
  std::unique_ptr<common::UvTimer> shutdown_timer_;
  bool draining_ = false;
  bool stopping_ = false;
  uint64_t exchange_ids_ = 0;
  uint64_t request_id_seed_ = 0;
  uint64_t request_ids_ = 0;
  pid_t pid_ = 0;
  common::LogConfig log_config_;
};

}  // namespace llmproxy::worker
