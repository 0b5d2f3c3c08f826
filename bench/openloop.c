// bench/openloop.c -- an open-loop HTTP/1.1 load generator for `make bench`: requests leave at
// a constant rate whatever the answers do, and each latency is measured from the time the
// request was *scheduled* to leave, so a stall shows in the numbers instead of slowing the
// sender down (no coordinated omission, unlike wrk).
//
//   openloop --port P --rate 10000 --duration 10 --conns 64 --body-file F [--path /v1/...]
//            [--header "Name: value"]...
// prints one line:
//   OPENLOOP rate=.. sent=.. done=.. errors=.. late=.. p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..
// `late` counts requests that found no free connection when due and waited for one (their
// wait is in their latency). One thread, epoll; keep-alive connections opened up front;
// responses framed by Content-Length or chunked encoding.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define HIST_US 1000000  // 1 µs buckets up to 1 s; slower answers count in the last one

typedef struct {
  int fd;
  int busy;
  uint64_t scheduled_ns;  // of the request in flight
  char buf[65536];
  size_t used;
} Conn;

static Conn conns[MAX_CONNS];
static uint32_t* hist;
static uint64_t done_count, error_count, late_count, max_us;

static uint64_t nowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

static int connectTo(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) die("connect");
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// Length of one complete response at the start of buf, 0 if incomplete, -1 if unreadable.
static long responseLength(const char* buf, size_t n) {
  const char* end = memmem(buf, n, "\r\n\r\n", 4);
  if (!end) return 0;
  const size_t head = (size_t)(end - buf) + 4;
  if (n < 12 || memcmp(buf, "HTTP/1.", 7) != 0) return -1;
  const char* cl = memmem(buf, head, "\ncontent-length:", 16);
  if (!cl) cl = memmem(buf, head, "\nContent-Length:", 16);
  if (cl) {
    const size_t len = strtoul(cl + 16, NULL, 10);
    return head + len <= n ? (long)(head + len) : 0;
  }
  // chunked: walk the chunks
  size_t at = head;
  for (;;) {
    const char* eol = memmem(buf + at, n - at, "\r\n", 2);
    if (!eol) return 0;
    const size_t size = strtoul(buf + at, NULL, 16);
    at = (size_t)(eol - buf) + 2;
    if (size == 0) return at + 2 <= n ? (long)(at + 2) : 0;
    at += size + 2;
    if (at > n) return 0;
  }
}

static void record(uint64_t latency_ns) {
  uint64_t us = latency_ns / 1000;
  if (us > max_us) max_us = us;
  if (us >= HIST_US) us = HIST_US - 1;
  hist[us]++;
  done_count++;
}

static uint64_t percentile(double p) {
  const uint64_t want = (uint64_t)(p / 100.0 * (double)done_count + 0.5);
  uint64_t seen = 0;
  for (uint64_t i = 0; i < HIST_US; i++) {
    seen += hist[i];
    if (seen >= want && seen > 0) return i;
  }
  return HIST_US;
}

int main(int argc, char** argv) {
  int port = 0, nconns = 64;
  double rate = 10000, duration = 10;
  const char* path = "/v1/chat/completions";
  const char* body_file = NULL;
  char headers[8192] = "";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--duration")) duration = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--conns")) nconns = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--path")) path = argv[i + 1];
    else if (!strcmp(argv[i], "--body-file")) body_file = argv[i + 1];
    else if (!strcmp(argv[i], "--header")) {
      strncat(headers, argv[i + 1], sizeof headers - strlen(headers) - 3);
      strcat(headers, "\r\n");
    } else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (port <= 0 || !body_file || nconns < 1 || nconns > MAX_CONNS || rate <= 0) {
    fprintf(stderr, "usage: openloop --port P --body-file F [--rate R] [--duration S] "
                    "[--conns N] [--path P] [--header H]...\n");
    return 2;
  }
  static char body[65536];
  FILE* f = fopen(body_file, "rb");
  if (!f) die(body_file);
  const size_t body_len = fread(body, 1, sizeof body, f);
  fclose(f);
  static char request[65536 + 16384];
  const int req_len = snprintf(request, sizeof request,
                               "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
                               "Content-Length: %zu\r\n\r\n%.*s",
                               path, headers, body_len, (int)body_len, body);
  if (req_len <= 0 || (size_t)req_len >= sizeof request) die("request too large");

  hist = calloc(HIST_US, sizeof *hist);
  if (!hist) die("calloc");
  prctl(PR_SET_TIMERSLACK, 1UL);  // wake up on time, not up to 50 µs late
  const int ep = epoll_create1(0);
  for (int i = 0; i < nconns; i++) {
    conns[i].fd = connectTo(port);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) != 0) die("epoll_ctl");
  }

  const uint64_t interval_ns = (uint64_t)(1e9 / rate);
  const uint64_t total = (uint64_t)(rate * duration);
  const uint64_t start = nowNs() + 1000000;  // first send in 1 ms
  uint64_t sent = 0;   // requests handed to a connection
  uint64_t due_waiting_since = 0;
  int next_free = 0;
  struct epoll_event events[256];
  const uint64_t give_up = start + (uint64_t)(duration * 1e9) + 5000000000ull;

  while ((sent < total || done_count + error_count < sent) && nowNs() < give_up) {
    uint64_t now = nowNs();
    // Send every request that is due, on free connections.
    while (sent < total && start + sent * interval_ns <= now) {
      int c = -1;
      for (int k = 0; k < nconns; k++) {
        const int idx = (next_free + k) % nconns;
        if (!conns[idx].busy && conns[idx].fd >= 0) {
          c = idx;
          break;
        }
      }
      if (c < 0) {
        if (due_waiting_since != start + sent * interval_ns) {
          due_waiting_since = start + sent * interval_ns;
          late_count++;
        }
        break;  // waits for a connection; its latency keeps counting from its schedule
      }
      next_free = (c + 1) % nconns;
      conns[c].busy = 1;
      conns[c].scheduled_ns = start + sent * interval_ns;
      conns[c].used = 0;
      if (write(conns[c].fd, request, (size_t)req_len) != req_len) {
        error_count++;
        close(conns[c].fd);
        conns[c].fd = -1;
      }
      sent++;
    }
    // Sleep until the next send is due or an answer arrives.
    int timeout_ms = 100;
    struct timespec ts = {0, 0}, *tsp = NULL;
    if (sent < total) {
      const uint64_t next = start + sent * interval_ns;
      const uint64_t wait = next > now ? next - now : 0;
      ts.tv_sec = (time_t)(wait / 1000000000ull);
      ts.tv_nsec = (long)(wait % 1000000000ull);
      tsp = &ts;
    } else {
      ts.tv_sec = timeout_ms / 1000;
      ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
      tsp = &ts;
    }
    const int n = epoll_pwait2(ep, events, 256, tsp, NULL);
    if (n < 0 && errno != EINTR) die("epoll_pwait2");
    for (int e = 0; e < n; e++) {
      Conn* c = &conns[events[e].data.u32];
      if (c->fd < 0) continue;
      const ssize_t r = read(c->fd, c->buf + c->used, sizeof c->buf - c->used);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        if (c->busy) error_count++;
        close(c->fd);
        c->fd = -1;
        continue;
      }
      c->used += (size_t)r;
      const long len = responseLength(c->buf, c->used);
      if (len < 0 || (len == 0 && c->used == sizeof c->buf)) {
        error_count++;
        close(c->fd);
        c->fd = -1;
        continue;
      }
      if (len > 0 && c->busy) {
        const int ok = memcmp(c->buf + 9, "200", 3) == 0;
        if (ok) record(nowNs() - c->scheduled_ns);
        else error_count++;
        c->busy = 0;
        c->used = 0;
      }
    }
  }
  printf("OPENLOOP rate=%.0f sent=%llu done=%llu errors=%llu late=%llu p50_us=%llu p90_us=%llu "
         "p99_us=%llu p999_us=%llu max_us=%llu\n",
         rate, (unsigned long long)sent, (unsigned long long)done_count,
         (unsigned long long)error_count, (unsigned long long)late_count,
         (unsigned long long)percentile(50), (unsigned long long)percentile(90),
         (unsigned long long)percentile(99), (unsigned long long)percentile(99.9),
         (unsigned long long)max_us);
  return 0;
}
