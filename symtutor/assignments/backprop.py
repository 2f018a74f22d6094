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
from ._learner import learner_value

__all__ = [
    "init_params",
    "training_data",
    "forward",
    "cost",
    "jacobians",
    "derivation",
    "train",
    "TrainingResult",
    "check_learner_jacobians",
    "JacobianReport",
    "NAMES",
]

NAMES = ("W1", "W2", "W3", "b1", "b2", "b3")
"""The parameters, in the order init_params draws them."""


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


@dataclass(frozen=True)
class JacobianReport:
    """What was wrong, if anything, with each of a learner's Jacobian functions."""

    results: dict  # name -> "ok" or a description of the mistake

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.results.values())

    def __str__(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.results.items())


def _close(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-10)


def _slipped_layer(got, want, name: str, missing: Mapping[int, dict]) -> int | None:
    """The layer whose missing σ' explains ``got``, if one does (and it changes the answer)."""
    return next((k for k, m in missing.items() if _close(got, m[name]) and not _close(m[name], want)), None)


def check_learner_jacobians(functions: Mapping[str, Callable], params: Mapping, x, y) -> JacobianReport:
    """Run a learner's Jacobian functions ``fn(params, x, y)`` against the engine's and name each mistake.

    ``functions`` maps J_W1 ... J_b3 to the learner's functions.

    Examples:
        >>> p = init_params(np.random.default_rng(2)); x, y = training_data(20)
        >>> right = jacobians(p, x, y)
        >>> report = check_learner_jacobians({"J_W3": lambda p, x, y: -right["J_W3"]}, p, x, y)
        >>> report.results["J_W3"]
        'the sign is wrong'
    """
    right = jacobians(params, x, y)
    missing = {layer: _backprop(params, x, y, without_sigma_prime_at=layer) for layer in (1, 2, 3)}
    out = {}
    for name, fn in functions.items():
        if name not in right:
            out[name] = f"unknown Jacobian {name!r}; expected one of {', '.join(sorted(right))}"
            continue
        got, problem = learner_value(fn, params, x, y)
        if problem:
            out[name] = problem
            continue
        want = right[name]
        if _close(got, want):
            out[name] = "ok"
        elif got.shape != want.shape:
            if got.T.shape == want.shape and _close(got.T, want):
                out[name] = f"transposed: it is {got.shape}, should be {want.shape}"
            else:
                out[name] = f"wrong shape: {got.shape}, should be {want.shape} (the shape of {name[2:]})"
        elif _close(-got, want):
            out[name] = "the sign is wrong"
        elif (layer := _slipped_layer(got, want, name, missing)) is not None:
            out[name] = f"the σ'(z{layer}) factor is missing"
        else:
            ratio = got[want != 0] / want[want != 0] if np.any(want != 0) else np.array([])
            if ratio.size and np.allclose(ratio, ratio.flat[0], rtol=1e-6):
                out[name] = f"off by a factor of {ratio.flat[0]:.4g} (check the 2 and the 1/N)"
            elif got.shape == want.shape and want.ndim == 2 and want.shape[0] == want.shape[1] and _close(got.T, want):
                out[name] = "transposed"
            else:
                out[name] = "not right"
    return JacobianReport(out)
