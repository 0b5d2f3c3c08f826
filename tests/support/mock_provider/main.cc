// llmproxy-mock: the mock LLM provider as a standalone server (make run, make bench, e2e tests).
#include <netdb.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/mock_provider/mock_provider.h"
#include "support/test_certs.h"

namespace {

using llmproxy::testing::MockProvider;

constexpr const char* kUsage =
    "usage: llmproxy-mock [--host 127.0.0.1] [--port 18080] [--tls --cert FILE --key FILE]\n"
    "                     [--self-signed DIR] [--port-file FILE] [--workers N] [--no-record]\n"
    "                     [--chunks N] [--chunk-delay-ms N] [--delay-ms N] [--ttft-ms N]\n"
    "                     [--status N] [--content TEXT] [--api-key KEY] [--models a,b,c]\n"
    "Serves a mock LLM API until SIGINT/SIGTERM (any path prefix works):\n"
    "  POST /v1/chat/completions, /v1/completions, /v1/embeddings   OpenAI\n"
    "  POST /v1/responses                                          OpenAI Responses\n"
    "  POST /v1/messages, /v1/messages/count_tokens                Anthropic; need x-api-key\n"
    "                                                              and anthropic-version\n"
    "  GET  /v1/models              Anthropic's list shape with an anthropic-version header\n"
    "  GET  /__mock/requests, /__mock/stats; POST /__mock/reset, /__mock/behaviour (JSON knobs)\n"
    "Per request, x-mock-* headers override the defaults:\n"
    "  x-mock-status N           answer N with the protocol's error body (529 overloaded_error)\n"
    "  x-mock-delay-ms N         before the head      x-mock-ttft-ms N  after the head\n"
    "  x-mock-chunks N           text content events  x-mock-chunk-delay-ms N  between events\n"
    "  x-mock-content TEXT       the reply text       x-mock-chunk-bytes N  filler per event\n"
    "  x-mock-body-bytes N       pad a JSON answer    x-mock-retry-after N  on error answers\n"
    "  x-mock-prompt-tokens N    x-mock-completion-tokens N   reported usage\n"
    "  x-mock-cache-read-tokens N  x-mock-cache-creation-tokens N   cached usage\n"
    "  x-mock-tool-calls N       with tools in the request: N tool calls (forced tool_choice: 1)\n"
    "  x-mock-tool-input JSON    each call's input    x-mock-thinking 1|0  reasoning block\n"
    "  x-mock-stop-reason R      end_turn max_tokens stop_sequence tool_use refusal (or OpenAI's)\n"
    "  x-mock-stop-sequence S    reported with stop_sequence\n"
    "  x-mock-reset-after N      TCP RST after N content events (0: before the head)\n"
    "  x-mock-error-after N      stream: the protocol's error event after N events, then end\n"
    "  x-mock-error-status N     its type (default 529 on Anthropic, 500 on OpenAI)\n"
    "  x-mock-stall-after N      stream: nothing after N events (non-streaming: after the head)\n"
    "  x-mock-api-key KEY        require KEY (Bearer / api-key; x-api-key on Anthropic)\n"
    "  x-mock-misbehave WHAT     junk many-headers short-length long-length cut-chunk endless\n"
    "A model named mock-status-NNN answers NNN. count_tokens answers ceil(text bytes / 4).\n"
    "--self-signed DIR writes ca.pem, cert.pem and key.pem into DIR and serves TLS with them.\n"
    "--workers N forks N processes sharing the port through SO_REUSEPORT.\n";

struct Args {
  MockProvider::Options options;
  std::string port_file;
  std::string self_signed_dir;
  int workers = 1;
};

bool parseArgs(int argc, char** argv, Args& args) {
  MockProvider::Options& o = args.options;
  o.port = 18080;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "llmproxy-mock: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&]() { return std::atoi(value()); };
    if (arg == "--host") {
      o.host = value();
    } else if (arg == "--port") {
      o.port = static_cast<uint16_t>(number());
    } else if (arg == "--tls") {
      o.tls = true;
    } else if (arg == "--cert") {
      o.cert_file = value();
    } else if (arg == "--key") {
      o.key_file = value();
    } else if (arg == "--self-signed") {
      args.self_signed_dir = value();
      o.tls = true;
    } else if (arg == "--port-file") {
      args.port_file = value();
    } else if (arg == "--workers") {
      args.workers = std::max(1, number());
    } else if (arg == "--no-record") {
      o.record = false;
    } else if (arg == "--chunks") {
      o.defaults.chunks = number();
    } else if (arg == "--chunk-delay-ms") {
      o.defaults.chunk_delay_ms = number();
    } else if (arg == "--delay-ms") {
      o.defaults.delay_ms = number();
    } else if (arg == "--ttft-ms") {
      o.defaults.ttft_ms = number();
    } else if (arg == "--status") {
      o.defaults.status = number();
    } else if (arg == "--content") {
      o.defaults.content = value();
    } else if (arg == "--api-key") {
      o.defaults.api_key = value();
    } else if (arg == "--models") {
      o.models.clear();
      std::string list = value();
      for (size_t start = 0; start <= list.size();) {
        size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) o.models.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      std::fprintf(stderr, "llmproxy-mock: unknown argument %s\n%s", argv[i], kUsage);
      return false;
    }
  }
  if (o.tls && args.self_signed_dir.empty() && (o.cert_file.empty() || o.key_file.empty())) {
    std::fprintf(stderr, "llmproxy-mock: --tls needs --cert and --key (or --self-signed DIR)\n");
    return false;
  }
  return true;
}

// Port file (if asked) and the "listening" line that scripts wait for.
void announce(const Args& args, uint16_t port) {
  std::printf("llmproxy-mock listening on %s:%u%s\n", args.options.host.c_str(),
              static_cast<unsigned>(port), args.options.tls ? " (tls)" : "");
  std::fflush(stdout);
  if (!args.port_file.empty()) {
    // Written whole then renamed: a reader never sees a partial number.
    std::string tmp = args.port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::rename(tmp.c_str(), args.port_file.c_str());
  }
}

// Binds host:port with SO_REUSEPORT without listening; fills in the port when it was 0.
int reservePort(const std::string& host, uint16_t& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list) != 0) {
    std::fprintf(stderr, "llmproxy-mock: cannot resolve %s\n", host.c_str());
    return -1;
  }
  int fd = ::socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (::bind(fd, list->ai_addr, list->ai_addrlen) != 0) {
    std::fprintf(stderr, "llmproxy-mock: cannot bind %s:%u: %s\n", host.c_str(),
                 static_cast<unsigned>(port), std::strerror(errno));
    freeaddrinfo(list);
    ::close(fd);
    return -1;
  }
  freeaddrinfo(list);
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                          : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return fd;
}

// Waits for SIGINT or SIGTERM; main blocks both first, so the loop threads and the forked
// workers inherit the mask and only sigwait sees them.
int waitForStopSignal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parseArgs(argc, argv, args)) return 2;
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGINT);
  sigaddset(&stop_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);

  MockProvider::Options& options = args.options;
  if (!args.self_signed_dir.empty()) {
    auto certs = llmproxy::testing::TestCerts::make(args.self_signed_dir);
    if (!certs.ok) {
      std::fprintf(stderr, "llmproxy-mock: %s\n", certs.error.c_str());
      return 1;
    }
    options.cert_file = certs.cert_file;
    options.key_file = certs.key_file;
  }

  if (args.workers == 1) {
    MockProvider mock(options);
    if (!mock.start()) {
      std::fprintf(stderr, "llmproxy-mock: %s\n", mock.lastError().c_str());
      return 1;
    }
    announce(args, mock.port());
    waitForStopSignal(stop_set);
    mock.stop();
    return 0;
  }

  // Several workers: reserve the port with a bound, never listening SO_REUSEPORT socket (it
  // takes no connections), then every forked worker listens on its own socket on that port.
  options.reuse_port = true;
  int reserve_fd = reservePort(options.host, options.port);
  if (reserve_fd < 0) return 1;
  int ready[2];
  if (pipe(ready) != 0) return 1;
  std::vector<pid_t> workers;
  for (int i = 0; i < args.workers; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::close(ready[0]);
      MockProvider mock(options);
      const bool ok = mock.start();
      if (!ok) std::fprintf(stderr, "llmproxy-mock: %s\n", mock.lastError().c_str());
      const char status = ok ? '1' : '0';
      [[maybe_unused]] ssize_t ignored = ::write(ready[1], &status, 1);
      ::close(ready[1]);
      if (!ok) _exit(1);
      waitForStopSignal(stop_set);
      mock.stop();
      _exit(0);
    }
    if (pid > 0) workers.push_back(pid);
  }
  ::close(ready[1]);
  int started = 0;
  char status = 0;
  while (::read(ready[0], &status, 1) == 1) started += status == '1' ? 1 : 0;
  ::close(ready[0]);
  int rc = 0;
  if (started == args.workers) {
    announce(args, options.port);
    waitForStopSignal(stop_set);
  } else {
    rc = 1;
  }
  for (pid_t pid : workers) kill(pid, SIGTERM);
  for (pid_t pid : workers) waitpid(pid, nullptr, 0);
  ::close(reserve_fd);
  return rc;
}
