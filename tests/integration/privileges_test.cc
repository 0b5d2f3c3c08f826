// Privileges (nginx's model): a root master runs its workers as server.user, workers are not
// dumpable, `-s` signals only an llmproxy master, the pid file is never followed through a
// symlink, unix sockets get their configured mode. Most of it needs root, which CI has.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "proxy_fixture.h"

namespace llmproxy::testing {
namespace {

// The `Uid:` / `Gid:` / `Groups:` line of /proc/PID/status, without its name.
std::string statusField(pid_t pid, const std::string& field) {
  std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) {
      std::string value = line.substr(field.size() + 1);
      while (!value.empty() && (value.front() == '\t' || value.front() == ' ')) value.erase(0, 1);
      while (!value.empty() && (value.back() == '\t' || value.back() == ' ')) value.pop_back();
      return value;
    }
  return {};
}

std::string fourTimes(unsigned id) {
  const std::string s = std::to_string(id);
  return s + "\t" + s + "\t" + s + "\t" + s;
}

// A config whose worker runs as `user_line`'s account; the ports' [server] without the
// fixture's `user = "root"`.
std::string configAs(const ProxyPorts& ports, const std::string& user_lines,
                     const std::string& server_extra = "") {
  return "[server]\n"
         "listen = [\"127.0.0.1:" + std::to_string(ports.api) + "\"]\n"
         "workers = 1\n"
         "allow_unauthenticated = true\n"
         "pid_file = \"@DIR@/llmproxy.pid\"\n" +
         user_lines + server_extra +
         "\n[log]\nerror_log = \"stderr\"\naccess_log = \"@DIR@/access.log\"\n";
}

class Privileges : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (CI runs the tests as root)";
  }
};

TEST_F(Privileges, RootMasterRunsItsWorkersAsTheConfiguredUser) {
  const passwd* nobody = getpwnam("nobody");
  const group* nogroup = getgrnam("nogroup");
  ASSERT_NE(nobody, nullptr);
  ASSERT_NE(nogroup, nullptr);
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nogroup->gr_gid;
  ProxyPorts ports;
  ProxyProcess proxy(configAs(ports, "user = \"nobody\"\ngroup = \"nogroup\"\n"));
  // The worker opens the access log by path: it must be able to reach the directory.
  ASSERT_EQ(chmod(proxy.dir().c_str(), 0755), 0);
  ASSERT_TRUE(proxy.start());
  ASSERT_TRUE(proxy.waitReady(ports.api)) << proxy.stderrLog();
  ASSERT_TRUE(eventually([&] { return proxy.workerPids().size() == 1; }));
  const pid_t worker = proxy.workerPids()[0];

  EXPECT_EQ(statusField(proxy.pid(), "Uid"), fourTimes(0));
  EXPECT_EQ(statusField(worker, "Uid"), fourTimes(uid));
  EXPECT_EQ(statusField(worker, "Gid"), fourTimes(gid));
  EXPECT_EQ(statusField(worker, "Groups"), std::to_string(gid));  // root's groups are gone
  // Not dumpable: the kernel then gives the worker's /proc files to root, not to its user.
  struct stat st{};
  ASSERT_EQ(stat(("/proc/" + std::to_string(worker) + "/environ").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  // The worker serves and writes the log the root master created and handed over.
  EXPECT_EQ(getOnce(ports.api, "/health").status, 200);
  EXPECT_TRUE(eventually(
      [&] { return proxy.tempDir().read("access.log").find("GET /health") != std::string::npos; },
      std::chrono::milliseconds(10000)))
      << proxy.stderrLog();
  ASSERT_EQ(stat(proxy.tempDir().file("access.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid);
}

TEST_F(Privileges, RootWorkersMustBeAskedFor) {
  ProxyPorts ports;
  ProxyProcess proxy(configAs(ports, ""));
  ASSERT_TRUE(proxy.start());
  EXPECT_EQ(proxy.waitExit(), 1);
  EXPECT_NE(proxy.stderrLog().find("server.user is not set"), std::string::npos)
      << proxy.stderrLog();

  ProxyPorts ports2;
  auto root = startProxy(configAs(ports2, "user = \"root\"\n"), ports2.api);
  ASSERT_TRUE(eventually([&] { return root->workerPids().size() == 1; }));
  EXPECT_EQ(statusField(root->workerPids()[0], "Uid"), fourTimes(0));
  EXPECT_NE(root->stderrLog().find("workers run as root"), std::string::npos);
}

TEST_F(Privileges, UnknownUserOrGroupIsRefused) {
  ProxyPorts ports;
  ProxyProcess proxy(configAs(ports, "user = \"no-such-user-llmproxy\"\n"));
  ASSERT_TRUE(proxy.start());
  EXPECT_EQ(proxy.waitExit(), 1);
  EXPECT_NE(proxy.stderrLog().find("server.user: no user \"no-such-user-llmproxy\""),
            std::string::npos)
      << proxy.stderrLog();

  ProxyProcess proxy2(configAs(ports, "user = \"nobody\"\ngroup = \"no-such-group-llmproxy\"\n"));
  ASSERT_TRUE(proxy2.start());
  EXPECT_EQ(proxy2.waitExit(), 1);
  EXPECT_NE(proxy2.stderrLog().find("server.group: no group"), std::string::npos)
      << proxy2.stderrLog();
}

TEST(PidFile, SignalGoesOnlyToAnLlmproxyMaster) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1), ports.api);
  // A process that is not llmproxy, named by a rewritten pid file.
  const pid_t other = fork();
  ASSERT_GE(other, 0);
  if (other == 0) {
    execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until it runs `sleep` (the exe changes at exec).
  EXPECT_TRUE(eventually([&] {
    return readFile("/proc/" + std::to_string(other) + "/cmdline").rfind("sleep", 0) == 0;
  }));
  const std::string forged = proxy->tempDir().write("forged.pid", std::to_string(other) + "\n");
  const auto r = proxy->runCli({"-s", "quit", "-p", forged});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("is not an llmproxy master process"), std::string::npos) << r.output;
  EXPECT_TRUE(processAlive(other));
  // A worker is llmproxy too, but not the master.
  ASSERT_TRUE(eventually([&] { return proxy->workerPids().size() == 1; }));
  const std::string worker_pid =
      proxy->tempDir().write("worker.pid", std::to_string(proxy->workerPids()[0]) + "\n");
  EXPECT_EQ(proxy->runCli({"-s", "quit", "-p", worker_pid}).exit_code, 1);
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
  // The real pid file still works.
  EXPECT_EQ(proxy->runCli({"-s", "reopen", "-p", proxy->pidPath()}).exit_code, 0);
  EXPECT_EQ(getOnce(ports.api, "/health").status, 200);
}

TEST(PidFile, SymlinkedPidFileIsRefused) {
  ProxyPorts ports;
  ProxyProcess proxy(openConfig(ports, 1));
  const std::string victim = proxy.tempDir().write("victim", "keep me\n");
  ASSERT_EQ(symlink(victim.c_str(), proxy.pidPath().c_str()), 0);
  ASSERT_TRUE(proxy.start());
  EXPECT_EQ(proxy.waitExit(), 1);
  EXPECT_NE(proxy.stderrLog().find("is a symbolic link"), std::string::npos) << proxy.stderrLog();
  EXPECT_EQ(proxy.tempDir().read("victim"), "keep me\n");
  // `-s` does not read through one either.
  const auto r = proxy.runCli({"-s", "reload", "-p", proxy.pidPath()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("is a symbolic link"), std::string::npos) << r.output;
}

mode_t socketMode(const std::string& path) {
  struct stat st{};
  if (lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return 07777;
  return st.st_mode & 0777;
}

TEST(UnixSocket, ListenersGetTheConfiguredMode) {
  ProxyPorts ports;
  const std::string listen = "listen = [\"127.0.0.1:" + std::to_string(ports.api) +
                             "\", \"unix:@DIR@/api.sock\"]\n";
  {
    auto proxy = startProxy(
        "[server]\n" + listen + "workers = 1\nallow_unauthenticated = true\n" + rootWorkers() +
            "pid_file = \"@DIR@/llmproxy.pid\"\n",
        ports.api);
    EXPECT_EQ(socketMode(proxy->dir() + "/api.sock"), 0660u);
  }
  ProxyPorts ports2;
  const std::string listen2 = "listen = [\"127.0.0.1:" + std::to_string(ports2.api) +
                              "\", \"unix:@DIR@/api.sock\"]\n";
  auto proxy = startProxy("[server]\n" + listen2 +
                              "workers = 1\nallow_unauthenticated = true\n" + rootWorkers() +
                              "unix_socket_mode = \"0600\"\npid_file = \"@DIR@/llmproxy.pid\"\n",
                          ports2.api);
  EXPECT_EQ(socketMode(proxy->dir() + "/api.sock"), 0600u);
  // A bad mode is a config error with its place.
  const auto t = proxy->runCli({"-t", "-c", proxy->tempDir().write("bad.conf",
                                                                    "[server]\n" + listen2 +
                                                                        "allow_unauthenticated = "
                                                                        "true\nunix_socket_mode = "
                                                                        "\"0999\"\n")});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.output.find("bad.conf:4:20: server.unix_socket_mode: expected an octal mode"),
            std::string::npos)
      << t.output;
}

}  // namespace
}  // namespace llmproxy::testing
