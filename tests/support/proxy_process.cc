// ProxyProcess: fork/exec of the llmproxy binary in its own process group, with cleanup.
#include "support/proxy_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/http_client.h"

extern char** environ;

namespace llmproxy::testing {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> buildEnv(const EnvVars& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [key, value] : extra) overridden = overridden || key == name;
    if (!overridden) out.push_back(std::move(entry));
  }
  for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Forks and execs; the child gets its own process group, stdin from /dev/null and stdout +
// stderr on `out_fd`. Everything the child needs is prepared before fork (the test process has
// threads, so only async-signal-safe calls run after it).
pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const EnvVars& env,
            int out_fd) {
  std::vector<std::string> argv_strings;
  argv_strings.push_back(binary);
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = buildEnv(env);
  std::vector<char*> argv = cStrings(argv_strings);
  std::vector<char*> envp = cStrings(env_strings);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD}) {
      ::signal(sig, SIG_DFL);
    }
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execve(argv[0], argv.data(), envp.data());
    static const char kMsg[] = "exec failed\n";
    [[maybe_unused]] ssize_t ignored = ::write(2, kMsg, sizeof(kMsg) - 1);
    ::_exit(127);
  }
  if (pid > 0) ::setpgid(pid, pid);  // also from the parent: no race with a quick signal
  if (null_fd >= 0) ::close(null_fd);
  return pid;
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// waitpid with a deadline: the decoded status, or nullopt if still running at the deadline.
std::optional<int> waitFor(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t rc = ::waitpid(pid, &status, WNOHANG);
    if (rc == pid) return decodeStatus(status);
    if (rc < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string substituteDir(std::string text, const std::string& dir) {
  const std::string marker = "@DIR@";
  for (size_t pos = text.find(marker); pos != std::string::npos;
       pos = text.find(marker, pos + dir.size())) {
    text.replace(pos, marker.size(), dir);
  }
  return text;
}

}  // namespace

CliResult runProcess(const std::string& binary, const std::vector<std::string>& args,
                     const EnvVars& env, std::chrono::milliseconds timeout) {
  CliResult result;
  TempDir scratch;
  const std::string out_path = scratch.file("output.log");
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) return result;
  pid_t pid = spawn(binary, args, env, out_fd);
  ::close(out_fd);
  if (pid < 0) return result;
  std::optional<int> status = waitFor(pid, Clock::now() + timeout);
  if (!status) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    result.exit_code = -1;
  } else {
    result.exit_code = *status;
  }
  result.output = readFile(out_path);
  return result;
}

namespace {

// State letter and ppid from /proc/<pid>/stat; false if the process does not exist.
bool readStat(pid_t pid, char& state, long& ppid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  // Format: pid (comm) state ppid ...; comm may hold spaces and parentheses.
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return false;
  std::istringstream fields(stat.substr(close_paren + 1));
  fields >> state >> ppid;
  return static_cast<bool>(fields);
}

}  // namespace

bool processAlive(pid_t pid) {
  char state = 0;
  long ppid = 0;
  return pid > 0 && readStat(pid, state, ppid) && state != 'Z' && state != 'X';
}

std::vector<pid_t> childPids(pid_t parent) {
  std::vector<pid_t> out;
  if (parent <= 0) return out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    char state = 0;
    long ppid = 0;
    if (!readStat(static_cast<pid_t>(pid), state, ppid)) continue;
    if (ppid == parent && state != 'Z' && state != 'X') out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(proc);
  return out;
}

ProxyProcess::ProxyProcess(std::string config_text, EnvVars env)
    : env_(std::move(env)), binary_(binaryPath()) {
  writeConfig(config_text);
}

ProxyProcess::~ProxyProcess() { killAll(); }

std::string ProxyProcess::binaryPath() {
  const char* from_env = std::getenv("LLMPROXY_BINARY");
  if (from_env != nullptr && *from_env != '\0') return from_env;
#ifdef LLMPROXY_BINARY
  return LLMPROXY_BINARY;
#else
  return "llmproxy";
#endif
}

void ProxyProcess::writeConfig(const std::string& config_text) {
  dir_.write("llmproxy.conf", substituteDir(config_text, dir_.path()));
}

bool ProxyProcess::start(const std::vector<std::string>& extra_args) {
  if (pid_ > 0 && running()) return false;
  std::vector<std::string> args = {"-g", "-c", configPath(), "-p", pidPath()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const std::string log_path = dir_.file("stderr.log");
  int out_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out_fd < 0) return false;
  pid_ = spawn(binary_, args, env_, out_fd);
  ::close(out_fd);
  exit_status_.reset();
  return pid_ > 0;
}

bool ProxyProcess::waitReady(uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!running()) return false;
    // Each try may take a while on a loaded host under ASan: a short per-try bound would fail
    // every try although the worker answers.
    HttpResponse response = httpGet(port, "/health", {}, std::chrono::milliseconds(2000));
    if (response.ok && response.status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool ProxyProcess::running() {
  if (pid_ <= 0 || exit_status_) return false;
  exit_status_ = waitFor(pid_, Clock::now());
  return !exit_status_.has_value();
}

bool ProxyProcess::signal(int sig) {
  if (pid_ <= 0 || exit_status_) return false;
  return ::kill(pid_, sig) == 0;
}

std::optional<int> ProxyProcess::waitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  if (!exit_status_) exit_status_ = waitFor(pid_, Clock::now() + timeout);
  return exit_status_;
}

std::string ProxyProcess::stderrLog() const { return dir_.read("stderr.log"); }

CliResult ProxyProcess::runCli(const std::vector<std::string>& args,
                               std::chrono::milliseconds timeout) const {
  return runProcess(binary_, args, env_, timeout);
}

void ProxyProcess::killAll() {
  if (pid_ <= 0) return;
  // Workers first by pid (in case one left the group), then the whole group, then reap.
  for (pid_t child : childPids(pid_)) ::kill(child, SIGKILL);
  ::kill(-pid_, SIGKILL);
  if (!exit_status_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = decodeStatus(status);
  }
}

}  // namespace llmproxy::testing
