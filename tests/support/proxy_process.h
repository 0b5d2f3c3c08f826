// ProxyProcess: runs the real llmproxy binary for an integration test, in its own temp dir.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace llmproxy::testing {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Result of running a binary to completion.
struct CliResult {
  int exit_code = -1;  // exit status; 128 + signal if killed; -1 if it could not run or timed out
  std::string output;  // stdout and stderr interleaved
};

// Runs `binary args...` with the test's environment plus `env`, waits up to `timeout` (then
// SIGKILLs it) and captures its output.
CliResult runProcess(const std::string& binary, const std::vector<std::string>& args,
                     const EnvVars& env = {},
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

// True if `pid` exists and is not a zombie (a killed orphan stays a zombie until init reaps it).
bool processAlive(pid_t pid);

// Live children of `parent` (from the ppid field of /proc/*/stat; zombies excluded).
std::vector<pid_t> childPids(pid_t parent);

// Owns one llmproxy master process (and through its process group, its workers) for the
// lifetime of a test. The config text is written to <dir>/llmproxy.conf; every "@DIR@" in it is
// replaced by the temp dir's path first (for log files, unix sockets, pid files).
// The destructor SIGKILLs the whole process group and reaps the master: no orphan is left.
// Not thread-safe; used from the test thread.
class ProxyProcess {
 public:
  explicit ProxyProcess(std::string config_text, EnvVars env = {});
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  // fork/exec `llmproxy -g -c <dir>/llmproxy.conf -p <dir>/llmproxy.pid` (plus `extra_args`)
  // in a new process group, stdout and stderr to <dir>/stderr.log. False if fork/exec failed.
  bool start(const std::vector<std::string>& extra_args = {});
  // Polls GET /health on 127.0.0.1:port until it answers 200. False on timeout or if the
  // process exits first.
  bool waitReady(uint16_t port,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

  pid_t pid() const { return pid_; }
  // True while the master has not been reaped (a zombie is reaped here and counts as gone).
  bool running();
  // Sends `sig` to the master. False if it is not running.
  bool signal(int sig);
  // Waits for the master to exit: its exit status (128 + signal if killed), or nullopt on
  // timeout. Once reaped, further calls return the same status.
  std::optional<int> waitExit(std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));
  // Live children of the master: its workers.
  std::vector<pid_t> workerPids() const { return childPids(pid_); }

  // Whole content of <dir>/stderr.log so far.
  std::string stderrLog() const;
  const std::string& dir() const { return dir_.path(); }
  const std::string& binary() const { return binary_; }
  const TempDir& tempDir() const { return dir_; }
  std::string configPath() const { return dir_.file("llmproxy.conf"); }
  std::string pidPath() const { return dir_.file("llmproxy.pid"); }
  // Replaces the config file (same "@DIR@" substitution), e.g. before a reload.
  void writeConfig(const std::string& config_text);

  // Runs the binary with other arguments (e.g. {"-t", "-c", configPath()} or
  // {"-s", "reload", "-p", pidPath()}) with this fixture's environment.
  CliResult runCli(const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) const;

  // Path of the llmproxy binary under test: $LLMPROXY_BINARY if set, else the build's
  // LLMPROXY_BINARY. Read once, when a ProxyProcess is constructed.
  static std::string binaryPath();

 private:
  void killAll();

  TempDir dir_;
  EnvVars env_;
  std::string binary_;  // binaryPath() when constructed
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

}  // namespace llmproxy::testing
