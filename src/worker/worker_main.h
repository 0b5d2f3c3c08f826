// The worker's entry API, all the master needs: what a worker inherits from the master, and
// the call that runs it. Entered from the master's fork and never returns to the master's
// code; run() returns the process exit code. Everything else of the worker is internal.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "common/shm/item_store.h"
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
  common::ItemStore* items;  // streamed Responses items (its own mapping), null when off
  std::vector<ListenFd> listeners;
};

// Exit codes: 0 normal stop, 2 could not start (bad snapshot, log file), master backs off.
int run(const WorkerStartup& startup);

}  // namespace llmproxy::worker
