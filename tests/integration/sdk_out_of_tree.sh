#!/usr/bin/env bash
# Installs the SDK to a temporary prefix, builds the example plugin out of tree against it with
# find_package(NetSDK), compiles a C11 file with only `pkg-config --cflags netsdk`, then loads the
# out-of-tree plugin through a manifest and checks that it runs.
# Usage: sdk_out_of_tree.sh <source dir> <build dir> <net-mesh>
set -euo pipefail
src=$1 build=$2 mesh=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null

echo "-- out-of-tree build of sdk/examples/greeter against $tmp/prefix"
cmake -S "$src/sdk/examples/greeter" -B "$tmp/greeter" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/greeter" >/dev/null
plugin="$tmp/greeter/libnet-greeter.so"
test -f "$plugin" || { echo "FAIL: $plugin was not built"; exit 1; }
if grep -q "$src/sdk/include" "$tmp/greeter/build.ninja"; then
  echo "FAIL: the out-of-tree build used the source tree's headers, not the installed SDK"; exit 1
fi

echo "-- pkg-config: a C11 translation unit with only the installed headers"
cflags=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/share/pkgconfig" pkg-config --cflags netsdk)
printf '#include "net/net.h"\nconst char *probe(void) { return net_status_name(NET_E_CONFIG); }\n' > "$tmp/probe.c"
cc -std=c11 -Wall -Wextra -Wpedantic -Werror $cflags -c "$tmp/probe.c" -o "$tmp/probe.o"

echo "-- load it through a manifest"
cat > "$tmp/node.json" <<JSON
{ "node": { "name": "out-of-tree", "threads": 1 },
  "plugins": [ { "name": "oot", "library": "greeter/libnet-greeter.so",
                 "config": { "greeting": "hello from out of tree", "interval_ms": 100, "count": 2 } } ] }
JSON
"$mesh" check "$tmp/node.json"
"$mesh" plugins inspect "$plugin" | grep -q "org.example.greeter"
out=$("$mesh" run "$tmp/node.json" --duration 1 2>&1)
echo "$out"
grep -q "\[oot\] hello from out of tree (#2)" <<<"$out" || { echo "FAIL: the out-of-tree plugin did not run"; exit 1; }
grep -q "stopped cleanly" <<<"$out" || { echo "FAIL: the node did not stop cleanly"; exit 1; }
echo "PASS"
