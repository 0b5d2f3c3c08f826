// Shared set-up for the tests of the proxy with PostgreSQL: per test, a private server with the
// repository's migrations applied, a mock provider, free ports, and the proxy started on them.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "common/crypto/sha256.h"
#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"
#include "support/pg_server.h"

namespace llmproxy::testing {

// The test composes its config from baseConfig/openConfig, database() and mockProvider(), and
// starts it with startProxy(). Everything is per test (ctest runs each test in its own process
// anyway), so no test sees another's rows, roles or a server another test stopped.
class PgProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg_.ok());
    ASSERT_TRUE(pg_.migrate());
    ASSERT_TRUE(mock_.start()) << mock_.lastError();
  }

  // The [database] section naming pg_; `extra` lines (pool size, usage settings...) go into it.
  std::string database(const std::string& extra = "") const {
    return "\n[database]\nurl = \"" + pg_.url() + "\"\n" + extra;
  }

  // A file [[provider]] `id` on mock_ serving `models` (a TOML array's inside: "\"m\", \"n\"");
  // `extra` adds lines to it.
  std::string mockProvider(const std::string& id, const std::string& models,
                           const std::string& extra = "") const {
    return "\n[[provider]]\nid = \"" + id + "\"\ntype = \"openai-compatible\"\napi_base = \"" +
           mock_.baseUrl() + "/v1\"\nmodels = [" + models + "]\n" + extra;
  }

  // Starts llmproxy with `config` on ports_ and waits until its API port answers. It is kept in
  // proxy_ (a second call replaces, and so stops, the first) and stops with the test.
  ProxyProcess& startProxy(const std::string& config) {
    proxy_ = ::llmproxy::testing::startProxy(config, ports_.api);
    return *proxy_;
  }

  // Inserts a database credential for the client key `key` (stored as its SHA-256, as the
  // admin API would) named `name`.
  bool insertCredential(const std::string& key, const std::string& name) {
    return pg_.exec("INSERT INTO credentials (key_hash, name) VALUES ('" +
                    common::toHex(common::sha256(key)) + "', '" + name + "')");
  }

  // Runs SQL as the superuser on the llmproxy database: role changes, and writes while the
  // proxy's role is locked out or with triggers bypassed.
  bool execAsSuperuser(const std::string& sql) {
    auto conn = pg_.connect("postgresql://postgres@127.0.0.1:" + std::to_string(pg_.port()) +
                            "/llmproxy");
    if (!conn) return false;
    PGresult* res = PQexec(conn.get(), sql.c_str());
    const auto st = PQresultStatus(res);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(res);
    PQclear(res);
    return ok;
  }

  PgServer pg_;
  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

}  // namespace llmproxy::testing
