// Worker crash and respawn, graceful stop (SIGQUIT), fast stop (SIGTERM), CLI basics.
#include <csignal>
#include <cstdio>
#include <set>

#include "proxy_fixture.h"

namespace llmproxy::testing {
namespace {

TEST(Lifecycle, KilledWorkerIsRespawnedWhileClientsSeeNoFailure) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 2), ports.api);
  ASSERT_TRUE(eventually([&] { return proxy->workerPids().size() == 2; }));
  const std::vector<pid_t> before = proxy->workerPids();

  // Fresh connections hash over both workers' accept queues. The kill lands between two
  // requests: connections that hash to the dead worker's socket wait in its accept queue
  // (the master keeps the socket) until the replacement accepts them.
  int failures = 0;
  bool killed = false;
  for (int i = 0; i < 400; ++i) {
    const auto r = getOnce(ports.api, "/health");
    if (r.status != 200) ++failures;
    if (i == 100) {
      ASSERT_EQ(kill(before[0], SIGKILL), 0);
      killed = true;
    }
  }
  EXPECT_TRUE(killed);
  EXPECT_EQ(failures, 0);
  EXPECT_TRUE(eventually([&] {
    const auto now = proxy->workerPids();
    return now.size() == 2 && std::count(now.begin(), now.end(), before[0]) == 0;
  }, std::chrono::seconds(1)));
  EXPECT_NE(proxy->stderrLog().find("exited on signal 9"), std::string::npos);
}

TEST(Lifecycle, GracefulStopFinishesInFlightRequest) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1, "shutdown_timeout = \"20s\"\n"), ports.api);
  ASSERT_TRUE(eventually([&] { return proxy->workerPids().size() == 1; }));
  const pid_t worker = proxy->workerPids()[0];

  // A request whose body has not arrived yet is in flight (an endpoint that takes a body).
  HttpClient slow("127.0.0.1", ports.api);
  ASSERT_TRUE(slow.sendRaw(
      "POST /api/event_logging/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"));
  ASSERT_TRUE(eventually([&] {
    return getOnce(ports.admin, "/admin/v1/status", adminAuth()).body.find("\"connections\":2") !=
           std::string::npos;
  }));
  ASSERT_TRUE(proxy->signal(SIGQUIT));
  // New connections are refused once the listeners are closed.
  EXPECT_TRUE(eventually([&] { return getOnce(ports.api, "/health").status == 0; }));
  EXPECT_TRUE(proxy->running());
  EXPECT_EQ(kill(worker, 0), 0) << "the worker waits for the in-flight request";

  ASSERT_TRUE(slow.sendRaw("body"));
  const auto r = slow.readResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(proxy->waitExit(std::chrono::seconds(10)), 0) << proxy->stderrLog();
  EXPECT_TRUE(proxy->workerPids().empty());
}

TEST(Lifecycle, SigtermStopsAtOnceDespiteOpenRequests) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 2, "shutdown_timeout = \"60s\"\n"), ports.api);
  HttpClient slow("127.0.0.1", ports.api);
  ASSERT_TRUE(slow.sendRaw(
      "POST /api/event_logging/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"));
  ASSERT_TRUE(proxy->signal(SIGTERM));
  // Far below shutdown_timeout: nobody waits for the open request.
  EXPECT_TRUE(proxy->waitExit(std::chrono::seconds(3)).has_value()) << proxy->stderrLog();
  EXPECT_TRUE(slow.closedByPeer());
}

TEST(Lifecycle, Usr1ReopensLogsInMasterAndWorkers) {
  ProxyPorts ports;
  std::string config = openConfig(ports, 2);
  config.replace(config.find("error_log = \"stderr\""), 20, "error_log = \"@DIR@/error.log\"");
  auto proxy = startProxy(config, ports.api);
  ASSERT_TRUE(eventually([&] { return !proxy->tempDir().read("access.log").empty(); }));
  const std::string dir = proxy->dir();
  ASSERT_EQ(std::rename((dir + "/access.log").c_str(), (dir + "/access.log.1").c_str()), 0);
  ASSERT_EQ(std::rename((dir + "/error.log").c_str(), (dir + "/error.log.1").c_str()), 0);
  ASSERT_TRUE(proxy->signal(SIGUSR1));
  // Every worker reopens: requests from any of them land in the new file.
  EXPECT_TRUE(eventually([&] {
    getOnce(ports.api, "/health", {{"x-request-id", "after-reopen"}});
    return proxy->tempDir().read("access.log").find("after-reopen") != std::string::npos;
  }));
  EXPECT_TRUE(eventually([&] {
    return proxy->tempDir().read("error.log").find("logs reopened") != std::string::npos;
  })) << "the master writes into the new error log";
}

TEST(Cli, VersionHelpAndConfigTest) {
  ProxyPorts ports;
  ProxyProcess proxy(openConfig(ports, 1));
  const auto v = proxy.runCli({"-V"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("llmproxy version: llmproxy/"), std::string::npos) << v.output;
  const auto h = proxy.runCli({"-h"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("-s signal"), std::string::npos) << h.output;
  const auto bad = proxy.runCli({"-s", "explode"});
  EXPECT_EQ(bad.exit_code, 1);
  const auto t = proxy.runCli({"-t", "-c", proxy.configPath()});
  EXPECT_EQ(t.exit_code, 0) << t.output;
  EXPECT_NE(t.output.find("test is successful"), std::string::npos) << t.output;
  const auto q = proxy.runCli({"-t", "-q", "-c", proxy.configPath()});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_TRUE(q.output.empty()) << q.output;
  const auto missing = proxy.runCli({"-t", "-c", proxy.dir() + "/nope.conf"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("nope.conf"), std::string::npos) << missing.output;
}

TEST(Cli, DaemonizesWithoutForegroundFlag) {
  ProxyPorts ports;
  ProxyProcess proxy(openConfig(ports, 1));
  // Without -g the launcher returns at once; the daemon writes its pid file.
  const auto r = proxy.runCli({"-c", proxy.configPath()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(eventually([&] { return !proxy.tempDir().read("llmproxy.pid").empty(); }));
  const pid_t daemon = std::stoi(proxy.tempDir().read("llmproxy.pid"));
  EXPECT_TRUE(eventually([&] { return getOnce(ports.api, "/health").status == 200; }));
  EXPECT_EQ(proxy.runCli({"-s", "stop", "-p", proxy.pidPath()}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return kill(daemon, 0) != 0; }));
}

}  // namespace
}  // namespace llmproxy::testing
