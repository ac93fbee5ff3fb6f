#!/usr/bin/env bash
# The sanitized stage of the tests (docs/testing.md): builds build-san/ with
# AddressSanitizer, its leak checker and UndefinedBehaviorSanitizer
# (-DYILIAN_SANITIZE=ON, the C library's malloc) and runs the unit and engine
# tests there. Any sanitizer report fails it, also one from a program a test
# started (the command, the engine, a department). scripts/test.sh runs it
# after the ordinary tests; run alone:
#   scripts/test-sanitized.sh            # configure, build, test
#   scripts/test-sanitized.sh build      # configure and build only
#   scripts/test-sanitized.sh test       # test an existing build-san/ only
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:-all}
case "$stage" in
  all|build|test) ;;
  *) echo "usage: scripts/test-sanitized.sh [build|test]" >&2; exit 2 ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
dir=build-san

if [[ $stage != test ]]; then
  generator=()
  if [[ ! -f $dir/CMakeCache.txt ]] && command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  # -Og and line tables only: about a third shorter to compile than -O1
  # with the sanitizers (GCC 12), still fast enough to run, and every report
  # names file and line. Debug keeps assert() on. A unity build (docs/testing.md).
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-Og -g1" \
        -DYILIAN_SANITIZE=ON -DYILIAN_MIMALLOC=OFF -DYILIAN_BUILD_TESTS=ON -DYILIAN_BUILD_CLI=ON \
        -DYILIAN_BUILD_BENCH=OFF -DYILIAN_INSTALL=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
  cmake --build "$dir" -j "$jobs"
fi
[[ $stage == build ]] && exit 0

# Every report is fatal (halt_on_error; -fno-sanitize-recover=all makes
# UBSan's fatal too) and exits with 86, a status no test expects from the
# command. Reports go to files, one per process, so that a report from a
# program whose output or status a test ignores still fails the stage.
reports=$PWD/$dir/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
common="halt_on_error=1:exitcode=86:print_stacktrace=1:log_path=$reports/report"
export ASAN_OPTIONS="$common:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="$common"
export LSAN_OPTIONS="$common"
status=0
ctest --test-dir "$dir" --output-on-failure -j "$jobs" || status=$?
if compgen -G "$reports/report.*" >/dev/null; then
  for f in "$reports"/report.*; do
    echo "== sanitizer report $f"
    cat "$f"
  done
  echo "test-sanitized: sanitizer reports above (also in $reports)" >&2
  status=1
fi
exit "$status"
