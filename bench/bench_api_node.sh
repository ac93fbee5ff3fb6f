#!/usr/bin/env bash
# Submissions over HTTP on PostgreSQL: to the active engine's own `yilian
# serve`, and to an API node (`yilian serve --no-engine`) that hands them to
# that engine through the inbox (LISTEN/NOTIFY). Issue 19; on loopback only.
# Rounds alternate the two sides; refuses a figure when any answer was not
# 2xx or the store does not hold the cases wrk completed.
#
#   bench/bench_api_node.sh [SECONDS] [ROUNDS] [CONNECTIONS]   (defaults 10 s, 3, 32)
#
# Needs a build and tests/js/node_modules; installs wrk when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
seconds=${1:-10}
rounds=${2:-3}
conns=${3:-32}
yl=build/cli/yilian
[[ -x $yl ]] || { echo "bench_api_node: build first (scripts/build.sh)" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
work=$(mktemp -d /tmp/yilian-bench-node.XXXXXX)
chmod 755 "$work"  # the cluster runs as another user when this runs as root
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-cluster.sh stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
scripts/pg-cluster.sh start "$work/cluster" >/dev/null
db=$(cat "$work/cluster/uri")
export YILIAN_NOW=2025-03-03T09:00
key=$($yl account add --db "$db" bench-window --role window --api-key --json | sed -n 's/.*"api_key": *"\([^"]*\)".*/\1/p')
write_application_json "$work/app.json"
$yl serve --db "$db" --chain chains/kindergarten-setup.yaml --listen 127.0.0.1:18600 --rate 1000000 --threads 2 > "$work/active.log" 2>&1 &
pids+=($!)
sleep 1  # the active one first
$yl serve --db "$db" --no-engine --chain chains/kindergarten-setup.yaml --listen 127.0.0.1:18601 --rate 1000000 --threads 2 \
  > "$work/node.log" 2>&1 &
pids+=($!)
for p in 18600 18601; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/api/v1/health" >/dev/null && break; sleep 0.1; done
done
[[ $(curl -sf http://127.0.0.1:18600/api/v1/health) == *'"engine":"active"'* ]] || { echo "bench_api_node: the first serve is not active" >&2; exit 1; }
[[ $(curl -sf http://127.0.0.1:18601/api/v1/health) == *'"engine":"none"'* ]] || { echo "bench_api_node: the node is not an API node" >&2; exit 1; }

count() { psql -Atq "$db" -c 'SELECT COUNT(*) FROM cases'; }
declare -A results
sent=0
before=$(count)
for round in $(seq "$rounds"); do
  for side in active node; do
    port=18600; [[ $side == node ]] && port=18601
    lua="$work/$side-$round.lua"
    write_submit_lua "$lua" "$key" "$side-$round" "$work/app.json"
    out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$lua" "http://127.0.0.1:$port")
    if grep -q "Non-2xx" <<<"$out"; then echo "bench_api_node: non-2xx answers ($side): no figure" >&2; echo "$out" >&2; exit 1; fi
    sent=$((sent + $(awk '/requests in/ {print $1}' <<<"$out")))
    results[$side]+="$(wrk_figures "$out")"$'\n'
  done
done
made=$(( $(count) - before ))
# A request still in flight when wrk stopped may have been committed too.
if (( made < sent || made > sent + 2 * conns * rounds )); then
  echo "bench_api_node: wrk completed $sent submissions but the store holds $made new cases: no figure" >&2; exit 1
fi
col() { awk -v c="$2" 'NF {print $c}' <<<"${results[$1]}" | median; }
range() { awk 'NF {print $1}' <<<"${results[$1]}" | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%s–%s", lo, hi}'; }
echo "bench_api_node: $(nproc) cores; PostgreSQL on loopback; ${seconds} s per run, $rounds rounds alternated, $conns connections; $made cases made"
printf '| submissions (POST /api/v1/cases) | requests/s (median, min–max) | p50 ms | p99 ms |\n|---|---|---|---|\n'
printf '| to the active engine'"'"'s serve | %s (%s) | %s | %s |\n' "$(col active 1)" "$(range active)" "$(col active 2)" "$(col active 3)"
printf '| to an API node (--no-engine), through the inbox | %s (%s) | %s | %s |\n' "$(col node 1)" "$(range node)" "$(col node 2)" "$(col node 3)"
awk -v a="$(col active 1)" -v n="$(col node 1)" 'BEGIN { printf "\nAPI node / active serve: %.2f\n", n/a }'
