#!/usr/bin/env bash
# Configures and builds yilian into build/ (Release: optimised, no debug
# info, which also keeps the build short on a two-core machine; a unity
# build with Ninja, see docs/testing.md "Build time"). Extra arguments go to
# the configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# Ninja for a new build folder; one configured before keeps its generator.
generator=()
if [[ ! -f build/CMakeCache.txt ]] && command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON "$@" >/dev/null
cmake --build build -j "$jobs"
