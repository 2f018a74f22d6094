"""Assignment 1: a 1-6-7-2 network trained by backpropagation to draw a heart.

The engine derives every factor of the chain rule, and they are compiled into
NumPy (the expressions are built here, never read from text, so compiling them
with SymPy's code printer is safe):

    ∂C/∂a³ = 2(a³ - y)/N        from C = Σ (a³ - y)² / N
    ∂a/∂z  = σ'(z) = a(1 - a)    from σ(z) = 1/(1 + e^(-z)), checked equal
    ∂z/∂W  = a_prev,  ∂z/∂b = 1,  ∂z/∂a_prev = W     from z = W a_prev + b

Backpropagation then applies them layer by layer, vectorised over all N
points at once: J_W3 = (∂C/∂a³ ∘ σ'(z³)) a²ᵀ, and so on down to W1 and b1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from ..calculus import derivative
from ..errors import InvalidArgumentError
from ._learner import Case, Diagnosis, close, constant_ratio, encode, explain_error, learner_value, mark

__all__ = [
    "init_params",
    "training_data",
    "forward",
    "cost",
    "jacobians",
    "derivation",
    "train",
    "TrainingResult",
    "train_with",
    "check",
    "Report",
    "diagnose",
    "hidden_cases",
    "judge",
    "NAMES",
    "GRADED",
]

NAMES = ("W1", "W2", "W3", "b1", "b2", "b3")
"""The parameters, in the order init_params draws them."""

GRADED = ("J_b3", "J_b2", "J_W1", "J_b1")
"""The Jacobians the learner writes (J_W3 and J_W2 are worked in the notebook)."""


@dataclass(frozen=True)
class _Compiled:
    sigma: Callable
    dcost: Callable  # ∂C/∂a³ (a, y, N)
    dsigma: Callable  # σ'(z) written in terms of a = σ(z)
    derivation: tuple[str, ...]
    seconds: float


class _Printer(NumPyPrinter):
    """NumPy code as one would write it: 1/(...) for a reciprocal, terms in the order they stand."""

    def _print_Pow(self, expr, rational=False):
        if expr.exp == -1:
            return f"1/({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)


def _tidy(e):
    """-2 (y - a)/N as 2 (a - y)/N: a negative coefficient taken into the one sum it multiplies."""
    if e.is_Mul:
        coeff, rest = e.as_coeff_Mul()
        sums = [f for f in sp.Mul.make_args(rest) if f.is_Add]
        if coeff < 0 and len(sums) == 1:
            others = [f for f in sp.Mul.make_args(rest) if f is not sums[0]]
            return sp.Mul(-coeff, sp.Add(*[-t for t in sums[0].args], evaluate=False), *others, evaluate=False)
    return e


def _compile(expr, args):
    # symbols and expression are symtutor's own (never text); SymPy's NumPy printer writes the code
    return sp.lambdify(args, _tidy(expr), modules="numpy", printer=_Printer({"order": "none"}))


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    """Derive the chain rule's factors with the engine and compile them to NumPy (once)."""
    t0 = time.perf_counter()
    z, a, y, n = sp.symbols("z a y N", real=True)
    sigma = 1 / (1 + sp.exp(-z))
    dsigma = derivative(sigma, z)
    # σ' written through σ itself: the engine's result equals a(1 - a) at a = σ(z)
    assert sp.simplify(dsigma - sigma * (1 - sigma)) == 0
    dsigma_a = a * (1 - a)
    c = (a - y) ** 2 / n
    dcost = derivative(c, a)
    w, b, a_prev = sp.symbols("w b a_prev")
    zz = w * a_prev + b
    lines = (
        f"C = Σ (a³ - y)² / N, so ∂C/∂a³ = {sp.sstr(dcost)}",
        f"σ(z) = 1/(1 + e^(-z)), so σ'(z) = {sp.sstr(dsigma)} = σ(z)(1 - σ(z)) = a(1 - a)",
        f"z = W a_prev + b, so ∂z/∂W = {sp.sstr(derivative(zz, w))}, ∂z/∂b = {sp.sstr(derivative(zz, b))}, "
        f"∂z/∂a_prev = {sp.sstr(derivative(zz, a_prev))}",
        "∂C/∂W³ = ∂C/∂a³ · ∂a³/∂z³ · ∂z³/∂W³ = (∂C/∂a³ ∘ σ'(z³)) a²ᵀ",
        "∂C/∂b³ = Σ over the points of ∂C/∂a³ ∘ σ'(z³)",
        "∂C/∂a² = W³ᵀ (∂C/∂a³ ∘ σ'(z³)), and the same again: ∂C/∂W² = (∂C/∂a² ∘ σ'(z²)) a¹ᵀ, ...",
        "∂C/∂W¹ = (∂C/∂a¹ ∘ σ'(z¹)) xᵀ,  ∂C/∂b¹ = Σ ∂C/∂a¹ ∘ σ'(z¹)",
    )
    sigma_f = _compile(sigma, (z,))
    # factored, 2(a - y)/N costs one operation fewer per entry than (2a - 2y)/N
    dcost_f = _compile(sp.factor(dcost), (a, y, n))
    dsigma_f = _compile(dsigma_a, (a,))
    return _Compiled(sigma_f, dcost_f, dsigma_f, derivation=lines, seconds=time.perf_counter() - t0)


def derivation() -> tuple[str, ...]:
    """The chain rule through the network, layer by layer, with the engine's derivatives.

    Examples:
        >>> derivation()[0]
        'C = Σ (a³ - y)² / N, so ∂C/∂a³ = (2*a - 2*y)/N'
    """
    return _compiled().derivation


def init_params(rng, *, sizes=(1, 6, 7, 2)) -> dict[str, np.ndarray]:
    """Weights and biases from a standard normal over 2, drawn in the order W1, W2, W3, b1, b2, b3.

    ``rng`` is a ``numpy.random.Generator`` or ``RandomState`` (never the global one).

    Examples:
        >>> p = init_params(np.random.default_rng(0))
        >>> [p[k].shape for k in ("W1", "W2", "W3", "b1", "b2", "b3")]
        [(6, 1), (7, 6), (2, 7), (6, 1), (7, 1), (2, 1)]
    """
    if not hasattr(rng, "standard_normal") and not hasattr(rng, "randn"):
        raise InvalidArgumentError("rng must be a numpy.random.Generator or RandomState")
    draw = rng.standard_normal
    n0, n1, n2, n3 = sizes
    shapes = {"W1": (n1, n0), "W2": (n2, n1), "W3": (n3, n2), "b1": (n1, 1), "b2": (n2, 1), "b3": (n3, 1)}
    return {k: draw(shapes[k]) / 2 for k in NAMES}


def training_data(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """The heart curve: x = 0, 1/n, ..., (n-1)/n (1 x n) and the target points y (2 x n).

    Examples:
        >>> x, y = training_data(4)
        >>> x.shape, y.shape
        ((1, 4), (2, 4))
    """
    x = np.arange(n, dtype=float).reshape(1, n) / n
    t = 2 * np.pi * x[0]
    y = np.stack([16 * np.sin(t) ** 3, 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)])
    return x, (y / 20 + 1) / 2


def forward(params: Mapping, x: np.ndarray) -> list[np.ndarray]:
    """The activations [a0 = x, a1, a2, a3] of every layer."""
    s = _compiled().sigma
    a1 = s(params["W1"] @ x + params["b1"])
    a2 = s(params["W2"] @ a1 + params["b2"])
    a3 = s(params["W3"] @ a2 + params["b3"])
    return [x, a1, a2, a3]


def cost(params: Mapping, x: np.ndarray, y: np.ndarray) -> float:
    """C = ‖a³ - y‖² / N, summed over both outputs and all N points."""
    a3 = forward(params, x)[-1]
    return float(np.sum((a3 - y) ** 2) / x.shape[1])


def jacobians(params: Mapping, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """∂C/∂P for every parameter, each shaped like P (keys J_W1, J_b1, ..., J_b3).

    Examples:
        >>> p = init_params(np.random.default_rng(1))
        >>> x, y = training_data(10)
        >>> sorted(jacobians(p, x, y))
        ['J_W1', 'J_W2', 'J_W3', 'J_b1', 'J_b2', 'J_b3']
    """
    return _backprop(params, x, y)


def _backprop(params: Mapping, x: np.ndarray, y: np.ndarray, without_sigma_prime_at: int = 0) -> dict:
    """The Jacobians by the chain rule; σ' is left out at layer ``without_sigma_prime_at`` (a common slip)."""
    c = _compiled()
    s, ds = c.sigma, c.dsigma

    def sigma_prime(a, layer):
        return 1 if layer == without_sigma_prime_at else ds(a)

    W1, W2, W3 = params["W1"], params["W2"], params["W3"]
    a1 = s(W1 @ x + params["b1"])
    a2 = s(W2 @ a1 + params["b2"])
    a3 = s(W3 @ a2 + params["b3"])
    d3 = c.dcost(a3, y, x.shape[1]) * sigma_prime(a3, 3)
    d2 = (W3.T @ d3) * sigma_prime(a2, 2)
    d1 = (W2.T @ d2) * sigma_prime(a1, 1)
    return {
        "J_W3": d3 @ a2.T,
        "J_b3": d3.sum(axis=1, keepdims=True),
        "J_W2": d2 @ a1.T,
        "J_b2": d2.sum(axis=1, keepdims=True),
        "J_W1": d1 @ x.T,
        "J_b1": d1.sum(axis=1, keepdims=True),
    }


@dataclass(frozen=True)
class TrainingResult:
    """Trained parameters, the cost every ``record_every`` iterations, and snapshots for plotting."""

    params: dict
    costs: tuple[float, ...]
    iterations: tuple[int, ...]
    snapshots: tuple = field(default=())  # (iteration, network output a3) every snapshot_every
    notes: tuple[str, ...] = field(default=())  # why a parameter did not move, in plain sentences


def train(
    params: Mapping,
    x: np.ndarray,
    y: np.ndarray,
    *,
    iterations: int = 10_000,
    aggression: float = 3.5,
    noise: float = 1.0,
    rng,
    record_every: int = 100,
    snapshot_every: int = 100,
    callback: Callable[[int, dict], None] | None = None,
) -> TrainingResult:
    """Full-batch steepest descent: each step, every Jacobian times its own (1 + noise ξ), ξ ~ N(0, 1).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> x, y = training_data()
        >>> r = train(init_params(rng), x, y, iterations=200, rng=rng)
        >>> r.costs[-1] < r.costs[0]
        True
    """
    if iterations < 0:
        raise InvalidArgumentError(f"iterations must be >= 0, not {iterations}")
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    costs, marks, snaps = [], [], []
    for i in range(iterations + 1):
        if i % record_every == 0 or i == iterations:
            costs.append(cost(p, x, y))
            marks.append(i)
        if snapshot_every and i % snapshot_every == 0:
            snaps.append((i, forward(p, x)[-1]))
        if callback is not None:
            callback(i, p)
        if i == iterations:
            break
        J = jacobians(p, x, y)
        for name in NAMES:
            p[name] -= aggression * J["J_" + name] * (1 + noise * rng.standard_normal())
    return TrainingResult(p, tuple(costs), tuple(marks), tuple(snaps))




# ---- the learner's Jacobians ------------------------------------------------------------------------


def _variant(params, x, y, *, skip_sigma=(), sigma_layer=None, no_dcost=False, sigma_not_prime=(),
             inputs=None) -> dict:
    """The Jacobians with one slip: σ' left out at some layers, taken at the wrong layer, σ for σ',
    no ∂C/∂a³, or the wrong activation as ∂z/∂W (``inputs`` maps a layer to the activation it uses)."""
    s = _compiled().sigma
    z1 = params["W1"] @ x + params["b1"]
    a1 = s(z1)
    z2 = params["W2"] @ a1 + params["b2"]
    a2 = s(z2)
    z3 = params["W3"] @ a2 + params["b3"]
    a3 = s(z3)
    a = {1: a1, 2: a2, 3: a3}
    sigma_layer = sigma_layer or {}
    if any(a[j].shape != a[k].shape for k, j in sigma_layer.items()):
        return {}

    def sp_(layer):
        if layer in skip_sigma:
            return 1.0
        at = a[sigma_layer.get(layer, layer)]
        return at if layer in sigma_not_prime else at * (1 - at)

    acts = {0: x, 1: a1, 2: a2, 3: a3}
    inputs = inputs or {}
    into = {k: acts[inputs.get(k, k - 1)] for k in (1, 2, 3)}

    n = x.shape[1]
    d3 = (np.ones_like(a3) if no_dcost else 2 * (a3 - y)) / n * sp_(3)
    out = {"J_W3": d3 @ into[3].T, "J_b3": d3.sum(axis=1, keepdims=True)}
    d2 = (params["W3"].T @ d3) * sp_(2)
    out.update(J_W2=d2 @ into[2].T, J_b2=d2.sum(axis=1, keepdims=True))
    d1 = (params["W2"].T @ d2) * sp_(1)
    out.update(J_W1=d1 @ into[1].T, J_b1=d1.sum(axis=1, keepdims=True))
    return out


def _layers(name: str) -> tuple[int, ...]:
    return {"3": (3,), "2": (3, 2), "1": (3, 2, 1)}[name[-1]]


def diagnose(name: str, value, params, x, y) -> Diagnosis:
    """Whether ``value`` is the Jacobian ``name`` (J_W1 ... J_b3) at these parameters and data; else the mistake.

    Examples:
        >>> p = init_params(np.random.default_rng(2)); x, y = training_data(20)
        >>> J = jacobians(p, x, y)
        >>> diagnose("J_b3", J["J_b3"], p, x, y).ok
        True
        >>> diagnose("J_b3", -J["J_b3"], p, x, y).mistake
        'sign'
        >>> print(diagnose("J_W1", J["J_W1"].T, p, x, y))
        J_W1 has shape (1, 6) but W1 has shape (6, 1): did you forget a transpose?
    """
    value = np.asarray(value, dtype=float)
    right = jacobians(params, x, y)
    if name not in right:
        raise InvalidArgumentError(f"unknown Jacobian {name!r}; expected one of {', '.join(sorted(right))}")
    want = right[name]
    param = name[2:]
    if not np.all(np.isfinite(value)):
        return Diagnosis(name, "not_a_number", f"{name} gives NaN or infinity")
    if close(value, want):
        return Diagnosis(name, None, f"{name} is right")
    others = [k for k in right if k != name and close(value, right[k])]
    if others:
        return Diagnosis(name, "wrong_parameter", f"{name} gives ∂C/∂{others[0][2:]}, not ∂C/∂{param}: check the "
                         f"last factor, ∂z/∂{param}")
    if param.startswith("W"):
        k = int(param[1])
        for j in (0, 1, 2, 3):
            if j != k - 1 and close(value, _variant(params, x, y, inputs={k: j})[name]):
                return Diagnosis(name, "wrong_layer", f"{name} ends with a{j}ᵀ, but the last factor is "
                                 f"∂z{k}/∂W{k} = a{k - 1}, the activation coming into layer {k}")
    if value.shape != want.shape:
        if value.shape == want.shape[::-1] or close(value.T, want):
            return Diagnosis(name, "transpose", f"{name} has shape {value.shape} but {param} has shape {want.shape}: "
                             "did you forget a transpose?")
        if value.size == want.size and close(value.reshape(want.shape), want):
            return Diagnosis(name, "shape", f"{name} has shape {value.shape} but {param} has shape {want.shape}: keep "
                             "the column shape (keepdims=True)")
        if param.startswith("b") and value.shape == (want.shape[0], x.shape[1]):
            return Diagnosis(name, "shape", f"{name} has shape {value.shape} but {param} has shape {want.shape}: sum "
                             "over the training examples (axis=1, keepdims=True) and divide by their number")
        return Diagnosis(name, "shape", f"{name} has shape {value.shape} but {param} has shape {want.shape}: the "
                         f"Jacobian of a parameter has the parameter's shape")
    if close(-value, want):
        return Diagnosis(name, "sign", f"{name} has the wrong sign: ∂C/∂a³ = 2(a³ - y), not 2(y - a³)")
    if want.shape[0] == want.shape[-1] and close(value.T, want):
        return Diagnosis(name, "transpose", f"{name} is the transpose of the right matrix: did you forget a transpose?")
    layers = _layers(name)
    for k in layers:
        if close(value, _variant(params, x, y, skip_sigma=(k,))[name]):
            return Diagnosis(name, "missing_sigma_prime", f"{name} is missing the factor σ'(z{k}) = ∂a{k}/∂z{k}, the "
                             f"slope of the sigmoid at layer {k}")
    if len(layers) > 1:
        for skip in ((3, 2), (2, 1), (3, 1), (3, 2, 1)):
            if set(skip) <= set(layers) and close(value, _variant(params, x, y, skip_sigma=skip)[name]):
                ks = " and ".join(f"σ'(z{k})" for k in skip)
                return Diagnosis(name, "missing_sigma_prime", f"{name} is missing the factors {ks}")
    for k in layers:
        if close(value, _variant(params, x, y, sigma_not_prime=(k,))[name]):
            return Diagnosis(name, "missing_sigma_prime", f"{name} takes σ(z{k}) where the chain rule needs its "
                             f"derivative, σ'(z{k}) = d_sigma(z{k})")
    if close(value, _variant(params, x, y, no_dcost=True)[name]):
        return Diagnosis(name, "missing_chain_factor", f"{name} is missing the first factor of the chain, "
                         "∂C/∂a³ = 2(a³ - y)")
    for k in layers:
        for j in layers:
            if j != k:
                v = _variant(params, x, y, sigma_layer={k: j}).get(name)
                if v is not None and close(value, v):
                    return Diagnosis(name, "wrong_layer", f"{name} takes σ' at z{j} where the chain rule needs "
                                     f"σ'(z{k}) = ∂a{k}/∂z{k}")
    r = constant_ratio(value, want)
    if r is not None:
        n = x.shape[1]
        if abs(r - n) < 1e-6 * n:
            why = f"it is N = {n} times too big: divide by the number of training examples, x.size"
        elif abs(r - 1 / n) < 1e-6 / n:
            why = f"it is N = {n} times too small: divide by x.size once only"
        elif abs(r - 0.5) < 1e-6:
            why = "it is half the right value: ∂C/∂a³ = 2(a³ - y) has a factor 2"
        elif abs(r - 2) < 1e-6:
            why = "it is twice the right value: count the factor 2 of ∂C/∂a³ once"
        else:
            why = f"it is {r:.4g} times the right value"
        return Diagnosis(name, "constant_factor", f"{name} is off by a constant factor: {why}")
    return Diagnosis(name, "wrong", f"{name} is not right: follow the chain from ∂C/∂a³ down to ∂z/∂{param}, one "
                     "factor a line, as in J_W3 and J_W2")


def _params_of(namespace) -> dict:
    return {k: np.asarray(namespace[k], dtype=float) for k in NAMES}


@dataclass(frozen=True)
class Report:
    """The in-notebook check: a Diagnosis per Jacobian, printed as plain sentences."""

    diagnoses: tuple[Diagnosis, ...]

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.diagnoses)

    def __str__(self) -> str:
        return "\n".join(("✓ " if d.ok else "✗ ") + d.message for d in self.diagnoses)


def check(namespace: Mapping, x, y, *, names=GRADED) -> Report:
    """Check the learner's Jacobians ``namespace[name](x, y)`` at the network's current parameters.

    ``namespace`` is the notebook's ``globals()``: the functions read W1 ... b3 and ``network_function`` there.

    Examples:
        >>> ns = dict(init_params(np.random.default_rng(0)), J_b3=lambda x, y: ...)
        >>> print(check(ns, *training_data(), names=["J_b3"]))
        ✗ J_b3 is not written yet: replace the ... with your code
    """
    params = _params_of(namespace)
    out = []
    for name in names:
        fn = namespace.get(name)
        if not callable(fn):
            out.append(explain_error(name, "Missing", ""))
            continue
        value, problem = learner_value(fn, x, y)
        out.append(explain_error(name, *problem) if problem else diagnose(name, value, params, x, y))
    return Report(tuple(out))


def train_with(namespace, x, y, *, iterations: int = 10_000, aggression: float = 7.0, noise: float = 1.0, rng,
               record_every: int = 100, snapshot_every: int = 100) -> TrainingResult:
    """Steepest descent with the learner's own Jacobians, as the course's training does.

    Each step calls ``namespace["J_W1"](x, y)`` ... ``namespace["J_b3"](x, y)`` (in the order W1, W2, W3, b1,
    b2, b3, each times its own 1 + noise ξ, ξ from ``rng``) and moves ``namespace["W1"]`` ... by
    -aggression × J.  A Jacobian that is not written, raises, or has the wrong shape leaves its parameter
    where it is, and the result's ``notes`` say why.

    Examples:
        >>> rng = np.random.default_rng(0); x, y = training_data()
        >>> ns = dict(init_params(rng))
        >>> ns.update({"J_" + k: (lambda k: lambda x, y: jacobians(_params_of(ns), x, y)["J_" + k])(k) for k in NAMES})
        >>> r = train_with(ns, x, y, iterations=100, rng=rng)
        >>> r.costs[-1] < r.costs[0], r.notes
        (True, ())
    """
    if iterations < 0:
        raise InvalidArgumentError(f"iterations must be >= 0, not {iterations}")
    broken: dict[str, str] = {}
    costs, marks, snaps = [], [], []
    for i in range(iterations + 1):
        p = _params_of(namespace)
        if i % record_every == 0 or i == iterations:
            costs.append(cost(p, x, y))
            marks.append(i)
        if snapshot_every and i % snapshot_every == 0:
            snaps.append((i, forward(p, x)[-1]))
        if i == iterations:
            break
        steps = {}
        for name in NAMES:
            factor = 1 + noise * rng.standard_normal()
            if name in broken:
                continue
            fn = namespace.get("J_" + name)
            value, problem = learner_value(fn, x, y) if callable(fn) else (None, ("Missing", ""))
            if problem:
                broken[name] = explain_error("J_" + name, *problem).message
            elif value.shape != p[name].shape:
                broken[name] = f"J_{name} has shape {value.shape} but {name} has shape {p[name].shape}"
            elif not np.all(np.isfinite(value)):
                broken[name] = f"J_{name} gave NaN or infinity"
            else:
                steps[name] = value * factor
        for name, step in steps.items():
            namespace[name] = p[name] - step * aggression
    notes = tuple(f"{msg}, so {name} did not move" for name, msg in broken.items())
    return TrainingResult(_params_of(namespace), tuple(costs), tuple(marks), tuple(snaps), notes)


# ---- the grader's hidden cases ----------------------------------------------------------------------


def hidden_cases(seed: int) -> list[Case]:
    """The cases ``symtutor grade`` tests the Jacobians on: the notebook's own first, then others from ``seed``.

    Other parameters, other data, other numbers of points and other layer sizes, so that a result written
    in by hand fails.

    Examples:
        >>> [c.function for c in hidden_cases(1)][:4]
        ['J_b3', 'J_b3', 'J_b3', 'J_b3']
    """
    rng = np.random.default_rng(seed)
    x, y = training_data(100)
    nets = [(init_params(np.random.default_rng(0)), x, y, True),
            (init_params(rng), x, y, False)]
    n = 37
    xs = np.sort(rng.uniform(0, 1, n)).reshape(1, n)
    nets.append(({k: v * 2 for k, v in init_params(rng).items()}, xs, rng.uniform(0, 1, (2, n)), False))
    n = 23
    xs = rng.uniform(-1, 2, (1, n))
    nets.append((init_params(rng, sizes=(1, 5, 3, 2)), xs, rng.uniform(0, 1, (2, n)), False))
    cases = []
    for name in GRADED:
        for params, xx, yy, own in nets:
            call = {"function": name, "globals": {k: encode(v) for k, v in params.items()},
                    "args": [encode(xx), encode(yy)], "swap": ["sigma", "d_sigma", "network_function"]}
            cases.append(Case(name, call, (params, xx, yy), own))
    return cases


def _central(params, x, y, name, eps=1e-6) -> np.ndarray:
    out = np.zeros_like(params[name])
    for idx in np.ndindex(params[name].shape):
        q = {k: v.copy() for k, v in params.items()}
        q[name][idx] += eps
        up = cost(q, x, y)
        q[name][idx] -= 2 * eps
        out[idx] = (up - cost(q, x, y)) / (2 * eps)
    return out


def judge(cases: list[Case], results: dict) -> tuple:
    """The FunctionGrade of each graded Jacobian from the child's results on ``cases``."""

    def one(case: Case, value) -> Diagnosis:
        params, x, y = case.data
        want = jacobians(params, x, y)[case.function]
        num = _central(params, x, y, case.function[2:])
        if not np.allclose(want, num, rtol=1e-4, atol=1e-8):  # pragma: no cover - the independent check
            return Diagnosis(case.function, "untested", "the reference answer failed its own check")
        return diagnose(case.function, value, params, x, y)

    return mark(GRADED, cases, results, one)
