#!/usr/bin/env bash
# Builds yilian and runs every test (docs/testing.md): unit and data-driven
# tests, the schema and browser tests (Node.js, Chromium), the PostgreSQL
# tests and the installed-package consumer test in build/; then the unit and
# engine tests again under AddressSanitizer and UndefinedBehaviorSanitizer in
# build-san/ (scripts/test-sanitized.sh). The sanitized tree compiles while
# build/'s tests run, which mostly wait on processes, Node.js and Chromium.
# Exit status is non-zero when any test fails or any sanitizer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)

log=build/ctest.log
echo "== tests of build/ (output in $log, shown when they end), sanitized build of build-san/ meanwhile"
ctest --test-dir build --output-on-failure -j "$jobs" >"$log" 2>&1 &
tests=$!
# The tests come first: the sanitized compile yields the processor to them.
san_build=0
nice -n 5 scripts/test-sanitized.sh build || san_build=$?
main=0
wait "$tests" || main=$?
cat "$log"

san=0
if ((san_build == 0)); then
  echo "== sanitized tests of build-san/ (ASan, LeakSanitizer, UBSan)"
  scripts/test-sanitized.sh test || san=$?
else
  echo "test.sh: the sanitized build failed" >&2
  san=$san_build
fi
((main == 0)) || echo "test.sh: tests of build/ failed" >&2
((san == 0)) || echo "test.sh: sanitized tests failed" >&2
((main == 0 && san == 0))
