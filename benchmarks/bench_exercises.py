"""Throughput of exercise generation with self-verification, over every topic and difficulty.

    python benchmarks/bench_exercises.py [--seeds N]

For each of the 23 topics and 3 difficulties it generates N exercises (seeds
0 .. N-1, default 200) and verifies each one (its answer checks as correct, its
worked solution ends in its answer, a perturbed answer is rejected).  It prints
the rate per topic and overall.  The bar: at least 100 self-verified exercises
per second, averaged over all topics.
"""

from __future__ import annotations

import argparse
import sys
import time

from symtutor.exercises import TOPICS, generate, topics


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=200, help="seeds per topic and difficulty (default 200)")
    args = ap.parse_args(argv)
    topics()
    generate("power_rule", seed=0).verify()  # start the checking worker outside the timings
    total_n, total_t = 0, 0.0
    print(f"{'topic':26} {'exercises':>9} {'seconds':>8} {'per second':>11}")
    for t in TOPICS:
        t0 = time.perf_counter()
        n = 0
        for difficulty in (1, 2, 3):
            for seed in range(args.seeds):
                generate(t, seed=seed, difficulty=difficulty).verify()
                n += 1
        dt = time.perf_counter() - t0
        total_n += n
        total_t += dt
        print(f"{t:26} {n:9d} {dt:8.2f} {n / dt:11.1f}", flush=True)
    rate = total_n / total_t
    print(f"{'all topics':26} {total_n:9d} {total_t:8.2f} {rate:11.1f}")
    print("meets the bar (100 per second)" if rate >= 100 else "below the bar (100 per second)")
    return 0 if rate >= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
