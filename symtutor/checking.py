"""Checking a learner's answer: the equivalence ladder, modes and feedback.

:func:`check` reads the answer with the safe parser and decides, in a worker
process with a hard time and memory bound (:mod:`symtutor.sandbox`):

1. a reading that could have been meant otherwise is shown, not marked
   ("invalid", no attempt spent);
2. each decimal typed is read exactly, or as a constant of the question it is
   a correct rounding of (:mod:`symtutor._decimals`);
3. equal as written: correct; otherwise both sides are evaluated at random
   real points (:mod:`symtutor._compare`): a confirmed disagreement, or a point
   where only one side is defined, is incorrect, agreement confirmed in high
   precision is correct;
4. where too few points are defined for both, SymPy's ``simplify`` decides,
   and "undecided" is returned rather than a wrong verdict;
5. the mode's form is required of every entry (:mod:`symtutor._modes`).

A wrong answer is then compared with the common mistakes of
:mod:`symtutor.diagnosis` to say what went wrong.  A learner's input never
raises: every string gives a :class:`Feedback`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

import mpmath
import sympy as sp

from ._coerce import _symbols_by_name, as_expr, as_order, as_point, as_variables
from ._compare import DPS, Compare, _scan, seed_of
from ._decimals import MIN_SIG, Reading as DecimalReading, as_typed, readings_of, typed_decimals
from ._modes import form_slip, taylor_shape_slip, taylor_slips, tolerance_verdict
from ._numeval import HUGE, Evaluator, NotEvaluable
from .diagnosis import MESSAGES, diagnose_scalar, prepare_scalar, scalar_prepared
from .errors import AmbiguousInputError, InvalidArgumentError, ParseError, SymtutorError
from .parsing import parse, read, read_exact, to_text
from .sandbox import OutOfTime, Sandbox, SandboxMemoryError, SandboxTimeout, default_sandbox, time_limit

__all__ = ["Feedback", "check", "MODES", "Inline"]

MODES = ("equivalent", "expand", "factor", "simplify", "numeric", "taylor")
"""The ways an answer can be checked."""


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
    readings: tuple[tuple[str, str], ...] = ()
    """For an ambiguous answer, the readings it could have (text, LaTeX), to choose between with brackets."""

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # sent back from the worker: by its fields, in order
        return Feedback, tuple(getattr(self, f.name) for f in fields(Feedback))

    def _repr_markdown_(self) -> str:  # how a notebook shows it
        icon = {"correct": "✅", "incorrect": "❌", "invalid": "⚠️", "undecided": "❔"}[self.status]
        seen = f"\n\nUnderstood as: ${self.parsed}$" if self.parsed else ""
        return f"{icon} **{self.status.capitalize()}** — {self.message}{seen}"


_DIAGNOSE_SHARE = 0.6  # naming a mistake ends this share of the time bound after the check starts


@dataclass(slots=True)
class _Task:
    """One check, as sent to the worker, which completes it (the question read, the time to name mistakes).

    A task is used for one check only.
    """

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
    truncate: bool = False  # a decimal may be truncated as well as rounded
    diagnose_seconds: float = math.inf  # how long after the check starts a mistake may still be named
    diagnose_until: float = math.inf

    def __reduce__(self):  # sent to the worker: by its fields, in order
        return _Task, tuple(getattr(self, f.name) for f in fields(_Task))


def _feedback(status: str, message: str, *, score: float | None = None, diagnosis=None, parsed="", wrong=()):
    correct = status == "correct"
    if score is None:
        score = 1.0 if correct else 0.0
    return Feedback(status, correct, float(score), message, diagnosis, parsed, tuple(wrong))


def _diagnosed(tag: str, parsed: str, score: float = 0.0, wrong=(), **fields) -> Feedback:
    return _feedback("incorrect", MESSAGES[tag].format(**fields), score=score, diagnosis=tag, parsed=parsed, wrong=wrong)


# --------------------------------------------------------------------------
# one entry: the decimal policy, then equivalence at random points


def _symbolic_zero(d) -> bool:
    try:
        return sp.simplify(d) == 0
    except (ArithmeticError, TypeError, ValueError, NotImplementedError, AttributeError, KeyError):
        return False


def _equivalence(cmp: Compare, a, b) -> str:
    if a == b:
        return "equal"
    try:
        verdict = cmp.compare(a, b)
    except NotEvaluable:
        verdict = "unknown"
    if verdict == "unknown":
        return "equal" if _symbolic_zero(a - b) else "unknown"
    return verdict


@dataclass(frozen=True, slots=True)
class _Entry:
    verdict: str  # "equal", "different", "unknown", "close", "not_real"
    value: object  # the exact reading judged (for diagnosis)
    short: tuple = ()  # decimals rounded to too few figures


def _not_real(e) -> bool:
    return _scan(e).not_real


def _entry(cmp: Compare, a, b, task: _Task, text: str) -> _Entry:
    if _not_real(a):
        return _Entry("not_real", a)
    if task.mode == "numeric" and task.tolerance is not None and not isinstance(a, sp.MatrixBase):
        v = tolerance_verdict(a, b, task.tolerance)
        if v == "equal":
            return _Entry("equal", a)
        return _Entry({"negated": "different", "undefined": "not_real"}.get(v, v), a)
    if isinstance(a, sp.Basic) and not isinstance(a, sp.MatrixBase) and not _scan(a).has_float:
        readings = [DecimalReading(a, ())]  # no decimal: the answer as it is
    else:
        readings = readings_of(a, b, text, task.variables, truncate=task.truncate)
    for r in readings[:-1]:
        if _equivalence(cmp, r.value, b) == "equal":
            return _Entry("equal", r.value, r.short)
    plain = readings[-1]
    verdict = _equivalence(cmp, plain.value, b)
    # a wrong answer is diagnosed as read with its decimals as roundings of the question's constants
    return _Entry(verdict, readings[0].value if verdict == "different" else plain.value, plain.short)


# --------------------------------------------------------------------------
# scalar answers


def _diagnose(cmp: Compare, a, b, task: _Task, wrt=None):
    """(tag, fields) for a wrong scalar a, or None (also when naming it would take too long)."""
    if not task.diagnose:
        return None
    return _in_diagnosis_time(task, diagnose_scalar, cmp, a, b, function=task.function,
                              wrt=wrt if wrt is not None else task.wrt, is_number=not b.free_symbols)


def _in_diagnosis_time(task: _Task, fn, *args, **kwargs):
    """fn(*args, **kwargs) within the time naming a mistake has, or None when it fails or runs out of time."""
    try:
        with time_limit(task.diagnose_until - time.monotonic()):
            return fn(*args, **kwargs)
    except (NotEvaluable, TypeError, ValueError, ZeroDivisionError, AttributeError, sp.PolynomialError):
        return None
    except OutOfTime:  # the verdict stands without a name for the mistake
        return None


def _wrong(cmp: Compare, e: _Entry, b, task: _Task, parsed: str) -> Feedback:
    if e.verdict == "not_real":
        return _diagnosed("not_real", parsed)
    found = _diagnose(cmp, e.value, b, task)
    if found is not None:
        tag, fields = found
        return _diagnosed(tag, parsed, **fields)
    if task.mode == "numeric" and not b.free_symbols:
        va, vb = Evaluator(e.value, (), DPS)(()), Evaluator(b, (), DPS)(())
        if va is not None and vb is not None and va is not HUGE and vb is not HUGE and vb != 0:
            if abs(va - vb) <= abs(vb) * mpmath.mpf("0.05"):
                return _feedback("incorrect", "Close, but not accurate enough.", parsed=parsed)
    return _feedback("incorrect", "That is not right.", parsed=parsed)


_UNDECIDED = ("I could not decide whether this is right: the two expressions are defined at too few "
              "common points. Try writing your answer another way.")


def _check_scalar(cmp: Compare, a, b, task: _Task, parsed: str, text: str) -> Feedback:
    e = _entry(cmp, a, b, task, text)
    if e.verdict == "equal":
        if e.short:
            return _diagnosed("too_few_digits", parsed, digits=MIN_SIG)
        slip = _form_slip(task, a, b, _held(task, a))
        if slip:
            return _diagnosed(slip, parsed, score=0.5)
        if task.diagnose and not scalar_prepared(cmp, b, function=task.function, wrt=task.wrt):
            # the question's mistakes, worked out for the wrong answers to come
            _in_diagnosis_time(task, prepare_scalar, cmp, b, function=task.function, wrt=task.wrt)
        return _feedback("correct", "Correct!", parsed=parsed)
    if e.verdict == "unknown":
        return _feedback("undecided", _UNDECIDED, parsed=parsed)
    return _wrong(cmp, e, b, task, parsed)


def _held(task: _Task, a):
    """The answer as written, with a number times a sum kept (2(x+1)), for the forms; or None."""
    if task.mode not in ("expand", "factor"):
        return None
    try:
        held = read_exact(task.answer, variables=task.variables, hold=True)
    except (ParseError, ArithmeticError, TypeError, ValueError, AttributeError, KeyError):
        return None
    if isinstance(a, sp.MatrixBase):
        return held if isinstance(held, sp.MatrixBase) and held.shape == a.shape else None
    if isinstance(held, sp.MatrixBase):
        return held[0, 0] if held.shape == (1, 1) else None
    return held


def _form_slip(task: _Task, a, b, held) -> str | None:
    """The form the mode asks for, judged on the answer as written (held) when there is one."""
    if held is None:
        return form_slip(task.mode, a, b, task.variables)
    slip = form_slip(task.mode, held, b, task.variables)
    if slip is None and task.mode == "factor" and a.has(sp.Float):
        slip = "not_factored"
    return slip


# --------------------------------------------------------------------------
# vectors and matrices


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


def _all_equal(cmp, us, vs) -> bool:
    return all(cmp.resembles(u, v) if (u.free_symbols or v.free_symbols) else _num_equal(u, v) for u, v in zip(us, vs))


def _num_equal(u, v) -> bool:
    va, vb = Evaluator(u, (), DPS)(()), Evaluator(v, (), DPS)(())
    if va is None or vb is None or va is HUGE or vb is HUGE:
        return False
    return abs(va - vb) <= mpmath.mpf(10) ** -12 * max(1, abs(vb))


def _vector_slip(cmp, values: list, b) -> str | None:
    """A slip of the whole vector or matrix: negated, scaled, transposed, components swapped."""
    flat_b = list(b)
    if any(not v.is_zero for v in flat_b) and _all_equal(cmp, [-v for v in values], flat_b):
        return "vector_negated"
    if b.rows == b.cols > 1 and b != b.T:
        bt = list(b.T)
        if _all_equal(cmp, values, bt):
            return "transposed"
    if len(flat_b) > 1 and (b.cols == 1 or b.rows == 1):
        n = len(flat_b)
        perms = [list(reversed(range(n)))] + [
            [j if k == i else i if k == j else k for k in range(n)] for i in range(n) for j in range(i + 1, n)]
        for p in perms[:12]:
            swapped = [flat_b[k] for k in p]
            if swapped != flat_b and _all_equal(cmp, values, swapped):
                return "components_swapped"
    # the same constant factor in every entry
    nz = [(u, v) for u, v in zip(values, flat_b) if not v.is_zero]
    if len(nz) >= 2 and all(not u.is_zero for u, _ in nz):
        first = sp.cancel(nz[0][0] / nz[0][1]) if sp.count_ops(nz[0][0]) < 60 else None
        if first is not None and first.is_number and first not in (1, -1) and not first.is_zero:
            if _all_equal(cmp, [u for u, _ in nz], [first * v for _, v in nz]):
                return "vector_scaled"
    return None


def _partial_wrt(task: _Task, b_entry, cmp: Compare):
    """The variable an entry of a gradient is the derivative by (when the function is known)."""
    f = task.function
    if f is None:
        return None
    for v in task.variables:
        try:
            if cmp.resembles(sp.diff(f, v), b_entry):
                return v
        except (TypeError, ValueError):
            continue
    return None


def _check_matrix(cmp: Compare, a, b, task: _Task, parsed: str, text: str) -> Feedback:
    if not isinstance(a, sp.MatrixBase):
        return _diagnosed("wrong_shape", parsed, expected_shape=_shape_text(b), answer_shape=_shape_text(a))
    if a.shape != b.shape:
        if a.shape == b.T.shape:
            entries = [_entry(cmp, u, v, task, text) for u, v in zip(a, b.T)]
            if all(e.verdict == "equal" for e in entries):
                return _diagnosed("row_for_column" if b.cols == 1 else "transposed", parsed)
        return _diagnosed("wrong_shape", parsed, expected_shape=_shape_text(b), answer_shape=_shape_text(a))
    entries = [[_entry(cmp, a[i, j], b[i, j], task, text) for j in range(b.cols)] for i in range(b.rows)]
    flat = [e for row in entries for e in row]
    if all(e.verdict == "equal" for e in flat):
        short = [(i, j) for i in range(b.rows) for j in range(b.cols) if entries[i][j].short]
        if short:
            return _diagnosed("too_few_digits", parsed, wrong=short, digits=MIN_SIG)
        held = _held(task, a)
        found = {(i, j): _form_slip(task, a[i, j], b[i, j], None if held is None else held[i, j])
                 for i in range(b.rows) for j in range(b.cols)}
        slips = [k for k, v in found.items() if v]
        if slips:
            return _diagnosed(found[slips[0]], parsed, score=0.5, wrong=slips)
        return _feedback("correct", "Correct!", parsed=parsed)
    if any(e.verdict == "unknown" for e in flat) and not any(e.verdict in ("different", "not_real") for e in flat):
        return _feedback("undecided", "I could not decide whether every entry is right.", parsed=parsed)
    wrong = [(i, j) for i in range(b.rows) for j in range(b.cols) if entries[i][j].verdict != "equal"]
    score = 1 - len(wrong) / len(flat)
    values = [e.value for e in flat]
    if task.diagnose and len(wrong) > 1:
        try:
            slip = _vector_slip(cmp, values, b)
        except (NotEvaluable, TypeError, ValueError, ZeroDivisionError, AttributeError):
            slip = None
        if slip is not None:
            return _diagnosed(slip, parsed, wrong=wrong)
    off = [(i, j) for (i, j) in wrong if i != j]
    if b.rows == b.cols > 1 and wrong == off and all(a[i, j] == 0 for i, j in off):
        return _diagnosed("missing_mixed_partials", parsed, score=score, wrong=wrong)
    names = ", ".join(_entry_name(i, j, b.cols) for i, j in wrong)
    noun = "Entry" if len(wrong) == 1 else "Entries"
    verb = "is" if len(wrong) == 1 else "are"
    message = f"{noun} {names} {verb} not right" + ("; the others are." if len(wrong) < len(flat) else ".")
    tag = None
    if task.diagnose:
        found = []
        for i, j in wrong:
            e = entries[i][j]
            if e.verdict == "not_real":
                found.append(("not_real", {}))
                continue
            wrt = _partial_wrt(task, b[i, j], cmp) if task.wrt is None else None
            found.append(_diagnose(cmp, e.value, b[i, j], task, wrt=wrt))
        if len(found) == 1 and found[0] is not None:
            tag = found[0][0]
            message += " " + MESSAGES[tag].format(**found[0][1])
        elif found and all(f is not None for f in found) and len({f[0] for f in found}) == 1:
            tag = found[0][0]
            message += " " + MESSAGES[tag].format(**found[0][1])
    return _feedback("incorrect", message, score=score, diagnosis=tag, parsed=parsed, wrong=wrong)


# --------------------------------------------------------------------------
# Taylor polynomials


def _check_taylor(cmp: Compare, a, b, task: _Task, parsed: str, text: str) -> Feedback:
    variables, point, order = task.variables, task.point, task.order
    slip = taylor_shape_slip(a, variables, point, order)
    if slip is not None:
        return _diagnosed(slip[0], parsed, **slip[1])
    e = _entry(cmp, a, b, task, text)
    if e.verdict == "equal":
        if e.short:
            return _diagnosed("too_few_digits", parsed, digits=MIN_SIG)
        return _feedback("correct", "Correct!", parsed=parsed)
    if e.verdict == "unknown":
        return _feedback("undecided", "I could not decide whether this is right.", parsed=parsed)
    if e.verdict == "not_real":
        return _diagnosed("not_real", parsed)
    if task.diagnose:
        try:
            for tag, wrong in taylor_slips(b, variables, point):
                if wrong != b and cmp.equal(e.value, wrong):
                    return _diagnosed(tag, parsed)
        except (sp.PolynomialError, TypeError, ValueError):
            pass
        if task.function is not None:
            from .calculus import taylor

            for other in _other_points(point):
                try:
                    t = taylor(task.function, variables, point=other, order=order)
                except SymtutorError:
                    continue
                if cmp.equal(e.value, t):
                    where = ", ".join(f"{v} = {to_text(p)}" for v, p in zip(variables, other))
                    wanted = ", ".join(f"{v} = {to_text(p)}" for v, p in zip(variables, point))
                    return _diagnosed("taylor_wrong_point", parsed, used=where, wanted=wanted)
    return _wrong(cmp, e, b, replace(task, function=None), parsed)


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
    """The whole ladder for one answer (runs inside the sandbox); never raises on a learner's input."""
    with mpmath.workdps(DPS):  # values are compared at the precision they were computed at
        try:
            return _ladder(task)
        except (RecursionError, MemoryError):
            return _feedback("undecided", "This answer is nested too deeply to check.")
        except Exception:  # noqa: BLE001 - a learner's answer is a verdict, never an exception
            return _feedback("undecided", "I could not check this answer. Try writing it more simply.")


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
def _srepr(e) -> str:
    return sp.srepr(e)


@lru_cache(maxsize=512)
def _from_portable(item, variables: tuple):
    kind, value = item
    if kind == "text":
        value = parse(value, variables=variables)
    return sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else value


def _ladder(task: _Task) -> Feedback:
    task.diagnose_until = time.monotonic() + task.diagnose_seconds
    task.key = task.expected[1] if task.expected[0] == "text" else _srepr(task.expected[1])
    task.expected = _from_portable(task.expected, task.variables)
    if task.function is not None:
        task.function = _from_portable(task.function, task.variables)
    text = task.answer
    try:
        reading = read(text, variables=task.variables)
    except ParseError as exc:
        readings = tuple(exc.readings) if isinstance(exc, AmbiguousInputError) else ()
        if readings:
            shown = " or ".join(t for t, _ in readings)
            return Feedback("invalid", False, 0.0, MESSAGES["ambiguous"].format(readings=shown),
                            "ambiguous", readings=tuple((str(t), str(l)) for t, l in readings))
        where = f" (at character {exc.position + 1})" if exc.position is not None else ""
        return _feedback("invalid", f"I could not read your answer: {exc.message}{where}")
    except (ArithmeticError, TypeError, ValueError, AttributeError, KeyError):
        # SymPy gave up working out a constant in it (cosh(cosh(2.0e102)))
        return _feedback("invalid", "I could not read your answer: a number in it is too large to work with.")
    fb = _judge(task, _unfolded(reading.value, text, reading.text, task.variables), reading.latex, reading.text)
    return Feedback(fb.status, fb.correct, fb.score, fb.message, fb.diagnosis, fb.parsed, fb.wrong_entries,
                    reading.text, fb.readings)


def _unfolded(a, text: str, echo: str, variables: tuple):
    """a, or its exact reading when SymPy's arithmetic on decimals lost one typed (0.1667 + 1e-20 is 0.1667).

    A decimal that took part in arithmetic is then no longer the learner's own
    number, so it is compared exactly as typed rather than as a rounding.
    """
    has_float = a.has(sp.Float) if isinstance(a, sp.MatrixBase) else _scan(a).has_float
    if not has_float and not typed_decimals(echo):
        return a
    try:
        exact = read_exact(text, variables=variables)
    except (ParseError, ArithmeticError, TypeError, ValueError, AttributeError, KeyError):
        exact = None
    if exact is None or isinstance(exact, sp.MatrixBase) != isinstance(a, sp.MatrixBase):
        return as_typed(a, "")  # no exact reading to compare with: each decimal is the value it has, not a rounding
    return a if as_typed(a, echo) == exact else exact


def _numbers_only(a) -> bool:
    entries = list(a) if isinstance(a, sp.MatrixBase) else [a]
    return not any(e.free_symbols for e in entries)


def _judge(task: _Task, a, parsed: str, text: str) -> Feedback:
    b = task.expected
    if isinstance(a, sp.MatrixBase) and a.shape == (1, 1) and not isinstance(b, sp.MatrixBase):
        a = a[0, 0]
    if task.mode == "numeric" and not _numbers_only(a):
        return _diagnosed("not_a_number", parsed)
    # the tolerance is the question's: exact, or the precision of the decimals in the expected answer
    rel_tol = 1e-9 if _has_float(b) else 1e-30
    # the points depend on the question only, so its values are computed once for every answer
    cmp = Compare(task.variables, _seed(task.key, task.variables), rel_tol)
    if isinstance(b, sp.MatrixBase):
        return _check_matrix(cmp, a, b, task, parsed, text)
    if isinstance(a, sp.MatrixBase):
        return _diagnosed("wrong_shape", parsed, expected_shape=_shape_text(b), answer_shape=_shape_text(a))
    if task.mode == "taylor":
        return _check_taylor(cmp, a, b, task, parsed, text)
    return _check_scalar(cmp, a, b, task, parsed, text)


@lru_cache(maxsize=512)
def _seed(key: str, variables: tuple) -> int:
    """The seed of a question's points."""
    return seed_of(str(key), *map(str, variables))


@lru_cache(maxsize=512)
def _has_float(e) -> bool:
    return e.has(sp.Float)


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
    truncate: bool = False,
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
    answer (for verifying many answers at once).  Without a tolerance, a
    decimal typed is right only as the exact value correctly rounded to the
    digits typed, with at least 3 significant figures; ``truncate=True``
    accepts a truncation as well.

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
        known = _symbols_by_name(b) if f is None else {**_symbols_by_name(f), **_symbols_by_name(b)}
        variables = as_variables(variables, known=known)
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
                 None if f is None else _portable(f, variables), x, pt, order, diagnose=bool(diagnose),
                 truncate=bool(truncate), diagnose_seconds=_DIAGNOSE_SHARE * timeout)
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
