#!/usr/bin/env bash
# bench/run.sh -- `make bench`: llmproxy against a direct baseline and nginx, in one run.
#
# Placement (DESIGN.md §9): the system under test (nginx or llmproxy, 1 worker each) is pinned to
# CPU $BENCH_PROXY_CPU; the load generator (wrk / bench-streams) and the mock provider share
# CPU $BENCH_LOAD_CPU. The direct baseline uses the same placement without a proxy in between.
#
# Scenarios, for each of direct, nginx and llmproxy:
#   chat     non-streaming chat completions, wrk -t1 -c$BENCH_CONNS -d$BENCH_DURATION (bench/chat.lua)
#   c1       the same at 1 connection: latency p50/p99 (+ x-llmproxy-overhead-us when sent)
#   stream   streaming answers of 20 chunks, wrk -t1 -c$BENCH_CONNS (bench/stream.lua)
#   ttft     1 connection, $BENCH_TTFT_STREAMS streams one after the other: time to first event
#   limits   bench-limits (bench/limits.cc): cost of one limit check, local shared memory and one
#            EVALSHA to a private redis-server (1 in flight: latency; 64 pipelined: checks/s)
#   streams  $BENCH_STREAMS concurrent slow streams (1 chunk/s, $BENCH_HOLD+10 chunks) held for
#            $BENCH_HOLD s (bench/streams.cc); RSS idle vs during -> RSS per open stream
#   open     bench-openloop (bench/openloop.c): $BENCH_OPEN_RATE req/s at a constant rate for
#            $BENCH_DURATION s, latency from each request's scheduled send time (p50/p99/p99.9)
#   reload   llmproxy only: the chat run again with $BENCH_RELOADS SIGHUPs spread over it
# For every wrk run of nginx and llmproxy, also per request: the CPU time of the system's
# processes (master + workers, /proc/PID/schedstat) and its allocations (malloc, calloc, realloc,
# memalign: bench/malloc_count.c, LD_PRELOADed into both). RSS/PSS/private per process, idle.
#
# Environment (defaults in brackets):
#   BENCH_DURATION [10]  seconds per wrk run      BENCH_STREAMS [10000]  concurrent slow streams
#   BENCH_HOLD [30]      seconds they are held    BENCH_CONNS [50]       wrk connections
#   BENCH_SYSTEMS ["direct nginx llmproxy"]       BENCH_TTFT_STREAMS [2000]
#   BENCH_PROXY_CPU [0]  BENCH_LOAD_CPU [1]       BENCH_BUILD [build-bench]
#   BENCH_SKIP_BUILD=1   use the binaries already in $BENCH_BUILD
#   BENCH_LIMITS [1]     0 skips the limit-check benchmark
#   BENCH_TRANSLATE [1]  0 skips the cross-protocol scenarios and translation micro-benchmarks
#   BENCH_TRACING [1]    0 skips the tracing scenarios: llmproxy chat (c$BENCH_CONNS and c1) with
#                        tracing off, exporting to a live collector (the mock), to a dead one
#                        (connection refused) and to a blackhole (accepts, never answers);
#                        OTLP and Langfuse both on, every request sampled
#   BENCH_OPEN_RATE [10000]  open-loop rate, 0 skips it   BENCH_RELOADS [20]  0 skips reload
#   BENCH_MALLOC_COUNT [1]   0 runs the systems without the allocation counter
# Quick run (< 2 min): BENCH_DURATION=3 BENCH_STREAMS=1000 BENCH_HOLD=5 bench/run.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR="$ROOT/bench"
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
DURATION=${BENCH_DURATION:-10}
STREAMS=${BENCH_STREAMS:-10000}
HOLD=${BENCH_HOLD:-30}
CONNS=${BENCH_CONNS:-50}
TTFT_STREAMS=${BENCH_TTFT_STREAMS:-2000}
SYSTEMS=${BENCH_SYSTEMS:-"direct nginx llmproxy"}
OPEN_RATE=${BENCH_OPEN_RATE:-10000}
RELOADS=${BENCH_RELOADS:-20}
PROXY_CPU=${BENCH_PROXY_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
WARMUP=2

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- dependencies -------------------------------------------------------------------------
need_pkgs=()
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx-light)
command -v taskset >/dev/null 2>&1 || need_pkgs+=(util-linux)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v g++ >/dev/null 2>&1 || need_pkgs+=(g++)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} (apt-get)"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${need_pkgs[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NCPU=$(nproc)
if [ "$NCPU" -lt 2 ]; then
  log "only $NCPU CPU: everything shares CPU 0 (numbers are not comparable to RESULTS.md)"
  PROXY_CPU=0
  LOAD_CPU=0
fi

# ---- build --------------------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  # Configured every time (cheap when nothing changed): a build dir made before a target was
  # added would otherwise not know it.
  log "configuring a Release build in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLLMPROXY_TESTS=ON \
    -DLLMPROXY_WERROR=OFF >/dev/null
  log "building llmproxy, llmproxy-mock and bench-limits (Release)"
  cmake --build "$BUILD" -j"$NCPU" --target llmproxy llmproxy-mock bench-limits bench-translate \
    bench-protocol >/dev/null
fi
if [ ! -x "$BUILD/bench-streams" ] || [ "$BENCH_DIR/streams.cc" -nt "$BUILD/bench-streams" ]; then
  log "compiling bench/streams.cc"
  g++ -std=c++17 -O2 -Wall -o "$BUILD/bench-streams" "$BENCH_DIR/streams.cc"
fi
if [ ! -x "$BUILD/bench-openloop" ] || [ "$BENCH_DIR/openloop.c" -nt "$BUILD/bench-openloop" ]; then
  log "compiling bench/openloop.c"
  gcc -O2 -Wall -o "$BUILD/bench-openloop" "$BENCH_DIR/openloop.c"
fi
MALLOC_SO=""
if [ "${BENCH_MALLOC_COUNT:-1}" != 0 ]; then
  MALLOC_SO="$BUILD/malloc_count.so"
  if [ ! -f "$MALLOC_SO" ] || [ "$BENCH_DIR/malloc_count.c" -nt "$MALLOC_SO" ]; then
    log "compiling bench/malloc_count.c"
    gcc -O2 -Wall -shared -fPIC -o "$MALLOC_SO" "$BENCH_DIR/malloc_count.c"
  fi
fi
LLMPROXY="$BUILD/llmproxy"
MOCK="$BUILD/tests/llmproxy-mock"
STREAMS_BIN="$BUILD/bench-streams"
[ -x "$LLMPROXY" ] || die "$LLMPROXY missing"
[ -x "$MOCK" ] || die "$MOCK missing"

# ---- limits -------------------------------------------------------------------------------
HARD_NOFILE=$(ulimit -Hn)
[ "$HARD_NOFILE" = unlimited ] && HARD_NOFILE=1048576
WANT_NOFILE=65536
[ "$HARD_NOFILE" -lt "$WANT_NOFILE" ] && WANT_NOFILE=$HARD_NOFILE
ulimit -n "$WANT_NOFILE" 2>/dev/null || ulimit -n "$HARD_NOFILE"
NOFILE=$(ulimit -n)
# A proxy holds two sockets per stream (client + upstream); with a low limit the streams
# scenario uses more workers, the same number for nginx and llmproxy.
STREAM_WORKERS=$(( (2 * STREAMS + 512 + NOFILE - 1) / NOFILE ))
[ "$STREAM_WORKERS" -lt 1 ] && STREAM_WORKERS=1
if [ "$STREAMS" -gt $((NOFILE - 64)) ]; then
  log "warning: the open-file limit $NOFILE is too low for $STREAMS streams in one client/mock"
fi
if [ "$STREAM_WORKERS" -gt 1 ]; then
  log "open-file limit $NOFILE (hard $HARD_NOFILE): $STREAMS streams need $((2 * STREAMS)) proxy" \
      "sockets, so the streams scenario runs $STREAM_WORKERS workers for nginx and llmproxy"
fi

# ---- scratch space and cleanup ------------------------------------------------------------
TMP=$(mktemp -d /tmp/llmproxy-bench.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then log "scratch files kept in $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # port [seconds]
  local i
  for ((i = 0; i < ${2:-10} * 20; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# VmRSS in KiB of a process and all its children (master + workers).
rss_tree_kb() {
  local pid=$1 total=0 p kb
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
# The system's processes: the master and its children.
sys_pids() { [ -n "$SYS_PID" ] && echo "$SYS_PID" $(pgrep -P "$SYS_PID" 2>/dev/null || true); }
# CPU time in ns of the system's processes (schedstat: time on CPU, all threads).
cpu_ns() {
  local p total=0 ns
  for p in $(sys_pids); do
    ns=$(awk '{print $1}' "/proc/$p/schedstat" 2>/dev/null || echo 0)
    total=$((total + ${ns:-0}))
  done
  echo "$total"
}
# Allocations so far by the system's processes (bench/malloc_count.c counters).
mallocs() {
  local p total=0 n
  for p in $(sys_pids); do
    [ -f "$TMP/mc/$p" ] || continue
    n=$(od -A n -t u8 -N 8 "$TMP/mc/$p" | tr -d ' ')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
# "master=RSS/PSS/private ..." in KiB, per process (smaps_rollup).
mem_detail() {
  local pid=$1 p out="" role
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    role=$([ "$p" = "$pid" ] && echo master || echo worker)
    out+="$role=$(awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Private_Clean:/ {c=$2} /^Private_Dirty:/ {d=$2}
      END {printf "%d/%d/%d", r, p, c + d}' "/proc/$p/smaps_rollup" 2>/dev/null) "
  done
  echo "${out% }"
}
# "master=K worker=K ..." for the record
rss_detail() {
  local pid=$1 p out
  out="master=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
  for p in $(pgrep -P "$pid" 2>/dev/null || true); do
    out+=" worker=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)"
  done
  echo "$out"
}

declare -A R  # results: R[system.key]=value

# Stores "KEY=V KEY=V" words of a result line under prefix.
store() {  # prefix line
  local prefix=$1 w
  for w in $2; do
    case $w in *=*) R[$prefix.${w%%=*}]=${w#*=} ;; esac
  done
}

# ---- the mock provider --------------------------------------------------------------------
MOCK_PORT=$(free_port)
taskset -c "$LOAD_CPU" "$MOCK" --host 127.0.0.1 --port "$MOCK_PORT" --no-record \
  --port-file "$TMP/mock.port" >"$TMP/mock.log" 2>&1 &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
wait_port "$MOCK_PORT" || die "the mock did not start (see $TMP/mock.log)"

# ---- systems under test -------------------------------------------------------------------
SYS_PID=""
SYS_PORT=""

# The environment of a system under test: the allocation counter (when built). Through `env`,
# which execs, so $! is the system's own pid.
PRELOAD_ENV=()
if [ -n "$MALLOC_SO" ]; then
  mkdir -p "$TMP/mc"
  PRELOAD_ENV=(MALLOC_COUNT_DIR="$TMP/mc" LD_PRELOAD="$MALLOC_SO")
fi

start_nginx() {  # workers
  local dir="$TMP/nginx" reuse=""
  mkdir -p "$dir/logs" "$dir/tmp"
  SYS_PORT=$(free_port)
  [ "$1" -gt 1 ] && reuse=" reuseport"
  cat >"$dir/nginx.conf" <<EOF
worker_processes $1;
worker_rlimit_nofile $NOFILE;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections $((NOFILE - 64)); }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 100000;
  upstream mock {
    server 127.0.0.1:$MOCK_PORT;
    keepalive 64;
    keepalive_requests 100000;
  }
  server {
    listen 127.0.0.1:$SYS_PORT backlog=4096$reuse;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
EOF
  env "${PRELOAD_ENV[@]}" taskset -c "$PROXY_CPU" "$NGINX" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off; master_process on;' \
    >"$dir/stdout.log" 2>&1 &
  SYS_PID=$!
  PIDS+=("$SYS_PID")
}

start_llmproxy() {  # workers
  local dir="$TMP/llmproxy"
  mkdir -p "$dir"
  SYS_PORT=$(free_port)
  local admin_port
  admin_port=$(free_port)
  cat >"$dir/llmproxy.conf" <<EOF
[server]
listen = ["127.0.0.1:$SYS_PORT"]
admin_listen = "127.0.0.1:$admin_port"
workers = $1
pid_file = "$dir/llmproxy.pid"
keepalive_requests = 1000000
$([ "$(id -u)" = 0 ] && echo 'user = "root"' || true)

[log]
error_log = "$dir/error.log"
access_log = "off"
level = "warn"

[[provider]]
id = "mock"
type = "openai-compatible"
api_base = "http://127.0.0.1:$MOCK_PORT/v1"
models = ["bench"]

# The same mock, spoken to in Anthropic's Messages protocol (translated scenarios).
[[provider]]
id = "mock-anthropic"
type = "anthropic"
api_base = "http://127.0.0.1:$MOCK_PORT/v1"
api_key = "bench-anthropic-key"
models = ["bench-anthropic"]

[[key]]
name = "bench"
key = "sk-bench"
${LLMPROXY_EXTRA_CONF:-}
EOF
  env "${PRELOAD_ENV[@]}" taskset -c "$PROXY_CPU" "$LLMPROXY" -g -c "$dir/llmproxy.conf" >"$dir/stdout.log" 2>&1 &
  SYS_PID=$!
  PIDS+=("$SYS_PID")
}

start_system() {  # name workers
  case $1 in
    direct) SYS_PID=""; SYS_PORT=$MOCK_PORT; return 0 ;;
    nginx) start_nginx "$2" ;;
    llmproxy) start_llmproxy "$2" ;;
  esac
  wait_port "$SYS_PORT" || die "$1 did not start (see $TMP/$1)"
  # Workers up: wait until the master has its children.
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(pgrep -P "$SYS_PID" | wc -l)" -ge "$2" ] && break
    sleep 0.05
  done
  local code
  code=$(curl -s -o "$TMP/$1.check" -w '%{http_code}' -H 'Authorization: Bearer sk-bench' \
    -H 'Content-Type: application/json' \
    -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}' \
    "http://127.0.0.1:$SYS_PORT/v1/chat/completions" || true)
  [ "$code" = 200 ] || die "$1 answered HTTP $code to a test request: $(head -c 300 "$TMP/$1.check")"
}

stop_system() {
  [ -n "$SYS_PID" ] || return 0
  kill -TERM "$SYS_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$SYS_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$SYS_PID" 2>/dev/null || true
  wait "$SYS_PID" 2>/dev/null || true
  SYS_PID=""
}

run_wrk() {  # name scenario conns duration script [env...]
  local name=$1 scen=$2 c=$3 d=$4 script=$5
  shift 5
  local out="$TMP/$name.$scen.wrk"
  local cpu0 m0
  cpu0=$(cpu_ns)
  m0=$(mallocs)
  env "$@" taskset -c "$LOAD_CPU" wrk -t1 -c"$c" -d"${d}s" --latency -s "$BENCH_DIR/$script" \
    "http://127.0.0.1:$SYS_PORT" >"$out" 2>&1 || true
  local cpu1 m1
  cpu1=$(cpu_ns)
  m1=$(mallocs)
  local line
  line=$(grep '^WRK ' "$out" || true)
  [ -n "$line" ] || { log "$name $scen: wrk failed:"; cat "$out" >&2; return 0; }
  store "$name.$scen" "$line"
  local n=${R[$name.$scen.requests]:-0}
  if [ -n "$SYS_PID" ] && [ "$n" -gt 0 ]; then
    R[$name.$scen.cpu_us]=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n / 1000 }')
    [ -n "$MALLOC_SO" ] && R[$name.$scen.mallocs]=$(awk -v a="$m0" -v b="$m1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
    line+=" cpu_us_per_req=${R[$name.$scen.cpu_us]} mallocs_per_req=${R[$name.$scen.mallocs]:--}"
  fi
  log "$name $scen: $line"
}

run_openloop() {  # name
  local name=$1 body="$TMP/openloop.body"
  [ "$OPEN_RATE" != 0 ] || return 0
  printf '%s' '{"model":"bench","temperature":0.7,"max_tokens":256,"user":"bench-user-1842","messages":[{"role":"system","content":"You are a helpful assistant for an online store. Answer briefly and politely, cite the order number when there is one."},{"role":"user","content":"Hi, I ordered a pair of running shoes last week (order 48213) and the tracking page has said label created for four days. Can you tell me what is going on?"}]}' >"$body"
  local line
  line=$(taskset -c "$LOAD_CPU" "$BUILD/bench-openloop" --port "$SYS_PORT" --rate "$OPEN_RATE" \
    --duration "$DURATION" --conns 64 --body-file "$body" \
    --header "Authorization: Bearer sk-bench" --header "Content-Type: application/json" \
    2>"$TMP/$name.openloop.err" || true)
  store "$name.open" "$line"
  log "$name open loop: $line"
}

# The chat run again while the master gets $RELOADS SIGHUPs spread over it (llmproxy only).
run_reload() {  # name
  local name=$1
  [ "$RELOADS" != 0 ] && [ "$name" = llmproxy ] || return 0
  (
    local i gap
    gap=$(awk -v d="$DURATION" -v n="$RELOADS" 'BEGIN { printf "%.3f", d / (n + 1) }')
    for ((i = 0; i < RELOADS; i++)); do
      sleep "$gap"
      kill -HUP "$SYS_PID" 2>/dev/null || true
    done
  ) &
  local hup=$!
  run_wrk "$name" reload "$CONNS" "$DURATION" chat.lua
  wait "$hup" 2>/dev/null || true
}

run_system() {  # name
  local name=$1
  log "=== $name ==="
  start_system "$name" 1
  if [ -n "$SYS_PID" ]; then
    R[$name.rss_idle_kb]=$(rss_tree_kb "$SYS_PID")
    R[$name.rss_idle_detail]=$(rss_detail "$SYS_PID")
  fi
  run_wrk "$name" warmup "$CONNS" "$WARMUP" chat.lua
  # After one warm-up: the idle memory of a worker that has served requests.
  [ -n "$SYS_PID" ] && R[$name.mem_detail]=$(mem_detail "$SYS_PID")
  run_wrk "$name" chat "$CONNS" "$DURATION" chat.lua
  run_reload "$name"
  run_wrk "$name" c1 1 "$DURATION" chat.lua BENCH_OVERHEAD=1
  run_wrk "$name" stream "$CONNS" "$DURATION" stream.lua
  run_openloop "$name"
  if [ "$name" = llmproxy ] && [ "${BENCH_TRANSLATE:-1}" != 0 ]; then
    # Cross-protocol: an Anthropic client on the OpenAI-compatible provider, a chat client on
    # the Anthropic provider (both translated both ways), and Messages on Anthropic (bypass).
    run_wrk "$name" msg_oai "$CONNS" "$DURATION" messages.lua BENCH_MODEL=bench
    run_wrk "$name" msg_oai_stream "$CONNS" "$DURATION" messages.lua BENCH_MODEL=bench BENCH_STREAM=1
    run_wrk "$name" chat_anth "$CONNS" "$DURATION" chat.lua BENCH_MODEL=bench-anthropic
    run_wrk "$name" chat_anth_stream "$CONNS" "$DURATION" stream.lua BENCH_MODEL=bench-anthropic
    run_wrk "$name" msg_anth "$CONNS" "$DURATION" messages.lua BENCH_MODEL=bench-anthropic
    run_wrk "$name" msg_anth_stream "$CONNS" "$DURATION" messages.lua BENCH_MODEL=bench-anthropic BENCH_STREAM=1
    run_wrk "$name" msg_oai_c1 1 "$DURATION" messages.lua BENCH_MODEL=bench BENCH_OVERHEAD=1
  fi
  local line
  line=$(taskset -c "$LOAD_CPU" "$STREAMS_BIN" --port "$SYS_PORT" --conns 1 \
    --repeat "$TTFT_STREAMS" --chunks 20 --delay-ms 0 2>"$TMP/$name.ttft.err" || true)
  store "$name.ttft" "$line"
  log "$name ttft: $line"
  if [ -n "$SYS_PID" ]; then
    R[$name.rss_loaded_kb]=$(rss_tree_kb "$SYS_PID")
  fi

  # Slow streams, with as many workers as the open-file limit asks for.
  if [ "$STREAMS" -gt 0 ]; then
    if [ -n "$SYS_PID" ] && [ "$STREAM_WORKERS" -gt 1 ]; then
      stop_system
      start_system "$name" "$STREAM_WORKERS"
    fi
    [ -n "$SYS_PID" ] && R[$name.rss_before_kb]=$(rss_tree_kb "$SYS_PID")
    R[$name.stream_workers]=$([ -n "$SYS_PID" ] && echo "$STREAM_WORKERS" || echo -)
    local ready="$TMP/$name.ready"
    rm -f "$ready"
    log "$name: opening $STREAMS slow streams ($((HOLD + 10)) chunks, 1 chunk/s), holding ${HOLD}s"
    taskset -c "$LOAD_CPU" "$STREAMS_BIN" --port "$SYS_PORT" --conns "$STREAMS" \
      --chunks $((HOLD + 10)) --delay-ms 1000 --ready-file "$ready" \
      >"$TMP/$name.streams.out" 2>"$TMP/$name.streams.err" &
    local cpid=$!
    local i peak=0 rss
    for ((i = 0; i < 1200; i++)); do
      [ -f "$ready" ] && break
      kill -0 "$cpid" 2>/dev/null || break
      sleep 0.1
    done
    local t0=$SECONDS
    while ((SECONDS - t0 < HOLD)) && kill -0 "$cpid" 2>/dev/null; do
      if [ -n "$SYS_PID" ]; then
        rss=$(rss_tree_kb "$SYS_PID")
        ((rss > peak)) && peak=$rss
        R[$name.rss_streams_detail]=$(rss_detail "$SYS_PID")
      fi
      R[$name.open_conns]=$(ss -Htn state established "( sport = :$SYS_PORT )" 2>/dev/null | wc -l)
      sleep 1
    done
    R[$name.rss_streams_kb]=$peak
    wait "$cpid" || true
    line=$(grep '^STREAMS ' "$TMP/$name.streams.out" || true)
    store "$name.slow" "$line"
    log "$name slow streams: $line"
    grep -v '^streams: [0-9]* s:' "$TMP/$name.streams.err" | head -5 >&2 || true
  fi
  stop_system
}

# Tracing: the same llmproxy with export off, to a live collector, to a dead one and to a
# blackhole; the requests' latency and throughput should not tell them apart.
run_tracing() {
  local dead_port hole_port hole_pid mode collector metrics
  dead_port=$(free_port)
  hole_port=$(free_port)
  # Accepts every connection and never reads or answers.
  python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4096); held = []
while True: held.append(s.accept()[0])' "$hole_port" >"$TMP/blackhole.log" 2>&1 &
  hole_pid=$!
  PIDS+=("$hole_pid")
  wait_port "$hole_port" || die "the blackhole did not start"
  for mode in off live dead blackhole; do
    case $mode in
      off) collector="" ;;
      live) collector="http://127.0.0.1:$MOCK_PORT" ;;
      dead) collector="http://127.0.0.1:$dead_port" ;;
      blackhole) collector="http://127.0.0.1:$hole_port" ;;
    esac
    LLMPROXY_EXTRA_CONF=""
    if [ -n "$collector" ]; then
      LLMPROXY_EXTRA_CONF="
[tracing]
otlp_endpoint = \"$collector\"
sample_ratio = 1.0
export_timeout = \"2s\"

[langfuse]
host = \"$collector\"
public_key = \"pk-bench\"
secret_key = \"sk-bench-lf\"
"
    fi
    log "=== llmproxy, tracing $mode ==="
    start_system llmproxy 1
    run_wrk "trace_$mode" warmup "$CONNS" "$WARMUP" chat.lua
    run_wrk "trace_$mode" chat "$CONNS" "$DURATION" chat.lua
    run_wrk "trace_$mode" c1 1 "$DURATION" chat.lua BENCH_OVERHEAD=1
    metrics=$(curl -s "http://127.0.0.1:$SYS_PORT/metrics" || true)
    R[trace_$mode.dropped]=$(echo "$metrics" | awk '/^llm_proxy_trace_dropped_total\{sink="otlp"\}/ {print $2}')
    R[trace_$mode.exported]=$(echo "$metrics" | awk '/^llm_proxy_trace_exports_total\{sink="otlp",result="success"\}/ {print $2}')
    R[trace_$mode.rss_kb]=$(rss_tree_kb "$SYS_PID")
    stop_system
    LLMPROXY_EXTRA_CONF=""
  done
}

log "machine: $NCPU CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), nofile $NOFILE"
log "duration ${DURATION}s, $CONNS connections, $STREAMS slow streams held ${HOLD}s; systems: $SYSTEMS"
for s in $SYSTEMS; do run_system "$s"; done
if [[ " $SYSTEMS " == *" llmproxy "* ]] && [ "${BENCH_TRACING:-1}" != 0 ]; then run_tracing; fi

# ---- report -------------------------------------------------------------------------------
g() { echo "${R[$1]:--}"; }
num() { [[ ${1:-} =~ ^-?[0-9.]+$ ]]; }
ratio() { num "$1" && num "$2" && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }' || echo -; }
diffus() { num "$1" && num "$2" && [ "$1" -ge 0 ] && echo $(($1 - $2)) || echo -; }
mib() { num "$1" && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo -; }
perstream() {  # during before streams
  num "$1" && num "$2" && [ "$3" -gt 0 ] && awk -v d="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (d - b) / n }' || echo -
}

{
  echo
  echo "llmproxy bench -- $(date -u +%Y-%m-%dT%H:%M:%SZ), $NCPU CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)),"
  echo "systems on CPU $PROXY_CPU (1 worker), wrk/mock on CPU $LOAD_CPU; ${DURATION}s per run, $CONNS connections"
  echo
  printf '%-9s | %10s %9s %9s %6s | %9s %9s %8s %8s | %10s %9s %6s\n' \
    system "chat rps" "p50 us" "p99 us" errors "c1 p50" "c1 p99" "+p50" "+p99" "stream rps" "p99 us" errors
  for s in $SYSTEMS; do
    printf '%-9s | %10s %9s %9s %6s | %9s %9s %8s %8s | %10s %9s %6s\n' "$s" \
      "$(g $s.chat.rps)" "$(g $s.chat.p50_us)" "$(g $s.chat.p99_us)" \
      "$(( ${R[$s.chat.errors]:-0} + ${R[$s.chat.non2xx]:-0} ))" \
      "$(g $s.c1.p50_us)" "$(g $s.c1.p99_us)" \
      "$(diffus "$(g $s.c1.p50_us)" "$(g direct.c1.p50_us)")" \
      "$(diffus "$(g $s.c1.p99_us)" "$(g direct.c1.p99_us)")" \
      "$(g $s.stream.rps)" "$(g $s.stream.p99_us)" \
      "$(( ${R[$s.stream.errors]:-0} + ${R[$s.stream.non2xx]:-0} ))"
  done
  echo "(+p50/+p99: added latency at 1 connection vs direct, same run)"
  echo
  printf '%-9s | %9s %9s %8s %8s | %8s %8s %9s %9s | %7s %7s %7s %11s\n' \
    system "ttft p50" "ttft p99" "+ttft50" "+ttft99" "streams" "ok" "dropped" "workers" \
    "RSS idle" "RSS load" "RSS 10k" "KiB/stream"
  for s in $SYSTEMS; do
    printf '%-9s | %9s %9s %8s %8s | %8s %8s %9s %9s | %7s %7s %7s %11s\n' "$s" \
      "$(g $s.ttft.ttft_p50_us)" "$(g $s.ttft.ttft_p99_us)" \
      "$(diffus "$(g $s.ttft.ttft_p50_us)" "$(g direct.ttft.ttft_p50_us)")" \
      "$(diffus "$(g $s.ttft.ttft_p99_us)" "$(g direct.ttft.ttft_p99_us)")" \
      "$(g $s.slow.conns)" "$(g $s.slow.ok)" "$(g $s.slow.dropped)" "$(g $s.stream_workers)" \
      "$(mib "$(g $s.rss_idle_kb)")" "$(mib "$(g $s.rss_loaded_kb)")" "$(mib "$(g $s.rss_streams_kb)")" \
      "$(perstream "$(g $s.rss_streams_kb)" "$(g $s.rss_before_kb)" "$(g $s.slow.conns)")"
  done
  echo "(RSS in MiB = VmRSS of master + workers; KiB/stream = (RSS during the streams - RSS before) / streams)"
  echo
  printf '%-9s | %9s %9s %9s | %9s %9s %9s | %8s %8s %8s %8s %8s\n' \
    system "chat cpu" "c1 cpu" "strm cpu" "chat mal" "c1 mal" "strm mal" \
    "open p50" "open p99" "+p99" "p99.9" "errors"
  for s in $SYSTEMS; do
    printf '%-9s | %9s %9s %9s | %9s %9s %9s | %8s %8s %8s %8s %8s\n' "$s" \
      "$(g $s.chat.cpu_us)" "$(g $s.c1.cpu_us)" "$(g $s.stream.cpu_us)" \
      "$(g $s.chat.mallocs)" "$(g $s.c1.mallocs)" "$(g $s.stream.mallocs)" \
      "$(g $s.open.p50_us)" "$(g $s.open.p99_us)" \
      "$(diffus "$(g $s.open.p99_us)" "$(g direct.open.p99_us)")" "$(g $s.open.p999_us)" \
      "$(g $s.open.errors)"
  done
  echo "(cpu: CPU microseconds of master + workers per request; mal: allocations per request;"
  echo " open: $OPEN_RATE req/s open loop, latency from the scheduled send in us, +p99 vs direct)"
  echo
  if [[ " $SYSTEMS " == *" nginx "* && " $SYSTEMS " == *" llmproxy "* ]]; then
    echo "llmproxy/nginx: chat rps $(ratio "$(g llmproxy.chat.rps)" "$(g nginx.chat.rps)")," \
      "stream rps $(ratio "$(g llmproxy.stream.rps)" "$(g nginx.stream.rps)");" \
      "CPU per request: chat $(ratio "$(g llmproxy.chat.cpu_us)" "$(g nginx.chat.cpu_us)")," \
      "c1 $(ratio "$(g llmproxy.c1.cpu_us)" "$(g nginx.c1.cpu_us)")," \
      "stream $(ratio "$(g llmproxy.stream.cpu_us)" "$(g nginx.stream.cpu_us)")"
  fi
  if [ "$(g llmproxy.reload.rps)" != - ]; then
    echo "reload under load: $RELOADS SIGHUPs during a ${DURATION}s chat run: $(g llmproxy.reload.rps) req/s" \
      "($(ratio "$(g llmproxy.reload.rps)" "$(g llmproxy.chat.rps)") of the run without), errors" \
      "$(( ${R[llmproxy.reload.errors]:-0} + ${R[llmproxy.reload.non2xx]:-0} ))"
  fi
  for s in $SYSTEMS; do
    [ -n "${R[$s.mem_detail]:-}" ] && echo "$s memory after warm-up, KiB RSS/PSS/private: ${R[$s.mem_detail]}"
  done
  for s in $SYSTEMS; do
    [ -n "${R[$s.rss_idle_detail]:-}" ] && echo "$s RSS KiB idle: ${R[$s.rss_idle_detail]}; during streams: ${R[$s.rss_streams_detail]:--}"
  done
  if [[ " $SYSTEMS " == *" llmproxy "* ]]; then
    if [ "$(g llmproxy.c1.overhead_n)" != - ] && [ "$(g llmproxy.c1.overhead_n)" -gt 0 ]; then
      echo "llmproxy internal overhead (x-llmproxy-overhead-us, c1): p50 $(g llmproxy.c1.overhead_p50_us) us, p99 $(g llmproxy.c1.overhead_p99_us) us"
    else
      echo "llmproxy internal overhead: no x-llmproxy-overhead-us header in the answers"
    fi
  fi
  if [[ " $SYSTEMS " == *" llmproxy "* ]] && [ "$(g llmproxy.msg_oai.rps)" != - ]; then
    echo
    echo "llmproxy cross-protocol (same mock; x = translated both ways, = = bypass):"
    printf '  %-34s %10s %9s %9s %6s %8s %8s\n' scenario rps "p50 us" "p99 us" errors "cpu us" mallocs
    for sc in chat:"chat -> openai-compatible (=)" stream:"chat stream, 20 chunks (=)" \
      msg_anth:"messages -> anthropic (=)" msg_anth_stream:"messages stream -> anthropic (=)" \
      msg_oai:"messages -> openai-compatible (x)" msg_oai_stream:"messages stream -> openai (x)" \
      chat_anth:"chat -> anthropic (x)" chat_anth_stream:"chat stream -> anthropic (x)"; do
      local_key=${sc%%:*}
      printf '  %-34s %10s %9s %9s %6s %8s %8s\n' "${sc#*:}" "$(g llmproxy.$local_key.rps)" \
        "$(g llmproxy.$local_key.p50_us)" "$(g llmproxy.$local_key.p99_us)" \
        "$(( ${R[llmproxy.$local_key.errors]:-0} + ${R[llmproxy.$local_key.non2xx]:-0} ))" \
        "$(g llmproxy.$local_key.cpu_us)" "$(g llmproxy.$local_key.mallocs)"
    done
    if [ "$(g llmproxy.msg_oai_c1.overhead_n)" != - ] && [ "$(g llmproxy.msg_oai_c1.overhead_n)" -gt 0 ]; then
      echo "  internal overhead, messages -> openai-compatible (c1, request side): p50" \
        "$(g llmproxy.msg_oai_c1.overhead_p50_us) us, p99 $(g llmproxy.msg_oai_c1.overhead_p99_us) us"
    fi
  fi
  if [ "$(g trace_off.chat.rps)" != - ]; then
    echo
    echo "llmproxy tracing (OTLP + Langfuse, every request sampled; chat c$CONNS and c1):"
    printf '  %-10s %10s %9s %9s %6s | %9s %9s %8s %8s %8s %8s | %9s %9s %8s\n' export rps "p50 us" \
      "p99 us" errors "c1 p50" "c1 p99" "+p50" "+p99" "ovh p50" "ovh p99" "batches" "dropped" "RSS MiB"
    for m in off live dead blackhole; do
      printf '  %-10s %10s %9s %9s %6s | %9s %9s %8s %8s %8s %8s | %9s %9s %8s\n' "$m" \
        "$(g trace_$m.chat.rps)" "$(g trace_$m.chat.p50_us)" "$(g trace_$m.chat.p99_us)" \
        "$(( ${R[trace_$m.chat.errors]:-0} + ${R[trace_$m.chat.non2xx]:-0} ))" \
        "$(g trace_$m.c1.p50_us)" "$(g trace_$m.c1.p99_us)" \
        "$(diffus "$(g trace_$m.c1.p50_us)" "$(g trace_off.c1.p50_us)")" \
        "$(diffus "$(g trace_$m.c1.p99_us)" "$(g trace_off.c1.p99_us)")" \
        "$(g trace_$m.c1.overhead_p50_us)" "$(g trace_$m.c1.overhead_p99_us)" \
        "$(g trace_$m.exported)" "$(g trace_$m.dropped)" "$(mib "$(g trace_$m.rss_kb)")"
    done
    echo "  (+p50/+p99: c1 latency vs tracing off; ovh: x-llmproxy-overhead-us at c1, the time spent"
    echo "  inside the proxy; batches: OTLP calls that succeeded; dropped: OTLP records not exported)"
  fi
  if [ "$STREAM_WORKERS" -gt 1 ]; then
    echo "note: open-file limit $NOFILE (hard $HARD_NOFILE) -> the slow-streams scenario ran $STREAM_WORKERS workers per proxy"
  fi
} | tee "$BUILD/bench-results.txt"
log "results also in $BUILD/bench-results.txt"

# ---- translation cost ------------------------------------------------------------------------
if [ "${BENCH_TRANSLATE:-1}" != 0 ]; then
  for b in bench-translate bench-protocol; do
    [ -x "$BUILD/tests/$b" ] || continue
    log "$b: cost of one translation, pinned to CPU $PROXY_CPU"
    {
      echo
      echo "$b (pinned to CPU $PROXY_CPU):"
      taskset -c "$PROXY_CPU" "$BUILD/tests/$b" 2>/dev/null | sed 's/^/  /'
    } | tee -a "$BUILD/bench-results.txt"
  done
fi

# ---- limit check cost -----------------------------------------------------------------------
if [ "${BENCH_LIMITS:-1}" != 0 ] && [ -x "$BUILD/tests/bench-limits" ]; then
  log "limits: cost of one check, local and through Redis"
  {
    echo
    echo "limit check (bench-limits and its redis-server, not pinned):"
    "$BUILD/tests/bench-limits" 2>/dev/null | sed 's/^/  /'
  } | tee -a "$BUILD/bench-results.txt"
fi
