#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a bounded time on a copy
# of its corpus from tests/fuzz/corpus/<target>/. A crash fails the script and leaves the input
# in build-fuzz/artifacts/.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
# The compiler cache lives outside the tree, so a fresh clone on the same machine (CI) reuses it.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/net-ccache}
# Share cache entries between build folders of the same tree.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNET_BUILD_FUZZ=ON >/dev/null
targets=()
for corpus in "$root"/tests/fuzz/corpus/*/; do targets+=("fuzz_$(basename "$corpus")"); done
cmake --build "$root/build-fuzz" -j "$(nproc)" --target "${targets[@]}"
mkdir -p "$root/build-fuzz/artifacts"
for corpus in "$root"/tests/fuzz/corpus/*/; do
  target=fuzz_$(basename "$corpus")
  bin="$root/build-fuzz/tests/fuzz/$target"
  [ -x "$bin" ] || { echo "fuzz: no binary for corpus $corpus ($bin)"; exit 1; }
  work=$(mktemp -d)
  cp -r "$corpus". "$work/"
  echo "== $target for ${seconds}s on $(ls "$work" | wc -l) seed(s) =="
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$root/build-fuzz/artifacts/$target-" "$work" 2>&1 | tail -n 12
  rm -rf "$work"
done
