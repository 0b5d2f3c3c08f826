// The master process: owns the config, the shared memory, the listening sockets and the
// worker slots; reacts to signals on its own libuv loop. Never serves a request.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/shm/item_store.h"
#include "common/shm/region.h"
#include "master/cli.h"
#include "master/db_config_source.h"
#include "master/listeners.h"
#include "master/privileges.h"
#include "worker/worker_main.h"

namespace llmproxy::master {

class Master {
 public:
  Master(CliOptions options, common::Config config, std::string pid_file);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Binds, forks the workers and runs until stopped. Returns the exit code.
  int run();

 private:
  enum class State { Running, Stopping };

  struct Slot {
    pid_t pid = 0;
    uint64_t listener_generation = 0;
    uint32_t column = 0;          // which socket of each address in that generation
    bool wanted = false;         // part of the current generation: respawn when it dies
    int64_t spawned_at_ms = 0;
    uint32_t quick_failures = 0;  // deaths soon after start, for back-off
    int64_t respawn_at_ms = 0;
  };

  static void onSignal(uv_signal_t* handle, int signum);
  static void onTick(uv_timer_t* handle);
  static void onStopDeadline(uv_timer_t* handle);
  static void onDbWait(uv_timer_t* handle);

  void handleSignal(int signum);
  // SIGHUP / admin reload: re-read the file, and with a database wait (briefly) for fresh rows.
  void reload();
  // The one path every reload takes: [re-read the file] + the latest database rows -> merge ->
  // validate -> publish, outcome logged (and, for file reloads, recorded in ReloadStatus).
  void applyConfig();
  // Starts, restarts or stops the database source to match file_config_'s [database].
  void syncDbSource();
  // file_config_ + db_rows_ (rows that would be invalid are logged and left out).
  common::Config composeConfig();
  void startStop(bool graceful);
  void reapChildren();
  void spawnDue();
  bool spawnSlot(uint32_t slot);
  void checkReady();
  void closeUnusedListenerGenerations();
  void signalWorkers(int signum);
  void detachInChild(const worker::WorkerStartup& startup);
  uint32_t liveWorkers() const;
  common::Result<void> publish(const common::Config& config);
  // The log files and unix sockets of `config` go to the workers' user (after the master opened
  // or bound them as root), so workers can reopen them.
  void handFilesToWorkers(const common::Config& config);

  CliOptions options_;
  common::Config config_;       // running (merged) configuration
  common::Config file_config_;  // the file as last loaded successfully
  DbRows db_rows_;              // the database's rows as last loaded
  std::unique_ptr<DbConfigSource> db_;
  bool file_reload_pending_ = false;  // a reload asked to re-read the file
  uint64_t awaited_load_ = 0;         // the database load that reload waits for
  std::string pid_file_;
  WorkerCredentials credentials_;  // what workers run as (resolved once, at start)
  uint32_t worker_count_ = 1;
  common::ShmRegion shm_;
  // Streamed Responses items, shared by the workers; sized from the configuration at start
  // (a reload keeps it as it is).
  common::ItemStore items_;
  std::map<uint64_t, ListenerSet> listener_sets_;  // by listener generation
  uint64_t listener_generation_ = 0;
  uint64_t config_generation_ = 0;
  std::vector<Slot> slots_;
  State state_ = State::Running;
  bool ready_notified_ = false;

  uv_loop_t loop_{};
  std::vector<int> loop_fds_;  // fds the loop opened for itself: a forked child closes its copies
  std::vector<std::unique_ptr<uv_signal_t>> signals_;
  uv_timer_t tick_{};
  uv_timer_t stop_deadline_{};
  uv_timer_t db_wait_{};  // bounds how long a file reload waits for the database's rows
};

// Workers for `workers = "auto"`: the CPUs this process may run on.
uint32_t resolveWorkerCount(uint32_t configured);

}  // namespace llmproxy::master
