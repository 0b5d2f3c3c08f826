// Reload: SIGHUP, `-s reload`, the admin endpoint; broken files keep the running config.
#include <algorithm>
#include <csignal>

#include "proxy_fixture.h"

namespace llmproxy::testing {
namespace {

TEST(Reload, SighupPublishesNewGenerationToEveryWorker) {
  ProxyPorts ports;
  const std::string config = openConfig(ports, 2);
  auto proxy = startProxy(config, ports.api);
  ASSERT_TRUE(eventually([&] { return allWorkersAt(ports.admin, 1, 2); }));

  proxy->writeConfig(config + "\n# edited\n");
  ASSERT_TRUE(proxy->signal(SIGHUP));
  EXPECT_TRUE(eventually([&] { return allWorkersAt(ports.admin, 2, 2); }, std::chrono::seconds(5)))
      << getOnce(ports.admin, "/admin/v1/status", adminAuth()).body;
  EXPECT_EQ(configVersionOf(getOnce(ports.api, "/health")), 2);
}

TEST(Reload, BrokenFileKeepsRunningConfigAndLogsTheLine) {
  ProxyPorts ports;
  const std::string config = openConfig(ports, 1, "request_timeout = \"30s\"\n");
  auto proxy = startProxy(config, ports.api);

  std::string broken = config;
  const size_t at = broken.find("request_timeout = \"30s\"");
  broken.replace(at, 23, "request_timeout = \"30 parsecs\"");
  // The broken value's line in the file (the fixture's [server] lines come before it).
  const std::string line =
      "llmproxy.conf:" + std::to_string(std::count(broken.begin(), broken.begin() + at, '\n') + 1) +
      ":";
  proxy->writeConfig(broken);
  ASSERT_TRUE(proxy->signal(SIGHUP));
  ASSERT_TRUE(eventually([&] {
    return proxy->stderrLog().find(line) != std::string::npos;
  })) << proxy->stderrLog();
  const auto status = getOnce(ports.admin, "/admin/v1/status", adminAuth());
  EXPECT_NE(status.body.find("\"ok\":false"), std::string::npos) << status.body;
  EXPECT_EQ(configVersionOf(getOnce(ports.api, "/health")), 1);

  const auto t = proxy->runCli({"-t", "-c", proxy->configPath()});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.output.find(line), std::string::npos) << t.output;
  EXPECT_NE(t.output.find("test failed"), std::string::npos) << t.output;
}

TEST(Reload, AdminReloadReturnsOkOrTheValidationError) {
  ProxyPorts ports;
  const std::string config = openConfig(ports, 2);
  auto proxy = startProxy(config, ports.api);
  HttpClient admin("127.0.0.1", ports.admin);

  const auto ok = admin.post("/admin/v1/config/reload", "", adminAuth());
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("\"config_version\":2"), std::string::npos) << ok.body;

  proxy->writeConfig(config + "\n[server.typo]\n");
  const auto bad = admin.post("/admin/v1/config/reload", "", adminAuth());
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("llmproxy.conf:"), std::string::npos) << bad.body;
  EXPECT_EQ(configVersionOf(getOnce(ports.api, "/health")), 2);
}

TEST(Reload, ListenerChangeStartsNewWorkersOnTheNewPort) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1), ports.api);
  ASSERT_TRUE(eventually([&] { return proxy->workerPids().size() == 1; }));
  const pid_t old_worker = proxy->workerPids()[0];

  ProxyPorts moved;
  moved.admin = ports.admin;
  proxy->writeConfig(openConfig(moved, 1));
  ASSERT_TRUE(proxy->signal(SIGHUP));
  EXPECT_TRUE(eventually([&] { return getOnce(moved.api, "/health").status == 200; }))
      << proxy->stderrLog();
  EXPECT_TRUE(eventually([&] {
    const auto w = proxy->workerPids();
    return w.size() == 1 && w[0] != old_worker;
  }));
}

TEST(Reload, SignalOptionUsesThePidFile) {
  ProxyPorts ports;
  const std::string config = openConfig(ports, 1);
  auto proxy = startProxy(config, ports.api);
  const auto r = proxy->runCli({"-s", "reload", "-p", proxy->pidPath()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(eventually([&] { return configVersionOf(getOnce(ports.api, "/health")) == 2; }));

  // Without -p the pid file comes from server.pid_file in the config.
  const auto q = proxy->runCli({"-s", "quit", "-c", proxy->configPath()});
  EXPECT_EQ(q.exit_code, 0) << q.output;
  EXPECT_EQ(proxy->waitExit(std::chrono::seconds(10)), 0);
  EXPECT_TRUE(proxy->tempDir().read("llmproxy.pid").empty()) << "pid file removed at exit";
}

}  // namespace
}  // namespace llmproxy::testing
