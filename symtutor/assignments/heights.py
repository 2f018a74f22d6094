"""Assignment 2: fit a Gaussian to a histogram of heights by steepest descent.

The model f(x; μ, σ) = exp(-(x - μ)²/(2σ²)) / (σ √(2π)); the engine derives
∂f/∂μ and ∂f/∂σ, and the Jacobian of χ² = Σ (y - f)² follows from the chain
rule: ∂χ²/∂p = -2 Σ (y - f) ∂f/∂p.  Each step moves (μ, σ) by -aggression · J.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import sympy as sp

from ..calculus import derivative
from ..errors import InvalidArgumentError
from ._learner import learner_value

__all__ = ["heights_data", "model", "chi2", "jacobian", "steepest_step", "fit", "FitResult", "derivation",
           "check_learner_derivatives"]

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


def check_learner_derivatives(functions, *, mu: float = 170.0, sig: float = 9.0) -> dict[str, str]:
    """Compare a learner's ``dfdmu(x, mu, sig)`` and ``dfdsig(x, mu, sig)`` with the engine's.

    Returns "ok" or what looks wrong, for each function given.

    Examples:
        >>> import numpy as np
        >>> right = lambda x, mu, sig: model(x, mu, sig) * (x - mu) / sig**2
        >>> check_learner_derivatives({"dfdmu": right, "dfdsig": lambda x, mu, sig: -right(x, mu, sig)})
        {'dfdmu': 'ok', 'dfdsig': 'not right'}
    """
    c = _compiled()
    x = np.linspace(120, 230, 111)
    want = {"dfdmu": c.dfdmu(x, mu, sig), "dfdsig": c.dfdsig(x, mu, sig)}
    out = {}
    for name, fn in functions.items():
        if name not in want:
            out[name] = f"unknown function {name!r}; expected dfdmu or dfdsig"
            continue
        value, problem = learner_value(fn, x, mu, sig)
        if problem:
            out[name] = problem
            continue
        try:
            got = np.broadcast_to(value, x.shape)
        except ValueError:
            out[name] = f"wrong shape: {value.shape}; it should give one value per x"
            continue
        w = want[name]
        if np.allclose(got, w, rtol=1e-7, atol=1e-12):
            out[name] = "ok"
        elif np.allclose(-got, w, rtol=1e-7, atol=1e-12):
            out[name] = "the sign is wrong"
        else:
            big = np.abs(w) > 1e-6 * np.abs(w).max()
            ratio = got[big] / w[big]
            if np.allclose(ratio, ratio[0], rtol=1e-6) and ratio[0] != 0:
                out[name] = f"off by a constant factor of {ratio[0]:.4g}"
            else:
                out[name] = "not right"
    return out
