"""Shared test helpers: expression strategies and an independent equality oracle."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "symtutor",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("symtutor")

X, Y, Z = sp.symbols("x y z")
SYMBOLS = (X, Y, Z)

_leaves = st.one_of(
    st.sampled_from(SYMBOLS),
    st.integers(-5, 5).map(sp.Integer),
    st.tuples(st.integers(-5, 5), st.integers(1, 4)).map(lambda t: sp.Rational(*t)),
)

_UNARY = [
    sp.sin,
    sp.cos,
    sp.exp,
    sp.tanh,
    sp.atan,
    lambda u: sp.log(1 + u**2),
    lambda u: sp.sqrt(1 + u**2),
    lambda u: 1 / (2 + sp.sin(u)),
]


def _extend(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, st.integers(-3, 4)).map(lambda t: t[0] ** t[1]),
        st.tuples(st.sampled_from(_UNARY), children).map(lambda t: t[0](t[1])),
    )


expressions = st.recursive(_leaves, _extend, max_leaves=8).filter(
    lambda e: e.is_finite is not False and not e.has(sp.zoo, sp.nan, sp.oo)
)
"""Random expressions in x, y, z built from the course's functions."""


def numerically_equal(a, b, variables=SYMBOLS, *, points: int = 6, seed: int = 0, tol=1e-9) -> bool:
    """a == b at random points where both are finite, in 40-digit arithmetic."""
    rng = random.Random(seed)
    a = sp.sympify(a)
    b = sp.sympify(b)
    if a == b:
        return True
    checked = 0
    tries = 0
    with mpmath.workdps(40):
        while checked < points and tries < 50:
            tries += 1
            sub = {v: sp.Rational(rng.randint(-900, 900), 1000) for v in variables}
            try:
                va = complex(a.evalf(40, subs=sub))
                vb = complex(b.evalf(40, subs=sub))
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if not all(map(_finite, (va, vb))):
                continue
            checked += 1
            if abs(va - vb) > tol * max(1.0, abs(va), abs(vb)):
                return False
    return checked > 0


def _finite(z: complex) -> bool:
    return z == z and abs(z) != float("inf")


@pytest.fixture(scope="session", autouse=True)
def _stop_the_shared_sandbox():
    """Stop the shared sandbox's workers when the tests end, so that they exit (and coverage saves) first."""
    yield
    from symtutor import sandbox

    if sandbox._default is not None:
        sandbox._default.close()
