// Forking a worker: the child cleans up what it inherited (fork hygiene, STYLE.md C.2),
// builds a fresh event loop in worker::run() and never returns into the master's code.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "common/base/result.h"
#include "common/shm/region.h"
#include "master/privileges.h"
#include "worker/worker_main.h"

namespace llmproxy::master {

// `detach_master` runs first in the child: it must release (never close through libuv) what the
// master's loop holds — signal handles, the epoll fd, other slots' listeners. Then the child
// takes `credentials` (a failed drop exits with code 2 before any request is served) and makes
// itself undumpable: it holds provider keys, the admin key and the database URL.
common::Result<pid_t> spawnWorker(const worker::WorkerStartup& startup,
                                  const WorkerCredentials& credentials,
                                  const std::function<void()>& detach_master);

}  // namespace llmproxy::master
