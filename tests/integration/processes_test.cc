// Master and workers: process count, distinct pids, every worker answers /health.
#include <set>

#include "proxy_fixture.h"

namespace llmproxy::testing {
namespace {

TEST(Processes, StartsConfiguredWorkersAndEachAnswersHealth) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 3), ports.api);
  ASSERT_TRUE(eventually([&] { return proxy->workerPids().size() == 3; }));

  const std::vector<pid_t> worker_list = proxy->workerPids();
  const std::set<pid_t> workers(worker_list.begin(), worker_list.end());
  // Every worker shows up in the status once it has marked itself running.
  HttpResponse status;
  EXPECT_TRUE(eventually([&] {
    status = getOnce(ports.admin, "/admin/v1/status", adminAuth());
    for (pid_t pid : workers)
      if (status.body.find("\"pid\":" + std::to_string(pid) + ",\"state\":\"running\"") ==
          std::string::npos)
        return false;
    return true;
  })) << status.body;
  EXPECT_NE(status.body.find("\"master_pid\":" + std::to_string(proxy->pid())), std::string::npos);

  // Reuseport spreads new connections over the workers: collect the pids that answer.
  std::set<long> answered;
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = getOnce(ports.api, "/health");
        if (r.status == 200) answered.insert(pidOf(r));
        return answered.size() == workers.size();
      },
      std::chrono::seconds(10), std::chrono::milliseconds(1)));
  for (long pid : answered) EXPECT_TRUE(workers.count(static_cast<pid_t>(pid))) << pid;
}

TEST(Processes, HealthBodyAndRequestId) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1), ports.api);
  HttpClient c("127.0.0.1", ports.api);
  const auto r = c.get("/health", {{"x-request-id", "my-req-1"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-request-id"), "my-req-1");
  EXPECT_NE(r.body.find("\"status\":\"ok\""), std::string::npos) << r.body;
  EXPECT_EQ(configVersionOf(r), 1);
  const auto r2 = c.get("/health");
  EXPECT_EQ(r2.header("x-request-id").size(), 32u) << "generated when absent";
  EXPECT_EQ(c.connectionsOpened(), 1) << "keep-alive reuses the connection";
}

TEST(Processes, MasterAndWorkerProcessTitles) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1), ports.api);
  ASSERT_TRUE(eventually([&] { return proxy->workerPids().size() == 1; }));
  const std::string master = readFile("/proc/" + std::to_string(proxy->pid()) + "/cmdline");
  EXPECT_EQ(master.rfind("llmproxy: master process", 0), 0u) << master;
  const std::string worker =
      readFile("/proc/" + std::to_string(proxy->workerPids()[0]) + "/cmdline");
  EXPECT_EQ(worker.rfind("llmproxy: worker process", 0), 0u) << worker;
}

TEST(Processes, AccessLogHasOneLinePerRequest) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1), ports.api);
  HttpClient c("127.0.0.1", ports.api);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(c.get("/health", {{"x-request-id", "acc-" + std::to_string(i)}}).status, 200);
  ASSERT_EQ(c.get("/nope").status, 404);
  ASSERT_TRUE(eventually([&] {
    const std::string log = proxy->tempDir().read("access.log");
    return log.find("acc-2") != std::string::npos && log.find("\"GET /nope\" - - 404") != std::string::npos;
  })) << proxy->tempDir().read("access.log");
}

TEST(Processes, JsonAccessLog) {
  ProxyPorts ports;
  auto proxy = startProxy(openConfig(ports, 1, "", "access_format = \"json\"\n"), ports.api);
  ASSERT_EQ(getOnce(ports.api, "/health", {{"x-request-id", "json-1"}}).status, 200);
  ASSERT_TRUE(eventually([&] {
    return proxy->tempDir().read("access.log").find("json-1") != std::string::npos;
  }));
  const std::string log = proxy->tempDir().read("access.log");
  const auto at = log.rfind('\n', log.find("json-1"));
  const std::string line = log.substr(at + 1, log.find('\n', at + 1) - at - 1);
  EXPECT_EQ(line.rfind("{\"time\":\"", 0), 0u) << line;
  for (const char* field : {"\"request_id\":\"json-1\"", "\"method\":\"GET\"", "\"path\":\"/health\"",
                            "\"status\":200", "\"latency_ms\":", "\"attempts\":0"})
    EXPECT_NE(line.find(field), std::string::npos) << field << " in " << line;
  EXPECT_EQ(line.back(), '}');
}

}  // namespace
}  // namespace llmproxy::testing
