"""Step trees: every rule, results equal to SymPy's diff, eval() from children alone."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symtutor import derivative_steps, gradient_steps, hessian_steps, jacobian_steps
from symtutor import steps as S

from .conftest import SYMBOLS, expressions, numerically_equal

x, y = sp.symbols("x y")
f = sp.Function("f")


def rules(tree):
    return {type(node) for node in tree.walk()}


@pytest.mark.parametrize(
    "expr, rule",
    [
        (sp.Integer(7), S.ConstantRule),
        (x, S.IdentityRule),
        (3 * x**2, S.ConstantMultipleRule),
        (x**2 - x, S.SumRule),
        (x**5, S.PowerRule),
        (sp.sqrt(x), S.PowerRule),
        (1 / x**3, S.PowerRule),
        (x * sp.sin(x) * sp.exp(x), S.ProductRule),
        ((x + 1) / (x - 1), S.QuotientRule),
        (sp.sin(x**2), S.ChainRule),
        (sp.exp(x), S.ExpRule),
        (2**x, S.ExponentialRule),
        (sp.log(x), S.LogRule),
        (sp.log(x) / sp.log(2), S.LogBaseRule),
        (sp.tan(x), S.TrigRule),
        (sp.sec(x) + sp.csc(x) + sp.cot(x) + sp.cos(x), S.TrigRule),
        (sp.asin(x) + sp.acos(x) + sp.atan(x), S.InverseTrigRule),
        (sp.sinh(x) + sp.cosh(x) + sp.tanh(x), S.HyperbolicRule),
        (x**x, S.LogarithmicDifferentiationRule),
        (sp.sin(x) ** sp.cos(x), S.LogarithmicDifferentiationRule),
        (f(x), S.UndefinedFunctionRule),
        (f(x**2), S.UndefinedFunctionRule),
        (sp.Abs(x), S.FallbackRule),
    ],
)
def test_each_rule_appears_and_the_result_is_right(expr, rule):
    tree = derivative_steps(expr, x)
    assert rule in rules(tree)
    expected = sp.diff(expr, x)
    assert sp.simplify(tree.result - expected) == 0
    assert sp.simplify(tree.eval() - expected) == 0


def test_product_of_n_factors_differentiates_each_once():
    tree = derivative_steps(x * sp.sin(x) * sp.exp(x) * sp.log(x), x)
    assert isinstance(tree, S.ProductRule)
    assert len(tree.steps) == 4


def test_chain_rule_names_the_inner_function():
    tree = derivative_steps(sp.sin(sp.exp(x**2)), x)
    assert isinstance(tree, S.ChainRule)
    assert tree.inner_expr == sp.exp(x**2)
    inner = tree.inner
    assert isinstance(inner, S.ChainRule) and inner.u != tree.u


def test_partial_derivative_treats_other_variables_as_constants():
    tree = derivative_steps(x**2 * y + sp.sin(y), x)
    const = [n for n in tree.walk() if isinstance(n, S.ConstantRule)]
    assert any(n.expr == sp.sin(y) for n in const)
    assert tree.result == 2 * x * y


def test_nodes_know_rule_input_and_result():
    tree = derivative_steps("x^2 sin(x)", "x")
    for node in tree.walk():
        assert node.rule and node.formula
        assert isinstance(node.expr, sp.Expr) and isinstance(node.result, sp.Expr)
        assert sp.simplify(node.result - sp.diff(node.expr, node.var)) == 0


def test_nodes_are_frozen():
    tree = derivative_steps("x^2", "x")
    with pytest.raises(AttributeError):
        tree.result = 0


@given(expressions, st.sampled_from(SYMBOLS))
def test_steps_result_equals_diff(e, var):
    tree = derivative_steps(e, var)
    expected = sp.diff(e, var)
    assert numerically_equal(tree.result, expected)
    assert numerically_equal(tree.eval(), expected)


def test_gradient_and_jacobian_steps():
    g = gradient_steps("x^2 y + y^3", "x, y")
    assert g.kind == "gradient" and g.shape == (2, 1)
    assert g.result == sp.Matrix([2 * x * y, x**2 + 3 * y**2])
    J = jacobian_steps("(x^2 y, 5x + sin(y))", "x, y")
    assert J.shape == (2, 2)
    assert sp.simplify(J.eval() - sp.Matrix([[2 * x * y, x**2], [5, sp.cos(y)]])) == sp.zeros(2, 2)


def test_hessian_reuses_symmetric_entries_and_says_so():
    H = hessian_steps("x^3 y^2 + sin(x y)", "x, y")
    assert H.mirrored == frozenset({(1, 0)})
    assert H.entries[1][0] is H.entries[0][1]
    expected = sp.hessian(x**3 * y**2 + sp.sin(x * y), (x, y))
    assert sp.simplify(H.result - expected) == sp.zeros(2, 2)
    assert sp.simplify(H.eval() - expected) == sp.zeros(2, 2)
