"""Checking a learner's answer: the equivalence ladder, modes and feedback.

:func:`check` reads the answer with the safe parser and decides, in a worker
process with a hard time and memory bound (:mod:`symtutor.sandbox`):

1. equal as written (the same SymPy expression): correct;
2. otherwise both sides are evaluated at random real points of their common
   domain in 40-digit arithmetic (a disagreement is confirmed at 80 digits);
   agreement at enough points is correct, a confirmed disagreement incorrect;
3. where too few points are defined for both, SymPy's ``simplify`` decides,
   and "undecided" is returned rather than a wrong verdict.

A wrong answer is then compared with the common mistakes of
:mod:`symtutor.diagnosis` to say what went wrong.  A learner's input never
raises: every string gives a :class:`Feedback`.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
import math
import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from ._coerce import as_expr, as_order, as_point, as_variables
from ._numeval import Evaluator, NotEvaluable
from .diagnosis import BUGS, MESSAGES, buggy_derivative
from .errors import InvalidArgumentError, ParseError, SymtutorError
from .numeric import node_values
from .parsing import parse, read, to_text
from .sandbox import Sandbox, SandboxMemoryError, SandboxTimeout, default_sandbox

__all__ = ["Feedback", "check", "MODES"]

MODES = ("equivalent", "expand", "factor", "simplify", "numeric", "taylor")
"""The ways an answer can be checked."""

_POINTS = 40  # candidate points
_NEEDED = 6  # agreeing points that make an answer correct
_DPS = 40


@dataclass(frozen=True, slots=True)
class Feedback:
    """The verdict on one answer.

    ``status`` is "correct", "incorrect", "invalid" (the answer could not be
    read: nothing is marked) or "undecided" (the check could not settle it).
    ``message`` is for the learner; ``diagnosis`` a stable tag naming the
    mistake (see ``symtutor.diagnosis.MESSAGES``); ``parsed`` the LaTeX of
    what was understood, to echo back.
    """

    status: str
    correct: bool
    score: float
    message: str
    diagnosis: str | None = None
    parsed: str = ""
    wrong_entries: tuple[tuple[int, int], ...] = field(default=())
    understood: str = ""
    """What was understood, as plain text in the syntax answers are typed in."""

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:  # how a notebook shows it
        icon = {"correct": "✅", "incorrect": "❌", "invalid": "⚠️", "undecided": "❔"}[self.status]
        seen = f"\n\nUnderstood as: ${self.parsed}$" if self.parsed else ""
        return f"{icon} **{self.status.capitalize()}** — {self.message}{seen}"


@dataclass(frozen=True, slots=True)
class _Task:
    answer: str
    expected: object
    variables: tuple
    mode: str
    tolerance: object
    function: object
    wrt: object
    point: tuple | None
    order: int | None
    key: str = ""  # a stable name for the question, to seed its points
    diagnose: bool = True


def _feedback(status: str, message: str, *, score: float | None = None, diagnosis=None, parsed="", wrong=()):
    correct = status == "correct"
    if score is None:
        score = 1.0 if correct else 0.0
    return Feedback(status, correct, float(score), message, diagnosis, parsed, tuple(wrong))


def _diagnosed(tag: str, parsed: str, score: float = 0.0, wrong=(), **fields) -> Feedback:
    return _feedback("incorrect", MESSAGES[tag].format(**fields), score=score, diagnosis=tag, parsed=parsed, wrong=wrong)


# --------------------------------------------------------------------------
# comparing values at random points


def _seed(*parts) -> int:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(h[:8], "big")


@lru_cache(maxsize=64)
def _points(n_vars: int, seed: int):
    """40 random real points, as exact numerators over 100000 and as a float grid.

    Half the coordinates are positive (in (0.05, 3)), half anywhere in (-3, 3).
    """
    rng = random.Random(seed)
    nums = np.empty((n_vars, _POINTS), dtype=np.int64)
    for j in range(_POINTS):
        for i in range(n_vars):
            if rng.random() < 0.5:
                nums[i, j] = rng.randint(5_000, 300_000)
            else:
                nums[i, j] = rng.randint(-300_000, 300_000)
    nums.setflags(write=False)
    grid = nums / 100_000.0
    grid.setflags(write=False)
    return nums, grid


def _exact_point(nums, j) -> tuple:
    return tuple(mpmath.mpf(int(nums[i, j])) / 100_000 for i in range(nums.shape[0]))


def _clean(vals) -> np.ndarray:
    vals = np.broadcast_to(np.asarray(vals, dtype=float), (_POINTS,))
    real = vals.copy()
    real[~np.isfinite(real) | (np.abs(real) > 1e100)] = np.nan
    real.setflags(write=False)
    return real


@lru_cache(maxsize=1024)
def _float_table(e, variables: tuple, seed: int) -> dict | None:
    """Float values of e and of each of its subexpressions at the points (NaN where undefined).

    None when e cannot be compiled.  Cached: a class checking the same question
    compares every answer with one expected value.
    """
    _, grid = _points(len(variables), seed)
    with np.errstate(all="ignore"):
        try:
            return _Table(node_values(e, variables, grid))
        except (SymtutorError, TypeError, ValueError, OverflowError, ZeroDivisionError):
            return None


class _Table:
    """Float values by subexpression, cleaned (NaN where undefined) the first time each is asked for."""

    __slots__ = ("raw", "clean")

    def __init__(self, raw: dict):
        self.raw = raw
        self.clean: dict = {}

    def __contains__(self, e) -> bool:
        return e in self.raw

    def __getitem__(self, e) -> np.ndarray:
        done = self.clean.get(e)
        if done is None:
            done = self.clean[e] = _clean(self.raw[e])
        return done


@lru_cache(maxsize=4096)
def _evaluator(e, variables: tuple, dps: int) -> Evaluator:
    return Evaluator(e, variables, dps)


@lru_cache(maxsize=8192)
def _exact_value(e, variables: tuple, seed: int, i: int):
    nums, _ = _points(len(variables), seed)
    return _evaluator(e, variables, _DPS)(_exact_point(nums, i))


class _Compare:
    """Evaluate expressions at one shared set of random real points and compare them.

    Values are first computed in floating point for all points at once; every
    verdict is then confirmed in 40-digit arithmetic (a disagreement at 80
    digits), and where floating point cannot tell, the comparison is done in
    high precision point by point.
    """

    def __init__(self, variables, seed: int, rel_tol):
        self.variables = tuple(variables)
        self.seed = seed
        self._nums, _ = _points(len(self.variables), seed)
        self.tol = mpmath.mpf(rel_tol)
        self.ftol = float(rel_tol)
        self._tables: list[_Table] = []

    def floats(self, e):
        """Float values of e at the points, from the table of an expression seen before when e is part of it."""
        for table in self._tables:
            if e in table:
                return table[e]
        table = _float_table(e, self.variables, self.seed)
        if table is None:
            return None
        self._tables.append(table)
        return table[e]

    def value(self, e, i):
        """The 40-digit value of e at point i (None where undefined)."""
        return _exact_value(e, self.variables, self.seed, i)

    def point(self, i) -> tuple:
        return _exact_point(self._nums, i)

    def close(self, a, b, tol=None) -> bool:
        tol = self.tol if tol is None else tol
        return abs(a - b) <= tol * max(1, abs(a), abs(b))

    def compare(self, a, b) -> str:
        """ "equal", "different" or "unknown" (too few points where both are defined)."""
        fa, fb = self.floats(a), self.floats(b)
        if fa is not None and fb is not None:
            idx = np.flatnonzero(np.isfinite(fa) & np.isfinite(fb))
            if len(idx) >= _NEEDED:
                d = np.abs(fa[idx] - fb[idx]) / np.maximum(1.0, np.maximum(np.abs(fa[idx]), np.abs(fb[idx])))
                worst = int(idx[int(np.argmax(d))])
                if d.max() <= max(1e-10, 0.25 * self.ftol):
                    # equal in floating point at every point: confirm in high precision,
                    # which catches differences below floating point's resolution
                    if self._agree_at(a, b, int(idx[0])):
                        return "equal"
                elif (d > max(1e-4, 4 * self.ftol)).sum() >= 3:
                    # a relative difference beyond 1e-4 at three points cannot come from
                    # rounding in double precision (it would take a loss of 12 digits at each)
                    return "different"
                elif d.max() > max(1e-6, 4 * self.ftol):
                    if not self._agree_at(a, b, worst) and self._confirm_different(a, b, worst):
                        return "different"
        return self._compare_precisely(a, b)

    def _agree_at(self, a, b, i) -> bool:
        va, vb = self.value(a, i), self.value(b, i)
        return va is not None and vb is not None and self.close(va, vb)

    def _compare_precisely(self, a, b) -> str:
        agree = 0
        for i in range(_POINTS):
            va, vb = self.value(a, i), self.value(b, i)
            if va is None or vb is None:
                continue
            if self.close(va, vb):
                agree += 1
                if agree >= _NEEDED:
                    return "equal"
            elif self._confirm_different(a, b, i):
                return "different"
        return "equal" if agree >= _NEEDED else "unknown"

    def _confirm_different(self, a, b, i) -> bool:
        if self.tol > mpmath.mpf(10) ** -15:
            return True  # a float answer: the difference is beyond the digits given
        va, vb = self.value(a, i), self.value(b, i)
        if va is not None and vb is not None and not self.close(va, vb, mpmath.mpf(10) ** -10):
            return True  # far beyond what 40-digit rounding could do
        va = Evaluator(a, self.variables, 2 * _DPS)(self.point(i))
        vb = Evaluator(b, self.variables, 2 * _DPS)(self.point(i))
        if va is None or vb is None:
            return True
        with mpmath.workdps(2 * _DPS):
            return not self.close(va, vb, mpmath.mpf(10) ** -(_DPS + 10))

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
        if ok.sum() < _NEEDED:
            return self.equal(a, b)
        return _resembles(fa, fb, max(1e-9, 2 * self.ftol))


# --------------------------------------------------------------------------
# diagnosis of a wrong scalar answer


def _nice(value) -> str:
    """A number as a learner would write it: a small fraction when it is one, else 4 figures."""
    v = float(value)
    r = Fraction(v).limit_denominator(1000)
    if abs(float(r) - v) <= 1e-9 * max(1.0, abs(v)):
        return str(r.numerator) if r.denominator == 1 else f"{r.numerator}/{r.denominator}"
    return f"{v:.4g}"


@lru_cache(maxsize=256)
def _derivative_mistakes(f, x) -> tuple:
    """(tag, wrong answer, message fields) for the usual mistakes in differentiating f by x."""
    from .calculus import derivative

    out = []
    for bug in BUGS:
        try:
            out.append((bug, buggy_derivative(f, x, bug), ()))
        except (ValueError, TypeError):
            continue
    for y in sorted(f.free_symbols - {x}, key=str):
        out.append(("wrong_variable", derivative(f, y), (("used", y), ("wanted", x))))
    # last: for e^(g(x)) the chain rule without its inner factor gives f itself, and that names it better
    out.append(("original_function", f, ()))
    return tuple(out)


@lru_cache(maxsize=256)
def _telling_mistakes(f, x, b, variables: tuple, seed: int) -> tuple:
    """The mistakes in differentiating f that give something other than b, with their float values.

    Worked out once per question: every wrong answer to it is compared with the same list.
    """
    cmp = _Compare(variables, seed, 1e-30)
    out = []
    for tag, wrong, fields in _derivative_mistakes(f, x):
        if wrong == 0:
            continue
        if tag != "original_function" and (wrong == b or cmp.resembles(wrong, b)):
            continue  # this mistake makes no difference here
        out.append((tag, wrong, fields, cmp.floats(wrong)))
    return tuple(out)


def _same_everywhere(values, tol) -> bool:
    return bool(np.all(np.abs(values - values[0]) <= tol * np.maximum(1.0, np.abs(values))))


def _diagnose_scalar(cmp: _Compare, a, b, task: _Task, parsed: str) -> Feedback | None:
    if not task.diagnose:
        return None
    f, x = task.function, task.wrt
    if f is not None and x is not None:
        fa = cmp.floats(a)
        for tag, wrong, fields, fw in _telling_mistakes(f, x, b, cmp.variables, cmp.seed):
            if fa is not None and fw is not None:
                if _resembles(fa, fw, max(1e-9, 2 * cmp.ftol)):
                    return _diagnosed(tag, parsed, **dict(fields))
            elif cmp.resembles(a, wrong):
                return _diagnosed(tag, parsed, **dict(fields))
    tol = max(1e-9, 2 * cmp.ftol)
    vals = cmp.common(a, b)
    if len(vals) >= 3:
        va, vb = vals[:, 0], vals[:, 1]
        if np.any(np.abs(vb) > 1e-12) and np.all(np.abs(va + vb) <= tol * np.maximum(1.0, np.abs(vb))):
            return _diagnosed("sign_error", parsed)
        nz = np.abs(vb) > 1e-12
        if nz.sum() >= 3:
            ratios = va[nz] / vb[nz]
            if _same_everywhere(ratios, tol) and abs(ratios[0]) > 1e-12:  # 0 is no factor: it is a wrong answer
                return _diagnosed("constant_factor", parsed, factor=_nice(ratios[0]))
    fa, fb = cmp.floats(a), cmp.floats(b)
    if fa is None or fb is None:
        return None
    # a term missing, with its sign flipped, or one too many: compared term by term
    # on the float values, without building the altered expressions
    terms_b = sp.Add.make_args(b)
    if 1 < len(terms_b) <= 12:
        for t in terms_b:
            ft = cmp.floats(t)
            if ft is None:
                continue
            if _resembles(fa, fb - ft, tol):
                return _diagnosed("term_missing", parsed)
            if _resembles(fa, fb - 2 * ft, tol):
                return _diagnosed("term_sign_error", parsed)
    if len(vals) >= 3:
        diffs = vals[:, 0] - vals[:, 1]
        if _same_everywhere(diffs, tol):
            return _diagnosed("extra_constant", parsed, constant=_nice(diffs[0]))
    terms_a = sp.Add.make_args(a)
    if 1 < len(terms_a) <= 12:
        for t in terms_a:
            ft = cmp.floats(t)
            if ft is not None and _resembles(fa - ft, fb, tol):
                return _diagnosed("term_extra", parsed)
    return None


def _resembles(u, v, tol) -> bool:
    ok = np.isfinite(u) & np.isfinite(v)
    if ok.sum() < _NEEDED:
        return False
    d = np.abs(u[ok] - v[ok]) / np.maximum(1.0, np.maximum(np.abs(u[ok]), np.abs(v[ok])))
    return bool(d.max() <= tol)


# --------------------------------------------------------------------------
# the ladder


_DECIMAL = re.compile(r"(?<![A-Za-z_0-9])(\d*\.\d+|\d+\.\d*|\d+(?=[eE][+-]?\d))(?:[eE][+-]?\d+)?")


@lru_cache(maxsize=512)
def _has_float(e) -> bool:
    return e.has(sp.Float)


def _min_digits(text: str) -> int:
    """The fewest significant digits among the decimals typed (99 when there are none)."""
    digits = [max(len(m.group(1).replace(".", "").lstrip("0")), 1) for m in _DECIMAL.finditer(text)]
    return min(digits) if digits else 99


def _float_tolerance(text: str) -> float:
    """Relative tolerance for an answer with decimals: half a unit of the least precise one."""
    return max(1e-12, 0.5 * 10.0 ** (1 - min(_min_digits(text), 13)))


def _symbolic_zero(d) -> bool:
    return sp.simplify(d) == 0


def _equivalence(cmp: _Compare, a, b) -> str:
    if a == b:
        return "equal"
    try:
        verdict = cmp.compare(a, b)
    except NotEvaluable:
        verdict = "unknown"
    if verdict == "unknown":
        return "equal" if _symbolic_zero(a - b) else "unknown"
    return verdict


def _is_expanded(e) -> bool:
    for term in sp.Add.make_args(e):
        for factor in sp.Mul.make_args(term):
            if factor.is_Add:
                return False
            if factor.is_Pow and factor.base.is_Add and factor.exp.is_Integer and factor.exp > 0:
                return False
    return True


def _is_factored(e, variables) -> bool:
    for factor in sp.Mul.make_args(e):
        base = factor.base if factor.is_Pow and factor.exp.is_Integer else factor
        if not base.has(*variables) or base.is_Symbol:
            continue
        try:
            _, parts = sp.factor_list(base, *variables)
        except (sp.PolynomialError, sp.GeneratorsNeeded):
            continue
        if len(parts) > 1 or (parts and parts[0][1] > 1):
            return False
    return True


def _check_scalar(cmp: _Compare, a, b, task: _Task, parsed: str, text: str) -> Feedback:
    verdict = _equivalence(cmp, a, b)
    if verdict == "equal":
        if task.mode == "expand" and not _is_expanded(a):
            return _diagnosed("not_expanded", parsed, score=0.5)
        if task.mode == "factor" and not _is_factored(a, task.variables):
            return _diagnosed("not_factored", parsed, score=0.5)
        if task.mode == "simplify" and sp.count_ops(a) > sp.count_ops(b) + 1:
            return _diagnosed("not_simplified", parsed, score=0.5)
        note = ""
        if _DECIMAL.search(text) and not _has_float(b):
            strict = _Compare(task.variables, cmp.seed, 1e-14)
            if strict.compare(a, b) != "equal":
                if _min_digits(text) < 3:
                    return _diagnosed("too_few_digits", parsed, digits=3)
                note = " (to the precision you gave)"
        return _feedback("correct", f"Correct{note}!", parsed=parsed)
    if verdict == "unknown":
        return _feedback(
            "undecided",
            "I could not decide whether this is right: the two expressions are defined at too few "
            "common points. Try writing your answer another way.",
            parsed=parsed,
        )
    found = _diagnose_scalar(cmp, a, b, task, parsed)
    return found or _feedback("incorrect", "That is not right.", parsed=parsed)


def _entry_name(i: int, j: int, cols: int) -> str:
    return f"({i + 1}, {j + 1})" if cols > 1 else f"{i + 1}"


def _shape_text(m) -> str:
    if not isinstance(m, sp.MatrixBase):
        return "a single expression"
    if m.cols == 1:
        return f"a column vector of {m.rows}"
    if m.rows == 1:
        return f"a row of {m.cols}"
    return f"a {m.rows}x{m.cols} matrix"


def _check_matrix(cmp: _Compare, a, b, task: _Task, parsed: str) -> Feedback:
    if not isinstance(a, sp.MatrixBase):
        return _diagnosed("wrong_shape", parsed, expected_shape=_shape_text(b), answer_shape=_shape_text(a))
    if a.shape != b.shape:
        if a.shape == b.T.shape and all(cmp.equal(u, v) for u, v in zip(a, b.T)):
            tag = "row_for_column" if b.cols == 1 else "transposed"
            return _diagnosed(tag, parsed)
        return _diagnosed("wrong_shape", parsed, expected_shape=_shape_text(b), answer_shape=_shape_text(a))
    verdicts = [[_equivalence(cmp, a[i, j], b[i, j]) for j in range(b.cols)] for i in range(b.rows)]
    flat = [v for row in verdicts for v in row]
    if all(v == "equal" for v in flat):
        return _feedback("correct", "Correct!", parsed=parsed)
    if any(v == "unknown" for v in flat) and not any(v == "different" for v in flat):
        return _feedback("undecided", "I could not decide whether every entry is right.", parsed=parsed)
    wrong = [(i, j) for i in range(b.rows) for j in range(b.cols) if verdicts[i][j] != "equal"]
    score = 1 - len(wrong) / len(flat)
    if b.rows == b.cols and b != b.T and all(cmp.equal(u, v) for u, v in zip(a, b.T)):
        return _diagnosed("transposed", parsed, wrong=wrong)
    off = [(i, j) for (i, j) in wrong if i != j]
    if b.rows == b.cols > 1 and wrong == off and all(a[i, j] == 0 for i, j in off):
        return _diagnosed("missing_mixed_partials", parsed, score=score, wrong=wrong)
    names = ", ".join(_entry_name(i, j, b.cols) for i, j in wrong)
    noun = "Entry" if len(wrong) == 1 else "Entries"
    message = f"{noun} {names} {'is' if len(wrong) == 1 else 'are'} not right; the others are."
    tag = None
    if len(wrong) == 1:
        i, j = wrong[0]
        sub = _diagnose_scalar(cmp, a[i, j], b[i, j], task, parsed)
        if sub is not None:
            tag = sub.diagnosis
            message += f" {sub.message}"
    return _feedback("incorrect", message, score=score, diagnosis=tag, parsed=parsed, wrong=wrong)


def _check_numeric(a, b, task: _Task, parsed: str, text: str) -> Feedback:
    if a.free_symbols:
        return _diagnosed("not_a_number", parsed)
    ev_a = Evaluator(a, (), _DPS)(())
    ev_b = Evaluator(b, (), _DPS)(())
    if ev_a is None or ev_b is None:
        return _feedback("incorrect", "That is not a real number.", parsed=parsed)
    tol = task.tolerance
    if tol is None and _DECIMAL.search(text) and _significant_digits(text) < 3:
        if abs(ev_a - ev_b) > mpmath.mpf(10) ** -12 * max(1, abs(ev_b)):
            return _diagnosed("too_few_digits", parsed, digits=3)

    def accepts(value) -> bool:
        err = abs(value - ev_b)
        if tol is None:
            if err <= mpmath.mpf(10) ** -12 * max(1, abs(ev_b)):
                return True
            return bool(_DECIMAL.search(text)) and _rounds_to(value, ev_b, _last_place(text))
        if isinstance(tol, dict) and "sig" in tol:
            return _round_sig(value, int(tol["sig"])) == _round_sig(ev_b, int(tol["sig"]))
        if isinstance(tol, dict) and "abs" in tol:
            return err <= tol["abs"]
        rel = tol["rel"] if isinstance(tol, dict) else tol
        return err <= rel * abs(ev_b)

    if accepts(ev_a):
        return _feedback("correct", "Correct!", parsed=parsed)
    if ev_b != 0 and accepts(-ev_a):
        return _diagnosed("sign_error", parsed)
    err = abs(ev_a - ev_b)
    if err <= abs(ev_b) * 0.05:
        return _feedback("incorrect", "Close, but not accurate enough.", parsed=parsed)
    return _feedback("incorrect", "That is not right.", parsed=parsed)


def _significant_digits(text: str) -> int:
    m = re.search(r"(\d*\.?\d+)(?:[eE][+-]?\d+)?", text.replace(" ", ""))
    if not m:
        return 0
    return len(m.group(1).replace(".", "").lstrip("0"))


def _rounds_to(typed, exact, unit) -> bool:
    """typed is exact rounded, or truncated, to the place of ``unit``."""
    scaled = exact / unit
    candidates = (mpmath.nint(scaled), mpmath.floor(scaled) if exact >= 0 else mpmath.ceil(scaled))
    return any(abs(typed - c * unit) <= unit * mpmath.mpf(10) ** -6 for c in candidates)


def _last_place(text: str) -> mpmath.mpf:
    """One unit in the last decimal place the learner typed."""
    m = re.search(r"\d*\.(\d+)(?:[eE]([+-]?\d+))?", text.replace(" ", ""))
    if m:
        places = len(m.group(1)) - int(m.group(2) or 0)
        return mpmath.mpf(10) ** -places
    m = re.search(r"\d+[eE]([+-]?\d+)", text)
    return mpmath.mpf(10) ** int(m.group(1)) if m else mpmath.mpf(1)


def _round_sig(v, n):
    if v == 0:
        return 0
    k = n - 1 - int(mpmath.floor(mpmath.log10(abs(v))))
    return mpmath.nint(v * mpmath.mpf(10) ** k)


def _check_taylor(cmp: _Compare, a, b, task: _Task, parsed: str, text: str) -> Feedback:
    variables, point, order = task.variables, task.point, task.order
    shift = {v: v + p for v, p in zip(variables, point)}
    try:
        poly = sp.Poly(sp.expand(a.xreplace(shift)), *variables)
    except sp.PolynomialError:
        return _diagnosed("not_a_polynomial", parsed, variables=", ".join(map(str, variables)))
    if poly.total_degree() > order:
        return _diagnosed("taylor_wrong_degree", parsed, order=order)
    verdict = _equivalence(cmp, a, b)
    if verdict == "equal":
        return _feedback("correct", "Correct!", parsed=parsed)
    if verdict == "unknown":
        return _feedback("undecided", "I could not decide whether this is right.", parsed=parsed)
    expected = sp.Poly(sp.expand(b.xreplace(shift)), *variables)
    unshift = {v: v - p for v, p in zip(variables, point)}
    scaled = sp.Add(
        *[c * math.factorial(sum(m)) * sp.Mul(*[v**k for v, k in zip(variables, m)]) for m, c in expected.terms()]
    )
    if cmp.equal(a, scaled.xreplace(unshift)):
        return _diagnosed("taylor_missing_factorial", parsed)
    if task.function is not None:
        from .calculus import taylor

        for other in _other_points(point):
            try:
                t = taylor(task.function, variables, point=other, order=order)
            except SymtutorError:
                continue
            if cmp.equal(a, t):
                where = ", ".join(f"{v} = {to_text(p)}" for v, p in zip(variables, other))
                wanted = ", ".join(f"{v} = {to_text(p)}" for v, p in zip(variables, point))
                return _diagnosed("taylor_wrong_point", parsed, used=where, wanted=wanted)
    found = _diagnose_scalar(cmp, a, b, task, parsed)
    return found or _feedback("incorrect", "That is not right.", parsed=parsed)


def _other_points(point):
    cands = []
    for shift in (None, 1, -1):
        if shift is None:
            p = tuple(sp.S.Zero for _ in point)
        else:
            p = tuple(c + shift for c in point)
        if p != tuple(point) and p not in cands:
            cands.append(p)
    return cands


def _check_local(task: _Task) -> Feedback:
    """The whole ladder for one answer (runs inside the sandbox)."""
    with mpmath.workdps(_DPS):  # values are compared at the precision they were computed at
        return _ladder(task)


@lru_cache(maxsize=512)
def _portable(e, variables: tuple):
    """What is sent to the worker for e: its text when that reads back as e, else e itself.

    Rebuilding SymPy objects from a pickle costs as much as parsing them, and the
    worker keeps what it parsed, so a question asked of many answers is read once.
    """
    try:
        text = to_text(e)
        if parse(text, variables=variables) == e:
            return ("text", text)
    except (ParseError, TypeError, ValueError):
        pass
    return ("object", e)


@lru_cache(maxsize=512)
def _from_portable(item, variables: tuple):
    kind, value = item
    if kind == "text":
        value = parse(value, variables=variables)
    return sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else value


def _ladder(task: _Task) -> Feedback:
    task = replace(
        task,
        key=task.expected[1] if task.expected[0] == "text" else sp.srepr(task.expected[1]),
        expected=_from_portable(task.expected, task.variables),
        function=None if task.function is None else _from_portable(task.function, task.variables),
    )
    text = task.answer
    try:
        reading = read(text, variables=task.variables)
    except ParseError as exc:
        where = f" (at character {exc.position + 1})" if exc.position is not None else ""
        return _feedback("invalid", f"I could not read your answer: {exc.message}{where}")
    fb = _judge(task, reading.value, reading.latex, text)
    return replace(fb, understood=reading.text)


def _judge(task: _Task, a, parsed: str, text: str) -> Feedback:
    b = task.expected
    if isinstance(a, sp.MatrixBase) and a.shape == (1, 1) and not isinstance(b, sp.MatrixBase):
        a = a[0, 0]
    rel_tol = _float_tolerance(text) if _DECIMAL.search(text) else 1e-30
    if _has_float(b):
        rel_tol = max(rel_tol, 1e-9)
    # the points depend on the question only, so its values are computed once for every answer
    cmp = _Compare(task.variables, _seed(str(task.key), *map(str, task.variables)), rel_tol)
    if isinstance(b, sp.MatrixBase):
        return _check_matrix(cmp, a, b, task, parsed)
    if isinstance(a, sp.MatrixBase):
        return _diagnosed("wrong_shape", parsed, expected_shape=_shape_text(b), answer_shape=_shape_text(a))
    if task.mode == "numeric":
        return _check_numeric(a, b, task, parsed, text)
    if task.mode == "taylor":
        return _check_taylor(cmp, a, b, task, parsed, text)
    return _check_scalar(cmp, a, b, task, parsed, text)


def check(
    answer: str,
    expected,
    *,
    variables=None,
    mode: str = "equivalent",
    tolerance=None,
    function=None,
    wrt=None,
    point=None,
    order: int | None = None,
    timeout: float = 1.0,
    sandbox: Sandbox | None = None,
    diagnose: bool = True,
) -> Feedback:
    """Check a learner's typed ``answer`` against ``expected``.

    ``variables`` are the names the answer may use (default: the free symbols
    of ``expected``).  ``mode`` is one of :data:`MODES`; ``tolerance`` applies
    to "numeric" (a relative tolerance, or ``{"rel": r}``, ``{"abs": a}``,
    ``{"sig": n}``; by default the digits the learner typed, at least 3).
    ``function`` and ``wrt`` say that ``expected`` is the derivative of
    ``function`` with respect to ``wrt``, so mistakes in differentiating can
    be named; "taylor" mode needs ``point`` and ``order``.  The check runs in
    ``sandbox`` (by default a shared worker process) and takes at most
    ``timeout`` seconds.  ``diagnose=False`` skips naming the mistake in a wrong
    answer (for verifying many answers at once).

    Examples:
        >>> check("2x cos(x^2)", "2 x cos(x^2)").status
        'correct'
        >>> fb = check("cos(x^2)", "2x cos(x^2)", function="sin(x^2)", wrt="x")
        >>> fb.diagnosis
        'chain_rule_inner_missing'
        >>> check("2x +", "2x").status
        'invalid'
        >>> check("1.0631", "log(2) + 0.37", mode="numeric").correct
        True
    """
    if not isinstance(answer, str):
        raise TypeError(f"answer is the learner's text, not {type(answer).__name__}")
    if mode not in MODES:
        raise InvalidArgumentError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidArgumentError(f"timeout must be a positive number of seconds, not {timeout!r}")
    b = as_expr(expected, name="expected", allow_matrix=True)
    f = as_expr(function, name="function") if function is not None else None
    context = [b] + ([f] if f is not None else [])
    if variables is None:
        names = set().union(*(c.free_symbols for c in context))
        variables = tuple(sorted(names, key=lambda s: s.name))
    elif isinstance(variables, (list, tuple, str)) and not (variables.strip() if isinstance(variables, str) else variables):
        variables = ()  # a number is expected: the answer may use no names
    else:
        variables = as_variables(variables, sp.Tuple(*context))
    x = as_variables(wrt, f)[0] if wrt is not None else None
    pt = None
    if mode == "taylor":
        if point is None or order is None:
            raise InvalidArgumentError("mode='taylor' needs the expansion point and the order: point=..., order=...")
        pt = as_point(point, variables)
        order = as_order(order)
    _check_tolerance(tolerance)
    variables = tuple(variables)
    task = _Task(answer, _portable(b, variables), variables, mode, tolerance,
                 None if f is None else _portable(f, variables), x, pt, order, diagnose=bool(diagnose))
    box = sandbox or default_sandbox()
    try:
        return box.run(_check_local, task, timeout=timeout)
    except SandboxTimeout:
        return _feedback(
            "undecided",
            f"Checking this answer took longer than {timeout:g} s, so it was stopped. "
            "Try writing it more simply.",
        )
    except SandboxMemoryError:
        return _feedback("undecided", "Checking this answer needed too much memory, so it was stopped.")
    except RecursionError:
        return _feedback("undecided", "This answer is nested too deeply to check.")


class Inline:
    """A stand-in for a Sandbox that runs the check in this process.

    For code that already runs inside a sandbox worker (verifying an exercise
    checks several answers in one call): the bounds are the worker's.
    """

    def run(self, fn, *args, timeout: float = 1.0, **kwargs):
        return fn(*args, **kwargs)


def _check_tolerance(tol) -> None:
    if tol is None:
        return
    if isinstance(tol, bool):
        raise InvalidArgumentError(f"tolerance must be a number or a dict, not {tol!r}")
    if isinstance(tol, (int, float)):
        if not tol > 0:
            raise InvalidArgumentError(f"a relative tolerance must be positive, not {tol!r}")
        return
    if isinstance(tol, dict) and len(tol) == 1:
        (k, v), = tol.items()
        if k in ("rel", "abs") and isinstance(v, (int, float)) and v > 0:
            return
        if k == "sig" and isinstance(v, int) and v > 0:
            return
    raise InvalidArgumentError(
        f"tolerance must be a relative tolerance such as 1e-3, or {{'rel': r}}, {{'abs': a}} or {{'sig': n}}, not {tol!r}"
    )
