// Shared set-up for the integration tests: a config on free ports and a started proxy.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "support/eventually.h"
#include "support/free_port.h"
#include "support/http_client.h"
#include "support/proxy_process.h"

namespace llmproxy::testing {

inline constexpr const char* kAdminKey = "test-admin-key-0123456789";

struct ProxyPorts {
  uint16_t api = freeTcpPort();
  uint16_t admin = freeTcpPort();
};

// Tests run as root in CI, where a master without server.user refuses to start: the tests' own
// proxies keep root workers, explicitly. (privileges_test.cc covers dropping to another user.)
inline std::string rootWorkers() { return geteuid() == 0 ? "user = \"root\"\n" : ""; }

// A config on loopback listeners with `workers` workers, logs to stderr.log. `server_extra` adds
// lines to [server]; `tail` follows the [log] section (log lines, then more sections). Clients
// need a key, as in production: `tail` brings the [[key]] sections (a config without any is
// refused at start). Tests that call without a key use openConfig.
inline std::string baseConfig(const ProxyPorts& ports, int workers, const std::string& server_extra = "",
                              const std::string& tail = "") {
  return "[server]\n"
         "listen = [\"127.0.0.1:" + std::to_string(ports.api) + "\"]\n"
         "admin_listen = \"127.0.0.1:" + std::to_string(ports.admin) + "\"\n"
         "workers = " + std::to_string(workers) + "\n"
         "admin_key = \"" + kAdminKey + "\"\n"
         "pid_file = \"@DIR@/llmproxy.pid\"\n" +
         rootWorkers() + server_extra +
         "\n[log]\nerror_log = \"stderr\"\naccess_log = \"@DIR@/access.log\"\nlevel = \"info\"\n" +
         tail;
}

// baseConfig with `allow_unauthenticated = true`: any client may call, no [[key]] needed.
inline std::string openConfig(const ProxyPorts& ports, int workers,
                              const std::string& server_extra = "", const std::string& tail = "") {
  return baseConfig(ports, workers, "allow_unauthenticated = true\n" + server_extra, tail);
}

inline Headers adminAuth() { return {{"Authorization", std::string("Bearer ") + kAdminKey}}; }

// Starts a proxy with `config` and waits until the API port answers.
inline std::unique_ptr<ProxyProcess> startProxy(const std::string& config, uint16_t api_port) {
  auto p = std::make_unique<ProxyProcess>(config);
  EXPECT_TRUE(p->start());
  EXPECT_TRUE(p->waitReady(api_port)) << p->stderrLog();
  return p;
}

// Fresh connection per call, so SO_REUSEPORT spreads the calls over the workers.
inline HttpResponse getOnce(uint16_t port, const std::string& path, const Headers& headers = {}) {
  HttpClient c("127.0.0.1", port);
  Headers h = headers;
  h.emplace_back("Connection", "close");
  return c.get(path, h);
}

// The value of an unlabelled metric in /metrics (-1 when absent).
inline long metric(uint16_t port, const std::string& name) {
  const auto r = getOnce(port, "/metrics");
  const auto at = r.body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stol(r.body.substr(at + name.size() + 2));
}

// The "pid" field of a /health body (0 when absent).
inline long pidOf(const HttpResponse& r) {
  const auto at = r.body.find("\"pid\":");
  return at == std::string::npos ? 0 : std::stol(r.body.substr(at + 6));
}

// The "config_version" field of a /health body (0 when absent).
inline long configVersionOf(const HttpResponse& r) {
  const auto at = r.body.find("\"config_version\":");
  return at == std::string::npos ? 0 : std::stol(r.body.substr(at + 17));
}

// True when /admin/v1/status shows `workers` workers serving config version `version`.
inline bool allWorkersAt(uint16_t admin_port, long version, size_t workers) {
  const auto r = getOnce(admin_port, "/admin/v1/status", adminAuth());
  if (r.status != 200) return false;
  const std::string needle = "\"config_version\":" + std::to_string(version) + ",\"uptime";
  size_t n = 0;
  for (size_t at = r.body.find(needle); at != std::string::npos; at = r.body.find(needle, at + 1))
    ++n;
  return n == workers;
}

}  // namespace llmproxy::testing
