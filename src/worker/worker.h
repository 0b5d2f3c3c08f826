// The Worker: the process's event loop and everything it owns (listeners, client connections,
// the config view, the per-worker clients). Internal to the worker: the master sees only
// worker_main.h; the pipeline sees only its Services (pipeline/services.h).
#pragma once

#include <uv.h>

#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/json/json_facts.h"
#include "common/shm/metrics.h"
#include "common/uv/uv_timer.h"
#include "worker/config_view.h"
#include "worker/http/connection_host.h"
#include "worker/limits/limiter.h"
#include "worker/pipeline/services.h"
#include "worker/upstream/health_checker.h"
#include "worker/worker_main.h"

namespace llmproxy::worker {

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

  // ConnectionHost: what a client connection needs from its worker.
  char* readBuffer() override { return read_buffer_.get(); }
  size_t readBufferSize() const override { return kReadBufferSize; }
  void onConnectionClosed(DownstreamConn* conn) override;
  // Connections with batched writes, flushed in this iteration's check phase. Also keeps
  // this iteration's poll from blocking (see flush_idle_).
  void scheduleFlush(DownstreamConn* conn) override;
  void cancelFlush(DownstreamConn* conn) override;
  const common::ServerConfig& serverLimits() const override { return config()->server; }
  // A new Exchange, pinned to the config current now.
  std::unique_ptr<RequestHandler> newHandler(DownstreamConn& conn) override;
  // Freed after the current callback chain (drained in a uv_check callback).
  void retireHandler(std::unique_ptr<RequestHandler> handler) override;

  // Free after the current callback chain (drained in a uv_check callback).
  void deferDelete(std::unique_ptr<UpstreamCallbacks> attempt);

  // What the pipeline's stages use (built in run(), once the clients exist).
  Services& services() { return *services_; }

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
  void trimWhenIdle();
  static void onHealthTimer(void* self);
  static void onShutdownTimer(void* self);

  common::Result<void> openListeners();
  void acceptOne(Listener& l);
  void startDrain();
  void stopNow();
  void maybeExit();
  void applyConfigChange();
  void onProviderSlotWake(common::WakeToken token);

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
  WakeRegistry<Exchange> exchanges_;
  std::unique_ptr<UpstreamClient> upstream_client_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<MemoryCache> memory_cache_;
  std::unique_ptr<RedisCache> redis_cache_;  // after redis_: destroyed before it
  std::unique_ptr<admin::AdminDb> admin_db_;
  std::unique_ptr<RedisLimiter> redis_limiter_;
  std::unique_ptr<UsageWriter> usage_;
  std::unique_ptr<tracing::Tracer> tracer_;
  int exit_waits_ = 0;  // stop: usage log and tracing exports still draining (-1: both done)
  std::unique_ptr<Services> services_;  // refers to the members above: destroyed first
  std::unique_ptr<char[]> read_buffer_;
  uv_check_t reaper_{};
  // Active while flush_list_ is not empty: an active idle handle makes the poll phase return
  // at once, so a batch queued before the poll (a pipelined request parsed from a write
  // callback in the pending phase) is flushed in this iteration's check phase instead of
  // after whatever timer fires next.
  uv_idle_t flush_idle_{};
  uv_signal_t signals_[4]{};
  std::unique_ptr<common::UvTimer> flush_timer_;
  bool ran_since_trim_ = false;  // an exchange started since the last malloc_trim
  std::unique_ptr<HealthChecker> health_checker_;
  std::unique_ptr<common::UvTimer> health_timer_;  // drives health_checker_
  std::unique_ptr<common::UvTimer> shutdown_timer_;
  bool draining_ = false;
  bool stopping_ = false;
  uint64_t exchange_ids_ = 0;
  pid_t pid_ = 0;
  common::LogConfig log_config_;
};

}  // namespace llmproxy::worker
