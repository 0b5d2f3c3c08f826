#!/bin/sh
# make fuzz: builds the libFuzzer targets of tests/fuzz/ with clang-19 under ASan + UBSan in
# their own build directory and runs each for FUZZ_SECONDS, JOBS at a time, starting from the
# seed corpus in tests/fuzz/corpus/<target>/ (read only: what a run finds goes to the build
# directory). Prints one line per target with its executions; exits 1 if any target found a
# defect (the input that shows it is saved as BUILD/artifacts/<target>-crash-...).
#   FUZZ_SECONDS=60  FUZZ_TARGETS="json_facts sse_scanner"  FUZZ_BUILD=build-fuzz  JOBS=2
#   FUZZ_OPT=-O0: the optimization level. -O0 builds ~3x faster than -O1 (CI pays a cold
#   build on every run) and runs fewer executions a second; for long runs use
#   FUZZ_OPT=-O1 FUZZ_BUILD=build-fuzz-o1.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${JOBS:-$(nproc)}
OPT=${FUZZ_OPT:--O0}

# Line tables only: quick to build, still readable stack traces. Configured every time (a
# second or two) so a changed FUZZ_OPT takes effect.
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DLLMPROXY_FUZZ=ON -DLLMPROXY_WERROR=OFF -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_C_FLAGS="$OPT -gline-tables-only" -DCMAKE_CXX_FLAGS="$OPT -gline-tables-only" \
  >"$BUILD/configure.log" 2>&1 || { tail -40 "$BUILD/configure.log"; exit 1; }
started=$(date +%s)
cmake --build "$BUILD" -j"$JOBS" >"$BUILD/build.log" 2>&1 || { tail -40 "$BUILD/build.log"; exit 1; }
echo "fuzz: targets built in $(( $(date +%s) - started )) s ($OPT)"

targets=${FUZZ_TARGETS:-$(ls tests/fuzz/corpus)}
mkdir -p "$BUILD/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# One target's run; its log says how it went, its .status file whether it passed.
run_one() {
  work="$BUILD/corpus/$1"
  mkdir -p "$work"
  if "$BUILD/tests/fuzz/fuzz_$1" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
      -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$BUILD/artifacts/$1-" \
      "$work" "tests/fuzz/corpus/$1" >"$BUILD/fuzz_$1.log" 2>&1; then
    echo ok >"$BUILD/fuzz_$1.status"
  else
    echo FAILED >"$BUILD/fuzz_$1.status"
  fi
}

# JOBS targets at a time: each runs exactly FUZZ_SECONDS, so batches end together.
started=$(date +%s)
running=0
for t in $targets; do
  rm -f "$BUILD/fuzz_$t.status"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait
    running=0
  fi
done
wait

failed=0
passed=0
for t in $targets; do
  log="$BUILD/fuzz_$t.log"
  status=$(cat "$BUILD/fuzz_$t.status" 2>/dev/null || echo FAILED)
  if [ "$status" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf 'fuzz %-22s %10s executions in %ss, coverage %s: %s\n' "$t" "${runs:-?}" \
    "$SECONDS_EACH" "${cov:-?}" "$status"
  if [ "$status" != ok ]; then
    grep -E 'ERROR:|runtime error|SUMMARY|Test unit written|^    #[0-9]+ ' "$log" | head -30
  fi
done
echo "fuzz: $passed passed, $failed failed, runs took $(( $(date +%s) - started )) s"
[ "$failed" -eq 0 ]
