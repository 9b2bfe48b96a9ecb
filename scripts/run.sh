#!/usr/bin/env bash
# The demo: installs what is missing, builds, then runs three nodes on loopback where A and C can
# reach each other only through B (manifests/relay-demo). A and C send each other events on a
# reliable stream; then A publishes on the channel "chat" with a signed token, C (subscribed with
# its own token) receives the events through B and persists them to its RedEX log, and B (no
# token) is refused and told why. The script prints what arrived, the route it took, B's
# forwarding counters and C's log, then stops the nodes with Ctrl-C (SIGINT).
# Usage: scripts/run.sh [SECONDS]     (how long the nodes run; default 6)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-6}

scripts/setup.sh
scripts/build.sh "$root/build" >/dev/null
export NET_PLUGIN_PATH="$root/build/plugins"
mesh="$root/build/kernel/app/net-mesh"

demo=$(mktemp -d "${TMPDIR:-/tmp}/net-demo-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  rm -rf "$demo"
}
trap cleanup EXIT

# Identities, a mesh PSK and three free ports, substituted into the manifest templates.
json_field() { sed -n "s/.*\"$2\": *\"\\([^\"]*\\)\".*/\\1/p" "$1"; }
base_port=$((20000 + RANDOM % 30000))
subst=()
for node in a b c; do
  "$mesh" identity generate "$demo/$node.key" >/dev/null
  "$mesh" identity show "$demo/$node.key" --json >"$demo/$node.id.json"
  upper=${node^^}
  subst+=(-e "s/@${upper}_ENTITY@/$(json_field "$demo/$node.id.json" entity_public)/g")
  subst+=(-e "s/@${upper}_STATIC@/$(json_field "$demo/$node.id.json" static_public)/g")
  subst+=(-e "s/@${upper}_ADDRESS@/$(json_field "$demo/$node.id.json" address)/g")
done
# A root key that signs the channel tokens: a may publish on "chat", c may subscribe to it.
"$mesh" identity generate "$demo/root.key" >/dev/null
"$mesh" identity show "$demo/root.key" --json >"$demo/root.id.json"
subst+=(-e "s/@ROOT_ENTITY@/$(json_field "$demo/root.id.json" entity_public)/g" -e "s|@DEMO_DIR@|$demo|g")
"$mesh" token issue --key "$demo/root.key" --subject "$demo/a.key" --channel chat --scope publish --ttl 1h \
  --out "$demo/a-chat.token"
"$mesh" token issue --key "$demo/root.key" --subject "$demo/c.key" --channel chat --scope subscribe --ttl 1h \
  --out "$demo/c-chat.token"
subst+=(-e "s/@A_PORT@/$base_port/g" -e "s/@B_PORT@/$((base_port + 1))/g" -e "s/@C_PORT@/$((base_port + 2))/g")
od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$demo/psk"
chmod 600 "$demo/psk"
for file in base a b c; do
  sed "${subst[@]}" "manifests/relay-demo/$file.json" >"$demo/$file.json"
done
a_address=$(json_field "$demo/a.id.json" address)
b_address=$(json_field "$demo/b.id.json" address)
c_address=$(json_field "$demo/c.id.json" address)
echo "== three nodes: a $a_address (port $base_port) -- b $b_address -- c $c_address; a and c know no address for each other =="
for node in a b c; do
  "$mesh" check "$demo/$node.json"
done
for node in b a c; do
  "$mesh" run "$demo/$node.json" 2>"$demo/$node.log" &
  pids+=($!)
done

sleep 1
echo "== c subscribes to \"chat\" with its token; b tries without one =="
"$mesh" subscribe chat "$demo/c.json" --count 3 --timeout 8000 >"$demo/c-chat.jsonl" 2>"$demo/c-subscribe.log" &
subscriber=$!
"$mesh" subscribe chat "$demo/b.json" --count 1 --timeout 1000 2>&1 | sed 's/^/  b: /' || true
sleep 2
echo "== a publishes 3 events on \"chat\" =="
printf 'chat event %s from a\n' 1 2 3 | "$mesh" publish chat "$demo/a.json"
wait "$subscriber" || true
echo "== what c's subscriber printed =="
cat "$demo/c-chat.jsonl"
sed 's/^/  /' "$demo/c-subscribe.log"
echo "== c's RedEX log of \"chat\" (net-mesh log tail chat) =="
"$mesh" log tail chat "$demo/c.json"

sleep "$seconds"
echo
echo "== what arrived =="
grep -h "received from" "$demo/a.log" "$demo/c.log" | sed 's/^[^[]*\[/[/' || true
echo
echo "== a's view: net-mesh status (routes: c is reached via b, 2 hops) =="
"$mesh" status "$demo/a.json"
echo
echo "== net-mesh ping $c_address from a (through b) =="
"$mesh" ping "$c_address" "$demo/a.json" --count 3 || true
echo
echo "== b's counters: packets it forwarded for a and c, never decrypted =="
"$mesh" status "$demo/b.json" --json | grep -E '"(packets_forwarded|packets_decrypted)"' || true

echo
status=0
for pid in "${pids[@]}"; do kill -INT "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
pids=()
echo "== nodes stopped (exit status $status) =="
grep -h "stopped cleanly" "$demo"/*.log | sed 's/^[^[]*\[/[/' || true
received=$(grep -h "received from" "$demo/a.log" "$demo/c.log" | wc -l)
if [ "$received" -lt 10 ]; then
  echo "demo: expected 10 relayed events, saw $received" >&2
  exit 1
fi
chat=$(wc -l <"$demo/c-chat.jsonl")
if [ "$chat" -lt 3 ]; then
  echo "demo: expected c to receive 3 events on chat, saw $chat" >&2
  exit 1
fi
exit "$status"
