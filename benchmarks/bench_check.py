"""Time symtutor's answer checking beside the naive simplify(a - b) == 0, in one run.

    python benchmarks/bench_check.py [--limit N]

Over the corpus of benchmarks/check_corpus.json (built by
make_check_corpus.py: correct answers in many forms and typical wrong ones,
each label confirmed by SymPy's evalf), it runs symtutor's ``check`` on every
pair, then the naive check on every pair (both texts parsed by symtutor's
parser, then ``simplify(a - b) == 0``; for matrices every entry).  Both run
in a worker process, the naive one with a 10 s limit, and both are timed from
the caller's side; the benchmark and its workers are pinned to one processor
(as ``taskset`` would), so that handing a call to a worker costs the same
for both and does not depend on where the scheduler puts them.  It prints p50, p99 and max check time and the
wrong verdicts of each.  The bar: symtutor's p50 at least 10x below the
naive p50, its p99 under 50 ms, its max under the 1 s bound, and no wrong
verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import sympy as sp

from symtutor import check, parse
from symtutor.sandbox import Sandbox, SandboxTimeout

CORPUS = Path(__file__).with_name("check_corpus.json")


def naive(answer: str, expected: str, variables: list[str]) -> bool:
    a = parse(answer, variables=variables)
    b = parse(expected, variables=variables)
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(sp.simplify(u - v) == 0 for u, v in zip(a, b))
    return sp.simplify(a - b) == 0


def percentile(values, q):
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))
    return s[k]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N pairs (a smoke test)")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        # one processor for this process and the two workers it forks, as with
        # taskset: each call's hand-over to a worker then stays on one core
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pairs = json.loads(CORPUS.read_text())["pairs"][: args.limit]
    naive_box = Sandbox(memory_mb=1024)
    ours_t, naive_t, first = [], [], []
    seen_questions = set()
    ours_wrong, naive_wrong, ours_undecided, naive_timeouts = [], [], [], 0
    named, labelled, missed = 0, 0, []
    check(pairs[0]["answer"], parse(pairs[0]["expected"], variables=pairs[0]["variables"]),
          variables=pairs[0]["variables"])  # start the worker outside the timings
    naive_box.run(len, "", timeout=30)
    # symtutor over the whole corpus, then the naive check over it: each in its own
    # block, so that neither runs with the other's data in the processor's caches
    for p in pairs:
        names = p["variables"]
        expected = parse(p["expected"], variables=names)
        kwargs = {"variables": names, "mode": p.get("mode", "equivalent")}
        if "function" in p:
            kwargs.update(function=parse(p["function"], variables=names), wrt=p["wrt"])
        if p.get("mode") == "taylor":
            kwargs.update(point=parse(p["point"]), order=p["order"])
        question = (p["expected"], tuple(names), p.get("function"), p.get("mode"), p.get("point"))
        first.append(question not in seen_questions)
        seen_questions.add(question)
        t0 = time.perf_counter()
        fb = check(p["answer"], expected, **kwargs)
        ours_t.append(time.perf_counter() - t0)
        if p.get("mistake"):
            labelled += 1
            if fb.diagnosis == p["mistake"]:
                named += 1
            else:
                missed.append((p, fb.diagnosis))
        if fb.status == "undecided":
            ours_undecided.append(p)
        elif fb.correct != p["correct"]:
            ours_wrong.append((p, fb.status, fb.message))
    for i, p in enumerate(pairs):
        t0 = time.perf_counter()
        try:
            verdict = naive_box.run(naive, p["answer"], p["expected"], p["variables"], timeout=10)
        except SandboxTimeout:
            verdict = None
            naive_timeouts += 1
        naive_t.append(time.perf_counter() - t0)
        if verdict != p["correct"]:
            naive_wrong.append(p)
        if (i + 1) % 100 == 0:
            print(f"  naive: {i + 1}/{len(pairs)} pairs", file=sys.stderr, flush=True)
    naive_box.close()

    def row(name, ts, wrong, extra=""):
        print(f"{name:34} {statistics.median(ts) * 1e3:9.2f} {percentile(ts, 99) * 1e3:9.2f} "
              f"{max(ts) * 1e3:9.2f} {len(wrong):8d}  {extra}")

    right = sum(p["correct"] for p in pairs)
    print(f"corpus: {len(pairs)} pairs ({right} correct answers, {len(pairs) - right} wrong), "
          f"{len({p['source'] for p in pairs})} kinds of task")
    print(f"{'':34} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'wrong':>8}")
    row("symtutor check", ours_t, ours_wrong, f"undecided: {len(ours_undecided)}")
    row("naive simplify(a - b) == 0", naive_t, naive_wrong, f"timeouts (10 s): {naive_timeouts}")
    ratio = statistics.median(naive_t) / statistics.median(ours_t)
    print(f"p50 ratio naive / symtutor: {ratio:.1f}x")
    # a worker prepares a question once (its values, and the mistakes its answers may show): the first
    # answer to each question pays for that, the later ones do not
    firsts = [t for t, f in zip(ours_t, first) if f]
    laters = [t for t, f in zip(ours_t, first) if not f]
    print(f"symtutor: mean {statistics.mean(ours_t) * 1e3:.2f} ms (naive {statistics.mean(naive_t) * 1e3:.2f} ms); "
          f"first answer to a question p50 {statistics.median(firsts) * 1e3:.2f} ms ({len(firsts)}), "
          f"later answers p50 {statistics.median(laters) * 1e3:.2f} ms ({len(laters)})")
    learner = [p for p in pairs if p.get("named")]
    learner_named = sum(1 for p in learner if (p, None) and all(m[0] is not p for m in missed))
    print(f"diagnoses: {named}/{labelled} labelled wrong answers named as labelled "
          f"({100 * named / max(labelled, 1):.1f}%); learner-mistake families: {learner_named}/{len(learner)}")
    for p, tag in missed[:10]:
        print(f"  not named: {p['answer']!r} vs {p['expected']!r}: {p['mistake']} -> {tag}")
    for p, status, message in ours_wrong[:10]:
        print(f"  symtutor wrong: {p['answer']!r} vs {p['expected']!r} labelled {p['correct']}: {status}, {message}")
    for p in ours_undecided[:10]:
        print(f"  symtutor undecided: {p['answer']!r} vs {p['expected']!r}")
    ok = (ratio >= 10 and percentile(ours_t, 99) < 0.050 and max(ours_t) < 1.0 and not ours_wrong)
    print("meets the bar" if ok else "below the bar")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
