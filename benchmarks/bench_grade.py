"""Time grading a class: the class grader on 1 and 2 local workers and on a Dask LocalCluster of 2 workers,
beside a plain loop of ``check`` and beside naive ``simplify(a - b) == 0``, in one run.

    python benchmarks/bench_grade.py [--attempts 100000] [--repeat 3] [--loop 4000] [--naive 60]

The class is synthetic (``symtutor.grading.synthetic``): 2,500 learners x 40
items, each learner typing the right answer in one of several forms, a typical
mistake (dropped chain factor, product rule as a product, a sign, a factor, an
added constant, the function itself), one mistake no diagnosis names, or noise
(stray terms, unbalanced brackets, cut-off text).  Each contender grades the
same CSV file from scratch into its own folder (attempts, gradebook and the
class report written: the whole ``symtutor grade``), timed end to end, and the
grading phase alone.  The plain loop is ``Exercise.check`` (symtutor.check)
over the first ``--loop`` rows in file order, projected to the class from the
rate of its second half (its caches warm, which favours the loop); the naive
check is ``simplify(a - b) == 0`` on ``--naive`` rows drawn at random, each in
a sandbox with a 10 s limit (a timeout counts 10 s).  It prints the medians,
the ratios, and the time projected for 10 million answers at each rate.  The
load average is printed before and after: on a shared machine other work
takes cores from the workers, and the speed-up per worker shows it.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy as sp

from symtutor import parse
from symtutor.grading import grade_class
from symtutor.grading.synthetic import synthetic_class, synthetic_items
from symtutor.sandbox import Sandbox, SandboxTimeout


def naive(answer: str, ex) -> bool:
    a = parse(answer, variables=ex.variables)
    b = ex.answer
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(sp.simplify(u - v) == 0 for u, v in zip(a, b))
    return sp.simplify(a - b) == 0


def _naive_or_false(answer, ex):
    try:
        return naive(answer, ex)
    except Exception:  # unreadable: not equal
        return False


_CLUSTER = """
import sys, dask
from distributed import LocalCluster
dask.config.set({"distributed.worker.daemon": False})
def warm():  # what a worker of a cluster in use already has: symtutor imported, a first check done
    import symtutor
    symtutor.generate("power_rule", seed=0).check("x")
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40) as c:
    with c.get_client() as client:
        client.run(warm)
    print(c.scheduler_address, flush=True)
    sys.stdin.read()
"""


def _start_cluster():
    """A Dask LocalCluster of 2 worker processes in a process of its own: (process, scheduler address)."""
    proc = subprocess.Popen([sys.executable, "-c", _CLUSTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    address = proc.stdout.readline().strip()
    if not address:
        raise RuntimeError("the Dask LocalCluster did not start")
    return proc, address


def _fmt_time(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attempts", type=int, default=100_000, help="rows in the synthetic class (default 100000)")
    ap.add_argument("--items", type=int, default=40, help="items (default 40)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per contender (default 3)")
    ap.add_argument("--loop", type=int, default=4000, help="rows of the plain loop (default 4000)")
    ap.add_argument("--naive", type=int, default=60, help="rows of the naive check (default 60)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    args = ap.parse_args(argv)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    items = synthetic_items(args.items)
    by_id = {ex.id: ex for ex in items}
    rows = synthetic_class(args.attempts, items, seed=1)
    n = len(rows)
    distinct = len({(r[1], r[2]) for r in rows})
    work = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    src = work / "class.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["learner", "item", "answer"])
        w.writerows(rows)
    print(f"class: {n} attempts, {len({r[0] for r in rows})} learners, {len(items)} items, "
          f"{distinct} distinct (item, answer) pairs")

    contenders = [("local, 1 worker", {"workers": 1}), ("local, 2 workers", {"workers": 2})]
    if not args.no_dask:
        contenders.append(("Dask LocalCluster, 2 workers", {"cluster": None}))
    total: dict[str, list[float]] = {name: [] for name, _ in contenders}
    phase: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for r in range(args.repeat):
        for k, (name, kw) in enumerate(contenders):  # interleaved: a change in the machine's load hits all alike
            cluster = None
            if "cluster" in kw:
                # the cluster in a process of its own, started before the clock (as an existing cluster is),
                # so that its scheduler does not share this process with the driver
                cluster = _start_cluster()
                kw = {"cluster": cluster[1]}
            out = work / f"out-{r}-{k}"
            try:
                t = time.perf_counter()
                g = grade_class(src, out, **kw)
                total[name].append(time.perf_counter() - t)
            finally:
                if cluster is not None:
                    cluster[0].stdin.close()
                    cluster[0].wait(60)
            phase[name].append(g.seconds)
            assert g.graded == n and g.ran == g.partitions, g.summary()
            shutil.rmtree(out)
            print(f"  run {r + 1}: {name}: {total[name][-1]:.1f} s (grading phase {g.seconds:.1f} s; "
                  + ", ".join(f"{p} {v:.1f} s" for p, v in g.phases) + ")", flush=True)

    # the plain loop: Exercise.check (symtutor.check) on each attempt in file order
    loop_rows = rows[: args.loop]
    half = len(loop_rows) // 2
    t0 = time.perf_counter()
    for k, (_, item, answer) in enumerate(loop_rows):
        if k == half:
            t_half = time.perf_counter()
        by_id[item].check(answer)
    t1 = time.perf_counter()
    loop_rate_all = len(loop_rows) / (t1 - t0)
    loop_rate = (len(loop_rows) - half) / (t1 - t_half)

    # naive simplify(a - b) == 0 on a random sample, each in a sandbox with a 10 s limit
    rng = random.Random(7)
    sample = rng.sample(rows, min(args.naive, n))
    box = Sandbox()
    naive_times = []
    for _, item, answer in sample:
        t = time.perf_counter()
        try:
            box.run(_naive_or_false, answer, by_id[item], timeout=10)
        except SandboxTimeout:
            pass
        naive_times.append(time.perf_counter() - t)
    box.close()
    naive_rate = len(sample) / sum(naive_times)

    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(f"{'contender':34s} {'median s':>9s} {'answers/s':>10s} {'vs loop':>8s} {'10M answers':>12s}"
          f"   grading phase: {'median s':>8s} {'answers/s':>10s}")
    base = statistics.median(total["local, 1 worker"])
    base_phase = statistics.median(phase["local, 1 worker"])
    for name, _ in contenders:
        m, p = statistics.median(total[name]), statistics.median(phase[name])
        print(f"{name:34s} {m:9.1f} {n / m:10.0f} {n / m / loop_rate:7.1f}x {_fmt_time(1e7 * m / n):>12s}"
              f"                  {p:8.1f} {n / p:10.0f}")
    print(f"{'plain loop of check (projected)':34s} {n / loop_rate:9.1f} {loop_rate:10.0f} {1:7.1f}x "
          f"{_fmt_time(1e7 / loop_rate):>12s}   (first {len(loop_rows)} rows; {loop_rate_all:.0f}/s over all of them)")
    print(f"{'naive simplify(a-b)==0 (projected)':34s} {n / naive_rate:9.1f} {naive_rate:10.1f} "
          f"{naive_rate / loop_rate:7.3f}x {_fmt_time(1e7 / naive_rate):>12s}   ({len(sample)} rows, "
          f"median {statistics.median(naive_times) * 1000:.0f} ms, max {max(naive_times):.1f} s)")
    print()
    for name, _ in contenders[1:]:
        s_total = base / statistics.median(total[name])
        s_phase = base_phase / statistics.median(phase[name])
        print(f"speed-up of {name} over 1 worker: {s_total:.2f}x end to end, {s_phase:.2f}x in the grading phase")
    best = max(n / statistics.median(v) for v in total.values())
    print(f"bar: >= 3000 answers/s: {best:.0f}; >= 2x the plain loop: {best / loop_rate:.1f}x; "
          f"2 workers >= 1.7x one: {base / statistics.median(total['local, 2 workers']):.2f}x end to end")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
