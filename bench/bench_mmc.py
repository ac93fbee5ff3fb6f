#!/usr/bin/python3
"""M/M/3 in yilian's simulator against SimPy, in one run, sides alternating.

The model: customers arrive at 2.4 a day (exponential gaps), wait for one of
3 servers (officers), are served for an exponential time of mean 1 day
(utilisation 80 %) and leave. SimPy 2 (Debian's python3-simpy,
bench/simpy_mmc.py) serves them in one run; yilian (`bench_simulate --mmc`)
serves them as one matter at one department on the continuous calendar, in
replications of 100 000 customers from an empty queue, on 1 and on 2
threads. Each round runs SimPy, yilian on 1 thread and yilian on 2 threads,
the order rotating from round to round; the ratio of a round is SimPy's
wall time over yilian's in that round. Times are wall seconds of the
simulation inside each process (start-up and loading not counted).

No figure is printed unless every side served every customer: the script
checks the counts each side reports and stops otherwise.

  /usr/bin/python3 bench/bench_mmc.py [--customers N] [--rounds R] [--bench PATH]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def erlang_c_wait(lam, mu, c):
    a = lam / mu
    term, below = 1.0, 0.0
    for k in range(c):
        below += term
        term *= a / (k + 1)
    top = term / (1 - a / c)
    return top / (below + top) / (c * mu - lam)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr}{r.stdout}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "bench_simulate"))
    a = p.parse_args()
    n, servers, rate = a.customers, 3, 2.4
    if subprocess.run(["/usr/bin/python3", "-c", "import SimPy"], capture_output=True).returncode != 0:
        sys.exit("SimPy 2 is missing: apt-get install -y python3-simpy (Debian)")
    if not os.path.exists(a.bench):
        sys.exit(f"no {a.bench}: build the benchmarks (cmake --build build --target bench_simulate)")
    sides = {
        "SimPy": ["/usr/bin/python3", os.path.join(ROOT, "bench", "simpy_mmc.py"), "--customers", str(n),
                  "--servers", str(servers), "--rate", str(rate)],
        "yilian, 1 thread": [a.bench, "--mmc", str(servers), "--mmc-cases", str(n), "--threads", "1", "--json"],
        "yilian, 2 threads": [a.bench, "--mmc", str(servers), "--mmc-cases", str(n), "--threads", "2", "--json"],
    }
    names = list(sides)
    times = {k: [] for k in names}
    waits = {k: [] for k in names}
    ratios = {k: [] for k in names[1:]}
    for r in range(a.rounds):
        order = names[r % 3:] + names[:r % 3]
        got = {}
        for name in order:
            out = run(sides[name])
            if out.get("served") != n:
                sys.exit(f"{name} served {out.get('served')} of {n} customers: no figure")
            got[name] = out
            times[name].append(out["wall_s"])
            waits[name].append(out["mean_wait"])
            print(f"round {r + 1}: {name:<18} {out['wall_s']:7.3f} s  mean wait {out['mean_wait']:.4f} d",
                  file=sys.stderr)
        for k in ratios:
            ratios[k].append(got["SimPy"]["wall_s"] / got[k]["wall_s"])

    print(f"M/M/{servers}, arrivals {rate}/day, service exp(1 day), {n:,} customers; "
          f"{os.cpu_count()} cores; medians of {a.rounds} rounds (min–max)")
    print(f"Erlang C mean wait: {erlang_c_wait(rate, 1.0, servers):.4f} days\n")
    print("| side | wall s | mean wait, days | ratio to SimPy |")
    print("|---|---:|---:|---:|")
    for k in names:
        t = times[k]
        ratio = "—" if k == "SimPy" else (
            f"**{statistics.median(ratios[k]):.1f}×** ({min(ratios[k]):.1f}–{max(ratios[k]):.1f})")
        print(f"| {k} | {statistics.median(t):.3f} ({min(t):.3f}–{max(t):.3f}) | "
              f"{statistics.median(waits[k]):.4f} | {ratio} |")


if __name__ == "__main__":
    main()
