#!/usr/bin/env bash
# Runs a fuzz campaign: fuzz/run.sh HARNESS SECONDS, or fuzz/run.sh all
# SECONDS for each harness in turn (SECONDS each). Builds the fuzz build
# (build-fuzz/, clang with libFuzzer, ASan and UBSan) when it is missing,
# then runs the harness on one core at low priority with its seeds and
# dictionary. The corpus it grows lives in build-fuzz/corpus/HARNESS (not
# committed); crashes, leaks, timeouts and out-of-memory inputs go to
# fuzz/findings/HARNESS/. The last lines printed are the figures for
# fuzz/README.md: executions, exec/s, corpus size, coverage, findings.
#
# Environment: CXX (default clang++-14), CC (clang-14), FUZZ_BUILD (build
# folder, default build-fuzz), FUZZ_RSS_MB (memory limit, default 2048),
# FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
harnesses=(chain condition application deployment calendar scenario field_values json)

usage() {
  echo "usage: fuzz/run.sh HARNESS|all SECONDS   (HARNESS: ${harnesses[*]})" >&2
  exit 2
}
(($# == 2)) || usage
[[ $2 =~ ^[0-9]+$ ]] || usage
target=$1
seconds=$2
if [[ $target == all ]]; then
  for h in "${harnesses[@]}"; do "$0" "$h" "$seconds"; done
  exit 0
fi
[[ " ${harnesses[*]} " == *" $target "* ]] || usage

build=${FUZZ_BUILD:-build-fuzz}
# The libraries when missing, and clang with libFuzzer (Debian's clang-14,
# libclang-rt-14-dev) unless CXX names a compiler of one's own: on a new
# machine a campaign with CXX set failed in CMake for want of Boost.
if [[ -n ${CXX:-} ]]; then scripts/install-deps.sh; else scripts/install-deps.sh --fuzz; fi
if [[ ! -f $build/build.ninja && ! -f $build/Makefile ]]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DYILIAN_FUZZ=ON -DYILIAN_MIMALLOC=OFF -DYILIAN_BUILD_CLI=OFF -DYILIAN_BUILD_BENCH=OFF \
    -DYILIAN_BUILD_TESTS=OFF -DYILIAN_INSTALL=OFF >/dev/null
fi
# Two jobs at most and low priority: the machine is shared.
nice -n 10 cmake --build "$build" -j 2 --target "fuzz_$target"

# Conditions and single values are short, and no text a person writes by
# hand needs more than 64 KB: longer inputs only slow the search (libFuzzer
# reads a longer regression cut to that length; the replay tests run it whole).
case $target in
  condition) max_len=(-max_len=1024) ;;
  field_values | json) max_len=(-max_len=4096) ;;
  *) max_len=(-max_len=65536) ;;
esac

corpus=$build/corpus/$target
findings=fuzz/findings/$target
mkdir -p "$corpus" "$findings"
log=$build/fuzz-$target.log
echo "fuzz: $target for ${seconds}s (log: $log)"
set +e
# The grown corpus first (new inputs are written there), then the seeds and
# the regressions, which are only read.
# On a kernel with autogroup scheduling (sched_autogroup_enabled), nice
# weighs only within one session: a campaign started from another terminal
# would still take a whole core from a build. So the campaign runs in a
# session of its own whose group is niced too.
setsid --wait sh -c 'echo 15 > /proc/self/autogroup 2>/dev/null; exec "$@"' campaign \
  nice -n 15 "$build/fuzz/fuzz_$target" "$corpus" "$root/fuzz/corpus/$target" "$root/fuzz/regressions/$target" \
  -dict="$root/fuzz/$target.dict" -max_total_time="$seconds" -timeout=5 -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
  -artifact_prefix="$findings/" -print_final_stats=1 "${max_len[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
status=$?
set -e

# The figures: the last status line and the final statistics.
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
# With -fork=N libFuzzer prints no final statistics, or (stopped by a
# signal) the parent's own, which count 0: its last "#N:" line counts every
# job's executions.
if [[ -z $execs || $execs == 0 ]]; then
  execs=$(sed -n 's/^#\([0-9]*\): .*/\1/p' "$log" | tail -1)
  rate=""  # not in the log for a whole fork-mode campaign
fi
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
units=$(find "$corpus" -type f | wc -l)
found=$(find "$findings" -type f | wc -l)
printf 'fuzz: %s: %s executions, %s exec/s, corpus %s inputs, cov %s, ft %s, findings %s (exit %s)\n' \
  "$target" "${execs:-?}" "${rate:-?}" "$units" "${cov:-?}" "${ft:-?}" "$found" "$status"
if ((found > 0)); then
  echo "fuzz: findings in $findings:"
  find "$findings" -type f | sed 's/^/  /'
  grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: contract)' "$log" | head -5 | sed 's/^/  /'
fi
exit "$status"
