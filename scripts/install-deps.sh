#!/usr/bin/env bash
# Installs the Debian 12 packages yilian needs, and nothing when all are
# present. Usage: scripts/install-deps.sh [--test] [--fuzz]
#   --test  also the packages the test suite needs (Node.js, npm, Chromium,
#           Graphviz), for the browser and schema tests, and PostgreSQL for
#           the PostgreSQL store's tests (a throw-away cluster each run).
#   --fuzz  also clang and libFuzzer, for fuzz campaigns (fuzz/run.sh).
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config
          libboost-graph-dev libboost-dev libyaml-dev libfmt-dev doctest-dev
          libsqlite3-dev libcli11-dev nlohmann-json3-dev libssl-dev libmimalloc-dev libargon2-dev libpq-dev)
for option in "$@"; do
  case "$option" in
    --test) packages+=(nodejs npm chromium fonts-noto-cjk graphviz sqlite3 postgresql-15) ;;
    --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
    *) echo "usage: scripts/install-deps.sh [--test] [--fuzz]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  # A package counts as present when dpkg says it is installed, or (for
  # nodejs/npm, which some machines carry outside dpkg) when its command runs.
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    continue
  fi
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm)    command -v npm  >/dev/null 2>&1 && continue ;;
    chromium) command -v chromium >/dev/null 2>&1 && continue ;;
  esac
  missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
