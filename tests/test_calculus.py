"""The engine against SymPy as the oracle: equal (==) results, and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symtutor as stt
from symtutor import InvalidArgumentError, ParseError

from .conftest import SYMBOLS, X, Y, Z, expressions, numerically_equal

x, y, z, t, u, v = sp.symbols("x y z t u v")


# ---- derivative ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, var, expected",
    [
        ("x^2 sin(x)", x, x**2 * sp.cos(x) + 2 * x * sp.sin(x)),
        ("exp(x y)", y, x * sp.exp(x * y)),
        ("sqrt(x)", x, 1 / (2 * sp.sqrt(x))),
        ("ln(x^2 + 1)", x, 2 * x / (x**2 + 1)),
        ("x^x", x, x**x * (sp.log(x) + 1)),
        ("2^x", x, 2**x * sp.log(2)),
        ("abs(x)", x, sp.diff(sp.Abs(x), x)),
        ("0.5 x^2", x, sp.Float(1.0) * x),
    ],
)
def test_derivative_matches_sympy(text, var, expected):
    assert stt.derivative(text, var) == expected


def test_derivative_of_undefined_function():
    f = sp.Function("f")
    assert stt.derivative(f(x**2), x) == sp.diff(f(x**2), x)


def test_higher_order_and_matrix():
    assert stt.derivative("sin(x)", "x", order=4) == sp.sin(x)
    assert stt.derivative("x^3", "x", order=0) == x**3
    M = sp.Matrix([[x**2, sp.sin(x)], [1, x]])
    assert stt.derivative(M, x) == sp.Matrix([[2 * x, sp.cos(x)], [0, 1]])


def test_symbols_with_assumptions_are_kept():
    p = sp.Symbol("p", positive=True)
    e = sp.sqrt(p**2 * x**2)
    assert stt.derivative(e, x) == sp.diff(e, x)
    assert stt.derivative(e, p) == sp.diff(e, p)


def same_as_sympy(ours, theirs) -> bool:
    """Equal as SymPy expressions, or (rarely) an equivalent arrangement.

    SymPy's own canonical form depends on the order it built a product in
    (2*(x + y) is distributed only in a product of exactly two factors), so a
    result built in another order can differ in arrangement alone; then the
    two must agree numerically and simplify to the same expression.
    """
    if ours == theirs:
        return True
    return numerically_equal(ours, theirs) and sp.simplify(ours - theirs) == 0


@given(expressions, st.sampled_from(SYMBOLS))
def test_derivative_equals_sympy_diff(e, var):
    assert same_as_sympy(stt.derivative(e, var), sp.diff(e, var))


@given(expressions)
def test_gradient_equals_sympy(e):
    ours = stt.gradient(e, SYMBOLS)
    assert all(same_as_sympy(a, sp.diff(e, s)) for a, s in zip(ours, SYMBOLS))


@given(expressions)
def test_hessian_is_symmetric_and_equals_sympy(e):
    H = stt.hessian(e, SYMBOLS)
    assert H == H.T
    assert all(same_as_sympy(a, b) for a, b in zip(H, sp.hessian(e, SYMBOLS)))


@given(st.lists(expressions, min_size=1, max_size=3))
def test_jacobian_equals_sympy(exprs):
    F = sp.Matrix(exprs)
    assert all(same_as_sympy(a, b) for a, b in zip(stt.jacobian(F, SYMBOLS), F.jacobian(SYMBOLS)))


@pytest.mark.parametrize(
    "e",
    [
        sp.sqrt((3 - x) ** 2 + 1),
        sp.log((y + z) ** 2 + 1) + sp.exp(-z - 3),
        (-x + sp.log(x**2 + 1)) ** 2,
    ],
)
def test_arrangements_sympy_builds_in_another_order_are_equivalent(e):
    for v in (x, y, z):
        assert same_as_sympy(stt.derivative(e, v), sp.diff(e, v))


# ---- argument errors ------------------------------------------------------


def test_bad_arguments_name_the_value_and_the_fix():
    with pytest.raises(InvalidArgumentError, match="order must be a whole number"):
        stt.derivative("x^2", "x", order=-1)
    with pytest.raises(InvalidArgumentError, match="variable name"):
        stt.derivative("x^2", "2x")
    with pytest.raises(InvalidArgumentError, match="use jacobian"):
        stt.gradient("(x, y)", "x, y")
    with pytest.raises(InvalidArgumentError, match="names x twice"):
        stt.gradient("x y", ["x", "x"])
    with pytest.raises(InvalidArgumentError, match="not dict"):
        stt.derivative({"x": 1}, "x")
    with pytest.raises(ParseError):
        stt.derivative("x +", "x")
    with pytest.raises(InvalidArgumentError, match="one coordinate per variable"):
        stt.taylor("x y", "x, y", point=(0,), order=2)


def test_variables_by_name_reuse_the_expressions_symbols():
    p = sp.Symbol("p", positive=True)
    g = stt.gradient(p**2 * x, "p, x")
    assert g == sp.Matrix([2 * p * x, p**2])


# ---- chain rule -------------------------------------------------------------


def test_chain_rule_circle():
    r = stt.chain_rule("x^2 + y^2", {"x": "cos(t)", "y": "sin(t)"}, "t")
    assert r.equal and r.total == 0
    assert r.inner_jacobian == sp.Matrix([[-sp.sin(t)], [sp.cos(t)]])


def test_chain_rule_vector_composition_matches_product_of_jacobians():
    f = sp.Matrix([x * y, x + y**2])
    g = {x: u * v, y: u - v}
    r = stt.chain_rule(f, g, [u, v])
    composed = f.subs(g)
    assert r.equal
    assert sp.simplify(r.direct - composed.jacobian([u, v])) == sp.zeros(2, 2)
    assert sp.simplify(r.product - r.direct) == sp.zeros(2, 2)


@given(expressions, expressions, expressions)
def test_jacobian_of_composition_is_product_of_jacobians(f, g1, g2):
    # f(x, y) with x = g1(z, t), y = g2(z, t): rename x, y in g to z, t
    g1 = g1.xreplace({X: Z, Y: t})
    g2 = g2.xreplace({X: Z, Y: t})
    f = f.xreplace({Z: X + Y})
    r = stt.chain_rule(f, {X: g1, Y: g2}, [Z, t])
    assert r.equal
    assert numerically_equal(r.direct[0, 0], r.product[0, 0], (Z, t))


def test_chain_rule_rejects_clashing_names():
    with pytest.raises(InvalidArgumentError, match="both an intermediate"):
        stt.chain_rule("x", {"x": "x^2"}, "x")
    with pytest.raises(InvalidArgumentError, match="depends on t directly"):
        stt.chain_rule("x t", {"x": "t^2"}, "t")


# ---- Taylor -------------------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [sp.exp(sp.sin(x)), 1 / (1 - x - x**2), sp.log(1 + x) * sp.cos(x), sp.atan(x), sp.sqrt(1 + x)],
)
def test_taylor_equals_series_at_zero(f):
    for n in (0, 1, 4, 10):
        assert stt.taylor(f, x, point=0, order=n) == sp.series(f, x, 0, n + 1).removeO()


@pytest.mark.parametrize("f, a", [(sp.log(x), 1), (sp.exp(sp.sin(x)), 1), (sp.sqrt(x), 4), (1 / x, 2)])
def test_taylor_about_other_points_agrees_with_series(f, a):
    for n in (1, 3, 5):
        ours = stt.taylor(f, x, point=a, order=n)
        ref = sp.series(f, x, a, n + 1).removeO()
        assert sp.simplify(sp.expand(ours - ref)) == 0


@given(expressions, st.integers(0, 4), st.integers(-1, 1))
def test_taylor_agrees_with_series(e, n, a):
    e = e.xreplace({Y: sp.Integer(2), Z: sp.Rational(1, 3)})
    try:
        ref = sp.series(e, X, a, n + 1).removeO()
    except (ValueError, NotImplementedError, TypeError):
        return
    if ref.has(sp.log(X - a)) or any(
        p.exp.is_negative or not p.exp.is_integer for p in ref.atoms(sp.Pow) if p.base.has(X)
    ):
        return  # not a Taylor series: a pole or a branch point at a
    try:
        ours = stt.taylor(e, X, point=a, order=n)
    except InvalidArgumentError:
        return
    assert numerically_equal(ours, ref, (X,))


def test_multivariate_taylor_matches_the_textbook_formula():
    f = sp.exp(x + y * z) * sp.cos(x - y) / (1 + z**2)
    ours = stt.taylor(f, [x, y, z], point=(0, 0, 0), order=4)
    ref = 0
    for i in range(5):
        for j in range(5 - i):
            for k in range(5 - i - j):
                d = sp.diff(f, x, i, y, j, z, k).subs({x: 0, y: 0, z: 0})
                ref += d / (math.factorial(i) * math.factorial(j) * math.factorial(k)) * x**i * y**j * z**k
    assert ours == ref


def test_multivariate_taylor_about_a_point():
    f = sp.exp(x) * sp.cos(y)
    ours = stt.taylor(f, "x, y", point=(1, sp.pi), order=2)
    dx, dy = x - 1, y - sp.pi
    ref = (-sp.E) * (1 + dx + dx**2 / 2 - dy**2 / 2)
    assert sp.simplify(sp.expand(ours - ref)) == 0


def test_taylor_of_a_function_symengine_cannot_expand_falls_back():
    ours = stt.taylor(sp.Abs(x) + x, x, point=1, order=2)
    assert sp.simplify(ours - 2 * x) == 0


def test_taylor_not_analytic_is_a_clear_error():
    with pytest.raises(InvalidArgumentError, match="not differentiable there"):
        stt.taylor("1/x", "x", point=0, order=2)
    with pytest.raises(InvalidArgumentError, match="not differentiable there"):
        stt.taylor("sqrt(x)", "x", point=0, order=2)


def test_linearize():
    assert stt.linearize("sqrt(x)", "x", point=4) == x / 4 + 1
    assert stt.linearize("x^2 y", "x, y", point=(1, 2)) == 4 * x + y - 4


# ---- remainder bound ----------------------------------------------------------


@pytest.mark.parametrize(
    "f, a, n, box",
    [
        (sp.exp(x), 0, 2, (-0.5, 0.5)),
        (sp.sin(x), 0, 3, (-1.0, 1.0)),
        (sp.log(1 + x), 0, 4, (-0.3, 0.6)),
        (sp.cos(x) * sp.exp(x / 3), 0.5, 2, (0.0, 1.5)),
    ],
)
def test_remainder_bound_holds_and_is_not_loose(f, a, n, box):
    b = stt.taylor_remainder_bound(f, x, point=a, order=n, interval=box)
    P = b.polynomial
    xs = np.linspace(*box, 801)
    actual = max(abs(float((f - P).subs(x, sp.Float(v)))) for v in xs[::8])
    assert actual <= b.bound * (1 + 1e-9)
    assert b.bound < 50 * actual + 1e-12


def test_remainder_bound_two_variables():
    f = sp.exp(x) * sp.sin(y)
    b = stt.taylor_remainder_bound(f, "x, y", point=(0, 0), order=1, interval=[(-0.2, 0.2), (-0.2, 0.2)])
    P = b.polynomial
    worst = max(
        abs(float((f - P).subs({x: a, y: c})))
        for a in np.linspace(-0.2, 0.2, 9)
        for c in np.linspace(-0.2, 0.2, 9)
    )
    assert worst <= b.bound


def test_remainder_bound_rejects_intervals_without_the_point():
    with pytest.raises(InvalidArgumentError, match="must contain the expansion point"):
        stt.taylor_remainder_bound("exp(x)", "x", point=2, order=1, interval=(0, 1))
