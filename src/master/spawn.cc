// fork() + child hygiene, then worker::run().
#include "master/spawn.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

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
                                  const std::function<void()>& detach_master) {
  const pid_t master_pid = getpid();
  const pid_t pid = fork();
  if (pid < 0)
    return common::fail(common::ErrorKind::Internal,
                        std::string("fork() failed: ") + std::strerror(errno));
  if (pid > 0) return pid;

  // ---- child ----
  detach_master();
  resetSignals();
  prctl(PR_SET_PDEATHSIG, SIGQUIT);  // the master died: drain and go
  if (getppid() != master_pid) _exit(0);
  setProcTitle("llmproxy: worker process");
  const int rc = worker::run(startup);
  _exit(rc);
}

}  // namespace llmproxy::master
