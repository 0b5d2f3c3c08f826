// RedisServer: a private redis-server for one test (unix socket + a free loopback TCP port in a
// TempDir, no persistence), with stop()/start() for outage tests and a small synchronous client.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace llmproxy::testing {

class RedisServer {
 public:
  // Starts the server and waits until it answers PING (throws std::runtime_error if it does not).
  RedisServer();
  // SIGKILLs the server.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts it again on the same socket and port (after stop()). False if it does not answer.
  bool start();
  // SIGKILL + reap: connections drop at once, new ones are refused.
  void stop();
  // SIGSTOP / SIGCONT: the server stays connected but answers nothing (a "slow" Redis).
  void pause();
  void resume();
  bool running() const { return pid_ > 0; }

  const std::string& socketPath() const { return socket_; }
  uint16_t port() const { return port_; }
  std::string unixUrl() const { return "unix:" + socket_; }
  std::string tcpUrl(int db = 0) const;

  // One command over a fresh blocking connection: the reply as text (integers in decimal, nil
  // as "(nil)", errors as "ERR ...", arrays joined by ','). "(down)" if unreachable.
  std::string command(const std::vector<std::string>& argv) const;

 private:
  TempDir dir_;
  std::string socket_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace llmproxy::testing
