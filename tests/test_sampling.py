"""Sampling that cannot be gamed: random points over wide ranges, a domain rule, high precision."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symtutor import check, to_text
from symtutor._compare import POINTS, Compare, points, seed_of

x, a = sp.symbols("x a")


def test_points_are_random_wide_and_seeded_by_the_question():
    p = points(1, seed_of("x^2"))
    assert p.shape == (1, POINTS)
    assert (p < 0).any() and (np.abs(p) > 30).any() and (np.abs(p) < 0.05).any()
    assert not np.allclose(p * 100000, np.round(p * 100000))  # not a grid of k/100000
    assert np.array_equal(p, points(1, seed_of("x^2")))
    assert not np.array_equal(p, points(1, seed_of("x^3")))


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("x + sin(100000 pi x)", "x"),
        ("x + abs(x-3) + x - 3", "x"),
        ("x + exp(1000000 (x - 2))", "x"),
        ("x + 10^-35", "x"),
        ("x + 10^-90", "x"),
        ("x + exp(-1000)", "x"),
        ("abs(x)^(1/3)", "x^(1/3)"),
        ("log(x)", "log(abs(x))"),
        ("2 log(x)", "log(x^2)"),
        ("log(x^2)", "2 log(x)"),
        ("sqrt(x^2)", "x"),
    ],
)
def test_answers_that_fool_float_sampling_are_wrong(answer, expected):
    fb = check(answer, expected, variables="x")
    assert fb.status in ("incorrect", "undecided") and not fb.correct, fb.message


@pytest.mark.parametrize(
    "answer",
    ["x + 10^-35 (x + abs(x))", "x + 10^-20 (x - abs(x))", "x + 10^-14 (x + abs(x))", "x + x/10^35",
     "x (10^40 + 1)/10^40"],
)
def test_a_tiny_difference_on_part_of_the_range_is_found(answer):
    # below floating point's resolution, and zero for half the points: seen in high precision
    fb = check(answer, "x", variables="x")
    assert fb.status == "incorrect", fb.message


@pytest.mark.parametrize(
    "answer",
    ["x + exp(x - 5000)", "x + exp(x - 900)", "x + exp(-x - 2000)", "x (1 + exp(x - 3000))", "x + 1/(x - 5000)^80",
     "x + exp(-(x - 5000)^2)", "x + exp(x^2 - 10^6)", "x + exp(-(x - 9001/2)^2)"],
)
def test_a_term_hidden_beyond_the_points_is_found(answer):
    # negligible wherever the random points fall, but not near its own constant
    fb = check(answer, "x", variables="x")
    assert fb.status == "incorrect", fb.message


@pytest.mark.parametrize(
    "answer",
    ["x + exp(-999((x - 0.3)^2 + (y - 0.7)^2))", "x + exp(-100((x - 1.3)^2 + (y + 0.7)^2))", "x + exp(-400 (x - 3)^2)",
     "x + exp(-400(x^2 - 6x + 9.01))", "x + exp(-1000(x^4 - 2x^2 + 1))"],
)
def test_a_narrow_bump_between_the_points_is_found(answer):
    # negligible at every random point, but not at its own centre
    fb = check(answer, "x", variables="x y")
    assert fb.status == "incorrect", fb.message


@pytest.mark.parametrize(
    "answer", ["x + exp(-4000((x - y)^2 + (y - 0.3)^2))", "x + exp(-9999(x + y - 1)^2 - 9999(x - y)^2)"])
def test_a_bump_behind_a_constant_of_its_own_is_never_accepted(answer):
    # a constant of three or more figures the question lacks: equal only if SymPy confirms it
    assert not check(answer, "x", variables="x y").correct


@pytest.mark.parametrize(
    "answer", ["x + exp(-pi^20 x^2)", "x + exp(-x^2 exp(exp(3)))", "x + exp(-x^2/sin(1/99)^4)",
               "x + exp(-x^2 cosh(10)^2)", "x + exp(-(x - 1)^2 exp(exp(3)))", "x + exp(-exp(exp(exp(1))) x^2)"])
def test_a_bump_behind_a_constant_written_without_large_numbers_is_never_accepted(answer):
    # exp(exp(3)) or pi^20 is as steep as the nine-figure integer it is: equal only if SymPy confirms it
    assert not check(answer, "x", variables="x").correct


@pytest.mark.parametrize(
    "answer", ["x + (x^2 + 2)^(-99) (x^2 + 3)^(-99)", "x + exp(-exp(exp(x^2 + 2)))",
               "x + exp(-x^2 - 99) exp(-x^4 - 98)", "x + exp(-99 - x^2)/(x^2 + 99)^99"])
def test_a_term_far_below_the_rest_with_no_constant_to_say_so_is_found(answer):
    # no large constant raises the precision, but the term is all that is left of answer - expected
    assert check(answer, "x").status == "incorrect"


@pytest.mark.parametrize("answer, expected", [(
    "6*x*y/(x^2 + 1) - 4*x/(exp(2*x^2) + 1) + 3*x/(x*sqrt(x^2 + 1) + 2*sqrt(x^2 + 1))"
    " - 3*sqrt(x^2 + 1)/(x^2 + 4*x + 4)",
    "6*x*y/(x^2 + 1) + 3*x/((x + 2)*sqrt(x^2 + 1)) - 4*x*exp(-2*x^2)/(1 + exp(-2*x^2))"
    " - 3*sqrt(x^2 + 1)/(x + 2)^2")])
def test_terms_too_small_to_count_beside_the_rest_are_no_difference(answer, expected):
    # a sum drops a term far below its others: what is left of answer - expected then is no difference
    assert check(answer, expected).correct


@pytest.mark.parametrize("answer, expected", [("x e^7", "exp(7) x"), ("exp(3) exp(4) x", "exp(7) x"),
                                              ("x cosh(10)", "x (exp(10) + exp(-10))/2"), ("x exp(-7)", "x/exp(7)")])
def test_large_constants_written_another_way_are_right(answer, expected):
    assert check(answer, expected).correct


@pytest.mark.parametrize("answer", ["x + exp(-((x - 1)^9999 - 10)^2)", "x + exp(-(x^2 + 2)^(-99))"])
def test_a_sum_of_high_degree_is_not_expanded_to_find_a_centre(answer):
    # a centre is looked for in sums of degree at most 4: the others are not expanded (within the time bound)
    assert check(answer, "x").status == "incorrect"


def test_a_removable_point_at_a_centre_is_not_counted():
    assert check("(x+1)/(x^2-1)", "1/(x-1)", variables="x").correct


@pytest.mark.parametrize("answer", ["(x^2 + 1000x)/x - 1000", "x + 0*exp(x - 5000)", "x (10^40 + 1)/10^40 - x/10^40"])
def test_large_constants_that_cancel_are_right(answer):
    assert check(answer, "x", variables="x").correct


def test_large_powers_are_decided():
    fb = check("(x-a)^600", (a - x) ** 6000 / (a - x) ** 5400, variables="x a")
    assert fb.correct
    cmp = Compare((x, a), seed_of("p"), 1e-30)
    assert cmp.compare((x - a) ** 6000, (a - x) ** 6000) == "equal"
    assert cmp.compare((x - a) ** 6000, (x - a) ** 5999) == "different"
    assert cmp.compare((x - a) ** 5999, (a - x) ** 5999) == "different"


def test_the_domain_rule_against_sympy():
    # the oracle: SymPy's own real evaluation at a point where one side is undefined
    cmp = Compare((x,), seed_of("d"), 1e-30)
    for u, v in [(sp.log(x), sp.log(sp.Abs(x))), (2 * sp.log(x), sp.log(x**2)), (sp.sqrt(x) ** 3, x * sp.sqrt(x))]:
        verdict = cmp.compare(u, v)
        at = sp.Integer(-2)
        defined_u = u.subs(x, at).is_real
        defined_v = v.subs(x, at).is_real
        assert verdict == ("different" if defined_u != defined_v else "equal"), (u, v)


def test_odd_roots_of_negatives_are_real():
    assert check("-(-x)^(1/3)", "x^(1/3)").correct
    assert check("x^(2/3)", "abs(x)^(2/3)").correct


def test_cancellation_in_an_expanded_polynomial_is_not_a_difference():
    # the expanded form loses many digits near the roots 1/5, -5/2 and -67/70; the factored one does not
    expanded = ("14336000000*x^13+250265600000*x^12+1862860800000*x^11+7623925760000*x^10+18290677760000*x^9"
                "+24744757985280*x^8+14567212351488*x^7-3267871272960*x^6-6408053107200*x^5+670406720000*x^4"
                "+1179708800000*x^3-429244800000*x^2+56696000000*x-2680000000")
    factored = "512*(2*x+5)^7*(5*x-1)^5*(70*x+67)"
    assert check(expanded, factored, variables="x", timeout=5).correct
    assert not check(expanded[:-1] + "1", factored, variables="x", timeout=5).correct


def test_floats_lost_to_a_large_product_at_moderate_points_are_no_difference():
    # sinh(x) cosh(x) is about 1e25 at x = 30: multiplied out, floats keep nothing of (1 - tanh(...)^2)
    expected = "3y^2 + 6(1 - tanh(cosh(x)^2 + 1)^2) sinh(x) cosh(x)"
    assert check("3y^2 - 6 sinh(x) cosh(x) tanh(cosh(x)^2 + 1)^2 + 6 sinh(x) cosh(x)", expected).correct
    assert not check("3y^2 - 6 sinh(x) cosh(x) tanh(cosh(x)^2 + 2)^2 + 6 sinh(x) cosh(x)", expected).correct


@pytest.mark.parametrize("answer, expected", [
    # at x = -555 the terms in sinh(x) cosh(x) are 1e482 and cancel: what is left needs more than 40 digits
    ("(14 sin(x) cos(x) - 14 sinh(x) cosh(x) tanh(cosh(x)^2 + 1)^2 + 14 sinh(x) cosh(x))/(7(sin(x)^2 + 1))",
     "2(1 - tanh(cosh(x)^2 + 1)^2) sinh(x) cosh(x)/(sin(x)^2 + 1) + 2 sin(x) cos(x)/(sin(x)^2 + 1)"),
    ("3 exp(x)/7 - 2 sinh(x) cosh(x) tanh(cosh(x)^2 + 1)^2 + 2 sinh(x) cosh(x)",
     "2(1 - tanh(cosh(x)^2 + 1)^2) sinh(x) cosh(x) + 3 exp(x)/7")])
def test_a_cancellation_beyond_the_precision_is_no_difference(answer, expected):
    assert check(answer, expected, variables="x y").correct


def test_sums_in_high_precision_are_exact():
    # mpmath.fsum leaves out 10^-671 beside 1, and 1 - 1 then gives 0 at any precision
    import mpmath

    from symtutor._numeval import Evaluator

    e = sp.Add(sp.exp(x), sp.exp(-2 * x**2), -sp.exp(x), evaluate=False)
    v = Evaluator(e, (x,), 40)((mpmath.mpf(-27.8),))
    assert v is not None and 0 < v < mpmath.mpf(10) ** -600


def test_a_point_where_the_terms_cancel_beyond_the_precision_decides_nothing():
    # right answers multiplied out: tanh(b) tanh(w x) near -1 (1 + tanh(b) tanh(w x) is 0 at 40 and at 80
    # digits: no figures, and a division by it fails), sin(t e^t) at t = 256 (an argument of 10^113)
    b, w, y, t = sp.symbols("b w y t")
    net = 2 * x * (1 - sp.tanh(b + w * x) ** 2) * (sp.tanh(b + w * x) - y)
    total = -2 * t - (4 * (1 - t) * sp.exp(t) - 4 * sp.exp(t)) * sp.cos(4 * (1 - t) * sp.exp(t)) + 1
    for expected, names in [(net, "b w x y"), (total, "t")]:
        answer = sp.expand(expected, trig=True)
        assert check(to_text(answer), expected, variables=names, timeout=10).correct, answer
        assert not check(to_text(answer + 1), expected, variables=names, timeout=10).correct


def test_the_figures_a_value_lost_are_counted():
    import mpmath

    from symtutor._numeval import LOST, Evaluator

    assert Evaluator(1 - sp.tanh(x) ** 2, (x,), 40).evaluate((100,))[1] >= LOST  # no figures left
    assert Evaluator(sp.exp(-400 * (x - 3) ** 2), (x,), 40).evaluate((3,)) == (1, 0)  # exact: 3 - 3 is 0
    assert Evaluator(sp.sin(x), (x,), 40).evaluate((10**30,))[1] == 100  # sin of 2^100: 100 bits fewer
    with mpmath.workdps(40):
        third = mpmath.mpf(1) / 3  # 1/3 rounded as the evaluator rounds it: the 0 it gives is no exact 0
    assert Evaluator(x - sp.Rational(1, 3), (x,), 40).evaluate((third,))[1] >= LOST


def test_exponents_are_also_compared_where_they_are_whole():
    a_, b_, c_, k_ = sp.symbols("a b c k")
    assert not check("(a^b)^c", a_ ** (b_ * c_), variables="a b c").correct  # (a^2)^0.7 is defined at a < 0
    assert check("6((x-2)^3)^k", 6 * (x - 2) ** (3 * k_), variables="x k").correct
    assert check("a^b a^c", a_ ** (b_ + c_), variables="a b c").correct
    assert check("2^x ln(2)", 2**x * sp.log(2)).correct  # a positive base: nothing to make whole
