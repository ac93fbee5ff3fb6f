#!/bin/sh
# scripts/pg-cluster.sh stop on a server that does not stop: a throw-away
# cluster of its own whose postmaster is frozen (SIGSTOP), stopped with a
# 2-second wait. The stop must say so and list the processes, kill them
# all, remove the folder and exit 0.
#   tests/pg/stop-kills.sh SCRIPT DIR
set -u
script=$1
dir=$2
fail() { echo "stop-kills: $*" >&2; exit 1; }
"$script" start "$dir" >/dev/null || fail "the throw-away cluster did not start"
pid=$(head -1 "$dir/data/postmaster.pid")
case $pid in '' | *[!0-9]*) "$script" stop "$dir"; fail "no postmaster pid in $dir/data/postmaster.pid" ;; esac
children=$(pgrep -P "$pid" | tr '\n' ' ')
[ -n "$children" ] || { "$script" stop "$dir"; fail "the postmaster $pid has no child processes to check"; }
kill -STOP "$pid"
err=$(PG_STOP_WAIT=2 "$script" stop "$dir" 2>&1 >/dev/null)
rc=$?
kill -CONT "$pid" 2>/dev/null
printf '%s\n' "$err"
[ "$rc" -eq 0 ] || fail "stop exited $rc"
printf '%s' "$err" | grep -q "did not stop within 2 s" || fail "stop did not say the server was still there"
printf '%s' "$err" | grep -q "wchan\|WCHAN" || fail "stop did not list the processes with what they wait on"
[ ! -e "$dir" ] || fail "$dir is still there"
for _ in 1 2 3 4 5 6 7 8 9 10; do
  alive=""
  for p in $pid $children; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && break
  sleep 0.2
done
[ -z "$alive" ] || fail "processes still alive after the stop:$alive"
echo "stop-kills: the frozen cluster ($pid, children $children) was killed and removed"
