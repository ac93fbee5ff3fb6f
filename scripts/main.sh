#!/usr/bin/env bash
# The main job: install what is missing, build, then run a real chain end to
# end: validate every chain, and plan the kindergarten chain.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
yl=build/cli/yilian
echo
echo "== yilian validate chains/"
$yl validate chains/
echo
echo "== yilian plan chains/kindergarten-setup.yaml --start $(date +%F)"
$yl plan chains/kindergarten-setup.yaml --start "$(date +%F)"
