// bench/streams.cc -- many concurrent SSE streams against an OpenAI-compatible endpoint.
//
// Part of `make bench` (bench/run.sh compiles it with g++ into build-bench/). One epoll thread,
// non-blocking sockets, TCP_NODELAY. Opens --conns connections (at most --parallel connecting
// at a time), sends one streaming chat completion on each and reads the answer: HTTP/1.1 head,
// chunked or content-length body, SSE events. Counts events per stream and drops: a stream that
// ends (EOF, reset, timeout) before "data: [DONE]", or answers non-200, is dropped.
// With --repeat R each connection runs R streams one after the other (keep-alive): used with
// --conns 1 to measure time to first event (TTFT) without connection setup.
//
// Prints progress to stderr, writes --ready-file once every connection has its response head
// (or has failed), and ends with one machine-readable line on stdout:
//   STREAMS conns=.. streams=.. ok=.. dropped=.. connect_errors=.. http_errors=.. events=..
//           ttft_p50_us=.. ttft_p99_us=.. total_p50_us=.. total_p99_us=.. ramp_ms=.. elapsed_ms=..
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t nowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/v1/chat/completions";
  std::string key = "sk-bench";
  std::string model = "bench";
  int conns = 100;
  int parallel = 256;  // connections being set up at once
  int repeat = 1;      // streams per connection, one after the other
  int chunks = 40;     // x-mock-chunks
  int delay_ms = 1000; // x-mock-chunk-delay-ms
  int timeout_s = 0;   // 0 = derived from chunks * delay
  std::string ready_file;
};

enum class State { kIdle, kConnecting, kSending, kHead, kBody, kDone, kFailed };

struct Conn {
  int fd = -1;
  State state = State::kIdle;
  std::string out;
  size_t out_off = 0;
  std::string in;       // raw bytes not yet consumed (head, chunk framing)
  std::string sse;      // decoded body not yet split into events
  bool chunked = false;
  int64_t content_left = -1;  // with content-length
  int64_t chunk_left = 0;     // bytes left in the current chunk (chunked)
  bool in_chunk_trailer = false;
  int streams_left = 0;
  int events = 0;
  bool got_done = false;
  bool headed = false;  // counted toward "ready"
  int64_t sent_us = 0;
  int64_t first_event_us = 0;
};

struct Stats {
  int streams = 0, ok = 0, dropped = 0, connect_errors = 0, http_errors = 0;
  int64_t events = 0;
  std::vector<int64_t> ttft_us, total_us;
};

Options opt;
Stats stats;
std::vector<Conn> conns;
int epfd = -1;
int connecting = 0;
int next_to_open = 0;
int headed_count = 0;
int finished_conns = 0;
std::string request;
sockaddr_in addr{};

void markHeaded(Conn& c) {
  if (c.headed) return;
  c.headed = true;
  ++headed_count;
}

void closeConn(Conn& c) {
  if (c.fd >= 0) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }
  ++finished_conns;
}

// A stream that did not reach [DONE]: dropped (and the connection's remaining streams too).
void fail(Conn& c, bool connect_error) {
  if (c.state == State::kDone || c.state == State::kFailed) return;
  if (c.state == State::kConnecting) --connecting;
  markHeaded(c);
  int lost = c.streams_left;
  stats.streams += lost;
  stats.dropped += lost;
  if (connect_error) stats.connect_errors += lost;
  c.state = State::kFailed;
  closeConn(c);
}

void startRequest(Conn& c) {
  c.out = request;
  c.out_off = 0;
  c.in.clear();
  c.sse.clear();
  c.chunked = false;
  c.content_left = -1;
  c.chunk_left = 0;
  c.in_chunk_trailer = false;
  c.events = 0;
  c.got_done = false;
  c.first_event_us = 0;
  c.sent_us = nowUs();
  c.state = State::kSending;
}

void watch(Conn& c, uint32_t events, int op) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u32 = static_cast<uint32_t>(&c - conns.data());
  epoll_ctl(epfd, op, c.fd, &ev);
}

void openMore() {
  while (connecting < opt.parallel && next_to_open < opt.conns) {
    Conn& c = conns[next_to_open++];
    c.streams_left = opt.repeat;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      std::fprintf(stderr, "streams: socket: %s\n", std::strerror(errno));
      c.state = State::kConnecting;
      ++connecting;
      fail(c, true);
      continue;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int rc = ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    c.state = State::kConnecting;
    ++connecting;
    if (rc != 0 && errno != EINPROGRESS) {
      fail(c, true);
      continue;
    }
    watch(c, EPOLLOUT, EPOLL_CTL_ADD);
  }
}

bool flush(Conn& c) {
  while (c.out_off < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      watch(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
      return true;
    } else {
      return false;
    }
  }
  c.state = State::kHead;
  watch(c, EPOLLIN, EPOLL_CTL_MOD);
  return true;
}

// Splits decoded body bytes into SSE events.
void consumeSse(Conn& c) {
  size_t pos = 0;
  for (;;) {
    size_t end = c.sse.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string_view event(c.sse.data() + pos, end - pos);
    if (event.substr(0, 5) == "data:") {
      if (c.first_event_us == 0) c.first_event_us = nowUs();
      if (event.find("[DONE]") != std::string_view::npos) {
        c.got_done = true;
      } else {
        ++c.events;
      }
    }
    pos = end + 2;
  }
  c.sse.erase(0, pos);
}

// The response is complete: record it, then start the next stream or close.
void responseDone(Conn& c) {
  ++stats.streams;
  --c.streams_left;
  stats.events += c.events;
  if (c.got_done) {
    ++stats.ok;
    int64_t now = nowUs();
    stats.ttft_us.push_back(c.first_event_us - c.sent_us);
    stats.total_us.push_back(now - c.sent_us);
  } else {
    ++stats.dropped;
  }
  if (c.streams_left > 0) {
    startRequest(c);
    if (!flush(c)) fail(c, false);
  } else {
    c.state = State::kDone;
    closeConn(c);
  }
}

// Parses what arrived; false when the connection is broken.
bool parse(Conn& c) {
  if (c.state == State::kHead) {
    // The CRLF that ends the previous chunked response may arrive after we moved on.
    size_t lead = 0;
    while (lead + 1 < c.in.size() && c.in[lead] == '\r' && c.in[lead + 1] == '\n') lead += 2;
    if (lead > 0) c.in.erase(0, lead);
    size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return c.in.size() < 65536;
    std::string head = c.in.substr(0, end);
    c.in.erase(0, end + 4);
    int status = 0;
    if (head.size() > 12) status = std::atoi(head.c_str() + 9);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    c.chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
    size_t cl = lower.find("content-length:");
    if (cl != std::string::npos) c.content_left = std::atoll(lower.c_str() + cl + 15);
    markHeaded(c);
    if (status != 200) {
      ++stats.http_errors;
      static int reported = 0;
      if (reported++ < 3) std::fprintf(stderr, "streams: HTTP %d\n", status);
    }
    c.state = State::kBody;
  }
  if (c.state != State::kBody) return true;
  if (c.chunked) {
    for (;;) {
      if (c.chunk_left > 0) {
        size_t take = std::min<size_t>(c.in.size(), static_cast<size_t>(c.chunk_left));
        c.sse.append(c.in, 0, take);
        c.in.erase(0, take);
        c.chunk_left -= static_cast<int64_t>(take);
        if (c.chunk_left > 0) break;
        c.in_chunk_trailer = true;  // the CRLF after the data
      }
      if (c.in_chunk_trailer) {
        if (c.in.size() < 2) break;
        c.in.erase(0, 2);
        c.in_chunk_trailer = false;
      }
      size_t eol = c.in.find("\r\n");
      if (eol == std::string::npos) break;
      int64_t size = std::strtoll(c.in.c_str(), nullptr, 16);
      c.in.erase(0, eol + 2);
      if (size == 0) {
        // Last chunk: the final CRLF (no trailers expected) may still be in flight; fine.
        consumeSse(c);
        c.in.clear();
        responseDone(c);
        return true;
      }
      c.chunk_left = size;
    }
    consumeSse(c);
    return true;
  }
  if (c.content_left >= 0) {
    size_t take = std::min<size_t>(c.in.size(), static_cast<size_t>(c.content_left));
    c.sse.append(c.in, 0, take);
    c.in.erase(0, take);
    c.content_left -= static_cast<int64_t>(take);
    consumeSse(c);
    if (c.content_left == 0) responseDone(c);
    return true;
  }
  // Delimited by close.
  c.sse += c.in;
  c.in.clear();
  consumeSse(c);
  return true;
}

void onEvent(Conn& c, uint32_t events) {
  if (c.state == State::kConnecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      static int reported = 0;
      if (reported++ < 3) std::fprintf(stderr, "streams: connect: %s\n", std::strerror(err));
      fail(c, true);
      return;
    }
    --connecting;
    startRequest(c);
    if (!flush(c)) fail(c, false);
    return;
  }
  if (c.state == State::kSending) {
    if (!flush(c)) fail(c, false);
    if (!(events & EPOLLIN)) return;
  }
  if (c.state != State::kHead && c.state != State::kBody) return;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
    if (n > 0) {
      c.in.append(buf, static_cast<size_t>(n));
      if (!parse(c)) {
        fail(c, false);
        return;
      }
      if (c.state != State::kHead && c.state != State::kBody) return;
      continue;
    }
    if (n < 0 && errno == EAGAIN) return;
    // EOF or error. A close-delimited body that saw [DONE] is complete.
    if (n == 0 && c.state == State::kBody && !c.chunked && c.content_left < 0 && c.got_done) {
      responseDone(c);
      if (c.state == State::kDone) return;
    }
    fail(c, false);
    return;
  }
}

int64_t percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

bool parseArgs(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "streams: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host") opt.host = val();
    else if (a == "--port") opt.port = std::atoi(val());
    else if (a == "--path") opt.path = val();
    else if (a == "--key") opt.key = val();
    else if (a == "--model") opt.model = val();
    else if (a == "--conns") opt.conns = std::atoi(val());
    else if (a == "--parallel") opt.parallel = std::max(1, std::atoi(val()));
    else if (a == "--repeat") opt.repeat = std::max(1, std::atoi(val()));
    else if (a == "--chunks") opt.chunks = std::atoi(val());
    else if (a == "--delay-ms") opt.delay_ms = std::atoi(val());
    else if (a == "--timeout") opt.timeout_s = std::atoi(val());
    else if (a == "--ready-file") opt.ready_file = val();
    else {
      std::fprintf(stderr,
                   "usage: streams --port P [--host H] [--path P] [--key K] [--model M] "
                   "[--conns N] [--parallel N] [--repeat R] [--chunks N] [--delay-ms N] "
                   "[--timeout S] [--ready-file F]\n");
      return false;
    }
  }
  return opt.port > 0 && opt.conns > 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!parseArgs(argc, argv)) return 2;
  std::signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (static_cast<rlim_t>(opt.conns) + 32 > rl.rlim_cur) {
    std::fprintf(stderr, "streams: %d connections need more than the open-file limit %llu\n",
                 opt.conns, static_cast<unsigned long long>(rl.rlim_cur));
  }
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(opt.port));
  if (inet_pton(AF_INET, opt.host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "streams: bad IPv4 host %s\n", opt.host.c_str());
    return 2;
  }

  // A realistic chat body (system prompt + a short conversation), streamed.
  std::string body =
      R"({"model":")" + opt.model +
      R"(","stream":true,"temperature":0.7,"max_tokens":256,"messages":[)"
      R"({"role":"system","content":"You are a helpful assistant for an online store. Answer briefly and politely, cite the order number when there is one, and never invent shipping dates."},)"
      R"({"role":"user","content":"Hi, I ordered a pair of running shoes last week (order 48213) and the tracking page has said 'label created' for four days. Can you tell me what is going on?"},)"
      R"({"role":"assistant","content":"I'm sorry about the wait. Order 48213 was packed on Monday; the carrier has not scanned it yet, which usually means it is waiting for pickup at the warehouse."},)"
      R"({"role":"user","content":"OK. If it does not move by Friday, can I get a refund or a replacement shipped with express delivery instead?"}]})";
  request = "POST " + opt.path + " HTTP/1.1\r\nHost: " + opt.host + ":" +
            std::to_string(opt.port) +
            "\r\nAuthorization: Bearer " + opt.key +
            "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
            "x-mock-chunks: " + std::to_string(opt.chunks) +
            "\r\nx-mock-chunk-delay-ms: " + std::to_string(opt.delay_ms) +
            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;

  int64_t stream_us = static_cast<int64_t>(opt.chunks) * opt.delay_ms * 1000;
  int timeout_s = opt.timeout_s > 0
                      ? opt.timeout_s
                      : static_cast<int>(stream_us * opt.repeat / 1000000) + 60;

  epfd = epoll_create1(EPOLL_CLOEXEC);
  conns.resize(static_cast<size_t>(opt.conns));
  int64_t start = nowUs();
  int64_t deadline = start + static_cast<int64_t>(timeout_s) * 1000000;
  int64_t ramp_us = -1;
  int64_t last_progress = start;
  std::vector<epoll_event> events(1024);
  openMore();
  while (finished_conns < opt.conns) {
    int n = epoll_wait(epfd, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) onEvent(conns[events[i].data.u32], events[i].events);
    openMore();
    int64_t now = nowUs();
    if (ramp_us < 0 && headed_count >= opt.conns) {
      ramp_us = now - start;
      std::fprintf(stderr, "streams: all %d connections answered in %.1f s\n", opt.conns,
                   static_cast<double>(ramp_us) / 1e6);
      if (!opt.ready_file.empty()) {
        std::string tmp = opt.ready_file + ".tmp";
        if (FILE* f = std::fopen(tmp.c_str(), "w")) {
          std::fprintf(f, "%d\n", opt.conns);
          std::fclose(f);
          std::rename(tmp.c_str(), opt.ready_file.c_str());
        }
      }
    }
    if (now - last_progress > 10000000 && opt.conns > 1) {
      last_progress = now;
      std::fprintf(stderr, "streams: %.0f s: %d/%d answered, %d finished, ok=%d dropped=%d\n",
                   static_cast<double>(now - start) / 1e6, headed_count, opt.conns,
                   finished_conns, stats.ok, stats.dropped);
    }
    if (now > deadline) {
      std::fprintf(stderr, "streams: timeout after %d s\n", timeout_s);
      for (Conn& c : conns) {
        if (c.state == State::kIdle) {
          c.streams_left = opt.repeat;
          c.state = State::kConnecting;
          ++connecting;
        }
        fail(c, false);
      }
      break;
    }
  }
  int64_t elapsed = nowUs() - start;
  std::printf(
      "STREAMS conns=%d streams=%d ok=%d dropped=%d connect_errors=%d http_errors=%d "
      "events=%lld ttft_p50_us=%lld ttft_p99_us=%lld total_p50_us=%lld total_p99_us=%lld "
      "ramp_ms=%lld elapsed_ms=%lld\n",
      opt.conns, stats.streams, stats.ok, stats.dropped, stats.connect_errors, stats.http_errors,
      static_cast<long long>(stats.events),
      static_cast<long long>(percentile(stats.ttft_us, 50)),
      static_cast<long long>(percentile(stats.ttft_us, 99)),
      static_cast<long long>(percentile(stats.total_us, 50)),
      static_cast<long long>(percentile(stats.total_us, 99)),
      static_cast<long long>(ramp_us < 0 ? -1 : ramp_us / 1000),
      static_cast<long long>(elapsed / 1000));
  return stats.dropped == 0 ? 0 : 1;
}
