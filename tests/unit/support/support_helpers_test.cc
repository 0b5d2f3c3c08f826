// Tests of the test-support helpers: TempDir, freeTcpPort, eventually, HttpClient framing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "support/eventually.h"
#include "support/free_port.h"
#include "support/http_client.h"
#include "support/proxy_process.h"
#include "support/temp_dir.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

TEST(SupportTempDir, WritesReadsAndRemoves) {
  std::string path;
  {
    TempDir dir;
    path = dir.path();
    EXPECT_TRUE(std::filesystem::is_directory(path));
    std::string file = dir.write("a/b.txt", "hello");
    EXPECT_EQ(file, path + "/a/b.txt");
    EXPECT_EQ(dir.read("a/b.txt"), "hello");
    EXPECT_EQ(dir.read("missing"), "");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SupportFreePort, ReturnsBindablePort) {
  uint16_t port = freeTcpPort();
  ASSERT_NE(port, 0);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
}

TEST(SupportEventually, TrueWhenPredicateTurnsTrue) {
  int calls = 0;
  EXPECT_TRUE(eventually([&] { return ++calls >= 3; }, 1000ms, 1ms));
  EXPECT_FALSE(eventually([] { return false; }, 30ms, 5ms));
}

// A one-connection server thread that answers with canned bytes for each request it reads.
class CannedServer {
 public:
  explicit CannedServer(std::vector<std::string> replies, bool close_after = false)
      : replies_(std::move(replies)), close_after_(close_after) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_fd_, 8);
    thread_ = std::thread([this] { run(); });
  }
  ~CannedServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  void run() {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    ++accepted_;
    std::string in;
    char buf[4096];
    for (const std::string& reply : replies_) {
      while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      size_t end = in.find("\r\n\r\n");
      if (end == std::string::npos) break;
      in.erase(0, end + 4);
      ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    if (!close_after_) {
      while (::recv(fd, buf, sizeof(buf), 0) > 0) {
      }
    }
    ::close(fd);
  }

  std::vector<std::string> replies_;
  bool close_after_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST(SupportHttpClient, DecodesLengthAndChunkedOnOneConnection) {
  CannedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello",
                       "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n"});
  HttpClient client("127.0.0.1", server.port());
  HttpResponse first = client.get("/one");
  ASSERT_TRUE(first.ok) << first.error;
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "hello");
  EXPECT_EQ(first.header("x-a"), "b");
  HttpResponse second = client.post("/two", "{}");
  ASSERT_TRUE(second.ok) << second.error;
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, "abcde");
  EXPECT_EQ(client.connectionsOpened(), 1);
}

TEST(SupportHttpClient, ReadsUntilEofWithoutLength) {
  CannedServer server({"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"}, true);
  HttpResponse response = httpGet(server.port(), "/");
  ASSERT_TRUE(response.ok) << response.error;
  EXPECT_EQ(response.body, "all of it");
}

TEST(SupportHttpClient, ReadsSseEventsOneByOne) {
  CannedServer server(
      {"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
       "Transfer-Encoding: chunked\r\n\r\n"
       "9\r\ndata: a\n\n\r\n"
       "16\r\nevent: x\ndata: b\ndata:\r\n3\r\nc\n\n\r\n"
       "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n"});
  HttpClient client("127.0.0.1", server.port());
  HttpResponse head = client.startStream("GET", "/stream");
  ASSERT_TRUE(head.ok) << head.error;
  auto first = client.readSseEvent();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data, "a");
  auto second = client.readSseEvent();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->event, "x");
  EXPECT_EQ(second->data, "b\nc");
  auto third = client.readSseEvent();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->data, "[DONE]");
  EXPECT_FALSE(client.readSseEvent());
  EXPECT_TRUE(client.bodyComplete());
}

TEST(SupportHttpClient, TimesOutInsteadOfHanging) {
  CannedServer server({});
  HttpClient client("127.0.0.1", server.port());
  ASSERT_TRUE(client.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  HttpResponse response = client.readResponse(50ms);
  EXPECT_FALSE(response.ok);
  EXPECT_EQ(response.error, "timeout");
  EXPECT_FALSE(client.closedByPeer(50ms));
}

TEST(SupportHttpClient, SeesPeerClose) {
  CannedServer server({"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"}, true);
  HttpClient client("127.0.0.1", server.port());
  ASSERT_TRUE(client.sendRaw("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(client.closedByPeer(2s));
  HttpResponse response = client.readResponse(100ms);
  ASSERT_TRUE(response.ok) << response.error;
  EXPECT_EQ(response.status, 400);
}

TEST(SupportHttpClient, ConnectFailureIsReported) {
  HttpResponse response = httpGet(freeTcpPort(), "/", {}, 500ms);
  EXPECT_FALSE(response.ok);
  EXPECT_NE(response.error.find("connect"), std::string::npos) << response.error;
}

TEST(SupportProcess, RunProcessCapturesOutputAndStatus) {
  CliResult result = runProcess("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.output.find("out"), std::string::npos);
  EXPECT_NE(result.output.find("err"), std::string::npos);
  CliResult killed = runProcess("/bin/sh", {"-c", "sleep 5"}, {}, 50ms);
  EXPECT_EQ(killed.exit_code, -1);
}

TEST(SupportProcess, ChildPidsSeesChildren) {
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  auto children = childPids(::getpid());
  EXPECT_NE(std::find(children.begin(), children.end(), child), children.end());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}

TEST(SupportProcess, ProxyProcessKillsWholeGroup) {
  TempDir bin_dir;
  std::string script =
      bin_dir.write("fake-llmproxy", "#!/bin/sh\nsleep 100 &\nsleep 100 &\nwait\n");
  ::chmod(script.c_str(), 0755);
  ::setenv("LLMPROXY_BINARY", script.c_str(), 1);
  std::vector<pid_t> children;
  {
    ProxyProcess proxy("x = \"@DIR@\"\n");
    ::unsetenv("LLMPROXY_BINARY");
    EXPECT_EQ(readFile(proxy.configPath()), "x = \"" + proxy.dir() + "\"\n");
    ASSERT_TRUE(proxy.start());
    ASSERT_TRUE(eventually([&] { return proxy.workerPids().size() == 2; }));
    children = proxy.workerPids();
    EXPECT_TRUE(proxy.running());
    EXPECT_FALSE(proxy.waitExit(10ms).has_value());
  }
  for (pid_t child : children) {
    EXPECT_TRUE(eventually([&] { return !processAlive(child); })) << child;
  }
}

TEST(SupportProcess, WaitExitReportsStatus) {
  TempDir bin_dir;
  std::string script = bin_dir.write("fake-llmproxy", "#!/bin/sh\necho \"args: $*\"\nexit 7\n");
  ::chmod(script.c_str(), 0755);
  ::setenv("LLMPROXY_BINARY", script.c_str(), 1);
  ProxyProcess proxy("");
  ASSERT_TRUE(proxy.start());
  EXPECT_EQ(proxy.waitExit(), 7);
  EXPECT_FALSE(proxy.running());
  EXPECT_NE(proxy.stderrLog().find("args: -g -c " + proxy.configPath()), std::string::npos);
  CliResult cli = proxy.runCli({"-t"});
  ::unsetenv("LLMPROXY_BINARY");
  EXPECT_EQ(cli.exit_code, 7);
  EXPECT_EQ(cli.output, "args: -t\n");
}

}  // namespace
}  // namespace llmproxy::testing
