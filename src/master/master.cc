// Master lifecycle: start workers, reload, respawn, stop.
#include "master/master.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <set>

#include "common/config/blob.h"
#include "common/config/load.h"
#include "common/config/validate.h"
#include "common/log/log.h"
#include "common/uv/close_loop.h"
#include "common/uv/loop_fds.h"
#include "common/time/clock.h"
#include "master/pidfile.h"
#include "master/proc_title.h"
#include "master/sd_notify.h"
#include "master/spawn.h"

namespace llmproxy::master {

using common::nowUnixMs;

namespace {

constexpr uint64_t kTickMs = 50;
constexpr int64_t kQuickDeathMs = 5000;  // dying sooner than this after start counts as a failure
constexpr int64_t kMaxBackoffMs = 10000;
constexpr uint64_t kFastStopGraceMs = 3000;
// A file reload with a database waits this long for the rows at most, then uses the last ones.
constexpr uint64_t kDbWaitMs = 3000;
// An admin key shorter than this is warned about at start.
constexpr size_t kShortAdminKey = 16;

bool sameDatabase(const common::DatabaseConfig& a, const common::DatabaseConfig& b) {
  return a.url == b.url && a.connect_timeout == b.connect_timeout &&
         a.query_timeout == b.query_timeout;
}

std::string joinErrors(const common::ConfigErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "\n";
    out += e.str();
  }
  return out;
}

// Settings that start but weaken the proxy: said at every start and file reload.
void warnAboutWeakSettings(const common::Config& config) {
  const size_t admin_key = config.server.admin_key.size();
  if (admin_key > 0 && admin_key < kShortAdminKey)
    LLMP_LOG_WARN("server.admin_key is {} characters long: use at least {} random characters",
                  admin_key, kShortAdminKey);
  if (config.server.allow_unauthenticated && !config.database.url.empty())
    LLMP_LOG_WARN("server.allow_unauthenticated has no effect with a [database]: its "
                  "credentials are the keys, and without one every call is refused");
}

}  // namespace

uint32_t resolveWorkerCount(uint32_t configured) {
  if (configured > 0) return configured;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return static_cast<uint32_t>(CPU_COUNT(&set));
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<uint32_t>(n) : 1;
}

Master::Master(CliOptions options, common::Config config, std::string pid_file)
    : options_(std::move(options)), config_(std::move(config)), pid_file_(std::move(pid_file)) {
  file_config_ = config_;
}

Master::~Master() {
  db_.reset();  // closes its handles on the loop before the loop goes
  if (loop_.data) common::closeLoop(&loop_);
}

common::Result<void> Master::publish(const common::Config& config) {
  const std::string blob = common::encodeConfig(config);
  const uint64_t next = config_generation_ + 1;
  if (!shm_.configSlot().publish(blob, next))
    return common::fail(common::ErrorKind::Internal,
                        "configuration snapshot is " + std::to_string(blob.size()) +
                            " bytes, more than the shared-memory slot holds");
  config_generation_ = next;
  return {};
}

void Master::handFilesToWorkers(const common::Config& config) {
  std::vector<std::string> paths{config.log.error_log, config.log.access_log};
  for (const auto* list : {&config.server.listen, &config.server.admin_listen})
    for (const auto& a : *list)
      if (a.kind == common::ListenAddress::Kind::Unix) paths.push_back(a.path);
  for (const auto& path : paths)
    if (auto r = handToWorkers(credentials_, path); !r) LLMP_LOG_WARN("{}", r.error().detail);
}

int Master::run() {
  auto credentials = resolveWorkerCredentials(config_.server, geteuid());
  if (!credentials) {
    LLMP_LOG_CRIT("{}", credentials.error().detail);
    return 1;
  }
  credentials_ = std::move(*credentials);
  if (credentials_.ignored)
    LLMP_LOG_WARN("server.user and server.group are ignored: the master does not run as root");
  if (credentials_.drop && credentials_.uid == 0)
    LLMP_LOG_WARN("workers run as root (server.user = \"{}\")", credentials_.user);
  worker_count_ = resolveWorkerCount(config_.server.workers);

  // Slots for two generations of workers (a listener change drains the old one while the new
  // one starts); each slot carries ~400 KiB of metric rows, touched only as used.
  common::ShmLayout layout;
  layout.max_workers = std::max<uint32_t>(16, 2 * worker_count_ + 2);
  auto shm = common::ShmRegion::create(layout);
  if (!shm) {
    LLMP_LOG_CRIT("{}", shm.error().detail);
    return 1;
  }
  shm_ = std::move(*shm);
  auto items = common::ItemStore::create(config_.server.responses_item_store);
  if (!items) {
    LLMP_LOG_CRIT("{}", items.error().detail);
    return 1;
  }
  items_ = std::move(*items);
  // With a database the first generation is the file alone (no waiting on PostgreSQL); the
  // database's rows follow as soon as they are read.
  if (!file_config_.database.url.empty()) config_ = mergeDbRows(file_config_, db_rows_);
  if (auto r = publish(config_); !r) {
    LLMP_LOG_CRIT("{}", r.error().detail);
    return 1;
  }

  auto listeners = ListenerSet::bind(config_.server, worker_count_);
  if (!listeners) {
    LLMP_LOG_CRIT("{}", listeners.error().detail);
    return 1;
  }
  listener_generation_ = 1;
  listener_sets_.emplace(listener_generation_, std::move(*listeners));
  handFilesToWorkers(config_);

  if (!options_.foreground) {
    // Daemonize: the parent returns at once; the session leader child carries on.
    const pid_t pid = fork();
    if (pid < 0) {
      LLMP_LOG_CRIT("fork() failed: {}", std::strerror(errno));
      return 1;
    }
    if (pid > 0) _exit(0);
    setsid();
    if (int fd = ::open("/dev/null", O_RDWR); fd >= 0) {
      dup2(fd, STDIN_FILENO);
      dup2(fd, STDOUT_FILENO);
      if (config_.log.error_log != "stderr") dup2(fd, STDERR_FILENO);
      if (fd > STDERR_FILENO) ::close(fd);
    }
  }

  shm_.header().master_pid.store(getpid());
  shm_.header().master_started_at_ms = nowUnixMs();
  // The title first: `llmproxy -s` checks it on the pid the file names.
  setProcTitle("llmproxy: master process " + options_.config_file);
  if (auto r = writePidFile(pid_file_, getpid()); !r) {
    LLMP_LOG_CRIT("{}", r.error().detail);
    return 1;
  }

  if (const int rc = common::initLoopRecordingFds(&loop_, loop_fds_); rc != 0) {
    LLMP_LOG_CRIT("cannot create the event loop: {}", uv_strerror(rc));
    return 1;
  }
  loop_.data = this;
  for (int sig : {SIGHUP, SIGQUIT, SIGTERM, SIGINT, SIGUSR1, SIGCHLD}) {
    auto h = std::make_unique<uv_signal_t>();
    uv_signal_init(&loop_, h.get());
    h->data = this;
    uv_signal_start(h.get(), &Master::onSignal, sig);
    signals_.push_back(std::move(h));
  }
  signal(SIGPIPE, SIG_IGN);
  uv_timer_init(&loop_, &tick_);
  tick_.data = this;
  uv_timer_init(&loop_, &stop_deadline_);
  stop_deadline_.data = this;
  uv_timer_init(&loop_, &db_wait_);
  db_wait_.data = this;
  syncDbSource();

  slots_.assign(shm_.maxWorkers(), Slot{});
  for (uint32_t i = 0; i < worker_count_; ++i) {
    slots_[i].wanted = true;
    slots_[i].listener_generation = listener_generation_;
    slots_[i].column = i;
  }
  LLMP_LOG_INFO("llmproxy/{} starting {} worker processes, config generation {}", LLMPROXY_VERSION,
                worker_count_, config_generation_);
  warnAboutWeakSettings(file_config_);
  spawnDue();
  uv_timer_start(&tick_, &Master::onTick, kTickMs, kTickMs);

  uv_run(&loop_, UV_RUN_DEFAULT);

  removePidFile(pid_file_, getpid());
  for (auto& [gen, set] : listener_sets_) set.closeAll();
  LLMP_LOG_INFO("exit");
  common::log::flush();
  return 0;
}

void Master::onSignal(uv_signal_t* handle, int signum) {
  static_cast<Master*>(handle->data)->handleSignal(signum);
}

void Master::onTick(uv_timer_t* handle) {
  auto* m = static_cast<Master*>(handle->data);
  m->reapChildren();  // SIGCHLD can coalesce; a cheap waitpid sweep catches what it missed
  if (m->state_ == State::Running) {
    m->spawnDue();
    m->checkReady();
  }
}

void Master::onDbWait(uv_timer_t* handle) {
  auto* m = static_cast<Master*>(handle->data);
  if (!m->file_reload_pending_) return;
  LLMP_LOG_WARN("the database did not answer within {} ms, reloading with its last rows",
                kDbWaitMs);
  m->applyConfig();
}

void Master::onStopDeadline(uv_timer_t* handle) {
  auto* m = static_cast<Master*>(handle->data);
  LLMP_LOG_WARN("{} worker(s) still running at the stop deadline, killing them", m->liveWorkers());
  m->signalWorkers(SIGKILL);
}

void Master::handleSignal(int signum) {
  switch (signum) {
    case SIGHUP:
      if (state_ == State::Running) {
        LLMP_LOG_INFO("signal {} (SIGHUP) received, reconfiguring", signum);
        reload();
      }
      break;
    case SIGQUIT:
      LLMP_LOG_INFO("signal {} (SIGQUIT) received, shutting down gracefully", signum);
      startStop(true);
      break;
    case SIGTERM:
    case SIGINT:
      LLMP_LOG_INFO("signal {} ({}) received, exiting", signum,
                    signum == SIGTERM ? "SIGTERM" : "SIGINT");
      startStop(false);
      break;
    case SIGUSR1:
      LLMP_LOG_INFO("signal {} (SIGUSR1) received, reopening logs", signum);
      common::log::reopen();
      handFilesToWorkers(config_);
      LLMP_LOG_INFO("logs reopened");
      signalWorkers(SIGUSR1);
      break;
    case SIGCHLD:
      reapChildren();
      break;
    default:
      break;
  }
}

void Master::reload() {
  file_reload_pending_ = true;
  awaited_load_ = db_ ? db_->requestLoad() : 0;
  if (awaited_load_ > 0) {
    // applyConfig() runs when the rows arrive (or the load fails, or db_wait_ fires).
    uv_timer_start(&db_wait_, &Master::onDbWait, kDbWaitMs, 0);
    return;
  }
  applyConfig();
}

void Master::syncDbSource() {
  const common::DatabaseConfig& wanted = file_config_.database;
  if (db_ && sameDatabase(db_->config(), wanted)) return;
  if (db_) LLMP_LOG_INFO("[database] changed, reconnecting");
  db_.reset();
  db_rows_ = DbRows{};  // rows of another database (or of none) no longer apply
  if (wanted.url.empty()) return;
  db_ = std::make_unique<DbConfigSource>(
      &loop_, wanted, &shm_.dbStatus(),
      [this](DbRows rows, uint64_t load) {
        db_rows_ = std::move(rows);
        // A reload waits for the load that started after it; that one follows right away.
        if (file_reload_pending_ && load < awaited_load_) return;
        if (state_ == State::Running) applyConfig();
      },
      [this](std::string_view) {
        // A reload waiting for these rows goes on with the last ones.
        if (file_reload_pending_ && state_ == State::Running) applyConfig();
      });
  db_->start();
}

common::Config Master::composeConfig() {
  if (file_config_.database.url.empty()) return file_config_;
  DbRows rows = db_rows_;
  dropInvalidRows(rows, file_config_);
  for (const RowProblem& p : rows.skipped)
    LLMP_LOG_ERROR("database row skipped: {}", p.str());
  if (db_)
    db_->noteApplied(static_cast<uint32_t>(rows.providers.size()),
                     static_cast<uint32_t>(rows.keys.size()),
                     static_cast<uint32_t>(rows.skipped.size()),
                     rows.skipped.empty() ? std::string() : rows.skipped.front().str());
  return mergeDbRows(file_config_, rows);
}

void Master::applyConfig() {
  uv_timer_stop(&db_wait_);
  // Only reloads that re-read the file (SIGHUP, -s reload, the admin API) are reported to
  // systemd and in ReloadStatus; the admin endpoint waits for exactly those.
  const bool file_reload = file_reload_pending_;
  file_reload_pending_ = false;
  if (file_reload) notifyReloading();
  auto& status = shm_.reloadStatus();
  auto record = [&](bool ok, const std::string& why) {
    if (!file_reload) return;
    status.record(ok, nowUnixMs(), config_generation_, why);
    notifyReady();
  };
  if (file_reload) {
    auto loaded = common::loadConfigFile(options_.config_file, common::processEnv());
    if (!loaded) {
      const std::string why = joinErrors(loaded.error());
      for (const auto& e : loaded.error()) LLMP_LOG_ERROR("{}", e.str());
      LLMP_LOG_ERROR("reload failed, keeping configuration generation {}", config_generation_);
      record(false, why);
      return;
    }
    file_config_ = std::move(*loaded);
    warnAboutWeakSettings(file_config_);
    syncDbSource();
  }
  common::Config next = composeConfig();
  if (!file_config_.database.url.empty()) {
    // The rows were checked one by one; this catches what only the whole can show.
    common::ConfigErrors errors;
    common::validateConfig(next, "database", nullptr, errors);
    if (!errors.empty()) {
      const std::string why = joinErrors(errors);
      for (const auto& e : errors) LLMP_LOG_ERROR("{}", e.str());
      LLMP_LOG_ERROR("file + database configuration is invalid, keeping generation {}",
                     config_generation_);
      record(false, why);
      return;
    }
  }

  if (!file_reload) {
    // A database change that changes nothing here (a reconnect, an unrelated column) is not
    // worth a new generation in every worker.
    next.server.pid_file = config_.server.pid_file;
    if (next == config_) {
      LLMP_LOG_DEBUG("database rows unchanged, keeping generation {}", config_generation_);
      return;
    }
  }

  const bool new_listeners = !sameListeners(config_.server, next.server);
  uint32_t next_workers = worker_count_;
  if (new_listeners) {
    next_workers = resolveWorkerCount(next.server.workers);
    uint32_t free_slots = 0;
    for (const auto& s : slots_)
      if (!s.wanted && s.pid == 0) ++free_slots;
    std::string why;
    if (next_workers > free_slots) {
      why = "not enough free worker slots for " + std::to_string(next_workers) +
            " new workers while the old ones drain (restart to grow beyond " +
            std::to_string(shm_.maxWorkers() / 2) + " workers)";
    } else if (auto set = ListenerSet::bind(next.server, next_workers); !set) {
      why = set.error().detail;
    } else {
      listener_sets_.emplace(listener_generation_ + 1, std::move(*set));
    }
    if (!why.empty()) {
      LLMP_LOG_ERROR("reload failed: {}", why);
      record(false, why);
      return;
    }
  }
  if (auto r = publish(next); !r) {
    LLMP_LOG_ERROR("reload failed: {}", r.error().detail);
    if (new_listeners) listener_sets_.erase(listener_generation_ + 1);
    record(false, r.error().detail);
    return;
  }
  if (config_.log != next.log) {
    if (auto r = common::log::reconfigure(next.log); !r)
      LLMP_LOG_ERROR("keeping the old logs: {}", r.error().detail);
  }
  handFilesToWorkers(next);
  if (file_reload && (next.server.user != config_.server.user ||
                      next.server.group != config_.server.group))
    LLMP_LOG_WARN("server.user and server.group changes take effect at the next start");
  if (file_reload && next.server.pid_file != config_.server.pid_file && !options_.pid_file)
    LLMP_LOG_WARN("server.pid_file changes take effect at the next start");
  next.server.pid_file = config_.server.pid_file;

  if (new_listeners) {
    // nginx's way: a new generation of workers on the new sockets, the old one drains.
    ++listener_generation_;
    for (auto& s : slots_) {
      if (s.wanted) {
        s.wanted = false;
        if (s.pid > 0) kill(s.pid, SIGQUIT);
      }
    }
    uint32_t started = 0;
    for (uint32_t i = 0; i < slots_.size() && started < next_workers; ++i) {
      if (slots_[i].pid == 0 && !slots_[i].wanted) {
        slots_[i] = Slot{};
        slots_[i].wanted = true;
        slots_[i].listener_generation = listener_generation_;
        slots_[i].column = started;
        ++started;
      }
    }
    worker_count_ = next_workers;
    // The old sockets go now: the draining workers close their own copies, and a socket left
    // open here would keep receiving connections that nobody accepts.
    for (auto it = listener_sets_.begin(); it != listener_sets_.end();)
      it = it->first == listener_generation_ ? std::next(it) : listener_sets_.erase(it);
    LLMP_LOG_INFO("listeners changed: starting {} new workers, old ones drain", next_workers);
    spawnDue();
  }
  config_ = std::move(next);
  LLMP_LOG_INFO("configuration generation {} published ({})", config_generation_,
                file_reload ? "reload" : "database change");
  record(true, "");
}

void Master::startStop(bool graceful) {
  if (state_ == State::Stopping && graceful) return;
  state_ = State::Stopping;
  notifyStopping();
  for (auto& s : slots_) s.wanted = false;
  signalWorkers(graceful ? SIGQUIT : SIGTERM);
  // Workers hold their own listener fds; the master's copies go now so that nothing
  // queues connections nobody will accept.
  for (auto& [gen, set] : listener_sets_) set.closeAll();
  const uint64_t deadline =
      graceful ? static_cast<uint64_t>(config_.server.shutdown_timeout.count()) + 1000
               : kFastStopGraceMs;
  uv_timer_start(&stop_deadline_, &Master::onStopDeadline, deadline, 0);
  if (liveWorkers() == 0) uv_stop(&loop_);
}

void Master::reapChildren() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.pid != pid) continue;
      s.pid = 0;
      auto& ws = shm_.worker(i);
      ws.state.store(static_cast<uint32_t>(common::WorkerState::Exited));
      ws.pid.store(0);
      // Provider concurrency slots the dead worker held (client requests it will never end).
      if (const uint32_t n = shm_.providerSlots().releaseWorker(i))
        LLMP_LOG_WARN("worker slot {}: released {} provider slot(s) it held", i, n);
      const bool expected = !s.wanted || state_ == State::Stopping;
      if (WIFSIGNALED(status)) {
        auto log_fn = expected ? spdlog::level::info : spdlog::level::err;
        common::log::error().log(log_fn, "worker process {} exited on signal {}", pid,
                                 WTERMSIG(status));
      } else {
        const int code = WEXITSTATUS(status);
        common::log::error().log(code == 0 || expected ? spdlog::level::info : spdlog::level::err,
                                 "worker process {} exited with code {}", pid, code);
      }
      if (s.wanted && state_ == State::Running) {
        const int64_t now = nowUnixMs();
        if (now - s.spawned_at_ms < kQuickDeathMs) {
          ++s.quick_failures;
        } else {
          s.quick_failures = 0;
        }
        int64_t delay = 0;
        if (s.quick_failures > 1)
          delay = std::min<int64_t>(kMaxBackoffMs, 100LL << std::min<uint32_t>(
                                                       s.quick_failures - 2, 10));
        s.respawn_at_ms = now + delay;
        ws.respawns.fetch_add(1);
        if (delay > 0) LLMP_LOG_WARN("worker slot {} keeps dying, respawn in {} ms", i, delay);
      }
      break;
    }
  }
  if (state_ == State::Running) {
    spawnDue();
    closeUnusedListenerGenerations();
  } else if (liveWorkers() == 0) {
    uv_stop(&loop_);
  }
}

void Master::spawnDue() {
  const int64_t now = nowUnixMs();
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.wanted && s.pid == 0 && s.respawn_at_ms <= now) spawnSlot(i);
  }
}

bool Master::spawnSlot(uint32_t slot) {
  Slot& s = slots_[slot];
  auto set = listener_sets_.find(s.listener_generation);
  if (set == listener_sets_.end()) return false;
  worker::WorkerStartup startup{slot, getpid(), &shm_, items_.enabled() ? &items_ : nullptr, {}};
  const uint32_t column = s.column;
  for (const auto& l : set->second.listeners()) {
    if (column >= l.fds.size()) continue;
    startup.listeners.push_back(worker::ListenFd{l.fds[column], l.role == ListenerRole::Admin,
                                                 l.address.kind ==
                                                     common::ListenAddress::Kind::Unix});
  }
  auto& ws = shm_.worker(slot);
  ws.state.store(static_cast<uint32_t>(common::WorkerState::Starting));
  auto pid = spawnWorker(startup, credentials_, [&] { detachInChild(startup); });
  if (!pid) {
    LLMP_LOG_ERROR("{}", pid.error().detail);
    s.respawn_at_ms = nowUnixMs() + 1000;
    return false;
  }
  s.pid = *pid;
  s.spawned_at_ms = nowUnixMs();
  LLMP_LOG_INFO("start worker process {} in slot {}", *pid, slot);
  return true;
}

void Master::checkReady() {
  if (ready_notified_) return;
  if (db_ && !db_->settled()) return;  // the first database read ends (loaded or failed) first
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].wanted) continue;
    if (shm_.worker(i).currentState() != common::WorkerState::Running) return;
  }
  ready_notified_ = true;
  notifyReady();
  LLMP_LOG_INFO("{} worker processes ready", worker_count_);
}

void Master::closeUnusedListenerGenerations() {
  for (auto it = listener_sets_.begin(); it != listener_sets_.end();) {
    bool used = it->first == listener_generation_;
    for (const auto& s : slots_)
      if (s.listener_generation == it->first && (s.pid > 0 || s.wanted)) used = true;
    if (used) {
      ++it;
    } else {
      // NOTE: addresses kept across the change were bound anew with SO_REUSEPORT; closing the
      // old sockets drops only connections still queued in them.
      it = listener_sets_.erase(it);
    }
  }
}

// Fork hygiene (STYLE.md C.2), in the child: the master's loop is never run or closed there.
// Its signal handles leave libuv's process-wide signal table (otherwise the worker's own
// uv_signal_start would find them and skip installing its handler), and the fds the loop opened
// for itself (recorded when it was made, see loop_fds.h) are closed directly.
void Master::detachInChild(const worker::WorkerStartup& startup) {
  for (auto& h : signals_) uv_signal_stop(h.get());
  for (int fd : loop_fds_)
    if (fd > STDERR_FILENO) ::close(fd);
  // The master's PostgreSQL session: close the socket only. PQfinish here would send Terminate
  // and end the master's session; the child never touches the PGconn (its loop is gone).
  if (db_) {
    if (const int fd = db_->socket(); fd > STDERR_FILENO) ::close(fd);
  }
  std::set<int> keep;
  for (const auto& l : startup.listeners) keep.insert(l.fd);
  for (const auto& [gen, set] : listener_sets_)
    for (const auto& l : set.listeners())
      for (int fd : l.fds)
        if (!keep.count(fd)) ::close(fd);
}

void Master::signalWorkers(int signum) {
  for (const auto& s : slots_)
    if (s.pid > 0) kill(s.pid, signum);
}

uint32_t Master::liveWorkers() const {
  uint32_t n = 0;
  for (const auto& s : slots_)
    if (s.pid > 0) ++n;
  return n;
}

}  // namespace llmproxy::master
