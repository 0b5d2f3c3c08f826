// RedisServer: fork/exec of redis-server in its own process group, polled until it answers.
#include "support/redis_server.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/eventually.h"
#include "support/free_port.h"

namespace llmproxy::testing {
namespace {

std::string replyText(const redisReply* r) {
  if (!r) return "(down)";
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (size_t i = 0; i < r->elements; ++i) {
        if (i) out += ',';
        out += replyText(r->element[i]);
      }
      return out;
    }
    default:
      return std::string(r->str, r->len);
  }
}

}  // namespace

RedisServer::RedisServer() : socket_(dir_.file("redis.sock")), port_(freeTcpPort()) {
  if (!start()) throw std::runtime_error("redis-server did not start (is it installed?)");
}

RedisServer::~RedisServer() {
  resume();
  stop();
}

std::string RedisServer::tcpUrl(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

bool RedisServer::start() {
  if (pid_ > 0) return true;
  const std::string port = std::to_string(port_);
  const std::string log = dir_.file("redis.log");
  std::vector<std::string> args = {"redis-server", "--port",        port,
                                   "--bind",       "127.0.0.1",     "--unixsocket",
                                   socket_,        "--unixsocketperm", "700",
                                   "--save",       "",              "--appendonly",
                                   "no",           "--dir",         dir_.path(),
                                   "--logfile",    log,             "--daemonize",
                                   "no"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }
  if (pid < 0) return false;
  pid_ = pid;
  return eventually([&] { return command({"PING"}) == "PONG"; }, std::chrono::seconds(10));
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ::unlink(socket_.c_str());
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string RedisServer::command(const std::vector<std::string>& argv) const {
  timeval tv{1, 0};
  redisContext* c = redisConnectUnixWithTimeout(socket_.c_str(), tv);
  if (!c || c->err) {
    if (c) redisFree(c);
    return "(down)";
  }
  redisSetTimeout(c, tv);
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()));
  std::string out = replyText(reply);
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return out;
}

}  // namespace llmproxy::testing
