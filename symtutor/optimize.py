"""Optimisation by the calculus of the course: Newton-Raphson, steepest descent, Newton steps, a hybrid.

The functions take a SymPy expression (or text); derivatives come from the
engine and are compiled to NumPy for the iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._coerce import as_expr, as_variables
from .calculus import derivative, gradient, hessian
from .numeric import to_numpy

__all__ = ["newton_raphson", "NewtonRun", "descend", "DescentRun", "METHODS"]


@dataclass(frozen=True)
class NewtonRun:
    """The iterates x0, x1, ... of Newton-Raphson and what they did.

    ``outcome`` is "converges", "cycles", "flies away" or "stalls" (f' = 0).
    """

    iterates: tuple[float, ...]
    outcome: str
    root: float | None


def newton_raphson(f, var, *, x0: float, steps: int = 30, tol: float = 1e-12) -> NewtonRun:
    """Newton-Raphson on f(var) = 0 from x0.

    Examples:
        >>> r = newton_raphson("x^2 - 2", "x", x0=1)
        >>> r.outcome, round(r.root, 10)
        ('converges', 1.4142135624)
        >>> newton_raphson("x^3 - 2x + 2", "x", x0=0).outcome
        'cycles'
    """
    f = as_expr(f, name="f")
    (v,) = as_variables(var, f)
    fn = to_numpy(f, [v])
    dfn = to_numpy(derivative(f, v), [v])
    xs = [float(x0)]
    for _ in range(steps):
        xn = xs[-1]
        d = float(dfn(xn))
        if d == 0 or not np.isfinite(d):
            return NewtonRun(tuple(xs), "stalls", None)
        nxt = xn - float(fn(xn)) / d
        if not np.isfinite(nxt) or abs(nxt) > 1e6:
            return NewtonRun(tuple(xs + [nxt]), "flies away", None)
        xs.append(nxt)
        if abs(nxt - xn) <= tol * max(1.0, abs(nxt)):
            return NewtonRun(tuple(xs), "converges", nxt)
    tail = xs[-8:]
    for period in (2, 3, 4):
        if len(tail) > period and all(abs(tail[i] - tail[i - period]) < 1e-6 * max(1, abs(tail[i]))
                                      for i in range(period, len(tail))):
            return NewtonRun(tuple(xs), "cycles", None)
    return NewtonRun(tuple(xs), "cycles" if max(abs(t) for t in tail) < 1e3 else "flies away", None)


METHODS = ("steepest descent", "Newton", "hybrid")
"""The descent methods :func:`descend` knows."""


@dataclass(frozen=True)
class DescentRun:
    """The path of a descent, and whether it reached a point where the gradient vanishes."""

    method: str
    path: np.ndarray  # (steps + 1, 2)
    converged: bool


def descend(f, variables, *, start, method: str = "hybrid", step: float = 0.1, iterations: int = 60,
            trust: float = 1.0, tol: float = 1e-8) -> DescentRun:
    """Minimise f(x, y) from ``start`` by steepest descent, Newton's step -H⁻¹J, or a hybrid.

    The hybrid takes the Newton step unless it goes uphill (or H is singular)
    or is longer than ``trust``; then it takes a steepest-descent step.

    Examples:
        >>> r = descend("(x - 1)^2 + 2 (y + 2)^2", "x, y", start=(3, 3), method="Newton")
        >>> r.converged, np.round(r.path[-1], 6).tolist()
        (True, [1.0, -2.0])
    """
    f = as_expr(f, name="f")
    vs = as_variables(variables, f)
    fn = to_numpy(f, vs)
    g = to_numpy(gradient(f, vs), vs)
    H = to_numpy(hessian(f, vs), vs)
    p = np.array(start, dtype=float)
    path = [p.copy()]
    converged = False
    for _ in range(iterations):
        J = np.asarray(g(*p), dtype=float).ravel()
        if np.linalg.norm(J) < tol:
            converged = True
            break
        sd = -step * J
        if method == "steepest descent":
            delta = sd
        else:
            try:
                newton = -np.linalg.solve(np.asarray(H(*p), dtype=float).reshape(len(p), len(p)), J)
            except np.linalg.LinAlgError:
                newton = None
            if method == "Newton":
                if newton is None:
                    break
                delta = newton
            else:
                downhill = newton is not None and float(fn(*(p + newton))) < float(fn(*p))
                delta = newton if downhill and np.linalg.norm(newton) <= trust else sd
        p = p + delta
        path.append(p.copy())
        if not np.all(np.isfinite(p)):
            break
    else:
        converged = np.linalg.norm(np.asarray(g(*p), dtype=float).ravel()) < 1e-5
    return DescentRun(method, np.array(path), bool(converged))
