#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test through ctest, then
# builds and runs the tests again under AddressSanitizer + UndefinedBehaviorSanitizer, then runs
# every libFuzzer target for a bounded time on its corpus.
# Usage: scripts/test.sh [--no-sanitizers] [--no-fuzz]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sanitizers=1
fuzz=1
for arg in "$@"; do
  case "$arg" in
    --no-sanitizers) sanitizers=0 ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "usage: scripts/test.sh [--no-sanitizers] [--no-fuzz]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh

# Runs ctest in a build folder and adds its counts to the totals printed at the end.
passed=0
failed=0
run_ctest() {
  local log
  log=$(mktemp)
  local status=0
  ctest --test-dir "$@" --output-on-failure -j 2 2>&1 | tee "$log" || status=$?
  local line
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then echo "test.sh: ctest printed no summary" >&2; return 1; fi
  local total fails
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  return "$status"
}

echo "== build (RelWithDebInfo) =="
scripts/build.sh "$root/build"
echo "== tests =="
run_ctest "$root/build"

if [ "$sanitizers" -eq 1 ]; then
  echo "== build (ASan + UBSan) =="
  # Benchmarks are not run under the sanitizers (their smoke runs are in the first pass).
  scripts/build.sh "$root/build-asan" -DNET_ASAN_UBSAN=ON -DNET_BUILD_BENCHMARKS=OFF
  echo "== tests under ASan + UBSan =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest "$root/build-asan"
fi

if [ "$fuzz" -eq 1 ]; then
  echo "== fuzz targets (bounded) =="
  scripts/fuzz.sh "${NET_FUZZ_SECONDS:-15}"
fi

echo "ctest: $passed passed, $failed failed"
