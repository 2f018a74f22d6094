"""Compiled NumPy functions against SymPy's evalf, and the gradient checker."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symtutor as stt
from symtutor import UnknownSymbolError, UnsupportedExpressionError, check_gradient, to_numpy

from .conftest import SYMBOLS, expressions

x, y = sp.symbols("x y")


def _evalf(e, point):
    try:
        v = complex(e.evalf(30, subs=dict(zip(SYMBOLS, map(sp.Float, point)))))
    except (TypeError, ValueError):
        return None
    return v.real if abs(v.imag) < 1e-12 else None


@given(expressions, st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_to_numpy_agrees_with_evalf(e, point):
    f = to_numpy(e, SYMBOLS)
    with np.errstate(all="ignore"):
        got = float(f(*point))
    want = _evalf(e, point)
    if want is None or not np.isfinite(want) or not np.isfinite(got):
        return
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


def test_vectorised_and_broadcast():
    f = to_numpy("x^2 + y", ["x", "y"])
    xs = np.linspace(0, 1, 5)
    np.testing.assert_allclose(f(xs, 1.0), xs**2 + 1)
    assert f(np.ones((2, 3)), np.zeros(3)).shape == (2, 3)


def test_matrix_output_shape():
    H = stt.hessian("x^3 y + y^2", "x, y")
    h = to_numpy(H, ["x", "y"])
    out = h(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert out.shape == (2, 2, 2)
    np.testing.assert_allclose(out[:, :, 0], [[18.0, 3.0], [3.0, 2.0]])


def test_common_subexpressions_are_computed_once():
    e = sp.sin(x * y) ** 2 + sp.sin(x * y) * sp.exp(sp.sin(x * y))
    f = to_numpy(e, [x, y])
    ops = [p for p in f.program if p[1] is not None]
    # x*y, sin(.), sin^2, exp(.), product, sum: each once
    assert f.size == len(ops) == 6


def test_symbols_outside_the_variables_are_refused():
    with pytest.raises(UnknownSymbolError, match="uses a, which is not among the variables"):
        to_numpy("a x", ["x"])


def test_unsupported_nodes_are_refused():
    with pytest.raises(UnsupportedExpressionError):
        to_numpy(sp.Function("f")(x), [x])
    with pytest.raises(UnsupportedExpressionError):
        to_numpy(sp.I * x, [x])


def test_wrong_number_of_arguments():
    f = to_numpy("x y", ["x", "y"])
    with pytest.raises(ValueError, match="takes 2 argument"):
        f(1.0)


@given(expressions, st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_check_gradient_accepts_compiled_gradients_and_rejects_perturbed(e, point):
    g = stt.gradient(e, SYMBOLS)
    f_np = to_numpy(e, SYMBOLS)
    g_np = to_numpy(g, SYMBOLS)

    def f(v):
        return float(f_np(*v))

    def grad(v):
        return g_np(*v).ravel()

    with np.errstate(all="ignore"):
        analytic = grad(np.array(point))
        if not np.all(np.isfinite(analytic)) or not np.isfinite(f(np.array(point))):
            return
        if np.max(np.abs(analytic)) > 1e4:
            return  # too steep for central differences to be a fair judge
        res = check_gradient(f, grad, point, rtol=1e-4, atol=1e-5)
        if not res.ok:
            # near a kink or singularity the finite differences themselves fail: confirm with a smaller step
            res = check_gradient(f, grad, point, eps=1e-8, rtol=1e-3, atol=1e-5)
        assert res.ok
        if np.max(np.abs(analytic)) > 1e-3:
            k = int(np.argmax(np.abs(analytic)))
            bump = np.zeros(3)
            bump[k] = 0.05 * abs(analytic[k]) + 1e-2
            assert not check_gradient(f, lambda v: grad(v) + bump, point, rtol=1e-4, atol=1e-5)


def test_check_gradient_reports_the_worst_component():
    f = lambda v: v[0] ** 2 + 3 * v[1]  # noqa: E731
    res = check_gradient(f, lambda v: np.array([2 * v[0], 2.0]), [1.0, 1.0])
    assert not res.ok and res.worst_index == 1
    assert res.numeric == pytest.approx([2.0, 3.0])
    with pytest.raises(ValueError, match="one component per coordinate"):
        check_gradient(f, lambda v: np.zeros(3), [1.0, 1.0])
