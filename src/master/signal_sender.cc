// Signal delivery through the pid file.
#include "master/signal_sender.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string_view>

#include "master/pidfile.h"

namespace llmproxy::master {
namespace {

constexpr std::string_view kDeleted = " (deleted)";
constexpr std::string_view kMasterTitle = "llmproxy: master process";

// The file name of a process's executable ("llmproxy"), without the " (deleted)" a replaced
// binary shows (a package upgrade while the master runs). Empty when it cannot be read.
std::string exeName(const std::string& proc_exe) {
  char buf[4096];
  const ssize_t n = ::readlink(proc_exe.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return {};
  std::string path(buf, static_cast<size_t>(n));
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

common::Result<void> checkIsMaster(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string ours = exeName("/proc/self/exe");
  const std::string theirs = exeName(proc + "/exe");
  if (theirs.empty())
    return common::fail(common::ErrorKind::Internal,
                        "process " + std::to_string(pid) + " is not running or cannot be checked (" +
                            std::strerror(errno) + ")");
  char title[64] = {};
  if (const int fd = ::open((proc + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    [[maybe_unused]] const ssize_t n = ::read(fd, title, sizeof(title) - 1);
    ::close(fd);
  }
  const std::string_view cmdline(title);
  if (theirs != ours || !cmdline.starts_with(kMasterTitle))
    return common::fail(common::ErrorKind::Internal,
                        "process " + std::to_string(pid) +
                            " is not an llmproxy master process (executable \"" + theirs +
                            "\"); not signalling it");
  return {};
}

int sendSignal(const std::string& name, const std::string& pid_file) {
  int sig = 0;
  if (name == "reload") sig = SIGHUP;
  else if (name == "quit") sig = SIGQUIT;
  else if (name == "stop") sig = SIGTERM;
  else if (name == "reopen") sig = SIGUSR1;
  else {
    std::cerr << "llmproxy: invalid option: \"-s " << name << "\"\n";
    return 1;
  }
  auto pid = readPidFile(pid_file);
  if (!pid) {
    std::cerr << "llmproxy: [error] " << pid.error().detail << "\n";
    return 1;
  }
  // The pid file's directory is writable by the service user, and -s often runs as root
  // (logrotate): never signal whatever process a rewritten pid file names.
  if (auto r = checkIsMaster(*pid); !r) {
    std::cerr << "llmproxy: [error] " << r.error().detail << "\n";
    return 1;
  }
  if (kill(*pid, sig) != 0) {
    std::cerr << "llmproxy: [error] kill(" << *pid << ", " << sig << ") failed ("
              << std::strerror(errno) << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace llmproxy::master
