"""STACK questions as data: inputs, question variables and a potential response tree per exercise.

:func:`stack_plan` turns an :class:`~symtutor.exercises.core.Exercise` into a
:class:`StackPlan`, the parts of a STACK question that grade: the inputs, the
question variables (every expression in Maxima, by :func:`~symtutor.export.maxima.to_maxima`),
and one potential response tree (PRT) whose first node is the main answer test
for the item's mode and whose later nodes compare the answer with the telling
wrong answers symtutor knows for it (:func:`telling_wrong_answers`), each with
symtutor's own message and a distinct answer note.  :mod:`symtutor.export.moodle`
writes the plan as Moodle XML.

The answer test per mode:

* equivalent, simplify, taylor: ``AlgEquiv``;
* expand, factor: ``AlgEquiv``, then ``Expanded`` or ``FacForm`` on its true branch
  (a right value in the wrong form scores 0.5, as symtutor gives);
* a single number in numeric mode: the item's tolerance (``NumSigFigs`` ``[n,-1]``,
  ``NumAbsolute``, ``NumRelative``; a relative 1e-9 without one), as symtutor's checker;
* any other answer of numbers whose decimals symtutor accepts (decimals, constants such
  as ``tanh(1)``, fractions such as 1/3): one input per entry, ``AlgEquiv`` for an exact
  value, then symtutor's decimal policy: a decimal of k figures must be the value rounded
  to k, for k from N (from "to N significant figures", else 3): ``NumSigFigs`` with option
  k for k < 16, ``[16,-1]`` beyond (what a double prints); an entry that fails goes on to the
  telling wrong answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sympy as sp

from .._decimals import DOUBLE_SIG, MIN_SIG
from ..diagnosis import BUGS, MESSAGES, buggy_derivative
from ..errors import InvalidArgumentError
from ..parsing import to_text
from .maxima import to_maxima

__all__ = ["Node", "StackPlan", "WrongAnswer", "stack_plan", "telling_wrong_answers", "PRT", "FORBIDDEN_WORDS"]

PRT = "prt1"
"""The name of the one potential response tree of every question."""

FORBIDDEN_WORDS = ("diff", "integrate", "taylor", "limit", "solve", "subst", "ev", "at", "jacobian", "hessian",
                   "expand", "factor", "ratsimp", "fullratsimp", "float")
"""Maxima commands a learner may not type: each would let the CAS do the work being assessed."""

_SWAPPED = "The entries are in the wrong order."
_FALLBACK = {"components_swapped": _SWAPPED, "transposed": "Your matrix is the transpose of the right one.",
             "sign_error": "The sign is wrong."}


def _message(tag: str, **fields) -> str:
    """symtutor's message for a diagnosis tag, its fields filled in."""
    try:
        return MESSAGES[tag].format(**fields)
    except (KeyError, IndexError):
        return _FALLBACK.get(tag, "That is a common mistake: check your working.")
_GREEK = frozenset({"alpha", "beta", "gamma", "epsilon", "eta", "theta", "mu", "nu", "sigma", "tau", "phi", "psi",
                    "omega"})
"""Greek names STACK's insert-stars keeps whole (a variable in its security map); another name gets option 4."""


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """A telling wrong answer: the diagnosis tag, the value, and symtutor's message for it."""

    tag: str
    value: object
    message: str


@dataclass(frozen=True, slots=True)
class Node:
    """One PRT node: an answer test of ``sans`` against ``tans``, and what each branch does.

    ``*_next`` is the name of the next node, or -1 to stop; ``*_mode`` is ``=``
    (set the score), ``+`` or ``-``; ``quiet`` hides the answer test's own feedback.
    """

    name: int
    test: str
    sans: str
    tans: str
    options: str
    true_score: float
    true_next: int
    true_note: str
    true_feedback: str
    false_score: float
    false_next: int
    false_note: str
    false_feedback: str
    true_mode: str = "="
    false_mode: str = "="
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class StackPlan:
    """The grading parts of one STACK question.

    ``inputs`` are (name, type, teacher's answer variable, value) tuples;
    ``variables`` are (name, value) pairs, written as Maxima question variables;
    ``cases`` are question tests: (input values by name, expected score, expected answer note);
    ``instruction`` is a sentence for the learner that the item's prompt does not give.
    """

    inputs: tuple[tuple[str, str, str, object], ...]
    variables: tuple[tuple[str, object], ...]
    nodes: tuple[Node, ...]
    wrong: tuple[WrongAnswer, ...]
    insertstars: int
    cases: tuple[tuple[tuple[tuple[str, str], ...], float, str], ...]
    instruction: str = ""


def _note(k: int, branch: str, tag: str = "") -> str:
    note = f"{PRT}-{k + 1}-{branch}"
    return f"{note} {tag}" if tag else note


def _symbol(ex, name: str):
    for e in (dict(ex.options).get("function"), ex.answer):
        if isinstance(e, (sp.Basic, sp.MatrixBase)):
            for s in e.free_symbols:
                if s.name == name:
                    return s
    return sp.Symbol(name)


def _points(symbols, count: int = 5):
    """Deterministic, irregular test points (no randomness: the same export every time)."""
    out = []
    for k in range(count):
        ordered = sorted(symbols, key=str)
        out.append({s: sp.Rational(37 + 11 * k + 5 * i, 29 + 3 * i + k) for i, s in enumerate(ordered)})
    return out


def same_value(a, b) -> bool:
    """Whether two expressions or matrices are equal (exactly, or at five fixed points to 1e-9).

    Examples:
        >>> x = sp.Symbol("x")
        >>> same_value(sp.sin(x)**2 + sp.cos(x)**2, sp.Integer(1)), same_value(x, -x)
        (True, False)
        >>> same_value(2*x**2, 2*x**2 + 4)
        False
    """
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(same_value(u, v) for u, v in zip(a, b))
    if a == b:
        return True
    d = a - b
    symbols = d.free_symbols or b.free_symbols  # 2x^2 and 2x^2 + 4 differ by a number, b's size varies
    if not symbols:
        v = complex(sp.N(d, 30))
        return abs(v) <= 1e-9 * max(1.0, abs(complex(sp.N(b, 30))))
    for p in _points(symbols):
        try:
            v = complex(sp.N(d.xreplace(p), 30))
            scale = max(1.0, abs(complex(sp.N(b.xreplace(p), 30))))
        except (TypeError, ValueError, ZeroDivisionError):
            return False
        if not (abs(v) <= 1e-9 * scale):
            return False
    return True


def _derivative_mistakes(ex) -> list[WrongAnswer]:
    opts = dict(ex.options)
    f, wrt = opts.get("function"), opts.get("wrt")
    if f is None or wrt is None or isinstance(f, sp.MatrixBase):
        return []
    x = _symbol(ex, str(wrt))
    out = []
    for bug in BUGS:
        try:
            out.append(WrongAnswer(bug, buggy_derivative(f, x, bug), _message(bug)))
        except (ValueError, TypeError):
            continue
    for y in sorted(f.free_symbols - {x}, key=str):
        out.append(WrongAnswer("wrong_variable", sp.diff(f, y),
                               _message("wrong_variable", used=y, wanted=x)))
    out.append(WrongAnswer("original_function", f, _message("original_function")))
    return out


def _taylor_mistakes(ex) -> list[WrongAnswer]:
    from ..calculus import taylor

    opts = dict(ex.options)
    variables = tuple(_symbol(ex, v) for v in ex.variables)
    point, order = opts.get("point"), opts.get("order")
    if point is None or order is None or not variables:
        return []
    shift = {v: v + p for v, p in zip(variables, point)}
    unshift = {v: v - p for v, p in zip(variables, point)}
    expected = sp.Poly(sp.expand(ex.answer.xreplace(shift)), *variables)
    scaled = sp.Add(*[c * math.factorial(sum(m)) * sp.Mul(*[v**k for v, k in zip(variables, m)])
                      for m, c in expected.terms()])
    out = [WrongAnswer("taylor_missing_factorial", scaled.xreplace(unshift), _message("taylor_missing_factorial"))]
    f = opts.get("function")
    if f is not None:
        others = []
        for step in (None, 1, -1):
            p = tuple(sp.S.Zero for _ in point) if step is None else tuple(c + step for c in point)
            if p != tuple(point) and p not in others:
                others.append(p)
        for p in others:
            try:
                t = taylor(f, variables, point=p, order=order)
            except Exception:  # noqa: BLE001 - a point where f has no expansion gives no wrong answer
                continue
            used = ", ".join(f"{v} = {to_text(c)}" for v, c in zip(variables, p))
            wanted = ", ".join(f"{v} = {to_text(c)}" for v, c in zip(variables, point))
            out.append(WrongAnswer("taylor_wrong_point", t, _message("taylor_wrong_point", used=used, wanted=wanted)))
    return out


def _matrix_mistakes(b) -> list[WrongAnswer]:
    out = []
    if b.rows == b.cols > 1:
        out.append(WrongAnswer("transposed", b.T, _message("transposed")))
        off = sp.ImmutableMatrix(b.rows, b.cols, lambda i, j: b[i, j] if i == j else 0)
        out.append(WrongAnswer("missing_mixed_partials", off, _message("missing_mixed_partials")))
    if b.cols == 1 and b.rows > 1:
        out.append(WrongAnswer("components_swapped", sp.ImmutableMatrix(list(reversed(list(b)))), _SWAPPED))
    return out


def telling_wrong_answers(ex) -> tuple[WrongAnswer, ...]:
    """The wrong answers to ``ex`` that name a mistake, in the order symtutor's checker looks for them.

    Derivatives: each of :data:`symtutor.diagnosis.BUGS`, the derivative by another
    variable, the function itself; Taylor polynomials: the missing 1/n!, the
    expansion about another point; square matrices: the transpose, the diagonal
    alone (mixed partials missing); column vectors: the entries reversed; and for
    any answer its negative (the sign).  A wrong answer equal to the right one, or
    to an earlier one, is left out, so every node of the tree can be reached.

    Examples:
        >>> from symtutor.exercises.core import generate
        >>> tags = [w.tag for w in telling_wrong_answers(generate("chain_rule", seed=1, difficulty=2))]
        >>> tags[:3]
        ['chain_rule_inner_missing', 'power_rule_exponent_kept', 'power_rule_exponent_raised']
        >>> tags[3:]
        ['chain_rule_inner_replaced', 'original_function', 'sign_error']
    """
    b = ex.answer
    if isinstance(b, sp.MatrixBase):
        found = _matrix_mistakes(b)
    elif ex.mode == "taylor":
        found = _taylor_mistakes(ex)
    else:
        found = _derivative_mistakes(ex)
    found.append(WrongAnswer("sign_error", -b, _message("sign_error")))
    kept: list[WrongAnswer] = []
    for w in found:
        value = sp.ImmutableMatrix(w.value) if isinstance(w.value, sp.MatrixBase) else w.value
        if same_value(value, sp.S.Zero) if not isinstance(value, sp.MatrixBase) else all(same_value(v, sp.S.Zero) for v in value):
            continue
        if same_value(value, b) or any(same_value(value, k.value) for k in kept):
            continue
        kept.append(WrongAnswer(w.tag, value, w.message))
    return tuple(kept)


_SIGFIGS = re.compile(r"to (\d+) significant figures?", re.IGNORECASE)


def _has_roundings(value) -> bool:
    """Whether a decimal rounding of ``value`` would stand for it in symtutor (AlgEquiv would refuse it).

    Examples:
        >>> from symtutor import parse
        >>> [_has_roundings(parse(v)) for v in ("tanh(1)", "1/3", "1/2", "5/4", "1234/1000", "7")]
        [True, True, False, False, True, False]
    """
    if not value.is_Rational:
        return True
    if value.is_Integer:
        return False
    q = value.q
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q != 1 or len(str(abs(value.p * 10**40 // value.q)).rstrip("0")) > MIN_SIG


def _numeric_test(ex) -> tuple[str, str, bool, bool] | None:
    """(answer test, options, exact value accepted, decimal policy) for a numeric item; None when not numeric.

    As symtutor's checker: a single number in numeric mode is held to the item's tolerance
    (a relative 1e-9 when it has none); any other answer of numbers by the decimal policy
    (a decimal must be the value rounded to the figures typed, at least N of them, N from
    "to N significant figures", else 3), and an exact answer (``1/3``, ``tanh(1)``, not a
    decimal) is accepted exactly too (AlgEquiv), which AlgEquiv alone would do for no decimal.
    """
    b = ex.answer
    values = list(b) if isinstance(b, sp.MatrixBase) else [b]
    if any(v.free_symbols for v in values):
        return None
    has_float = any(v.has(sp.Float) for v in values)
    if ex.mode == "numeric" and not isinstance(b, sp.MatrixBase):
        tol = dict(ex.options).get("tolerance", 1e-9)
        if isinstance(tol, dict) and "sig" in tol:
            return "NumSigFigs", f"[{int(tol['sig'])},-1]", False, False
        if isinstance(tol, dict) and "abs" in tol:
            return "NumAbsolute", repr(float(tol["abs"])), False, False
        if isinstance(tol, dict) and "rel" in tol:
            tol = tol["rel"]
        return "NumRelative", repr(float(tol)), False, False
    if ex.mode != "numeric" and not has_float and not any(_has_roundings(v) for v in values):
        return None
    m = _SIGFIGS.search(ex.prompt)
    return "NumSigFigs", f"[{int(m.group(1)) if m else MIN_SIG},-1]", not has_float, True


def _insertstars(ex) -> int:
    """STACK's insert-stars option closest to symtutor's reading of implied multiplication.

    5 (single-letter variables, and spaces) when every variable is one letter or a
    Greek name, as symtutor splits ``xy`` into x*y; else 4 (implied multiplication
    and spaces), which keeps multi-letter names whole.
    """
    if ex.variables and all(len(v) == 1 or v in _GREEK for v in ex.variables):
        return 5
    return 4


def _rounded(value: float, sig: int) -> str:
    """``value`` rounded to ``sig`` significant figures, written out in digits (no exponent).

    Examples:
        >>> _rounded(0.379948962255225, 4), _rounded(-12345.6, 3), _rounded(0.0000123456, 3)
        ('0.3799', '-12300', '0.0000123')
    """
    if value == 0:
        return "0." + "0" * (sig - 1)
    d = Decimal(repr(value))
    return format(d.quantize(Decimal(1).scaleb(d.adjusted() - sig + 1), rounding=ROUND_HALF_UP), "f")


def _sig_figures(text: str) -> int:
    """Significant figures of a typed decimal, as STACK counts them (its lower bound)."""
    mantissa = re.split(r"[eE]", text.strip().lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        digits = digits.rstrip("0")
    return max(len(digits), 1)


def _entry_tests(test: str, options: str, exact: bool, policy: bool) -> list[tuple[str, str]]:
    """The answer tests of one entry, tried in turn until one is true.

    Under the decimal policy a decimal of k figures (N <= k < LONG) must be the value
    rounded to k figures (``NumSigFigs`` with option k: exactly k figures, right to k),
    and one of LONG or more figures right to LONG (``[LONG,-1]``): what a double prints
    (the policy's allowance of two units in a double's last place) is right to LONG = 16.
    """
    tests = [("AlgEquiv", "")] if exact else []
    if not policy:
        return tests + [(test, options)]
    n = int(re.fullmatch(r"\[(\d+),-1\]", options).group(1))
    return tests + [("NumSigFigs", str(k)) for k in range(n, LONG)] + [("NumSigFigs", f"[{max(n, LONG)},-1]")]


LONG = DOUBLE_SIG - 1
"""Figures to which a decimal as long as a double's is checked in STACK."""


def _numeric_plan(ex, test: str, options: str, exact: bool = False, policy: bool = False) -> StackPlan:
    """One input per entry, each with its answer tests in turn (see :func:`_entry_tests`).

    An entry that fails them all goes on to the telling wrong answers, compared with the
    whole answer (the entries put back together) by AlgEquiv.
    """
    b = ex.answer
    values = list(b) if isinstance(b, sp.MatrixBase) else [b]
    n = len(values)
    names = [f"ans{i + 1}" for i in range(n)]
    tas = [f"ta{i + 1}" for i in range(n)]
    tests = _entry_tests(test, options, exact, policy)
    per = len(tests)
    wrong = telling_wrong_answers(ex) if exact or policy else ()
    first_diag = per * n if wrong else -1
    nodes = []
    for i in range(n):
        last = i == n - 1
        what = "The answer" if n == 1 else f"Entry {i + 1}"
        score, nxt = (1.0, -1) if last else (0.0, per * (i + 1))
        for j, (t, opt) in enumerate(tests):
            k = per * i + j
            final = j == per - 1
            nodes.append(Node(k, t, names[i], tas[i], opt, score, nxt, _note(k, "T"), "",
                              0.0, first_diag if final else k + 1, _note(k, "F"),
                              f"{what} is not right." if final else "", quiet=per > 1))
    whole = names[0] if not isinstance(b, sp.MatrixBase) else "matrix(" + ",".join(
        "[" + ",".join(names[r * b.cols: (r + 1) * b.cols]) + "]" for r in range(b.rows)) + ")"
    variables = [(tas[i], values[i]) for i in range(n)]
    diag_cases = []
    for k, w in enumerate(wrong):
        name = first_diag + k
        var = f"w{k + 1}"
        variables.append((var, w.value))
        nodes.append(Node(name, "AlgEquiv", whole, var, "", 0.0, -1, _note(name, "T", w.tag), w.message,
                          0.0, name + 1 if k + 1 < len(wrong) else -1, _note(name, "F"), "", quiet=True))
        entries = list(w.value) if isinstance(w.value, sp.MatrixBase) else [w.value]
        diag_cases.append((tuple(zip(names, (to_maxima(e) for e in entries))), 0.0,
                           _note(name, "T", w.tag)))
    decimals = [float(sp.N(v, 30)) for v in values]
    sig = int(m.group(1)) if (m := re.fullmatch(r"\[(\d+),-1\]", options)) else MIN_SIG

    def accepted_by(text: str) -> int:  # the node of the last entry that accepts this decimal
        if not policy:
            return per * n - 1
        k = min(max(_sig_figures(text), sig), LONG)
        return per * (n - 1) + (1 if exact else 0) + max(k - sig, 0)

    typed = tuple(zip(names, (text if _sig_figures(text) >= sig else _rounded(v, sig)  # NumSigFigs reads the digits
                              for text, v in ((to_maxima(sp.Float(v)), v) for v in decimals))))
    if exact:
        model = tuple(zip(names, (to_maxima(v) for v in values)))
        cases = [(model, 1.0, _note(per * (n - 1), "T"))]
        # the entries that need it as decimals (the others stay exact: AlgEquiv takes them first)
        rounded = tuple((name, _rounded(d, sig) if _has_roundings(v) else text)
                        for (name, text), v, d in zip(model, values, decimals))
        last = values[-1]
        if _has_roundings(last) and sp.Rational(rounded[-1][1]) != (sp.Rational(str(last)) if last.is_Float else last):
            cases.append((rounded, 1.0, _note(accepted_by(rounded[-1][1]), "T")))
    else:
        model = typed
        cases = [(model, 1.0, _note(accepted_by(typed[-1][1]), "T"))]
        if policy:
            rounded = tuple(zip(names, (_rounded(v, sig) for v in decimals)))
            cases.append((rounded, 1.0, _note(accepted_by(rounded[-1][1]), "T")))
    # a perturbed first entry: the first entry's last test, false branch (past any telling wrong answer)
    perturbed = ((names[0], to_maxima(sp.Float(decimals[0] + 1))),) + model[1:]
    cases.insert(1, (perturbed, 0.0, nodes[-1].false_note if wrong else _note(per - 1, "F")))
    instruction = ""
    if policy and not _SIGFIGS.search(ex.prompt):
        instruction = (f"Give {'the answer' if n == 1 else 'each entry'} {'exactly, or ' if exact else ''}"
                       f"as a decimal to at least {sig} significant figures.")
    return StackPlan(
        inputs=tuple((names[i], "algebraic", tas[i], values[i]) for i in range(n)),
        variables=tuple(variables), nodes=tuple(nodes), wrong=wrong, insertstars=4,
        cases=tuple(cases + diag_cases), instruction=instruction,
    )


_STACK_READS = {"e": "the constant %e", "i": "the imaginary unit %i", "pi": "the constant %pi",
                "lambda": "Maxima's lambda", **{w: "a command learners may not type" for w in FORBIDDEN_WORDS}}
"""Names STACK gives a meaning of its own: an item with such a variable cannot be exported as written."""


def _check_names(ex) -> None:
    b = ex.answer
    names = set(ex.variables) | {s.name for s in (b.free_symbols if isinstance(b, (sp.Basic, sp.MatrixBase)) else ())}
    for name in sorted(names & set(_STACK_READS)):
        raise InvalidArgumentError(f"{ex.id}: STACK reads the variable {name} as {_STACK_READS[name]}; "
                                   f"rename it to export this item to Moodle")


def stack_plan(ex) -> StackPlan:
    """The STACK question that grades ``ex``: inputs, question variables, PRT nodes and question tests.

    Examples:
        >>> from symtutor.exercises.core import generate
        >>> plan = stack_plan(generate("chain_rule", seed=1, difficulty=2))
        >>> [(n.name, n.test, n.tans, n.true_note) for n in plan.nodes][:2]
        [(0, 'AlgEquiv', 'ta', 'prt1-1-T'), (1, 'AlgEquiv', 'w1', 'prt1-2-T chain_rule_inner_missing')]
    """
    _check_names(ex)
    numeric = _numeric_test(ex)
    if numeric is not None:
        return _numeric_plan(ex, *numeric)
    b = ex.answer
    kind = "matrix" if isinstance(b, sp.MatrixBase) else "algebraic"
    wrong = telling_wrong_answers(ex)
    nodes: list[Node] = []
    cases = []
    form = {"expand": ("Expanded", "", "not_expanded"), "factor": ("FacForm", "", "not_factored")}.get(ex.mode)
    first_diag = 2 if form else 1
    false_next = first_diag if wrong else -1
    if form:
        test, _, tag = form
        options = ex.variables[0] if test == "FacForm" and ex.variables else ""
        nodes.append(Node(0, "AlgEquiv", "ans1", "ta", "", 0.0, 1, _note(0, "T"), "",
                          0.0, false_next, _note(0, "F"), ""))
        nodes.append(Node(1, test, "ans1", "ta", options, 1.0, -1, _note(1, "T"), "",
                          0.5, -1, _note(1, "F", tag), _message(tag)))
        cases.append(((("ans1", "ta"),), 1.0, _note(1, "T")))
    else:
        nodes.append(Node(0, "AlgEquiv", "ans1", "ta", "", 1.0, -1, _note(0, "T"), "",
                          0.0, false_next, _note(0, "F"), ""))
        cases.append(((("ans1", "ta"),), 1.0, _note(0, "T")))
    variables = [("ta", b)]
    for k, w in enumerate(wrong):
        name = first_diag + k
        nxt = name + 1 if k + 1 < len(wrong) else -1
        var = f"w{k + 1}"
        variables.append((var, w.value))
        nodes.append(Node(name, "AlgEquiv", "ans1", var, "", 0.0, -1, _note(name, "T", w.tag), w.message,
                          0.0, nxt, _note(name, "F"), ""))
        cases.append(((("ans1", var),), 0.0, _note(name, "T", w.tag)))
    last = nodes[-1] if wrong else nodes[0]
    cases.insert(1, ((("ans1", "ta+1"),), 0.0, last.false_note))
    return StackPlan(
        inputs=(("ans1", kind, "ta", b),),
        variables=tuple(variables), nodes=tuple(nodes), wrong=wrong, insertstars=_insertstars(ex),
        cases=tuple(cases),
    )
