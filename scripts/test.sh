#!/usr/bin/env bash
# Builds yilian and runs every test: unit and data-driven tests, the schema
# and browser tests (Node.js, Chromium), and the installed-package consumer
# test. Exit status is non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j "$jobs"
