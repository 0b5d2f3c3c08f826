// fork() + child hygiene, then worker::run().
#include "master/spawn.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/log/log.h"
#include "master/proc_title.h"

namespace llmproxy::master {
namespace {

// Every signal back to its default and unblocked: the master's libuv signal handlers write
// into the master's loop, which the child must never touch.
void resetSignals() {
  struct sigaction sa{};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &sa, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

common::Result<pid_t> spawnWorker(const worker::WorkerStartup& startup,
                                  const WorkerCredentials& credentials,
                                  const std::function<void()>& detach_master) {
  const pid_t master_pid = getpid();
  // Every signal stays blocked across fork until the child has reset the dispositions: none of
  // the master's handlers (libuv's, which write into the master loop's pipe) runs in the child.
  sigset_t all, before;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &before);
  const pid_t pid = fork();
  if (pid != 0) {
    const int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &before, nullptr);
    if (pid < 0)
      return common::fail(common::ErrorKind::Internal,
                          std::string("fork() failed: ") + std::strerror(fork_errno));
    return pid;
  }

  // ---- child ----
  detach_master();
  resetSignals();  // ends by unblocking every signal
  if (auto r = dropPrivileges(credentials); !r) {
    LLMP_LOG_CRIT("worker process {}: {}", getpid(), r.error().detail);
    common::log::flush();
    _exit(2);
  }
  // No core dumps and no ptrace by other processes of the same user: the worker's memory holds
  // secrets. (Changing ids resets this flag too; it is set for workers that keep them as well.)
  if (prctl(PR_SET_DUMPABLE, 0) != 0) {
    LLMP_LOG_CRIT("worker process {}: prctl(PR_SET_DUMPABLE) failed: {}", getpid(),
                  std::strerror(errno));
    common::log::flush();
    _exit(2);
  }
  // After the id change, which clears the parent-death signal.
  prctl(PR_SET_PDEATHSIG, SIGQUIT);  // the master died: drain and go
  if (getppid() != master_pid) _exit(0);
  setProcTitle("llmproxy: worker process");
  const int rc = worker::run(startup);
  _exit(rc);
}

}  // namespace llmproxy::master
