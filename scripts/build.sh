#!/usr/bin/env bash
# Configures and builds yilian into build/ (Release: optimised, no debug
# info, which also keeps the build short on a two-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$jobs"
