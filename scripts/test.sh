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

echo "== build (RelWithDebInfo) =="
scripts/build.sh "$root/build"
echo "== tests =="
ctest --test-dir "$root/build" --output-on-failure -j 2

if [ "$sanitizers" -eq 1 ]; then
  echo "== build (ASan + UBSan) =="
  scripts/build.sh "$root/build-asan" -DNET_ASAN_UBSAN=ON
  echo "== tests under ASan + UBSan =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j 2 -LE bench-smoke
fi

if [ "$fuzz" -eq 1 ]; then
  echo "== fuzz targets (bounded) =="
  scripts/fuzz.sh "${NET_FUZZ_SECONDS:-30}"
fi
