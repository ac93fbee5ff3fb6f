#!/usr/bin/env bash
# yilian serve under load, on loopback only: what bench/README.md's "HTTP
# API" table reports. Measures, asserts nothing; refuses to print a figure
# when a run did not do its work (non-2xx answers, cases missing).
#
#   bench/bench_serve.sh [SECONDS] [ROUNDS]      (defaults 10 s, 3 rounds)
#
# Needs a build (scripts/build.sh) and installs wrk and nginx (Debian) when
# missing. In each round, alternating: case status reads and task list reads
# through yilian serve; the same status document as a static file from
# nginx (the HTTP limit of this machine); submissions with idempotency keys
# through yilian serve. Then the engine's in-process submission rate
# (bench_engine submit) with as many in flight, and 500 idle event streams
# plus 1,000 idle long polls held by one server (its thread count).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
seconds=${1:-10}
rounds=${2:-3}
conns=32
yl=build/cli/yilian
[[ -x $yl && -x build/bench/bench_engine ]] || { echo "bench_serve: build first (scripts/build.sh)" >&2; exit 2; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/yilian-bench-serve.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export YILIAN_NOW=2025-03-03T09:00
db=$work/cases.db

key_of() { $yl account add --db "$db" "$1" --role "$2" ${3:+--department $3} --api-key --json | sed -n 's/.*"api_key": *"\([^"]*\)".*/\1/p'; }
window=$(key_of bench-window window)
health=$(key_of bench-health department health)
app_json=$work/app.json
write_application_json "$app_json"

# Reads go to a store of 200 cases that stays as it is; submissions to a
# second server on a store of their own (else every round would read a
# larger store than the one before).
port=18500
wport=18502
wdb=$work/writes.db
wkey=$($yl account add --db "$wdb" bench-writer --role window --api-key --json | sed -n 's/.*"api_key": *"\([^"]*\)".*/\1/p')
$yl serve --db "$db" --chain chains/kindergarten-setup.yaml --listen 127.0.0.1:$port --rate 1000000 --threads 2 > "$work/serve.log" 2>&1 &
pids+=($!)
serve_pid=$!
$yl serve --db "$wdb" --chain chains/kindergarten-setup.yaml --listen 127.0.0.1:$wport --rate 1000000 --threads 2 > "$work/serve-w.log" 2>&1 &
pids+=($!)
for p in $port $wport; do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$p/api/v1/health" >/dev/null && break; sleep 0.1; done
done
# 200 cases to read from.
for i in $(seq 200); do
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/cases" -H "Authorization: Bearer $window" \
       -H 'Content-Type: application/json' -H "Idempotency-Key: seed-$i" --data-binary "@$app_json"
done
mkdir -p "$work/www"
curl -sf "http://127.0.0.1:$port/api/v1/cases/100" -H "Authorization: Bearer $window" > "$work/www/status.json"
chmod a+rx "$work" "$work/www" && chmod a+r "$work/www/status.json"   # nginx's workers run as another user
cat > "$work/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  default_type application/json;
  server { listen 127.0.0.1:18501; root $work/www; keepalive_requests 100000; }
}
EOF
"$nginx_bin" -c "$work/nginx.conf" -p "$work" &
pids+=($!)
sleep 0.5

# One wrk run: prints "requests/s p50_ms p99_ms"; fails when any answer was not 2xx.
run_wrk() {  # url [extra wrk args...]
  local url=$1; shift
  local out
  out=$(wrk -t2 -c$conns -d${seconds}s --latency "$@" "$url")
  if grep -q "Non-2xx" <<<"$out"; then echo "bench_serve: non-2xx answers from $url: no figure" >&2; echo "$out" >&2; exit 1; fi
  wrk_figures "$out"
}

declare -A results
cases_before=$(sqlite3 "$wdb" 'SELECT COUNT(*) FROM cases')
for round in $(seq "$rounds"); do
  results[status]+="$(run_wrk "http://127.0.0.1:$port/api/v1/cases/100" -H "Authorization: Bearer $window")"$'\n'
  results[nginx]+="$(run_wrk "http://127.0.0.1:18501/status.json")"$'\n'
  results[tasks]+="$(run_wrk "http://127.0.0.1:$port/api/v1/tasks?status=dispatched" -H "Authorization: Bearer $health")"$'\n'
  lua="$work/submit-$round.lua"
  write_submit_lua "$lua" "$wkey" "$round" "$app_json"
  out=$(wrk -t2 -c$conns -d${seconds}s --latency -s "$lua" "http://127.0.0.1:$wport")
  if grep -q "Non-2xx" <<<"$out"; then echo "bench_serve: non-2xx submissions: no figure" >&2; echo "$out" >&2; exit 1; fi
  sent=$(awk '/requests in/ {print $1}' <<<"$out")
  results[submit]+="$(wrk_figures "$out")"$'\n'
  submitted_total=$(( ${submitted_total:-0} + sent ))
  rate=$(build/bench/bench_engine submit 5000 1 $conns | sed -n 's/.*median \([0-9]*\)\/s.*/\1/p')
  [[ -n $rate ]] || { echo "bench_serve: bench_engine submit gave no figure" >&2; exit 1; }
  results[inproc]+="$rate"$'\n'
done
cases_after=$(sqlite3 "$wdb" 'SELECT COUNT(*) FROM cases')
# wrk counts requests it completed; one still in flight when it stopped may
# have been committed too, so the store may hold up to $conns more.
made=$((cases_after - cases_before))
if (( made < submitted_total || made > submitted_total + conns * rounds )); then
  echo "bench_serve: wrk completed $submitted_total submissions but the store holds $made new cases: no figure" >&2; exit 1
fi

col() { awk -v c="$2" 'NF {print $c}' <<<"${results[$1]}" | median; }
range() { awk 'NF {print $1}' <<<"${results[$1]}" | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%s–%s", lo, hi}'; }

inproc=$(col inproc 1)

# 500 idle event streams and 1,000 idle long polls on one server.
threads_before=$(awk '/^Threads/ {print $2}' /proc/$serve_pid/status)
nowork=$(key_of bench-idle department no-such-department)
idle=$(node bench/serve_idle.mjs "http://127.0.0.1:$port" "$window" "$nowork" 500 1000 "$serve_pid")

echo
echo "bench_serve: $(nproc) cores; ${seconds} s per run, $rounds rounds alternated, $conns connections, keep-alive"
printf '| measure | requests/s (median, min–max) | p50 ms | p99 ms |\n|---|---|---|---|\n'
for k in status tasks nginx submit; do
  case $k in
    status) name="case status (GET /api/v1/cases/{id})" ;;
    tasks) name="task list (GET /api/v1/tasks, one department)" ;;
    nginx) name="nginx: the same status document as a static file" ;;
    submit) name="submissions (POST /api/v1/cases, Idempotency-Key)" ;;
  esac
  printf '| %s | %s (%s) | %s | %s |\n' "$name" "$(col $k 1)" "$(range $k)" "$(col $k 2)" "$(col $k 3)"
done
printf '| engine in process: submissions, %d in flight | %s (%s) | | |\n' "$conns" "$inproc" "$(range inproc)"
awk -v s="$(col status 1)" -v n="$(col nginx 1)" -v h="$(col submit 1)" -v e="$inproc" -v t="$(col tasks 1)" \
  'BEGIN { printf "\nstatus reads / nginx static: %.2f; task list reads / nginx: %.2f; HTTP submissions / in-process: %.2f\n", s/n, t/n, h/e }'
echo "idle: $idle (server threads before: $threads_before)"
