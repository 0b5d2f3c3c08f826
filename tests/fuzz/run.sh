#!/bin/sh
# make fuzz: builds the libFuzzer targets of tests/fuzz/ with clang-19 under ASan + UBSan in
# their own build directory and runs each for FUZZ_SECONDS, starting from the seed corpus in
# tests/fuzz/corpus/<target>/ (read only: what a run finds goes to the build directory).
# Prints one line per target with its executions; exits 1 if any target found a defect (the
# input that shows it is saved as BUILD/artifacts/<target>-crash-...).
#   FUZZ_SECONDS=60  FUZZ_TARGETS="json_facts sse_scanner"  FUZZ_BUILD=build-fuzz  JOBS=2
set -eu
cd "$(dirname "$0")/../.."
BUILD=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${JOBS:-$(nproc)}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  # -O1 and line tables only: quick to build, still readable stack traces.
  cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DLLMPROXY_FUZZ=ON -DLLMPROXY_WERROR=OFF -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" >/dev/null
fi
started=$(date +%s)
cmake --build "$BUILD" -j"$JOBS" >"$BUILD/build.log" 2>&1 || { tail -40 "$BUILD/build.log"; exit 1; }
echo "fuzz: targets built in $(( $(date +%s) - started )) s"

targets=${FUZZ_TARGETS:-$(ls tests/fuzz/corpus)}
mkdir -p "$BUILD/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
passed=0
for t in $targets; do
  bin="$BUILD/tests/fuzz/fuzz_$t"
  work="$BUILD/corpus/$t"
  mkdir -p "$work"
  log="$BUILD/fuzz_$t.log"
  if "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$BUILD/artifacts/$t-" \
      "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    status=ok
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf 'fuzz %-22s %10s executions in %ss, coverage %s: %s\n' "$t" "${runs:-?}" \
    "$SECONDS_EACH" "${cov:-?}" "$status"
  if [ "$status" = FAILED ]; then
    grep -E 'ERROR:|runtime error|SUMMARY|Test unit written|^    #[0-9]+ ' "$log" | head -30
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
