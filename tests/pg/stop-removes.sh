#!/bin/sh
# scripts/pg-cluster.sh stop deletes the cluster's folder without waiting
# longer than $PG_STOP_WAIT for it: a folder of 5,000 files and no server,
# stopped with a wait of 0 s. Either the deletion ended within the wait and
# the stop says how much it deleted, or it goes on in the background and the
# stop names the process and the folder it is deleting, which must then
# disappear. Either way DIR itself is gone when the stop returns.
#   tests/pg/stop-removes.sh SCRIPT DIR
set -u
script=$1
dir=$2
fail() { echo "stop-removes: $*" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/data" || fail "cannot make $dir/data"
i=0
while [ $i -lt 50 ]; do
  mkdir "$dir/data/$i" && (cd "$dir/data/$i" && seq 1 100 | xargs touch) || fail "cannot fill $dir"
  i=$((i + 1))
done
out=$(PG_STOP_WAIT=0 "$script" stop "$dir" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "stop exited $rc"
[ ! -e "$dir" ] || fail "$dir is still there after the stop"
case $out in
*"deleted the cluster's"*) ;;
*"goes on deleting"*)
  doomed=${out##*goes on deleting }
  case $doomed in "$dir".removing.*) ;; *) fail "the stop names '$doomed', not a folder beside $dir" ;; esac
  for _ in $(seq 1 300); do [ -e "$doomed" ] || break; sleep 0.1; done
  [ ! -e "$doomed" ] || fail "$doomed is still there 30 s after the stop"
  ;;
*) fail "the stop said neither that it deleted the folder nor that it goes on deleting it" ;;
esac
ls -d "$dir".removing.* 2>/dev/null && fail "a folder being deleted is left beside $dir"
echo "stop-removes: $dir was deleted"
