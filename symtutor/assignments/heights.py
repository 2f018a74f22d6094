"""Assignment 2: fit a Gaussian to a histogram of heights by steepest descent.

The model f(x; μ, σ) = exp(-(x - μ)²/(2σ²)) / (σ √(2π)); the engine derives
∂f/∂μ and ∂f/∂σ, and the Jacobian of χ² = Σ (y - f)² follows from the chain
rule: ∂χ²/∂p = -2 Σ (y - f) ∂f/∂p.  Each step moves (μ, σ) by -aggression · J.
"""

from __future__ import annotations

import csv
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import sympy as sp

from ..calculus import derivative
from ..errors import InvalidArgumentError
from ._learner import Case, Diagnosis, close, constant_ratio, encode, explain_error, learner_value, mark

__all__ = ["heights_data", "model", "chi2", "jacobian", "steepest_step", "fit", "FitResult", "derivation",
           "GRADED", "descend", "diagnose_derivative", "diagnose_step", "check", "Report", "hidden_cases", "judge"]

GRADED = ("dfdmu", "dfdsig", "steepest_step")
"""The functions the learner writes, as the course names them."""

BIN_WIDTH = 2.5


def heights_data() -> tuple[np.ndarray, np.ndarray]:
    """(x, y): 100 bins 2.5 cm wide from 50 cm; x the bin centres, y normalised to area 1.

    Examples:
        >>> x, y = heights_data()
        >>> x[:2], round(float(np.sum(y) * 2.5), 12)
        (array([51.25, 53.75]), 1.0)
    """
    text = resources.files("symtutor").joinpath("data/heights.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    left = np.array([float(r["left_edge_cm"]) for r in rows])
    raw = np.array([float(r["raw"]) for r in rows])
    return left + BIN_WIDTH / 2, raw / (raw.sum() * BIN_WIDTH)


@dataclass(frozen=True)
class _Compiled:
    f: object
    dfdmu: object
    dfdsig: object
    lines: tuple[str, ...]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    x, mu, sig = sp.symbols("x mu sigma", real=True)
    f = sp.exp(-((x - mu) ** 2) / (2 * sig**2)) / (sig * sp.sqrt(2 * sp.pi))
    dmu = derivative(f, mu)
    dsig = derivative(f, sig)
    lines = (
        f"f(x; μ, σ) = {sp.sstr(f)}",
        f"∂f/∂μ = {sp.sstr(dmu)}",
        f"∂f/∂σ = {sp.sstr(dsig)}",
        "χ² = Σ (y_i - f(x_i))², so ∂χ²/∂μ = -2 Σ (y_i - f(x_i)) ∂f/∂μ and ∂χ²/∂σ = -2 Σ (y_i - f(x_i)) ∂f/∂σ",
    )
    # the expressions and symbols are symtutor's own, never text: SymPy's NumPy printer writes the code
    compile_ = lambda e: sp.lambdify((x, mu, sig), e, modules="numpy", cse=True)  # noqa: E731
    return _Compiled(compile_(f), compile_(dmu), compile_(dsig), lines)


def derivation() -> tuple[str, ...]:
    """The model's derivatives from the engine, and the Jacobian of χ².

    Examples:
        >>> derivation()[0]
        'f(x; μ, σ) = sqrt(2)*exp(-(-mu + x)**2/(2*sigma**2))/(2*sqrt(pi)*sigma)'
    """
    return _compiled().lines


def model(x, mu, sig):
    """The Gaussian density at x."""
    return _compiled().f(x, mu, sig)


def chi2(x, y, mu, sig) -> float:
    """χ² = Σ (y - f(x; μ, σ))²."""
    return float(np.sum((y - model(x, mu, sig)) ** 2))


def jacobian(x, y, mu, sig) -> np.ndarray:
    """(∂χ²/∂μ, ∂χ²/∂σ) at (μ, σ)."""
    c = _compiled()
    r = y - c.f(x, mu, sig)
    return np.array([-2 * np.sum(r * c.dfdmu(x, mu, sig)), -2 * np.sum(r * c.dfdsig(x, mu, sig))])


def steepest_step(x, y, mu, sig, aggression) -> np.ndarray:
    """The step -aggression · J(μ, σ).

    Examples:
        >>> x, y = heights_data()
        >>> steepest_step(x, y, 155, 6, 2000).round(3)
        array([0.926, 7.319])
    """
    return -aggression * jacobian(x, y, mu, sig)


@dataclass(frozen=True)
class FitResult:
    """The fitted μ and σ (cm), χ² there, and every step's (μ, σ) from the start."""

    mu: float
    sig: float
    chi2: float
    path: np.ndarray  # shape (steps + 1, 2)
    notes: tuple[str, ...] = ()  # why the descent stopped early, in plain sentences


def fit(x, y, *, mu: float = 155, sig: float = 6, steps: int = 50, aggression: float = 2000) -> FitResult:
    """Steepest descent on χ² from (mu, sig).

    Examples:
        >>> x, y = heights_data()
        >>> r = fit(x, y)
        >>> round(r.mu, 2), round(r.sig, 2), r.path.shape
        (178.52, 7.55, (51, 2))
    """
    if steps < 0 or sig <= 0:
        raise InvalidArgumentError("steps must be >= 0 and sig > 0")
    path = [(float(mu), float(sig))]
    for _ in range(steps):
        dmu, dsig = steepest_step(x, y, mu, sig, aggression)
        mu, sig = mu + dmu, sig + dsig
        path.append((float(mu), float(sig)))
    return FitResult(float(mu), float(sig), chi2(x, y, mu, sig), np.array(path))


def descend(step, x, y, *, mu: float = 155, sig: float = 6, steps: int = 50, aggression: float = 2000) -> FitResult:
    """Steepest descent with the learner's ``step(x, y, mu, sig, aggression)``, as the course's loop runs it.

    ``step`` returns the step (δμ, δσ), as the course's template does; a function that returns the new
    (μ, σ) instead (a point near the old one rather than a step) is followed as well.  A step that is
    not written, raises or is not two numbers stops the descent, and ``notes`` says why.

    Examples:
        >>> x, y = heights_data()
        >>> r = descend(steepest_step, x, y)
        >>> round(r.mu, 2), round(r.sig, 2), r.notes
        (178.52, 7.55, ())
        >>> descend(lambda x, y, mu, sig, a: ..., x, y).notes
        ('steepest_step is not written yet: replace the ... with your code, so the descent did not start',)
    """
    if steps < 0:
        raise InvalidArgumentError(f"steps must be >= 0, not {steps}")
    path = [(float(mu), float(sig))]
    notes: tuple[str, ...] = ()
    helpers = getattr(step, "__globals__", {})
    for name in ("dfdmu", "dfdsig"):  # the step calls these: an unwritten one is the reason to give
        fn = helpers.get(name)
        if callable(fn) and (problem := learner_value(fn, x, mu, sig)[1]) is not None:
            msg = explain_error(name, *problem).message
            return FitResult(float(mu), float(sig), chi2(x, y, mu, sig), np.array(path),
                             (f"{msg}, so the descent did not start",))
    for k in range(steps):
        value, problem = learner_value(step, x, y, mu, sig, aggression)
        if problem is None and (value.size != 2 or not np.all(np.isfinite(value))):
            problem = ("BadValue", f"an array of shape {value.shape}" if value.size != 2 else "NaN or infinity")
        if problem:
            where = "did not start" if k == 0 else f"stopped after {k} steps"
            notes = (f"{explain_error('steepest_step', *problem).message}, so the descent {where}",)
            break
        d = value.reshape(2)
        here = np.array([mu, sig], dtype=float)
        if np.linalg.norm(d - here) < 0.5 * np.linalg.norm(here) < np.linalg.norm(d):
            d = d - here  # the new point, not the step
        mu, sig = mu + float(d[0]), sig + float(d[1])
        path.append((float(mu), float(sig)))
    return FitResult(float(mu), float(sig), chi2(x, y, mu, sig), np.array(path), notes)


def _derivatives(x, mu, sig):
    c = _compiled()
    return c.f(x, mu, sig) * np.ones_like(x, dtype=float), c.dfdmu(x, mu, sig) * np.ones_like(x, dtype=float), \
        c.dfdsig(x, mu, sig) * np.ones_like(x, dtype=float)


def diagnose_derivative(name: str, value, x, mu, sig) -> Diagnosis:
    """Whether ``value`` is ∂f/∂μ (name "dfdmu") or ∂f/∂σ ("dfdsig") at (x, μ, σ), and if not, the named mistake.

    Examples:
        >>> x = np.linspace(150, 200, 11)
        >>> f = model(x, 170, 9)
        >>> diagnose_derivative("dfdmu", f * (x - 170) / 81, x, 170, 9).ok
        True
        >>> diagnose_derivative("dfdsig", f * (x - 170) ** 2 / 9**3, x, 170, 9).mistake
        'missing_term'
    """
    value = np.asarray(value, dtype=float)
    f, dmu, dsig = _derivatives(np.asarray(x, dtype=float), mu, sig)
    want, other = (dmu, dsig) if name == "dfdmu" else (dsig, dmu)
    wrt = "μ" if name == "dfdmu" else "σ"
    if value.shape != want.shape:
        try:
            value = np.broadcast_to(value, want.shape)
        except ValueError:
            return Diagnosis(name, "shape", f"{name} gives an array of shape {value.shape}, but x has shape "
                             f"{want.shape}: it should give one value for each x")
    if not np.all(np.isfinite(value)):
        return Diagnosis(name, "not_a_number", f"{name} gives NaN or infinity: is there a division by zero?")
    if close(value, want):
        return Diagnosis(name, None, f"{name} is right")
    if close(-value, want):
        return Diagnosis(name, "sign", f"{name} has the wrong sign: f falls as x moves away from μ, so check the sign "
                         "that the derivative of -(x - μ)²/(2σ²) brings")
    if close(value, other):
        return Diagnosis(name, "wrong_parameter", f"{name} is the derivative with respect to the other parameter: "
                         f"it should be ∂f/∂{wrt}")
    if name == "dfdmu" and close(value, f):
        return Diagnosis(name, "missing_chain_factor", "dfdmu is f itself: the derivative of exp(u) is exp(u) times "
                         "∂u/∂μ, and that chain factor is missing")
    if name == "dfdsig":
        exp_term, norm_term = f * (x - mu) ** 2 / sig**3, -f / sig
        if close(value, exp_term):
            return Diagnosis(name, "missing_term", "dfdsig has the exponent's term but not the other: the 1/σ in front "
                             "of the exponential depends on σ too, and by the product rule it gives a second term")
        if close(value, norm_term):
            return Diagnosis(name, "missing_chain_factor", "dfdsig has only the term from the 1/σ in front: the "
                             "exponential depends on σ too, and its chain factor ∂/∂σ of -(x - μ)²/(2σ²) is missing")
        if close(value, exp_term - norm_term) or close(value, -exp_term + norm_term):
            return Diagnosis(name, "sign", "dfdsig has the wrong sign in one of its two terms")
        if close(value, f):
            return Diagnosis(name, "missing_chain_factor", "dfdsig is f itself: the chain factors are missing")
        terms = _two_terms(value, exp_term, norm_term)
        if terms is not None:
            a, b = terms
            if abs(b - 1) < 1e-6:
                return Diagnosis(name, "constant_factor", f"the term of dfdsig from the exponential is {_times(a, sig)} "
                                 "the right one: ∂/∂σ of -(x - μ)²/(2σ²) is (x - μ)²/σ³")
            if abs(a - 1) < 1e-6:
                return Diagnosis(name, "constant_factor", f"the term of dfdsig from the 1/σ in front is {_times(b, sig)} "
                                 "the right one: ∂/∂σ of 1/σ is -1/σ²")
    r = constant_ratio(value, want)
    if r is not None:
        for k, label in ((2, "σ²"), (1, "σ"), (-1, "1/σ"), (-2, "1/σ²")):
            if abs(r - float(sig) ** k) < 1e-6 * abs(r):
                return Diagnosis(name, "constant_factor", f"{name} is {label} times the right value: check the power "
                                 "of σ")
        return Diagnosis(name, "constant_factor", f"{name} is {r:.4g} times the right value: check the constant factors")
    return Diagnosis(name, "wrong", f"{name} is not right: differentiate f = exp(-(x - μ)²/(2σ²)) / (σ√(2π)) with "
                     f"respect to {wrt}, by the chain rule (and the product rule where both factors depend on it)")


def _two_terms(value, t1, t2) -> tuple[float, float] | None:
    """(a, b) when value = a·t1 + b·t2 on every x (at least three points, the two terms independent), else None."""
    A = np.stack([np.ravel(t1), np.ravel(t2)], axis=1)
    if A.shape[0] < 3 or np.linalg.matrix_rank(A) < 2:
        return None
    coef = np.linalg.lstsq(A, np.ravel(value), rcond=None)[0]
    if not close(np.ravel(value), A @ coef):
        return None
    return float(coef[0]), float(coef[1])


def _times(r: float, sig) -> str:
    """'2 times', 'σ times', ... : a factor in words, a power of σ named as such."""
    for k, label in ((2, "σ²"), (1, "σ"), (-1, "1/σ"), (-2, "1/σ²")):
        if abs(r - float(sig) ** k) < 1e-6 * abs(r):
            return f"{label} times"
    return f"{r:.4g} times"


def diagnose_step(value, x, y, mu, sig, aggression) -> Diagnosis:
    """Whether ``value`` is the steepest-descent step -aggression·J at (μ, σ), and if not, the named mistake.

    The new point (μ, σ) + step is accepted as well: it is the same step written as where it lands.

    Examples:
        >>> x, y = heights_data()
        >>> diagnose_step(steepest_step(x, y, 155, 6, 2000), x, y, 155, 6, 2000).ok
        True
        >>> diagnose_step(-steepest_step(x, y, 155, 6, 2000), x, y, 155, 6, 2000).mistake
        'sign'
    """
    name = "steepest_step"
    value = np.asarray(value, dtype=float)
    J = jacobian(x, y, mu, sig)
    want = -aggression * J
    if value.size == 2 and value.shape != (2,):
        value = value.reshape(2)
    if value.shape != (2,):
        return Diagnosis(name, "shape", f"steepest_step gives an array of shape {value.shape}: it should give two "
                         "numbers, the step in μ and the step in σ")
    if not np.all(np.isfinite(value)):
        return Diagnosis(name, "not_a_number", "steepest_step gives NaN or infinity")
    if close(value, want):
        return Diagnosis(name, None, "steepest_step is right")
    if close(value, np.array([mu, sig], dtype=float) + want):
        return Diagnosis(name, None, "steepest_step is right (it gives the new μ and σ, where the step lands)")
    if close(-value, want):
        return Diagnosis(name, "sign", "steepest_step goes uphill: the step is minus the aggression times the Jacobian")
    if close(value[::-1], want):
        return Diagnosis(name, "wrong_parameter", "steepest_step has μ and σ the wrong way round: the first number "
                         "is the step in μ")
    if close(value, J) or close(value, -J):
        return Diagnosis(name, "constant_factor", "steepest_step gives the Jacobian itself: the step is "
                         "-aggression × J")
    c = _compiled()
    r_ = y - c.f(x, mu, sig)
    both_mu = -aggression * np.array([-2 * np.sum(r_ * c.dfdmu(x, mu, sig))] * 2)
    both_sig = -aggression * np.array([-2 * np.sum(r_ * c.dfdsig(x, mu, sig))] * 2)
    if close(value, both_mu) or close(value, both_sig):
        return Diagnosis(name, "wrong_parameter", "both numbers of steepest_step use the same derivative: the first "
                         "needs ∂f/∂μ and the second ∂f/∂σ")
    for k, (good, bad) in enumerate((("μ", "σ"), ("σ", "μ"))):
        if close(value[k:k + 1], want[k:k + 1]):
            j = 1 - k
            r = float(value[j] / want[j]) if want[j] != 0 else 0.0
            if abs(r + 1) < 1e-6:
                return Diagnosis(name, "sign", f"the step in {good} is right but the step in {bad} has the wrong sign: "
                                 f"both elements of J are -2 Σ (y - f) ∂f/∂p, and the step is -aggression × J")
            if any(abs(r - c) < 1e-6 for c in (0.5, 2.0, -0.5, -2.0)):
                return Diagnosis(name, "constant_factor", f"the step in {good} is right but the step in {bad} is "
                                 f"{r:g} times what it should be: the element of J is -2 Σ (y - f) ∂f/∂{bad}")
            return Diagnosis(name, "wrong", f"the step in {good} is right but the step in {bad} is not: that element "
                             f"of J is -2 Σ (y - f) ∂f/∂{bad}")
    r = constant_ratio(value, want)
    if r is not None:
        if abs(r - 0.5) < 1e-6:
            return Diagnosis(name, "constant_factor", "steepest_step is half the right step: χ² = Σ (y - f)² gives a "
                             "factor 2 (and a minus sign) in ∂χ²/∂p = -2 Σ (y - f) ∂f/∂p")
        if abs(r + 0.5) < 1e-6:
            return Diagnosis(name, "constant_factor", "steepest_step is -1/2 times the right step: the -2 of "
                             "∂χ²/∂p = -2 Σ (y - f) ∂f/∂p is missing")
        if abs(r * aggression - 1) < 1e-6 or abs(r * aggression + 1) < 1e-6:
            return Diagnosis(name, "constant_factor", "steepest_step is not multiplied by the aggression")
        return Diagnosis(name, "constant_factor", f"steepest_step is {r:.4g} times the right step")
    return Diagnosis(name, "wrong", "steepest_step is not right: J = [-2 Σ (y - f) ∂f/∂μ, -2 Σ (y - f) ∂f/∂σ] and "
                     "the step is -aggression × J")


@dataclass(frozen=True)
class Report:
    """The in-notebook check: a Diagnosis per function, printed as plain sentences."""

    diagnoses: tuple[Diagnosis, ...]

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.diagnoses)

    def __str__(self) -> str:
        return "\n".join(("✓ " if d.ok else "✗ ") + d.message for d in self.diagnoses)


def check(dfdmu=None, dfdsig=None, steepest_step=None) -> Report:
    """Check the learner's functions (any of them) on a few points of their own, and name each mistake.

    ``steepest_step`` is judged on its own: while it runs, the ``f``, ``dfdmu`` and ``dfdsig`` it calls are
    the engine's, so a mistake in the derivatives is not blamed on the step.

    Examples:
        >>> print(check(dfdmu=lambda x, mu, sig: ...))
        ✗ dfdmu is not written yet: replace the ... with your code
    """
    x, y = heights_data()
    tests = [(x, 155.0, 6.0), (np.linspace(120.0, 230.0, 23), 172.5, 9.5)]
    out = []
    for name, fn in (("dfdmu", dfdmu), ("dfdsig", dfdsig)):
        if fn is None:
            continue
        out.append(_first_wrong([_run(name, fn, (xs, m, s), lambda v, xs=xs, m=m, s=s: diagnose_derivative(
            name, v, xs, m, s)) for xs, m, s in tests]))
    if steepest_step is not None:
        with _reference_helpers(steepest_step):
            out.append(_first_wrong([_run("steepest_step", steepest_step, (x, y, m, s, a),
                                          lambda v, m=m, s=s, a=a: diagnose_step(v, x, y, m, s, a))
                                     for m, s, a in ((155.0, 6.0, 2000.0), (175.0, 8.0, 500.0))]))
    return Report(tuple(out))


@contextmanager
def _reference_helpers(fn):
    """steepest_step judged on its own: f, dfdmu and dfdsig in its globals are the engine's while it runs."""
    g = getattr(fn, "__globals__", None)
    if g is None:
        yield
        return
    c = _compiled()
    missing = object()
    saved = {k: g.get(k, missing) for k in ("f", "dfdmu", "dfdsig")}
    g.update(f=c.f, dfdmu=c.dfdmu, dfdsig=c.dfdsig)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is missing:
                g.pop(k, None)
            else:
                g[k] = v


def _run(name, fn, args, judge_value) -> Diagnosis:
    value, problem = learner_value(fn, *args)
    return explain_error(name, *problem) if problem else judge_value(value)


def _first_wrong(diagnoses: list[Diagnosis]) -> Diagnosis:
    return next((d for d in diagnoses if not d.ok), diagnoses[0])


# ---- the grader's hidden cases ----------------------------------------------------------------------


def hidden_cases(seed: int) -> list[Case]:
    """The cases ``symtutor grade`` tests the functions on: the notebook's own first, then others from ``seed``.

    Examples:
        >>> [c.function for c in hidden_cases(1)][:4]
        ['dfdmu', 'dfdmu', 'dfdmu', 'dfdmu']
    """
    rng = np.random.default_rng(seed)
    x, y = heights_data()
    points = [(x, 155.0, 6.0, True),
              (np.sort(rng.uniform(100, 250, 37)), float(rng.uniform(160, 185)), float(rng.uniform(5, 12)), False),
              (rng.uniform(-4, 4, 11), float(rng.uniform(-1, 1)), float(rng.uniform(0.5, 2.5)), False),
              (np.array([float(rng.uniform(150, 200))]), float(rng.uniform(160, 185)), float(rng.uniform(5, 12)), False)]
    cases = []
    for name in ("dfdmu", "dfdsig"):
        for xs, m, s, own in points:
            call = {"function": name, "args": [encode(xs), m, s], "swap": ["f"]}
            cases.append(Case(name, call, (xs, m, s), own))
    ys = rng.uniform(0, 0.05, 37)
    ys /= ys.sum()
    steps = [(x, y, 155.0, 6.0, 2000.0, True),
             (x, y, float(rng.uniform(165, 185)), float(rng.uniform(6, 10)), float(rng.uniform(200, 1500)), False),
             (points[1][0], ys, float(rng.uniform(160, 185)), float(rng.uniform(8, 20)), float(rng.uniform(10, 90)), False)]
    for xs, ys_, m, s, a, own in steps:
        call = {"function": "steepest_step", "args": [encode(xs), encode(ys_), m, s, a], "swap": ["f", "dfdmu", "dfdsig"]}
        cases.append(Case("steepest_step", call, (xs, ys_, m, s, a), own))
    return cases


def _central_ok(case: Case) -> bool:
    """The engine's answer for a case against central differences (the independent check)."""
    if case.function == "steepest_step":
        xs, ys, m, s, a = case.data
        e = 1e-5 * max(abs(m), s)
        num = np.array([(chi2(xs, ys, m + e, s) - chi2(xs, ys, m - e, s)) / (2 * e),
                        (chi2(xs, ys, m, s + e) - chi2(xs, ys, m, s - e)) / (2 * e)])
        return bool(np.allclose(jacobian(xs, ys, m, s), num, rtol=1e-4, atol=1e-9 * np.max(np.abs(num)) + 1e-300))
    xs, m, s = case.data
    e = 1e-5 * max(abs(m), s, 1.0)
    if case.function == "dfdmu":
        num = (model(xs, m + e, s) - model(xs, m - e, s)) / (2 * e)
    else:
        num = (model(xs, m, s + e) - model(xs, m, s - e)) / (2 * e)
    want = _derivatives(xs, m, s)[1 if case.function == "dfdmu" else 2]
    return bool(np.allclose(want, num, rtol=1e-4, atol=1e-6 * np.max(np.abs(want))))


def judge(cases: list[Case], results: dict) -> tuple:
    """The FunctionGrade of each graded function from the child's results on ``cases``."""

    def one(case: Case, value) -> Diagnosis:
        if not _central_ok(case):  # pragma: no cover - the engine and central differences always agree here
            return Diagnosis(case.function, "untested", "the reference answer failed its own check")
        if case.function == "steepest_step":
            return diagnose_step(value, *case.data)
        return diagnose_derivative(case.function, value, *case.data)

    return mark(GRADED, cases, results, one)
