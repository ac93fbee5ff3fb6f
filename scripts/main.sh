#!/usr/bin/env bash
# The main job: install what is missing, build, then run a real chain end to
# end: validate every chain, plan the kindergarten chain, tell an incomplete
# application everything it lacks at once, take a complete one through the
# case engine (SQLite store, the department work queues, one delivery, the
# audit trail), and simulate a year of the chain.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
yl=build/cli/yilian
chain=chains/kindergarten-setup.yaml
apps=examples/applications
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo
echo "== yilian validate chains/"
$yl validate chains/
echo
echo "== yilian plan $chain --start $(date +%F)"
$yl plan "$chain" --start "$(date +%F)"

echo
echo "== yilian check $chain $apps/kindergarten-setup-incomplete.yaml   (一次告知: exit 1, everything missing at once)"
rc=0
$yl check "$chain" "$apps/kindergarten-setup-incomplete.yaml" || rc=$?
[ "$rc" -eq 1 ] || { echo "expected exit 1 for an incomplete application, got $rc" >&2; exit 1; }

echo
echo "== the case engine: submit, each department approves its tasks as they open, deliver, verify"
db="$work/cases.db"
$yl case submit --db "$db" "$chain" "$apps/kindergarten-setup-complete.yaml"
# What each matter issues, for the matters that come after it (once-only).
produce_for() {
  case "$1" in
    school-permit) echo "--produce school.permit_no=教民1403020001" ;;
    nonprofit-registration) echo "--produce applicant.uscc=52370302MJ0000000M" ;;
    food-permit) echo "--produce food.licence_no=JY13703020000001" ;;
  esac
}
for _ in 1 2 3 4 5 6 7 8 9 10; do
  open=$($yl task list --db "$db" | awk 'NF >= 6 && $1 ~ /^[0-9]+$/ {print $2}')
  [ -n "$open" ] || break
  for m in $open; do
    # shellcheck disable=SC2046
    $yl task approve --db "$db" 1 "$m" $(produce_for "$m")
  done
done
$yl case deliver --db "$db" 1 --method express --tracking SF1234567890
$yl case status --db "$db" 1
$yl audit verify "$db"

echo
echo "== yilian simulate $chain chains/scenarios/kindergarten-setup.yaml --report build/kindergarten-simulation.html"
$yl simulate "$chain" chains/scenarios/kindergarten-setup.yaml --report build/kindergarten-simulation.html
echo "The report (charts, no network needed): build/kindergarten-simulation.html"
