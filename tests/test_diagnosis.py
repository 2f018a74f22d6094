"""Naming the mistake: the learner-mistake families of benchmarks/check_corpus.json, and the public helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp

from symtutor import check, parse
from symtutor.diagnosis import BUGS, MESSAGES, buggy_derivative, telling_mistakes

CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "check_corpus.json"
x, y = sp.symbols("x y")


def _run(p):
    names = p["variables"]
    kwargs = {"variables": names, "mode": p.get("mode", "equivalent")}
    if "function" in p:
        kwargs.update(function=parse(p["function"], variables=names), wrt=p["wrt"])
    if p.get("mode") == "taylor":
        kwargs.update(point=parse(p["point"]), order=p["order"])
    return check(p["answer"], parse(p["expected"], variables=names), timeout=5, **kwargs)


def test_learner_mistakes_are_rejected_and_named():
    pairs = [p for p in json.loads(CORPUS.read_text())["pairs"] if p.get("named")]
    assert len(pairs) >= 50
    named, misses = 0, []
    for p in pairs:
        fb = _run(p)
        assert not fb.correct, p  # no false accept
        if fb.diagnosis == p["mistake"]:
            named += 1
        else:
            misses.append((p["answer"], p["expected"], p["mistake"], fb.diagnosis))
    assert named / len(pairs) >= 0.85, misses


def test_every_family_has_a_message_naming_the_slip():
    for tag in ("power_rule_on_exponential", "quotient_rule_no_square", "quotient_rule_as_ratio",
                "chain_rule_paths_multiplied", "taylor_divided_by_n", "taylor_powers_of_x", "taylor_mixed_term",
                "term_inverted", "vector_negated", "components_swapped", "partial_factor_dropped"):
        assert tag in MESSAGES
    assert "e^x" in MESSAGES["power_rule_on_exponential"]


def test_buggy_derivatives_against_sympy():
    # the oracle: each buggy rule's result written out by hand
    assert buggy_derivative(sp.exp(x), x, "power_rule_on_exponential") == x * sp.exp(x - 1)
    assert buggy_derivative(x**5, x, "power_rule_exponent_kept") == 5 * x**5
    assert buggy_derivative(x**5, x, "power_rule_coefficient_missing") == x**4
    assert sp.simplify(buggy_derivative(sp.sin(x) / x, x, "quotient_rule_as_ratio") - sp.cos(x)) == 0
    assert buggy_derivative(x**2 * y, x, "partial_factor_dropped") == 2 * x
    assert buggy_derivative(sp.sin(x**2), x, "chain_rule_inner_replaced") == sp.cos(2 * x)
    for bug in BUGS:  # on a function a bug cannot touch, the right derivative
        assert buggy_derivative(3 * x, x, bug) in (3, 0, 3 * x, 1) or bug.startswith("power")


def test_telling_mistakes_lists_each_distinct_wrong_answer():
    found = telling_mistakes(sp.sin(x**2), x)
    tags = [m.tag for m in found]
    assert "chain_rule_inner_missing" in tags and "chain_rule_inner_replaced" in tags
    right = 2 * x * sp.cos(x**2)
    # SymPy's own values at a point: each listed mistake differs from the right derivative
    assert all(abs((m.answer - right).evalf(30, subs={x: sp.Rational(7, 5)})) > 1e-20 for m in found)
    assert all(m.message for m in found)


def test_the_most_telling_diagnosis_wins():
    assert check("x e^(x-1)", "e^x", function="e^x", wrt="x").diagnosis == "power_rule_on_exponential"
    assert check("-0.5", "1/2", mode="numeric").diagnosis == "sign_error"


def test_feedback_never_gives_a_numeric_answer_away():
    fb = check("1", "1/30", variables="", mode="numeric")
    assert "30" not in fb.message and fb.diagnosis is None
    fb = check("4", "2", variables="", mode="numeric")
    assert "2" not in fb.message
    fb = check("(1, 2)", "(3, 4)")
    assert "the others are" not in fb.message
    fb = check("(9, 9)", "(6, 6)")
    assert "6" not in fb.message and "3" not in fb.message


@pytest.mark.parametrize(
    "answer, expected, variables, kwargs, tag",
    [
        # a misconception applied at one place only (the outer power, not the inner x^2)
        ("x (x^2+1)^(1/2)", "x/sqrt(x^2+1)", "x", dict(function="sqrt(x^2+1)", wrt="x"), "power_rule_exponent_kept"),
        ("2x + x e^(x-1)", "2x + exp(x)", "x", dict(function="x^2 + exp(x)", wrt="x"), "power_rule_on_exponential"),
        # one inner layer's own factor left out
        ("e^(sin(2x)) cos(2x)", "2cos(2x) e^(sin(2x))", "x", dict(function="e^(sin(2x))", wrt="x"),
         "chain_rule_inner_missing"),
        ("cos(sin(x^2)) cos(x^2)", "2x cos(x^2) cos(sin(x^2))", "x", dict(function="sin(sin(x^2))", wrt="x"),
         "chain_rule_inner_missing"),
        # 1/x is a power: its slip is the power rule's, not the quotient rule's
        ("-1/x", "-1/x^2", "x", dict(function="1/x", wrt="x"), "power_rule_exponent_kept"),
        # one term of a sum left as it was, a constant kept
        ("3x^2 + 5x", "3x^2 + 5", "x", dict(function="x^3 + 5x", wrt="x"), "term_not_differentiated"),
        ("2x + 7", "2x", "x", dict(function="x^2 + 7", wrt="x"), "constant_kept"),
        ("e^x + x^2", "e^x + 2x", "x", dict(function="e^x + x^2", wrt="x"), "original_function"),
        # df/dx + df/dy without dx/dt, the sign going with the factor left out (-sin t)
        ("2x + 2y", "2x cos(t) - 2y sin(t)", "t x y", {}, "chain_rule_factor_missing"),
        # a Newton step without its denominator
        ("x - (x^3 - 5)", "x - (x^3-5)/(3x^2)", "x", {}, "term_factor_missing"),
        # a Newton step multiplied by f'' (H) instead of divided by it
        ("x - (3x^2 - 2)*(6x)", "x - (3x^2-2)/(6x)", "x", {}, "term_inverted"),
        # a^x without its ln(a); a partial derivative taken as a total one; (x + a) for (x - a)
        ("3*2^(3x)", "3 ln(2) 2^(3x)", "x", dict(function="2^(3x)", wrt="x"), "exponential_log_missing"),
        ("2^x", "2^x ln(2)", "x", dict(function="2^x", wrt="x"), "exponential_log_missing"),
        ("2x y + x^2", "2x y", "x y", dict(function="x^2 y", wrt="x"), "partial_as_total"),
        # (u^3)' as 3 (u')^2; the quotient rule's numerator added
        ("3(2x)^2", "6x(x^2+1)^2", "x", dict(function="(x^2+1)^3", wrt="x"), "chain_rule_inner_replaced"),
        ("((x^2+1) + 2x^2)/(x^2+1)^2", "(1-x^2)/(x^2+1)^2", "x", dict(function="x/(x^2+1)", wrt="x"),
         "quotient_rule_sign"),
        ("2 + (x + 4)/4", "2 + (x - 4)/4", "x", dict(mode="taylor", point=4, order=1, function="sqrt(x)"),
         "taylor_shift_sign"),
    ],
)
def test_more_learner_slips_are_named(answer, expected, variables, kwargs, tag):
    kwargs = dict(kwargs)
    if "function" in kwargs:
        kwargs["function"] = parse(kwargs["function"], variables=variables)
    fb = check(answer, expected, variables=variables, timeout=5, **kwargs)
    assert not fb.correct and fb.diagnosis == tag, (fb.diagnosis, fb.message)


def test_mistakes_cut_short_by_the_time_limit_are_taken_up_where_they_stopped():
    # a step stopped midway (the time limit's signal) keeps those before it, and the list ends the same
    from symtutor.diagnosis import _Worked
    from symtutor.sandbox import OutOfTime

    calls = []

    def work(step):
        calls.append(step)
        if step == 2 and calls.count(2) == 1:
            raise OutOfTime
        return None if step == 3 else step * 10

    worked = _Worked(tuple(range(5)), work)
    with pytest.raises(OutOfTime):
        worked.fill()
    assert worked.state == (2, (0, 10))
    assert worked.fill() == (0, 10, 20, 40)
    assert calls == [0, 1, 2, 2, 3, 4]
    assert list(worked) == [0, 10, 20, 40]


def test_the_first_wrong_answer_is_named_as_after_a_right_one():
    # the question's mistakes are worked out after a right answer; the names do not depend on it
    x = sp.Symbol("x")
    f = parse("sin(x^3 + 2x)")
    b = sp.diff(f, x)
    wrong = ["cos(x^3 + 2x)", "-(3x^2 + 2) cos(x^3 + 2x)", "2 (3x^2 + 2) cos(x^3 + 2x)", "(3x^2 + 2) sin(x^3 + 2x)"]
    cold = [check(w, b, function=f, wrt="x").diagnosis for w in wrong]
    g = parse("sin(x^3 + 3x)")
    assert check("(3x^2 + 3) cos(x^3 + 3x)", sp.diff(g, x), function=g, wrt="x").correct
    warm = [check(w.replace("2x", "3x").replace("+ 2)", "+ 3)"), sp.diff(g, x), function=g, wrt="x").diagnosis
            for w in wrong]
    assert cold == warm == ["chain_rule_inner_missing", "trig_derivative_sign", "constant_factor",
                            "chain_rule_outer_not_differentiated"]
