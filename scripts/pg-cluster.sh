#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests and benchmarks, on loopback
# only, in a folder of its own:
#
#   scripts/pg-cluster.sh start DIR   initdb + start; writes DIR/uri (a libpq
#                                     URI of an empty database `yilian`)
#   scripts/pg-cluster.sh stop DIR    stops it and removes DIR (kills it
#                                     after $PG_STOP_WAIT seconds, default 20;
#                                     a deletion that takes longer than that
#                                     goes on in the background)
#
# initdb refuses to run as root: as root, the cluster runs as the `postgres`
# user (made by Debian's postgresql package), else as `nobody`. The port is a
# free one picked at start. Needs Debian's postgresql-15
# (scripts/install-deps.sh --test installs it).
set -euo pipefail
cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "$0: PostgreSQL is not installed (run scripts/install-deps.sh --test)" >&2
  exit 1
fi
as=()
if [[ $(id -u) -eq 0 ]]; then
  user=postgres
  id -u "$user" >/dev/null 2>&1 || user=nobody
  as=(runuser -u "$user" --)
fi

case "$cmd" in
start)
  rm -rf "$dir"
  mkdir -p "$dir/data" "$dir/socket"
  if [[ ${#as[@]} -gt 0 ]]; then
    chown -R "$user" "$dir"
    "${as[@]}" test -w "$dir/data" ||
      { echo "$0: user $user cannot reach $dir (a parent folder is closed to it: chmod o+x it)" >&2; exit 1; }
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U yilian --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # Loopback only; durability as a deployment would run it (fsync on).
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
max_connections = 200
shared_buffers = 128MB
CONF
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U yilian yilian
  echo "postgresql://yilian@127.0.0.1:$port/yilian" >"$dir/uri"
  echo "PostgreSQL on 127.0.0.1:$port ($dir)"
  ;;
stop)
  # Immediate: the cluster is deleted next, so the shutdown checkpoint of a
  # fast stop (fsyncing every test database written) is wasted work; on a
  # machine busy with other builds it took 40-60 s. Even an immediate stop can
  # wait on a server process stuck in an fsync while another build floods the
  # disk: after $PG_STOP_WAIT seconds (20) the cluster's processes are
  # killed, and what they were waiting on is printed for the record
  # (tests/pg/stop-kills.sh checks this path).
  #
  # The folder is then renamed and deleted by a process of its own, waited
  # for $PG_STOP_WAIT seconds too: deleting a cluster's thousands of files
  # on a flooded disk (ext4 mounted with discard trims every freed block)
  # can take minutes, and a CI run once timed out here with the server
  # already stopped. A deletion that takes longer goes on in the background,
  # and the stop says so. Each step prints its time.
  wait_s=${PG_STOP_WAIT:-20}
  [[ $wait_s =~ ^[0-9]+$ ]] || { echo "$0: PG_STOP_WAIT must be a whole number of seconds, not '$wait_s'" >&2; exit 2; }
  began=${EPOCHREALTIME/./}
  took() { local us=$((${EPOCHREALTIME/./} - began)); printf '%d.%d s' $((us / 1000000)) $((us / 100000 % 10)); }
  pidfile=$dir/data/postmaster.pid
  if [[ -f "$pidfile" ]]; then
    if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t "$wait_s" stop >/dev/null 2>&1; then
      echo "stopped the server ($(took))"
    else
      pid=$(head -1 "$pidfile" 2>/dev/null || true)
      if [[ "$pid" =~ ^[0-9]+$ ]]; then
        echo "$0: the server did not stop within $wait_s s; its processes:" >&2
        ps -o pid,stat,wchan:32,etime,args --ppid "$pid" -p "$pid" >&2 || true
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
        echo "killed the server ($(took))"
      fi
      tail -5 "$dir/server.log" >&2 2>/dev/null || true
    fi
  fi
  [[ -e "$dir" ]] || exit 0
  size=$(timeout 5 du -s -m "$dir" 2>/dev/null | cut -f1 || true)
  doomed=$dir.removing.$$
  mv -- "$dir" "$doomed"
  setsid -w rm -rf -- "$doomed" </dev/null >/dev/null 2>&1 &
  remover=$!
  for ((tenths = 0; tenths < wait_s * 10; tenths++)); do
    kill -0 "$remover" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$remover" 2>/dev/null; then
    echo "$0: deleting the cluster's ${size:-?} MB takes more than $wait_s s (the disk is busy); process $remover goes on deleting $doomed" >&2
  else
    wait "$remover" || { echo "$0: could not delete $doomed" >&2; exit 1; }
    echo "deleted the cluster's ${size:-?} MB ($(took))"
  fi
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
