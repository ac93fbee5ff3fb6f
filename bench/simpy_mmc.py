#!/usr/bin/python3
"""The M/M/c queue of bench/bench_mmc.py in SimPy 2 (Debian's python3-simpy).

Customers arrive at `rate` per day (exponential gaps), wait for one of `c`
servers, are served for an exponential time of mean 1 day and leave; one
run serves `customers` customers. Prints one JSON line: customers served,
their mean wait and the wall and CPU seconds of the run (the model built
and simulated; the interpreter's start-up is not counted).

  /usr/bin/python3 bench/simpy_mmc.py [--customers N] [--servers C] [--rate L] [--seed S]
"""
import argparse
import json
import random
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


def run(customers, servers, rate, seed):
    rng = random.Random(seed)
    counter = {"served": 0, "wait": 0.0}
    desk = None

    class Customer(Process):
        def visit(self):
            arrived = now()
            yield request, self, desk
            counter["wait"] += now() - arrived
            yield hold, self, rng.expovariate(1.0)
            yield release, self, desk
            counter["served"] += 1

    class Source(Process):
        def generate(self):
            for _ in range(customers):
                c = Customer()
                activate(c, c.visit())
                yield hold, self, rng.expovariate(rate)

    initialize()
    desk = Resource(capacity=servers, name="desk", unitName="officer")
    s = Source()
    activate(s, s.generate())
    simulate(until=1e18)
    return counter


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--servers", type=int, default=3)
    p.add_argument("--rate", type=float, default=2.4)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    t0, c0 = time.perf_counter(), time.process_time()
    counter = run(a.customers, a.servers, a.rate, a.seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    served = counter["served"]
    print(json.dumps({
        "engine": "SimPy",
        "customers": a.customers,
        "served": served,
        "mean_wait": counter["wait"] / served if served else None,
        "wall_s": wall,
        "cpu_s": cpu,
    }))


if __name__ == "__main__":
    main()
