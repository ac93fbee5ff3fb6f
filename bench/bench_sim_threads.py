#!/usr/bin/python3
"""The shipped kindergarten scenario on 1 and on 2 threads, in one run.

`yilian simulate kindergarten-setup chains/scenarios/kindergarten-setup.yaml
--cases N --json --threads T` under /usr/bin/time -v, the thread counts
alternating round by round: wall time, CPU time and peak resident memory of
the whole process (loading included), the separate-applications baseline
included as the scenario asks. No figure is printed unless every run
counted most of the N arrivals (after the warm-up) and delivered most
cases in both regimes, and the JSON
of every run is the same bytes (the results may not depend on the threads).

  /usr/bin/python3 bench/bench_sim_threads.py [--cases N] [--rounds R] [--cli PATH]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr[-2000:]}")

    def field(name):
        m = re.search(rf"{re.escape(name)}: (.+)", r.stderr)
        if not m:
            sys.exit(f"no `{name}` from /usr/bin/time")
        return m.group(1).strip()

    h, m_, s = (["0"] + field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"))[-3:]
    wall = int(h) * 3600 + int(m_) * 60 + float(s)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
    return r.stdout, wall, cpu, rss_mb


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "cli", "yilian"))
    a = p.parse_args()
    base = [a.cli, "simulate", "kindergarten-setup", "chains/scenarios/kindergarten-setup.yaml",
            "--cases", str(a.cases), "--json"]
    runs = {1: [], 2: []}
    outputs = set()
    for r in range(a.rounds):
        for t in ([1, 2] if r % 2 == 0 else [2, 1]):
            out, wall, cpu, rss = timed(base + ["--threads", str(t)])
            j = json.loads(out)
            b = j.get("baseline") or {}
            # The first 120 of each replication's 480 days are not counted:
            # about three quarters of the arrivals are.
            for name, g in (("chain", j), ("baseline", b)):
                if g.get("arrived", 0) < 0.6 * a.cases or g.get("cases", 0) < 0.5 * a.cases:
                    sys.exit(f"threads {t}: the {name} counted {g.get('arrived')} arrivals and delivered "
                             f"{g.get('cases')} cases of {a.cases}: no figure")
            outputs.add(out)
            runs[t].append((wall, cpu, rss, j))
            print(f"round {r + 1}, {t} thread(s): {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.1f} MB", file=sys.stderr)
    if len(outputs) != 1:
        sys.exit("the JSON differs between runs: the results depend on the thread count; no figure")
    j = runs[1][0][3]
    print(f"kindergarten scenario, {a.cases:,} cases, baseline included ({j['replications']:,} replications "
          f"of each regime; {j['cases']:,} counted chain cases and {j['baseline']['cases']:,} baseline cases "
          f"delivered after the warm-up); {os.cpu_count()} cores; medians of {a.rounds} runs (min–max)\n")
    print("| threads | wall s | CPU s | peak RSS MB |")
    print("|---:|---:|---:|---:|")
    for t, rs in runs.items():
        cols = []
        for k in range(3):
            v = [x[k] for x in rs]
            cols.append(f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})" if k < 2 else f"{max(v):.1f}")
        print(f"| {t} | " + " | ".join(cols) + " |")
    ratios = [one[0] / two[0] for one, two in zip(runs[1], runs[2])]
    print(f"\nwall time, 1 thread / 2 threads, per round: " + ", ".join(f"{x:.2f}" for x in ratios))


if __name__ == "__main__":
    main()
