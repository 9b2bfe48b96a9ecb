#!/usr/bin/env bash
# The demo: installs what is missing, builds, then runs a node from manifests/single-node.json
# (it loads the example greeter plugin) for a few seconds and stops it with Ctrl-C (SIGINT).
# Usage: scripts/run.sh [MANIFEST] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
manifest=${1:-manifests/single-node.json}
seconds=${2:-4}

scripts/setup.sh
scripts/build.sh "$root/build" >/dev/null
export NET_PLUGIN_PATH="$root/build/plugins"
mesh="$root/build/kernel/app/net-mesh"

echo "== net-mesh check $manifest =="
"$mesh" check "$manifest"
echo
echo "== net-mesh run $manifest (Ctrl-C after ${seconds}s) =="
"$mesh" run "$manifest" &
pid=$!
sleep "$seconds"
kill -INT "$pid"
status=0
wait "$pid" || status=$?
echo "== node exited with status $status =="
exit "$status"
