#!/usr/bin/env bash
# The engine on PostgreSQL beside SQLite, and pgbench's limit on the same
# cluster (issue 19): starts a throw-away cluster on loopback
# (scripts/pg-cluster.sh), runs pgbench's built-in simple-update script, then
# `bench_engine stores` (the same kindergarten throughput on an SQLite file
# and on the cluster, runs alternated), and stops the cluster.
#
#   bench/bench_pg.sh [CASES] [RUNS] [PGBENCH_SECONDS]     (needs a build)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-5000}
runs=${2:-3}
seconds=${3:-15}
dir=$(mktemp -d /tmp/yilian-bench-pg.XXXXXX)
chmod 755 "$dir"  # the cluster runs as another user when this runs as root
trap 'scripts/pg-cluster.sh stop "$dir/cluster" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
scripts/pg-cluster.sh start "$dir/cluster" >/dev/null
uri=$(cat "$dir/cluster/uri")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
echo "bench_pg: $(nproc) cores; PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on loopback; $cases cases, $runs runs"
echo
"$bin/pgbench" -q -i -s 10 "$uri" >/dev/null 2>&1
# The database's limit for small write transactions on this machine: one
# UPDATE of a random row, one SELECT, one INSERT per transaction, 8 clients.
tps=()
for r in $(seq "$runs"); do
  t=$("$bin/pgbench" -N -c 8 -j 2 -T "$seconds" "$uri" 2>/dev/null | awk '/^tps/ {print int($3)}')
  [[ -n "$t" && "$t" -gt 0 ]] || { echo "bench_pg: pgbench did no work; no figures" >&2; exit 1; }
  tps+=("$t")
done
sorted=$(printf '%s\n' "${tps[@]}" | sort -n | tr '\n' ' ')
echo "pgbench simple-update, 8 clients, ${seconds} s × $runs: tps $sorted(median $(printf '%s\n' "${tps[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'))"
echo
PGOPTIONS='-c client_min_messages=warning' psql -q "$uri" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null
build/bench/bench_engine stores "$uri" "$cases" "$runs"
