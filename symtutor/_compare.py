"""Comparing two expressions at random real points.

The points are drawn at random from a generator seeded by the question (so a
class checking one question shares them, and the same question gives the same
verdicts), over ranges that include small, large and negative values.  Values
are first computed in floating point for every point at once (one pass over
every subexpression); each verdict is then settled in high-precision mpmath
arithmetic:

- a floating-point disagreement counts only once confirmed at 40 digits;
- where floating point gives no value (overflow, an odd root of a negative, a
  value too close to a singularity) the point is evaluated in mpmath;
- the domain rule: a point where one side is a real number and the other is not
  defined makes the two different (``log(x)`` is not ``log(abs(x))``);
- agreement is confirmed at a precision raised by the size of the constants in
  the expressions, so a difference below floating point's resolution
  (``x + 10^-35``) is found;
- an answer holding a constant of three or more figures, more than any in the
  expected answer (``x + sin(100000 pi x)``, or one written with small numbers
  such as ``exp(-pi^20 x^2)``), is equal only if SymPy confirms it, within the
  check's time bound;
- an answer holding a constant beyond the points' range that the expected
  answer lacks is also evaluated near that constant, where a term hidden
  behind it shows (``x + exp(x - 5000)``).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import mpmath
import numpy as np
import sympy as sp

from ._numeval import HUGE, Evaluator, NotEvaluable, exact_sum
from .errors import SymtutorError
from .numeric import node_values

__all__ = ["Compare", "seed_of", "POINTS", "NEEDED", "DPS", "resembles", "resembling"]

POINTS = 40  # candidate points
NEEDED = 6  # agreeing points that make an answer correct
DPS = 40


def seed_of(*parts) -> int:
    """A 64-bit seed from strings (the question)."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(h[:8], "big")


def _coordinate(rng: random.Random) -> float:
    u = rng.random()
    if u < 0.30:
        return rng.uniform(-3.0, 3.0)
    if u < 0.50:
        return rng.uniform(0.05, 3.0)
    if u < 0.62:
        return rng.uniform(-1.0, 1.0)
    if u < 0.77:
        return rng.choice((-1, 1)) * rng.uniform(3.0, 30.0)
    if u < 0.87:
        return rng.choice((-1, 1)) * rng.uniform(30.0, 1000.0)
    return rng.choice((-1, 1)) * rng.uniform(1e-4, 0.05)


@lru_cache(maxsize=64)
def _mpf(x) -> mpmath.mpf:
    return mpmath.mpf(x)


@lru_cache(maxsize=64)
def points(n_vars: int, seed: int) -> np.ndarray:
    """POINTS random real points (one column each), read-only.

    Each coordinate is a double; its exact binary value is the point used in
    high precision, so the float and mpmath evaluations see the same point.
    """
    rng = random.Random(seed)
    grid = np.array([[_coordinate(rng) for _ in range(POINTS)] for _ in range(n_vars)], dtype=float)
    grid = grid.reshape(n_vars, POINTS)
    grid.setflags(write=False)
    return grid


@lru_cache(maxsize=64)
def _moderate(n_vars: int, seed: int) -> np.ndarray:
    """The points whose coordinates are all of moderate size (|c| <= 30): where floats cannot mislead much."""
    grid = points(n_vars, seed)
    mask = np.all(np.abs(grid) <= 30, axis=0) if n_vars else np.ones(POINTS, dtype=bool)
    mask.setflags(write=False)
    return mask


def _clean(vals) -> np.ndarray:
    vals = np.broadcast_to(np.asarray(vals, dtype=float), (POINTS,))
    real = vals.copy()
    real[~np.isfinite(real) | (np.abs(real) > 1e150)] = np.nan
    real.setflags(write=False)
    return real


class _Table:
    """Float values by subexpression, cleaned (NaN where not a finite float) the first time each is asked for."""

    __slots__ = ("raw", "clean", "kept")

    def __init__(self, raw: dict):
        self.raw = raw
        self.clean: dict = {}
        self.kept: dict = {}  # (expression, point) -> whether its value there keeps its figures

    def __contains__(self, e) -> bool:
        return e in self.raw

    def __getitem__(self, e) -> np.ndarray:
        done = self.clean.get(e)
        if done is None:
            done = self.clean[e] = _clean(self.raw[e])
        return done

    def at(self, e, i: int) -> float:
        """e's raw float value at point i."""
        v = self.raw[e]
        return float(v[i]) if np.ndim(v) else float(v)

    def keeps_figures(self, e, i: int) -> bool:
        """Whether e's float value at point i keeps most of its figures.

        Rounding in double precision grows only where a sum cancels (1 - tanh(y)^2
        at a large y is 0 in floats) or a function is taken of a large argument; so
        the value is trusted when every value on the way to it is finite, the sums'
        losses of figures multiplied together stay below six digits and no
        function's argument exceeds 10^4.  Else high precision decides.
        """
        done = self.kept.get((e, i))
        if done is None:
            done = self.kept[(e, i)] = self._keeps_figures(e, i)
        return done

    def _keeps_figures(self, e, i: int) -> bool:
        loss = 1.0
        with np.errstate(all="ignore"):
            for node in _nodes(e):
                if node not in self.raw:
                    continue  # a number exponent: not evaluated on its own
                v = abs(self.at(node, i))
                if not math.isfinite(v):
                    return False
                if node.is_Add:
                    largest = max(abs(self.at(t, i)) for t in node.args)
                    if largest > 0:
                        if v == 0:
                            return False
                        loss *= max(1.0, largest / v)
                        if loss > 1e6:
                            return False
                elif isinstance(node, sp.Function) or (node.is_Pow and not node.exp.is_Number):
                    arg = node.args[0] if isinstance(node, sp.Function) else node.exp
                    if len(node.args) != 1 and not node.is_Pow or abs(self.at(arg, i)) > 1e4:
                        return False
        return True

    def overflowed(self, e) -> np.ndarray:
        """Where e's float value is beyond floating point's range (not where it is undefined)."""
        vals = np.broadcast_to(np.asarray(self.raw[e], dtype=float), (POINTS,))
        with np.errstate(all="ignore"):
            return np.isinf(vals) | (np.isfinite(vals) & (np.abs(vals) > 1e150))


def _kept_bits(dps: int) -> int:
    """The most bits a value at ``dps`` digits may lose and keep 15 figures."""
    return int((dps - 15) * 3.33)


@lru_cache(maxsize=1024)
def _nodes(e) -> tuple:
    """e's distinct subexpressions."""
    return tuple(dict.fromkeys(sp.preorder_traversal(e)))


@lru_cache(maxsize=1024)
def _float_table(e, variables: tuple, seed: int):
    grid = points(len(variables), seed)
    with np.errstate(all="ignore"):
        try:
            return _Table(node_values(e, variables, grid))
        except (SymtutorError, TypeError, ValueError, OverflowError, ZeroDivisionError, KeyError):
            return None


@lru_cache(maxsize=4096)
def _evaluator(e, variables: tuple, dps: int) -> Evaluator:
    return Evaluator(e, variables, dps)


@lru_cache(maxsize=8192)
def _evaluated(e, variables: tuple, seed: int, i: int, dps: int = DPS) -> tuple:
    """(value, bits lost, values of its subexpressions) of e at point i (see :meth:`Evaluator.evaluate`)."""
    grid = points(len(variables), seed)
    parts: dict = {}
    point = tuple(mpmath.mpf(float(grid[k, i])) for k in range(len(variables)))
    return (*_evaluator(e, variables, dps).evaluate(point, parts), parts)


def _value(e, variables: tuple, seed: int, i: int, dps: int = DPS):
    return _evaluated(e, variables, seed, i, dps)[0]


class _Scan(NamedTuple):
    """What comparing needs to know of an expression's constants, found in one walk over it."""

    magnitude: int  # decimal digits spanned by its constants (how much precision beyond 40 a comparison needs)
    largest: int  # digits of its largest integer, denominator or constant (exp(exp(3)): 9)
    odd_root: bool  # whether it takes an odd root (real for a negative base in high precision, NaN in floats)
    sizes: frozenset  # the sizes of its numbers
    large: tuple  # its numbers, numerators and denominators beyond 30 in size, in order, each once
    steep: frozenset  # its integers of two figures or more (numerators, denominators, floats' sizes)
    sums: frozenset  # its subexpressions that are sums
    has_float: bool  # whether it holds a decimal
    not_real: bool  # whether it holds infinity, an undefined value, the imaginary unit or an interval
    exponent_variables: frozenset  # the variables in exponents of powers whose base may be negative (not 2^x)


_NOT_REAL = frozenset((sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I))


@lru_cache(maxsize=4096)
def _scan(e) -> _Scan:
    magnitude = largest = 0
    odd_root = False
    sizes, steep, sums = set(), set(), set()
    large: list = []
    has_float = not_real = False
    exponent_variables: set = set()
    for node in sp.preorder_traversal(e):
        if node.is_Atom:
            if node in _NOT_REAL:
                not_real = True
        elif isinstance(node, sp.AccumBounds):
            not_real = True
        if node.is_Number and node not in _NOT_REAL:
            sizes.add(abs(node))
            if node.is_Rational:  # compared as integers: |p/q| > 30 when |p| > 30 q
                beyond = [c for c in ((node, node.p, node.q) if node.q != 1 else (node,))
                          if (abs(c.p) > 30 * c.q if isinstance(c, sp.Rational) else abs(c) > 30)]
            else:
                beyond = [node] if abs(float(node)) > 30 else []
            for c in beyond:
                c = abs(sp.Number(c))
                if c not in large:
                    large.append(c)
        if node.is_Rational:
            digits = max(len(str(abs(node.p))), len(str(node.q)))
            largest = max(largest, digits)
            magnitude = max(magnitude, digits)
            steep.update(k for k in (abs(node.p), node.q) if k >= 10)
        elif node.is_Float:
            has_float = True
            if node:
                magnitude = max(magnitude, abs(int(mpmath.mag(mpmath.mpf(node._mpf_)) * 0.302)))
                size = abs(float(node))  # 0 or inf when beyond floating point's range: no steep number then
                steep.update(round(k) for k in ((size, 1 / size) if 0 < size < math.inf else ()) if 10 <= k < 1e300)
        elif node.is_Add:
            sums.add(node)
        if node.is_Pow and node.exp.is_Rational and not node.exp.is_Integer and node.exp.q % 2 == 1:
            odd_root = True
        if node.is_Pow and not node.exp.is_Number and not (node.base.is_number and node.base.is_positive):
            exponent_variables |= node.exp.free_symbols
        if node.is_number and node.args and not node.is_Number and magnitude < 10**6:
            # a constant such as exp(-1000): its size, however it is written; one such as exp(exp(3)) or pi^20
            # is as large (and as steep) as the integer of its figures, so it counts as one
            v = Evaluator(node, (), 15)(())
            if v is HUGE:
                magnitude = largest = 10**6
            elif v is not None and v != 0:
                magnitude = max(magnitude, abs(int(mpmath.mag(v) * 0.302)))
                size = max(abs(v), 1 / abs(v))
                largest = max(largest, int(mpmath.floor(mpmath.log10(size))) + 1)
                if 10 <= size < 1e300:
                    steep.add(int(size))
    return _Scan(magnitude, largest, odd_root, frozenset(sizes), tuple(large), frozenset(steep), frozenset(sums),
                 has_float, not_real, frozenset(exponent_variables))


def _magnitude_digits(e) -> int:
    """Decimal digits spanned by the constants in e (how much precision a comparison needs beyond 40)."""
    return _scan(e).magnitude


@lru_cache(maxsize=1024)
def _probes(a, b) -> tuple:
    """Where a constant of a's that b lacks (beyond the moderate range) says a term may change: near c, -c, sqrt|c|."""
    if not a.free_symbols:
        return ()
    mine = _scan(b).sizes
    found = [c for c in _scan(a).large if c not in mine]
    out = []
    for c in sorted(found, reverse=True)[:4]:
        v = mpmath.mpf(sp.Float(c, 30)._mpf_) if c < sp.Integer(10) ** 300 else None
        if v is None:
            continue
        for t in (v, mpmath.sqrt(v)):
            for q in (t + mpmath.mpf("0.5"), t - mpmath.mpf("0.5"), -t - mpmath.mpf("0.5"), -t + mpmath.mpf("0.5"),
                      2 * t + mpmath.mpf("0.37"), -2 * t - mpmath.mpf("0.37")):
                out.append(q)
    return tuple(out)


@lru_cache(maxsize=1024)
def _centres(a, b, variables: tuple) -> tuple:
    """Points where a sum of a's in one variable that b lacks vanishes (x = 3 for exp(-400 (x - 3)^2)).

    A narrow bump between the random points is largest there; it takes a steep
    function, so an answer without a number of two figures or more that b lacks has none.
    """
    if not _scan(a).steep - _scan(b).steep:
        return ()
    mine = _scan(b).sums
    each: dict = {v: [] for v in variables}
    for n in sp.preorder_traversal(a):
        if not n.is_Add or n in mine or len(n.free_symbols) != 1:
            continue
        (v,) = n.free_symbols
        if v not in each:
            continue
        for z in _roots(n, v):
            if z not in each[v] and abs(z) < 10**6:
                each[v].append(z)
    if not any(each.values()):
        return ()
    with mpmath.workdps(30):
        lists = [[mpmath.mpf(str(sp.N(z, 30))) for z in each[v][:4]] or [mpmath.mpf("1.13")] for v in variables]
    return tuple(itertools.islice(itertools.product(*lists), 32))


def _roots(n, v) -> list:
    """The real roots of a polynomial sum in v of degree at most 4 with rational coefficients, and of its derivative."""
    if not n.is_polynomial(v) or _degree_bound(n, v) > 4:
        return []  # (x^2 + 2)^-99 or (x - 1)^9999 - 10: Poly would expand it to find out
    try:
        poly = sp.Poly(n, v)
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError):
        return []
    if not 0 < poly.degree() <= 4 or not all(c.is_Rational for c in poly.all_coeffs()):
        return []
    out = []
    for q in (poly, poly.diff(v)):
        if q.degree() < 1:
            continue
        coeffs = [float(c) for c in q.all_coeffs()]
        with np.errstate(all="ignore"):
            try:
                found = np.roots(coeffs)
            except (np.linalg.LinAlgError, ValueError):
                continue
        for r in found:
            if np.isfinite(r) and abs(r.imag) <= 1e-7 * max(1.0, abs(r.real)):
                z = sp.Float(float(r.real), 17)
                if z not in out:
                    out.append(z)
    return out


def _degree_bound(e, v) -> int:
    """A bound on the degree in v of a polynomial e, found without expanding it."""
    if not e.has(v):
        return 0
    if e == v:
        return 1
    if e.is_Add:
        return max(_degree_bound(t, v) for t in e.args)
    if e.is_Mul:
        return sum(_degree_bound(t, v) for t in e.args)
    if e.is_Pow and e.exp.is_Integer and e.exp > 0:
        return int(e.exp) * _degree_bound(e.base, v)
    return 10**9  # not a polynomial in v


def _probe_points(p, n_vars: int):
    """Points with every coordinate p, and with one coordinate p and the others moderate."""
    if n_vars == 0:
        return []
    pts = [tuple(p for _ in range(n_vars))]
    if n_vars > 1:
        for k in range(min(n_vars, 3)):
            pts.append(tuple(p if j == k else mpmath.mpf("1.13") for j in range(n_vars)))
    return pts


def _real_difference(va, vb, va2, vb2, dps: int) -> bool:
    """Whether a difference seen at ``dps`` digits stays at twice the precision.

    Cancellation (an expanded polynomial near its roots) can cost any number of
    digits; a difference that comes from rounding shrinks by about ``dps`` digits
    when the precision doubles, while a real one keeps its size.
    """
    if any(v is None or v is HUGE for v in (va2, vb2)):
        return True
    with mpmath.workdps(2 * dps):
        d1, d2 = abs(va - vb), abs(va2 - vb2)
        return bool(d2 > d1 * mpmath.mpf(10) ** -(dps // 2))


def resembles(u, v, tol) -> bool:
    """Equal in floating point at enough points (both finite)."""
    return bool(resembling(u, v, tol))


def resembling(u, rows, tol) -> np.ndarray:
    """For each row of ``rows`` (or ``rows`` itself, one row), whether :func:`resembles` (u, row, tol)."""
    ok = np.isfinite(u) & np.isfinite(rows)
    with np.errstate(all="ignore"):
        d = np.abs(rows - u) / np.maximum(1.0, np.maximum(np.abs(rows), np.abs(u)))
    d = np.where(ok, d, 0.0)
    return (ok.sum(axis=-1) >= NEEDED) & (d.max(axis=-1) <= tol)


class Compare:
    """Evaluate expressions at one shared set of random real points and compare them.

    ``rel_tol`` is the question's tolerance (1e-30: exact).

    Examples:
        >>> x = sp.Symbol("x")
        >>> cmp = Compare((x,), seed_of("x"), 1e-30)
        >>> cmp.compare(sp.log(x**2), 2 * sp.log(sp.Abs(x)))
        'equal'
        >>> cmp.compare(2 * sp.log(x), sp.log(x**2))
        'different'
    """

    def __init__(self, variables, seed: int, rel_tol=1e-30):
        self.variables = tuple(variables)
        self.seed = seed
        self.tol = _mpf(rel_tol)
        self.ftol = float(rel_tol)
        self._tables: list[_Table] = []

    # ---- values

    def _table(self, e):
        for table in self._tables:
            if e in table:
                return table
        table = _float_table(e, self.variables, self.seed)
        if table is not None:
            self._tables.append(table)
        return table

    def floats(self, e):
        """Float values of e at the points (NaN where not a finite float), or None."""
        table = self._table(e)
        return None if table is None else table[e]

    def overflowed(self, e) -> np.ndarray:
        """Where e's float value overflowed: there only high precision can compare it."""
        table = self._table(e)
        return np.zeros(POINTS, dtype=bool) if table is None else table.overflowed(e)

    def value(self, e, i, dps: int = DPS):
        """The high-precision value of e at point i: an mpf, None (undefined) or HUGE."""
        return _value(e, self.variables, self.seed, i, dps)

    def kept(self, e, i, dps: int = DPS) -> bool:
        """Whether e's high-precision value at point i keeps 15 figures or more (its sums did not cancel them)."""
        return _evaluated(e, self.variables, self.seed, i, dps)[1] <= _kept_bits(dps)

    def close(self, a, b, tol=None) -> bool:
        tol = self.tol if tol is None else tol
        return abs(a - b) <= tol * max(1, abs(a), abs(b))

    # ---- the verdict

    def compare(self, a, b) -> str:
        """ "equal", "different" or "unknown" (too few points where both are defined)."""
        if a == b:
            return "equal"
        fa, fb = self.floats(a), self.floats(b)
        if fa is None or fb is None:
            return self._compare_precisely(a, b, range(POINTS))
        both = np.isfinite(fa) & np.isfinite(fb)
        idx = np.flatnonzero(both)
        agree = 0
        if len(idx):
            d = np.abs(fa[idx] - fb[idx]) / np.maximum(1.0, np.maximum(np.abs(fa[idx]), np.abs(fb[idx])))
            far = idx[d > max(1e-4, 4 * self.ftol)]
            moderate = far[_moderate(len(self.variables), self.seed)[far]]
            if len(moderate) >= 3 and self._differs_at(a, b, self._smallest(moderate)):
                # a relative difference beyond 1e-4 at three points of moderate size hardly comes from rounding
                # in double precision (it takes a loss of 12 digits at each, as where sinh(x) cosh(x) (1 -
                # tanh(cosh(x)^2)^2) is multiplied out): it stands at one of them where both values keep
                # their figures, or confirmed there in high precision
                return "different"
            bad = idx[d > max(1e-9, 0.25 * self.ftol)]
            # a float disagreement is confirmed in high precision, worst first
            order = bad[np.argsort(-d[d > max(1e-9, 0.25 * self.ftol)])]
            for i in order[:4]:
                v = self._point_verdict(a, b, int(i))
                if v == "different":
                    return "different"
            agree = len(idx) - len(bad)
        rest = np.flatnonzero(~both)
        if not (_scan(a).odd_root or _scan(b).odd_root):
            # neither finite in floating point: both undefined, unless an odd root of a negative (NaN in
            # floating point, real in mpmath) is involved; where both overflowed, high precision still
            # compares them ((x - a)^6000 is not (x - a)^5999)
            rest = np.flatnonzero((np.isfinite(fa) != np.isfinite(fb)) | (self.overflowed(a) & self.overflowed(b)))
        verdict = self._compare_precisely(a, b, (int(i) for i in rest), agree_so_far=agree, need_all=True)
        if verdict != "equal":
            return verdict
        return self._confirm_equal(a, b, int(idx[0]) if len(idx) else None)

    def _differs_at(self, a, b, i: int) -> bool:
        """Whether a and b, far apart in floating point at point i, really differ there."""
        ta, tb = self._table(a), self._table(b)
        if ta is not None and tb is not None and ta.keeps_figures(a, i) and tb.keeps_figures(b, i):
            return True
        return self._point_verdict(a, b, i) == "different"

    def _smallest(self, indices) -> int:
        """The point among indices whose largest coordinate is smallest."""
        grid = points(len(self.variables), self.seed)
        if not len(self.variables):
            return int(indices[0])
        return int(indices[np.argmin(np.abs(grid[:, indices]).max(axis=0))])

    def _point_verdict(self, a, b, i, dps: int = DPS) -> str:
        va, vb = self.value(a, i, dps), self.value(b, i, dps)
        if va is HUGE or vb is HUGE:
            return "skip"
        if va is None and vb is None:
            return "skip"
        if va is not None and vb is not None and self.close(va, vb):
            return "equal"
        if not (self.kept(a, i, dps) and self.kept(b, i, dps)):
            # a sum cancelled beyond the precision (1 + tanh(b) tanh(w x) at b = 800): no figures are left,
            # and a division by what is left may even fail
            return "skip"
        if va is None or vb is None:
            return "different"  # defined on one side only: the domain rule
        if self.tol > mpmath.mpf(10) ** -15 or not self.close(va, vb, mpmath.mpf(10) ** -10):
            return self._stable_difference(a, b, i, va, vb, dps)
        # a small difference: at twice the precision it either vanishes (rounding) or stays
        va2, vb2 = self.value(a, i, 2 * dps), self.value(b, i, 2 * dps)
        if va2 is None or vb2 is None or va2 is HUGE or vb2 is HUGE:
            return "skip"
        with mpmath.workdps(2 * dps):
            return "equal" if self.close(va2, vb2, mpmath.mpf(10) ** -(dps + 10)) else "different"

    def _stable_difference(self, a, b, i, va, vb, dps: int) -> str:
        """ "different" when both values keep their figures at twice the precision, else "skip".

        A sum whose terms cancel beyond the precision (2 sinh(x) cosh(x) (1 - tanh(cosh(x)^2)^2)
        multiplied out, at x = 300) has no figures left, and may even have lost a term beside
        them: its value then changes with the precision, and the point says nothing.
        """
        va2, vb2 = self.value(a, i, 2 * dps), self.value(b, i, 2 * dps)
        if va2 is None or vb2 is None or va2 is HUGE or vb2 is HUGE:
            return "skip"
        with mpmath.workdps(2 * dps):
            digits = mpmath.mpf(10) ** -(dps // 2)
            return "different" if self.close(va, va2, digits) and self.close(vb, vb2, digits) else "skip"

    def _compare_precisely(self, a, b, indices, agree_so_far: int = 0, need_all: bool = False) -> str:
        agree = agree_so_far
        try:
            for i in indices:
                v = self._point_verdict(a, b, i)
                if v == "different":
                    return "different"
                if v == "equal":
                    agree += 1
                    if agree >= NEEDED and not need_all:
                        break
        except NotEvaluable:
            return "unknown"
        if agree < NEEDED:
            return "unknown"
        if need_all:
            return "equal"
        return self._confirm_equal(a, b, None)

    def _confirm_equal(self, a, b, first) -> str:
        """Numerical agreement confirmed beyond floating point's resolution."""
        if self._differs_where_its_constants_say(a, b) or self._differs_at_whole_exponents(a, b):
            return "different"
        if self.tol > mpmath.mpf(10) ** -15:
            return "equal"  # a question with decimals in it: its own tolerance
        extra = max(_magnitude_digits(a), _magnitude_digits(b))
        if extra > 2000:
            return self._symbolic(a, b)
        # a constant far beyond any in the question: the points cannot be trusted to show agreement,
        # but a difference they show in high precision is certain
        large = _scan(a).largest > max(2, _scan(b).largest + 1)
        # constants below floating point's resolution: a difference may show at some points only
        wanted = 8 if (large or extra > 6) else 1
        dps = DPS + 20 + extra
        tried = 0
        order = ([first] if first is not None else []) + [k for k in range(POINTS) if k != first]
        try:
            for i in order:
                va, vb = self.value(a, i, dps), self.value(b, i, dps)
                if va is None or vb is None or va is HUGE or vb is HUGE:
                    continue
                if not (self.kept(a, i, dps) and self.kept(b, i, dps)):
                    continue  # no figures left to compare (sin(t e^t) at t = 30 in a multiplied-out form)
                with mpmath.workdps(dps):
                    if not self.close(va, vb, mpmath.mpf(10) ** -(dps - 12)):
                        if _real_difference(va, vb, self.value(a, i, 2 * dps), self.value(b, i, 2 * dps), dps):
                            return "different"
                tried += 1
                if tried >= wanted:
                    break
            if large:
                return self._symbolic(a, b)
            if tried and self._own_term_shows(a, b, order, dps):
                return "different"
        except NotEvaluable:
            return "unknown"
        return "equal" if tried else "unknown"

    def _own_term_shows(self, a, b, order, dps: int, wanted: int = 1) -> bool:
        """Whether a - b (the terms a and b share left out) is a real number at some of the points.

        A term of a's own far below the rest of it (x + (x^2 + 2)^-99 (x^2 + 3)^-99,
        with no constant that says so) is lost beside x at any fixed precision, but
        it is all that is left of a - b, in full.  That value counts when it stands
        above the resolution of its largest term (rounding, or a term dropped from a
        sum, does not) and keeps its figures at twice the precision.
        """
        mine, theirs = Counter(sp.Add.make_args(a)), Counter(sp.Add.make_args(b))
        left = [(t, 1) for t in (mine - theirs).elements()] + [(t, -1) for t in (theirs - mine).elements()]
        if not left:
            return False
        seen = 0
        for i in order:
            # the terms' values as a and b were worked out at the point (each once), else on their own
            known = {**_evaluated(b, self.variables, self.seed, i, dps)[2],
                     **_evaluated(a, self.variables, self.seed, i, dps)[2]}
            values = [known[t] if t in known else self.value(t, i, dps) for t, _ in left]
            if any(v is None or v is HUGE for v in values):
                continue
            seen += 1
            with mpmath.workdps(dps):
                values = [v if sign > 0 else -v for v, (_, sign) in zip(values, left)]
                d1 = exact_sum(values)  # as the evaluator adds them
                stands = d1 != 0 and abs(d1) > max(abs(v) for v in values) * mpmath.mpf(10) ** -(dps - 12)
            if stands:
                twice = [self.value(t, i, 2 * dps) for t, _ in left]
                if not any(v is None or v is HUGE for v in twice):
                    with mpmath.workdps(2 * dps):
                        d2 = exact_sum([v if sign > 0 else -v for v, (_, sign) in zip(twice, left)])
                        if abs(d2 - d1) <= abs(d1) * mpmath.mpf(10) ** -(dps // 2):
                            return True  # it keeps its figures: no rounding
            if seen >= wanted:
                break
        return False

    def _differs_at_whole_exponents(self, a, b) -> bool:
        """Whether a and b differ where a variable in an exponent takes a whole value.

        The random points never make a real exponent whole, and a negative base
        is undefined under any other: ``(a^b)^c`` and ``a^(b c)`` then agree
        wherever both are defined.  With b = 2 and c = 0.7 at a = -1.3 the first
        is 1.69^0.7 and the second is undefined, so they are not the same function
        (``((x-2)^3)^k`` and ``(x-2)^(3k)`` stay equal).  Each such variable is
        made whole in turn, with the others at fixed values, negative ones among them.
        """
        whole = _scan(a).exponent_variables | _scan(b).exponent_variables
        names = [v for v in self.variables if v in whole]
        if not names:
            return False
        others = [mpmath.mpf(t) for t in ("-1.3", "0.7", "-2.1", "1.9", "-0.6")]
        points = [(tuple(mpmath.mpf(n) if w == v else others[(k + shift) % len(others)]
                         for k, w in enumerate(self.variables)), True)
                  for v in names for n, shift in ((2, 0), (3, 1), (-1, 2))]
        return self._differs_at_points(a, b, points, DPS + 20)

    def _differs_where_its_constants_say(self, a, b) -> bool:
        """Whether a differs from b near a constant of a's that b does not have (x + exp(x - 5000) is not x).

        The points cover |x| <= 1000, so a term can hide beyond them, or between
        them, behind a constant of its own; it shows near that constant, or where
        a sum of its own vanishes (the centre of a narrow bump).
        """
        probes, centres = (), ()
        try:
            probes = _probes(a, b)
            centres = _centres(a, b, self.variables)
        except (TypeError, ValueError, ArithmeticError, AttributeError, sp.PolynomialError):
            pass
        if not probes and not centres:
            return False
        dps = DPS + 20 + min(max(_magnitude_digits(a), _magnitude_digits(b)), 500)
        # at a centre itself a removable point may be undefined on one side (x = -1 in (x+1)/(x^2-1)): not counted
        points = [(p, False) for p in centres]
        points += [(q, True) for p in probes for q in _probe_points(p, len(self.variables))]
        return self._differs_at_points(a, b, points, dps)

    def _differs_at_points(self, a, b, points, dps: int) -> bool:
        """Whether a and b differ at one of ``points`` ((point, whether the domain rule applies there)).

        A point where either value lost its figures decides nothing; a difference
        counts when it stays at twice the precision.
        """
        try:
            for point, domain in points:
                va, loss_a = _evaluator(a, self.variables, dps).evaluate(point)
                vb, loss_b = _evaluator(b, self.variables, dps).evaluate(point)
                if va is HUGE or vb is HUGE or (va is None and vb is None):
                    continue
                if max(loss_a, loss_b) > _kept_bits(dps):
                    continue  # a sum cancelled beyond the precision: the point says nothing
                if va is None or vb is None:
                    if domain:
                        return True  # defined on one side only
                    continue
                with mpmath.workdps(dps):
                    if not self.close(va, vb, max(self.tol, mpmath.mpf(10) ** -(dps - 12))):
                        if self.tol > mpmath.mpf(10) ** -15 or _real_difference(
                                va, vb, _evaluator(a, self.variables, 2 * dps)(point),
                                _evaluator(b, self.variables, 2 * dps)(point), dps):
                            return True
        except NotEvaluable:
            return False
        return False

    def _symbolic(self, a, b) -> str:
        try:
            d = sp.simplify(a - b)
        except (ArithmeticError, TypeError, ValueError, NotImplementedError, AttributeError, KeyError):
            return "unknown"
        if d == 0:
            return "equal"
        if d.is_number:
            return "different"
        return "unknown"

    # ---- helpers for diagnosis

    def common(self, *exprs) -> np.ndarray:
        """Float values of exprs (one column each) at the points where all are defined."""
        cols = [self.floats(e) for e in exprs]
        if any(c is None for c in cols):
            return np.empty((0, len(exprs)))
        stack = np.stack(cols, axis=1)
        return stack[np.all(np.isfinite(stack), axis=1)]

    def equal(self, a, b) -> bool:
        try:
            return self.compare(a, b) == "equal"
        except NotEvaluable:
            return False

    def resembles(self, a, b) -> bool:
        """Equal in floating point: enough to name a mistake (the verdict is already settled)."""
        fa, fb = self.floats(a), self.floats(b)
        if fa is None or fb is None:
            return self.equal(a, b)
        ok = np.isfinite(fa) & np.isfinite(fb)
        if ok.sum() < NEEDED:
            return self.equal(a, b)
        return resembles(fa, fb, max(1e-9, 2 * self.ftol))
