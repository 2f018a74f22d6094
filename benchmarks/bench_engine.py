"""Time symtutor's engine beside plain SymPy and SymEngine, in one run.

    python benchmarks/bench_engine.py [--repeat N] [--quick]

For each task it prints the median time of the plain SymPy call, of
symtutor, of SymEngine alone and of SymEngine with a naive conversion of its
result back to SymPy, the ratio SymPy / symtutor, and whether symtutor's
result is equal (==) to SymPy's.  SymPy's cache is cleared before every
timed call of each contender, so every call is measured cold, and the
garbage collector is paused during each call, as ``timeit`` does.  Runs of the
contenders are interleaved so that a change in machine load hits all alike.
The bar: symtutor at least 10x faster than SymPy on every task, and 100x on
the univariate Taylor polynomials.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from dataclasses import dataclass
from itertools import product
from typing import Callable

import symengine as se
import sympy as sp

import symtutor as st


@dataclass
class Task:
    name: str
    sympy: Callable
    symtutor: Callable
    symengine: Callable  # returns SymEngine objects
    to_sympy: Callable  # naive conversion of symengine()'s result
    bar: float
    repeat: int


def _naive_matrix(rows):
    return sp.Matrix([[sp.sympify(e) for e in row] for row in rows])


def jacobian_task() -> Task:
    xs = sp.symbols("x0:10")
    F = []
    prev = xs[0]
    for k in range(10):
        prev = sp.sin(sp.exp(prev) * xs[k]) if k % 2 == 0 else sp.exp(sp.sin(prev) + xs[k])
        F.append(prev)
    M = sp.Matrix(F)
    Fe = [se.sympify(f) for f in F]
    xe = [se.Symbol(str(x)) for x in xs]
    return Task(
        "Jacobian, 10 nested sin/exp of 10 variables",
        lambda: M.jacobian(xs),
        lambda: st.jacobian(M, xs),
        lambda: [[f.diff(x) for x in xe] for f in Fe],
        _naive_matrix,
        10,
        15,
    )


def hessian_task() -> Task:
    ys = sp.symbols("y0:20")
    f = sum(100 * (ys[i + 1] - ys[i] ** 2) ** 2 + (1 - ys[i]) ** 2 for i in range(19))
    f += sp.exp(-sum(y**2 for y in ys) / 20) * sp.sin(ys[0] * ys[19])
    fe = se.sympify(f)
    ye = [se.Symbol(str(y)) for y in ys]

    def raw():
        g = [fe.diff(y) for y in ye]
        return [[gi.diff(y) for y in ye] for gi in g]

    return Task(
        "Hessian of a 20-variable function",
        lambda: sp.hessian(f, ys),
        lambda: st.hessian(f, ys),
        raw,
        _naive_matrix,
        10,
        7,
    )


def network_task() -> Task:
    def sigma(z):
        return 1 / (1 + sp.exp(-z))

    x = sp.Symbol("x")
    y = sp.symbols("y0:2")
    W1 = sp.Matrix(6, 1, sp.symbols("w1_0:6"))
    b1 = sp.Matrix(sp.symbols("b1_0:6"))
    W2 = sp.Matrix(7, 6, sp.symbols("w2_0:42"))
    b2 = sp.Matrix(sp.symbols("b2_0:7"))
    W3 = sp.Matrix(2, 7, sp.symbols("w3_0:14"))
    b3 = sp.Matrix(sp.symbols("b3_0:2"))
    a1 = (W1 * sp.Matrix([x]) + b1).applyfunc(sigma)
    a2 = (W2 * a1 + b2).applyfunc(sigma)
    a3 = (W3 * a2 + b3).applyfunc(sigma)
    C = sum((a3[k] - y[k]) ** 2 for k in range(2))
    params = list(W1) + list(b1) + list(W2) + list(b2) + list(W3) + list(b3)
    assert len(params) == 77
    Ce = se.sympify(C)
    pe = [se.Symbol(str(p)) for p in params]
    return Task(
        "Gradient of a 1-6-7-2 sigmoid network's cost (77 parameters)",
        lambda: sp.Matrix([C]).jacobian(params).T,
        lambda: st.gradient(C, params),
        lambda: [[Ce.diff(p)] for p in pe],
        _naive_matrix,
        10,
        5,
    )


def taylor3_task() -> Task:
    x, y, z = sp.symbols("x y z")
    f = sp.exp(x + y * z) * sp.cos(x - y) / (1 + z**2)
    fe = se.sympify(f)
    X, Y, Z = (se.Symbol(s) for s in "xyz")
    order = 4

    def textbook():
        terms = []
        for a in product(range(order + 1), repeat=3):
            if sum(a) > order:
                continue
            d = f
            for v, k in zip((x, y, z), a):
                if k:
                    d = sp.diff(d, v, k)
            c = d.subs({x: 0, y: 0, z: 0}) / math.prod(math.factorial(k) for k in a)
            terms.append(c * x ** a[0] * y ** a[1] * z ** a[2])
        return sp.Add(*terms)

    def raw():
        out = []
        for a in product(range(order + 1), repeat=3):
            if sum(a) > order:
                continue
            d = fe
            for v, k in zip((X, Y, Z), a):
                for _ in range(k):
                    d = d.diff(v)
            c = d.subs({X: 0, Y: 0, Z: 0}) / math.prod(math.factorial(k) for k in a)
            out.append(c * X ** a[0] * Y ** a[1] * Z ** a[2])
        return se.Add(*out)

    return Task(
        "Taylor polynomial of a 3-variable function, order 4",
        textbook,
        lambda: st.taylor(f, (x, y, z), point=(0, 0, 0), order=order),
        raw,
        sp.sympify,
        10,
        7,
    )


def taylor1_task(label: str, f) -> Task:
    x = sp.Symbol("x")
    fe = se.sympify(f)
    X = se.Symbol("x")

    def raw():
        d = fe
        out = []
        for k in range(11):
            out.append(d.subs({X: 0}) / math.factorial(k) * X**k)
            d = d.diff(X)
        return se.Add(*out)

    return Task(
        f"Taylor polynomial of {label} to order 10",
        lambda: sp.series(f, x, 0, 11).removeO(),
        lambda: st.taylor(f, x, point=0, order=10),
        raw,
        sp.sympify,
        100,
        15,
    )


def tasks() -> list[Task]:
    x = sp.Symbol("x")
    return [
        jacobian_task(),
        hessian_task(),
        network_task(),
        taylor3_task(),
        taylor1_task("exp(sin x)", sp.exp(sp.sin(x))),
        taylor1_task("1/(1 - x - x^2)", 1 / (1 - x - x**2)),
        taylor1_task("log(1 + x) cos x", sp.log(1 + x) * sp.cos(x)),
    ]


def _time(fn) -> tuple[float, object]:
    """One cold call: SymPy's cache cleared, the garbage collector paused (as timeit does)."""
    sp.core.cache.clear_cache()
    gc.disable()
    try:
        t0 = time.perf_counter()
        r = fn()
        return time.perf_counter() - t0, r
    finally:
        gc.enable()


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:7.2f} s "
    return f"{seconds * 1e3:7.2f} ms"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per contender (default: per task)")
    ap.add_argument("--quick", action="store_true", help="3 runs each, for a smoke test")
    args = ap.parse_args(argv)

    print(f"symtutor {st.__version__}, SymPy {sp.__version__}, SymEngine {se.__version__}, "
          f"Python {sys.version.split()[0]}")
    print("median of cold calls; ratio = SymPy / symtutor\n")
    header = (f"{'task':62} {'SymPy':>10} {'symtutor':>10} {'ratio':>8} {'bar':>6} "
              f"{'SymEngine':>10} {'SE+naive':>10}  equal")
    print(header)
    print("-" * len(header))
    failed = []
    for task in tasks():
        n = 3 if args.quick else (args.repeat or task.repeat)
        ts_sp, ts_st, ts_se, ts_conv = [], [], [], []
        ref = ours = None
        for _ in range(n):
            t, ref = _time(task.sympy)
            ts_sp.append(t)
            t, ours = _time(task.symtutor)
            ts_st.append(t)
            t, raw = _time(task.symengine)
            ts_se.append(t)
            t_conv, _ = _time(lambda task=task, raw=raw: task.to_sympy(raw))
            ts_conv.append(t + t_conv)
        m_sp, m_st = statistics.median(ts_sp), statistics.median(ts_st)
        ratio = m_sp / m_st
        equal = ours == ref
        ok = equal and ratio >= task.bar
        if not ok:
            failed.append(task.name)
        print(f"{task.name:62} {_fmt(m_sp)} {_fmt(m_st)} {ratio:7.1f}x {task.bar:5.0f}x "
              f"{_fmt(statistics.median(ts_se))} {_fmt(statistics.median(ts_conv))}  "
              f"{'yes' if equal else 'NO'}", flush=True)
    print()
    if failed:
        print("below the bar:", "; ".join(failed))
        return 1
    print("every task meets its bar, with results equal to SymPy's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
