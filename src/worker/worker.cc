// The worker process: fresh loop, listeners from the master, signals, drain, exit.
#include "worker/worker.h"

#include <malloc.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "common/log/log.h"
#include "common/uv/close_loop.h"
#include "common/time/clock.h"
#include "worker/admin/admin_db.h"
#include "worker/cache/memory_cache.h"
#include "worker/cache/redis_cache.h"
#include "worker/http/downstream_conn.h"
#include "worker/pipeline/exchange.h"
#include "worker/pipeline/pipeline.h"
#include "worker/protocol/item_ids.h"

namespace llmproxy::worker {
namespace {

constexpr uint64_t kLogFlushMs = 1000;
// A stopping worker waits at most this long (and never past shutdown_timeout) for its last
// usage records to reach PostgreSQL and its last traces their exporters.
constexpr uint64_t kFinalUsageFlushMs = 2000;
// Active health checks are settled and started on this tick (health_check_interval is
// honoured to within it).
constexpr uint64_t kHealthTickMs = 250;

int64_t monotonicMs() { return static_cast<int64_t>(common::nowMonotonicUs() / 1000); }

}  // namespace

int run(const WorkerStartup& startup) {
  Worker w(startup);
  return w.run();
}

Worker::Worker(const WorkerStartup& startup)
    : startup_(startup),
      view_(startup.shm->configSlot(), startup.shm->providerHealth(),
            &startup.shm->providerSlots()),
      provider_gate_(startup.shm->providerSlots(), startup.slot,
                     [this](common::WakeToken token) { onProviderSlotWake(token); }),
      limiter_(startup.shm->rateTable()),
      read_buffer_(new char[kReadBufferSize]) {
  uv_loop_init(&loop_);
  loop_.data = this;
}

Worker::~Worker() {
  common::closeLoop(&loop_);
}

int Worker::run() {
  auto& ws = status();
  ws.clear();
  pid_ = getpid();
  ws.pid.store(pid_);
  ws.started_at_ms.store(common::nowUnixMs());

  if (auto r = view_.load(); !r) {
    std::fprintf(stderr, "llmproxy: worker: cannot decode the configuration: %s\n",
                 r.error().detail.c_str());
    return 2;
  }
  log_config_ = config()->log;
  if (auto r = common::log::setup(log_config_); !r) {
    std::fprintf(stderr, "llmproxy: worker: %s\n", r.error().detail.c_str());
    return 2;
  }
  ws.config_generation.store(view_.generation());

  metrics_ = std::make_unique<common::MetricsWriter>(shm().metrics(), startup_.slot);
  // Slots a crashed predecessor in this slot held (the master gives them back too, on reap).
  shm().providerSlots().releaseWorker(startup_.slot);
  provider_gate_.start(&loop_);
  protocol::setStreamedItemStore(startup_.items);
  UpstreamLimits limits;
  limits.connect_timeout = config()->server.connect_timeout;
  upstream_client_ = std::make_unique<UpstreamClient>(&loop_, limits);
  redis_ = std::make_unique<RedisClient>(&loop_, config()->redis);
  admin_db_ = std::make_unique<admin::AdminDb>(&loop_);
  redis_limiter_ = std::make_unique<RedisLimiter>(*redis_);
  redis_->setStateHook(metrics_.get(), [](void* m, bool up) {
    static_cast<common::MetricsWriter*>(m)->setRedisUp(up);
  });
  usage_ = std::make_unique<UsageWriter>(&loop_, *metrics_, config()->database);
  uint64_t trace_seed = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&trace_seed), sizeof trace_seed);
  tracer_ = std::make_unique<tracing::Tracer>(&loop_, *upstream_client_, *metrics_, trace_seed);
  tracer_->configure(*config());
  usage_->loadSpend(shm().budgets());
  memory_cache_ = std::make_unique<MemoryCache>(config()->cache.memory_entries,
                                                config()->cache.memory_size, &monotonicMs);
  redis_cache_ = std::make_unique<RedisCache>(*redis_);
  services_.reset(new Services{&loop_, shm(), status(), startup_.master_pid, view_, draining_,
                               *metrics_, json_parser_, tier_scratch_, usage_extractor_,
                               *upstream_client_, provider_gate_, limiter_, *redis_,
                               *redis_limiter_, *usage_, *admin_db_, *memory_cache_,
                               *redis_cache_, exchanges_, call_graveyard_, *tracer_});
  services_->pid = pid_;
  RAND_bytes(reinterpret_cast<unsigned char*>(&services_->request_id_seed),
             sizeof(services_->request_id_seed));

  if (auto r = openListeners(); !r) {
    LLMP_LOG_CRIT("{}", r.error().detail);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const int sigs[4] = {SIGQUIT, SIGTERM, SIGINT, SIGUSR1};
  for (int i = 0; i < 4; ++i) {
    uv_signal_init(&loop_, &signals_[i]);
    signals_[i].data = this;
    uv_signal_start(&signals_[i], &Worker::onSignal, sigs[i]);
  }
  signal(SIGHUP, SIG_IGN);  // reloads go through the master
  uv_check_init(&loop_, &reaper_);
  reaper_.data = this;
  uv_check_start(&reaper_, [](uv_check_t* h) {
    auto* w = static_cast<Worker*>(h->data);
    // Flushing may complete responses at once (uv_try_write) and start pipelined requests that
    // batch again. A few rounds here; the rest waits for the next iteration (the idle handle
    // keeps the loop from blocking). Unbounded, 5,000 pipelined requests ran in one iteration:
    // the loop time never advanced, so the header timeout armed for the next request was
    // already due when the iteration ended (408), and other connections waited.
    constexpr int kFlushRounds = 4;
    for (int round = 0; round < kFlushRounds && !w->flush_list_.empty(); ++round) {
      w->flushing_.swap(w->flush_list_);
      for (DownstreamConn* c : w->flushing_)
        if (c) c->flush();
      w->flushing_.clear();
    }
    if (w->flush_list_.empty()) uv_idle_stop(&w->flush_idle_);
    w->graveyard_.clear();
    w->call_graveyard_.clear();
  });
  uv_idle_init(&loop_, &flush_idle_);
  flush_idle_.data = this;
  flush_timer_ = std::make_unique<common::UvTimer>(&loop_, this, &Worker::onFlushTimer);
  flush_timer_->start(kLogFlushMs, kLogFlushMs);
  health_checker_ = std::make_unique<HealthChecker>(*upstream_client_);
  health_timer_ = std::make_unique<common::UvTimer>(&loop_, this, &Worker::onHealthTimer);
  health_timer_->start(kHealthTickMs, kHealthTickMs);

  ws.state.store(static_cast<uint32_t>(common::WorkerState::Running), std::memory_order_release);
  uv_run(&loop_, UV_RUN_DEFAULT);

  graveyard_.clear();
  call_graveyard_.clear();
  services_.reset();
  usage_.reset();  // what is still queued counts as dropped
  tracer_.reset();  // likewise; before the upstream client its calls use
  health_timer_.reset();
  health_checker_.reset();  // its calls before the client they run on
  upstream_client_.reset();
  redis_cache_.reset();  // before the Redis connection it uses
  memory_cache_.reset();
  redis_limiter_.reset();
  redis_.reset();
  admin_db_.reset();
  metrics_->setRedisUp(false);
  provider_gate_.stop();
  flush_timer_.reset();
  shutdown_timer_.reset();
  common::log::flush();
  ws.state.store(static_cast<uint32_t>(common::WorkerState::Exited));
  return 0;
}

common::Result<void> Worker::openListeners() {
  for (const ListenFd& fd : startup_.listeners) {
    auto l = std::make_unique<Listener>();
    l->worker = this;
    l->fd = fd;
    int rc;
    if (fd.unix_socket) {
      uv_pipe_init(&loop_, &l->handle.pipe, 0);
      rc = uv_pipe_open(&l->handle.pipe, fd.fd);
    } else {
      uv_tcp_init(&loop_, &l->handle.tcp);
      rc = uv_tcp_open(&l->handle.tcp, fd.fd);
    }
    auto* stream = reinterpret_cast<uv_stream_t*>(&l->handle);
    stream->data = l.get();
    if (rc == 0) rc = uv_listen(stream, 4096, &Worker::onConnection);
    if (rc != 0)
      return common::fail(common::ErrorKind::Internal,
                          std::string("listening on an inherited socket failed: ") +
                              uv_strerror(rc));
    listeners_.push_back(std::move(l));
  }
  return {};
}

void Worker::onConnection(uv_stream_t* server, int status) {
  if (status != 0) return;
  auto* l = static_cast<Listener*>(server->data);
  l->worker->acceptOne(*l);
}

void Worker::acceptOne(Listener& l) {
  if (draining_) return;
  auto* conn = new DownstreamConn(*this, &loop_, l.fd.admin, l.fd.unix_socket);
  connections_.push_front(conn);
  conn->registry_pos = connections_.begin();
  status().connections.fetch_add(1, std::memory_order_relaxed);
  const bool over_limit = connections_.size() > config()->server.max_connections;
  if (!conn->accept(reinterpret_cast<uv_stream_t*>(&l.handle)) || over_limit) {
    if (over_limit) LLMP_LOG_WARN("server.max_connections reached, closing a new connection");
    conn->close();
  }
}

void Worker::onConnectionClosed(DownstreamConn* conn) {
  connections_.erase(conn->registry_pos);
  status().connections.fetch_sub(1, std::memory_order_relaxed);
  if (draining_) maybeExit();
}

void Worker::scheduleFlush(DownstreamConn* conn) {
  flush_list_.push_back(conn);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&flush_idle_)))
    uv_idle_start(&flush_idle_, [](uv_idle_t*) {});
}

void Worker::cancelFlush(DownstreamConn* conn) {
  for (auto* list : {&flush_list_, &flushing_})
    for (auto& c : *list)
      if (c == conn) c = nullptr;
}

std::unique_ptr<RequestHandler> Worker::newHandler(DownstreamConn& conn) {
  ran_since_trim_ = true;
  return std::make_unique<Exchange>(*services_, conn, nextExchangeId(), currentConfig());
}

void Worker::retireHandler(std::unique_ptr<RequestHandler> handler) {
  graveyard_.push_back(std::move(handler));
}

void Worker::deferDelete(std::unique_ptr<UpstreamCallbacks> attempt) {
  call_graveyard_.push_back(std::move(attempt));
}

std::shared_ptr<const RuntimeConfig> Worker::currentConfig() {
  if (view_.refresh()) applyConfigChange();
  return view_.current();
}

void Worker::applyConfigChange() {
  status().config_generation.store(view_.generation(), std::memory_order_relaxed);
  if (memory_cache_)
    memory_cache_->setLimits(config()->cache.memory_entries, config()->cache.memory_size);
  if (config()->log != log_config_) {
    if (auto r = common::log::reconfigure(config()->log); r) {
      log_config_ = config()->log;
    } else {
      LLMP_LOG_ERROR("keeping the old logs: {}", r.error().detail);
    }
  }
  if (redis_) redis_->reconfigure(config()->redis);
  if (usage_) usage_->reconfigure(config()->database);
  if (tracer_) tracer_->configure(*config());
}

// A free slot: the queued exchange's stage 70 runs again (admits, or refuses past its
// queue_timeout). A stale token (the exchange is gone or moved on) leaves the queue.
void Worker::onProviderSlotWake(common::WakeToken token) {
  if (!pipeline::wake(exchanges_, token)) provider_gate_.dequeue(token.exchange);
}

void Worker::onSignal(uv_signal_t* handle, int signum) {
  auto* w = static_cast<Worker*>(handle->data);
  switch (signum) {
    case SIGQUIT:
      w->startDrain();
      break;
    case SIGTERM:
    case SIGINT:
      w->stopNow();
      break;
    case SIGUSR1:
      common::log::reopen();
      break;
    default:
      break;
  }
}

void Worker::onFlushTimer(void* self) {
  auto* w = static_cast<Worker*>(self);
  common::log::flush();
  // An idle worker still notices a reload, so /admin/v1/status shows every worker's generation.
  w->currentConfig();
  w->trimWhenIdle();
}

// glibc keeps what a burst of exchanges freed (thousands of streams' buffers) in its arenas
// for good: the worker's RSS stayed ~78 MB above its baseline after 5,000 streams. Once a
// tick finds no exchange alive after some ran, the free pages go back to the system. At most
// once a second and only after activity, so a busy or an idle worker pays nothing.
void Worker::trimWhenIdle() {
  if (!ran_since_trim_ || exchanges_.size() != 0) return;
  ran_since_trim_ = false;
  malloc_trim(0);
}

void Worker::onHealthTimer(void* self) {
  auto* w = static_cast<Worker*>(self);
  if (w->draining_) return;  // a stopping worker starts nothing new
  w->health_checker_->tick(*w->currentConfig(), common::nowUnixMs());
}

void Worker::startDrain() {
  if (draining_) return;
  draining_ = true;
  status().state.store(static_cast<uint32_t>(common::WorkerState::Draining));
  LLMP_LOG_INFO("gracefully shutting down");
  for (auto& l : listeners_) uv_close(reinterpret_cast<uv_handle_t*>(&l->handle), nullptr);
  // Closing mutates the list: iterate over a copy.
  const std::vector<DownstreamConn*> conns(connections_.begin(), connections_.end());
  for (DownstreamConn* c : conns) c->drain();
  upstream_client_->closeIdle();
  shutdown_timer_ = std::make_unique<common::UvTimer>(&loop_, this, &Worker::onShutdownTimer);
  shutdown_timer_->start(static_cast<uint64_t>(config()->server.shutdown_timeout.count()));
  maybeExit();
}

void Worker::onShutdownTimer(void* self) {
  auto* w = static_cast<Worker*>(self);
  LLMP_LOG_WARN("shutdown_timeout reached, closing {} connection(s)", w->connections_.size());
  w->stopNow();
}

void Worker::stopNow() {
  if (stopping_) return;
  stopping_ = true;
  draining_ = true;
  const std::vector<DownstreamConn*> conns(connections_.begin(), connections_.end());
  for (DownstreamConn* c : conns) c->close();
  uv_stop(&loop_);
}

void Worker::maybeExit() {
  if (!draining_ || !connections_.empty()) return;
  if (!usage_ || !tracer_ || stopping_) {
    uv_stop(&loop_);
    return;
  }
  if (exit_waits_ != 0) return;  // draining already (or done)
  // The last usage records and trace exports go out first, within a short bound.
  const auto bound = std::min<uint64_t>(
      kFinalUsageFlushMs, static_cast<uint64_t>(config()->server.shutdown_timeout.count()));
  exit_waits_ = 2;
  auto one = [this] {
    if (--exit_waits_ == 0) {
      exit_waits_ = -1;
      uv_stop(&loop_);
    }
  };
  usage_->drain(bound, one);
  tracer_->drain(bound, one);
}

}  // namespace llmproxy::worker
