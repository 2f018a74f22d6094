"""The sandpit game of week 2: find the deepest point of a 6 m x 6 m pit with the gradient.

A phone is lost at the deepest point.  Each probe shows the depth there and,
unless the game is played depth-only, the downhill direction (minus the
gradient).  The phone is found when a probe lands within 0.15 m of the global
minimum; a learner who stops where the slope vanishes but the pit is deeper
elsewhere is told they sit in a local minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .calculus import gradient
from .errors import InvalidArgumentError
from .numeric import to_numpy

__all__ = ["PITS", "Pit", "make_pit", "SandpitGame", "Probe"]

SIZE = 6.0
FOUND_WITHIN = 0.15

x, y = sp.symbols("x y", real=True)


def _bump(depth, cx, cy, width):
    return -depth * sp.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2))


PITS = ("simple", "random", "several", "rough", "well")
"""The kinds of pit: one smooth bowl, a random smooth pit (seeded), several minima, a rough one, a narrow well."""


@dataclass(frozen=True)
class Pit:
    """A pit: its depth function (SymPy) on [0, 6]², compiled, and its deepest point."""

    kind: str
    depth: sp.Expr
    minimum: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()  # other local minima, if any
    f: object = field(default=None, repr=False)
    grad: object = field(default=None, repr=False)


def _deepest(f, guess_grid: int = 121):
    xs = np.linspace(0, SIZE, guess_grid)
    X, Y = np.meshgrid(xs, xs, indexing="ij")
    Z = np.broadcast_to(f(X, Y), X.shape)
    i, j = np.unravel_index(np.argmin(Z), Z.shape)
    return float(xs[i]), float(xs[j])


def _refine(f, grad, start, steps: int = 300):
    """Polish a minimum by gradient descent with backtracking."""
    p = np.array(start, dtype=float)
    step = 0.1
    for _ in range(steps):
        g = np.asarray(grad(p[0], p[1]), dtype=float).ravel()
        while step > 1e-9:
            q = np.clip(p - step * g, 0, SIZE)
            if f(q[0], q[1]) < f(p[0], p[1]):
                p = q
                step *= 1.5
                break
            step /= 2
    return float(p[0]), float(p[1])


def make_pit(kind: str = "simple", *, seed: int = 0) -> Pit:
    """A pit of the given kind; ``seed`` places the random pit's hollows.

    Examples:
        >>> pit = make_pit("simple", seed=1)
        >>> pit.kind, all(0 <= c <= 6 for c in pit.minimum)
        ('simple', True)
    """
    if kind not in PITS:
        raise InvalidArgumentError(f"kind must be one of {', '.join(PITS)}, not {kind!r}")
    rng = np.random.default_rng(seed)
    centre = lambda: tuple(float(v) for v in np.round(rng.uniform(1.0, 5.0, 2), 2))  # noqa: E731
    if kind == "simple":
        cx, cy = centre()
        depth = ((x - cx) ** 2 + 2 * (y - cy) ** 2) / 10 - 2
    elif kind == "random":
        depth = sum(_bump(float(rng.uniform(0.5, 2)), *centre(), float(rng.uniform(0.6, 1.4))) for _ in range(4))
    elif kind == "several":
        (a, b), (c, d), (e, g) = centre(), centre(), centre()
        depth = _bump(2.0, a, b, 0.7) + _bump(1.4, c, d, 0.7) + _bump(1.1, e, g, 0.6)
    elif kind == "rough":
        cx, cy = centre()
        k = float(rng.uniform(4, 6))
        depth = ((x - cx) ** 2 + (y - cy) ** 2) / 8 - 2 + sp.Rational(3, 40) * (sp.sin(k * x) * sp.cos(k * y))
    else:  # a narrow well in a gentle slope
        cx, cy = centre()
        depth = (x + y) / 20 + _bump(2.5, cx, cy, 0.25)
    f = to_numpy(depth, [x, y])
    grad = to_numpy(gradient(depth, [x, y]), [x, y])
    best = _refine(f, grad, _deepest(f))
    others = []
    xs = np.linspace(0.3, SIZE - 0.3, 6)
    for sx in xs:
        for sy in xs:
            m = _refine(f, grad, (sx, sy), steps=100)
            inside = 0.05 < m[0] < 5.95 and 0.05 < m[1] < 5.95
            new = all(np.hypot(m[0] - o[0], m[1] - o[1]) > 0.3 for o in [best, *others])
            if inside and new:
                others.append(m)
    return Pit(kind, depth, best, tuple(others), f, grad)


@dataclass(frozen=True)
class Probe:
    """One probe: where, how deep, the downhill direction (None when hidden), and the message."""

    x: float
    y: float
    depth: float
    downhill: tuple[float, float] | None
    message: str


class SandpitGame:
    """Play the sandpit: ``probe(x, y)`` until the phone is found or the probes run out.

    Examples:
        >>> game = SandpitGame(make_pit("simple", seed=2), probes=10)
        >>> mx, my = game.pit.minimum
        >>> game.probe(mx + 0.05, my).message.startswith("Found it!")
        True
    """

    def __init__(self, pit: Pit, *, probes: int = 12, arrows: bool = True):
        self.pit = pit
        self.limit = probes
        self.arrows = arrows
        self.probes: list[Probe] = []
        self.found = False

    @property
    def left(self) -> int:
        return self.limit - len(self.probes)

    @property
    def over(self) -> bool:
        return self.found or self.left <= 0

    def probe(self, px: float, py: float) -> Probe:
        """Probe the pit at (px, py), in metres from the corner."""
        if self.over:
            raise InvalidArgumentError("the game is over: start a new one")
        if not (0 <= px <= SIZE and 0 <= py <= SIZE):
            raise InvalidArgumentError(f"probe inside the pit: 0 <= x, y <= {SIZE:g}, not ({px}, {py})")
        depth = float(self.pit.f(px, py))
        g = np.asarray(self.pit.grad(px, py), dtype=float).ravel()
        downhill = (-float(g[0]), -float(g[1])) if self.arrows else None
        mx, my = self.pit.minimum
        if np.hypot(px - mx, py - my) <= FOUND_WITHIN:
            self.found = True
            message = f"Found it! The phone was at ({mx:.2f}, {my:.2f})."
        elif any(np.hypot(px - a, py - b) <= FOUND_WITHIN for a, b in self.pit.minima):
            message = "The ground is flat here, but this is a local minimum: the pit is deeper somewhere else."
        else:
            message = f"Depth {depth:.3f} m." + ("" if self.arrows else " (depth only: no arrows in this game)")
        probe = Probe(px, py, depth, downhill, message)
        self.probes.append(probe)
        if not self.found and self.left == 0:
            probe = Probe(px, py, depth, downhill, message + f" No probes left: the phone was at ({mx:.2f}, {my:.2f}).")
            self.probes[-1] = probe
        return probe
