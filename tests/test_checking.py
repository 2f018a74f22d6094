"""The checker: verdicts, modes, diagnoses, shapes, and its promises (never raises, bounded)."""

from __future__ import annotations

import time

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symtutor import MODES, Feedback, InvalidArgumentError, check, parse, to_text

from .conftest import SYMBOLS, expressions

x, y = sp.symbols("x y")


# ---- verdicts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("2x cos(x^2)", "2 x cos(x^2)"),
        ("2 cos(x^2) x", "2x cos(x^2)"),
        ("x cos(x^2) * 2", "2x cos(x^2)"),
        ("e^(x y)(y, x)", "(y exp(x y), x exp(x y))"),
        ("sin(x)^2 + cos(x)^2", "1"),
        ("1/(1+x) + 1/(1-x)", "2/(1-x^2)"),
        ("log(x^2)", "2 log(abs(x))"),
        ("x^(1/3)", "-(-x)^(1/3)"),  # odd roots of negatives are real
        ("2 sin(x) cos(x)", "sin(2x)"),
        ("(x^2 - 1)/(x - 1)", "x + 1"),
        ("x^(1/3) x^(2/3)", "x"),
        ("0.5 x^2", "x^2/2"),
        ("0.333 x", "x/3"),
        ("[[2, 0], [0, 6y]]", "[[2, 0], [0, 6 y]]"),
    ],
)
def test_correct_answers_in_other_forms(answer, expected):
    fb = check(answer, expected, variables="x y")
    assert fb.status == "correct", fb.message
    assert fb.correct and fb.score == 1.0


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("sqrt(x^2)", "x"),
        ("abs(x)/x", "1"),
        ("x + 1e-12", "x"),
        ("log(x^2)", "2 log(x)"),  # defined where the expected is not
        ("2 log(x)", "log(x^2)"),  # undefined where the expected is defined
        ("log(x)", "log(abs(x))"),

        ("2x cos(x)", "2x cos(x^2)"),
        ("exp(x) + 1", "exp(x)"),
    ],
)
def test_wrong_answers(answer, expected):
    fb = check(answer, expected, variables="x y")
    assert fb.status == "incorrect" and not fb.correct and fb.score == 0


def test_feedback_echoes_what_was_understood():
    fb = check("2x cos(x^2)", "2 x cos(x^2)")
    assert fb.parsed == r"2 x \cdot \cos\left(x^{2}\right)"
    assert fb.understood == "2*x*cos(x^2)"
    # the echo shows how a product of names was split, and what a power applies to
    assert check("xy^2", "x y^2").understood == "x*y^2"


def test_invalid_answers_are_explained_not_marked():
    fb = check("2x +", "2x")
    assert fb.status == "invalid" and fb.score == 0
    assert "nothing after it" in fb.message and "character 4" in fb.message
    fb = check("2z", "2x")
    assert fb.status == "invalid" and "Unknown name 'z'" in fb.message
    fb = check("2 thetta", "2 theta")
    assert "Did you mean 'theta'" in fb.message
    assert check("", "x").status == "invalid"


# ---- diagnoses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, expected, context, tag",
    [
        ("cos(x^2)", "2x cos(x^2)", dict(function="sin(x^2)", wrt="x"), "chain_rule_inner_missing"),
        ("2x cos(x)", "2x sin(x) + x^2 cos(x)", dict(function="x^2 sin(x)", wrt="x"), "product_rule_as_product"),
        (
            "((x - 1) - (x + 1))/(x - 1)^2 * -1",
            "-2/(x-1)^2",
            dict(function="(x+1)/(x-1)", wrt="x"),
            "quotient_rule_sign",
        ),
        ("-2x cos(x^2)", "2x cos(x^2)", {}, "sign_error"),
        ("2x - 3", "2x + 3", {}, "term_sign_error"),
        ("4x cos(x^2)", "2x cos(x^2)", {}, "constant_factor"),
        ("2x + 5", "2x", {}, "extra_constant"),
        ("2y", "2x", dict(function="x^2 + y^2", wrt="x"), "wrong_variable"),
        ("x^2 + y^2", "2x", dict(function="x^2 + y^2", wrt="x"), "original_function"),
        ("[[2x y, 5], [x^2, cos(y)]]", "[[2x y, x^2], [5, cos(y)]]", {}, "transposed"),
        ("[[6x, 0], [0, 2x]]", "[[6x, 2y], [2y, 2x]]", {}, "missing_mixed_partials"),
        ("[[a, b]]", "(a, b)", {}, "row_for_column"),
        ("(a, b, a)", "(a, b)", {}, "wrong_shape"),
        ("a", "(a, b)", {}, "wrong_shape"),
        ("1 + x + x^2", "1 + x + x^2/2", dict(mode="taylor", point=0, order=2), "taylor_missing_factorial"),
        (
            "e + e (x - 1)",
            "1 + x",
            dict(mode="taylor", point=0, order=1, function="exp(x)"),
            "taylor_wrong_point",
        ),
        ("1 + x + x^2/2 + x^3/6", "1 + x + x^2/2", dict(mode="taylor", point=0, order=2), "taylor_wrong_degree"),
        ("1 + x^2/2", "1 + x + x^2/2", {}, "term_missing"),
        ("1 + x + x^2/2 + sin(x)", "1 + x + x^2/2", {}, "term_extra"),
    ],
)
def test_common_mistakes_are_named(answer, expected, context, tag):
    fb = check(answer, expected, **context)
    assert fb.status == "incorrect"
    assert fb.diagnosis == tag, fb.message
    assert fb.message


def test_partial_credit_names_the_wrong_entries():
    fb = check("(2x, 3, 1)", "(2x, 2, 1)")
    assert fb.status == "incorrect"
    assert fb.score == pytest.approx(2 / 3)
    assert fb.wrong_entries == ((1, 0),)
    assert "Entry 2 is not right" in fb.message


# ---- modes --------------------------------------------------------------------------


def test_form_sensitive_modes():
    assert check("x^2 + 2x + 1", "(x+1)^2", mode="expand").correct
    fb = check("(x+1)^2", "x^2 + 2x + 1", mode="expand")
    assert fb.diagnosis == "not_expanded" and fb.score == 0.5
    assert check("(x+1)(x-1)", "x^2 - 1", mode="factor").correct
    assert check("(1-x)(-1-x)", "x^2 - 1", mode="factor").correct
    assert check("x^2 - 1", "x^2 - 1", mode="factor").diagnosis == "not_factored"
    assert check("(x^2-1)(x+2)", "(x-1)(x+1)(x+2)", mode="factor").diagnosis == "not_factored"
    assert check("x + 1", "x + 1", mode="simplify").correct
    assert check("(x^2 - 1)/(x - 1)", "x + 1", mode="simplify").diagnosis == "not_simplified"


@pytest.mark.parametrize(
    "answer, expected, mode, tag",
    [
        ("2(x+1)", "2x + 2", "expand", "not_expanded"),  # SymPy multiplies it out; the learner did not
        ("2.0*(x+1)", "2x + 2", "expand", "not_expanded"),
        ("(x+1)/2", "x/2 + 1/2", "expand", "not_expanded"),
        ("sqrt((x+1)^4)", "x^2 + 2x + 1", "expand", "not_expanded"),
        ("(2x, 3(x+1))", "(2x, 3x + 3)", "expand", "not_expanded"),
        ("(2x-2)(x+1)", "2(x-1)(x+1)", "factor", "not_factored"),
        ("2x - 2", "2(x-1)", "factor", "not_factored"),
    ],
)
def test_forms_are_judged_as_written(answer, expected, mode, tag):
    fb = check(answer, expected, mode=mode)
    assert fb.diagnosis == tag and not fb.correct, fb.message


@pytest.mark.parametrize(
    "answer, expected, mode",
    [("2(x-1)(x+1)", "2x^2 - 2", "factor"), ("(x+1)/2", "x/2 + 1/2", "factor"), ("2(x - 1)", "2x - 2", "factor"),
     ("2x + 2", "2(x+1)", "expand"), ("sin(x)^2 + 2x", "sin(x)^2 + 2x", "expand")],
)
def test_forms_as_written_that_are_right(answer, expected, mode):
    assert check(answer, expected, mode=mode).correct


def test_numeric_mode_and_tolerances():
    assert check("1.0631", "1.0631049", mode="numeric").correct
    assert check("1.06", "1.0631049", mode="numeric").correct
    assert check("1.064", "1.0631049", mode="numeric").status == "incorrect"
    assert check("1.1", "1.0631049", mode="numeric").diagnosis == "too_few_digits"
    assert check("3/2", "1.5", mode="numeric").correct
    assert check("1.5", "1.52", mode="numeric", tolerance=0.02).correct
    assert check("1.5", "1.52", mode="numeric", tolerance={"abs": 0.01}).status == "incorrect"
    assert check("1.52", "1.5249", mode="numeric", tolerance={"sig": 3}).correct
    assert check("-1.0631", "1.0631049", mode="numeric").diagnosis == "sign_error"
    assert check("x", "1.5", mode="numeric").status == "invalid"


def test_taylor_mode():
    assert check("1 + x + x^2/2", "1 + x + x^2/2", mode="taylor", point=0, order=2).correct
    fb = check("1 + x + sin(x)", "1 + 2x", mode="taylor", point=0, order=1)
    assert fb.diagnosis == "not_a_polynomial"
    assert check("x - (x-1)^2/2 - 1", "(x-1) - (x-1)^2/2", mode="taylor", point=1, order=2).correct


def test_a_power_too_large_to_multiply_out_is_marked_in_taylor_mode():
    # (x + 1)^9999 is not expanded to find its degree (that takes longer than the check): its values decide
    assert check("(x + 1)^9999", "1 + x + x^2/2", mode="taylor", point=0, order=2).status == "incorrect"


def test_arguments_are_checked_eagerly():
    with pytest.raises(InvalidArgumentError, match="mode must be one of"):
        check("x", "x", mode="exact")
    with pytest.raises(InvalidArgumentError, match="needs the expansion point"):
        check("x", "x", mode="taylor")
    with pytest.raises(InvalidArgumentError, match="tolerance must be"):
        check("1", "1", mode="numeric", tolerance={"rel": -1})
    with pytest.raises(TypeError, match="learner's text"):
        check(x, "x")


# ---- promises -------------------------------------------------------------------------


def test_a_check_that_would_hang_is_stopped_at_the_bound():
    t0 = time.perf_counter()
    fb = check("(x + y + 1)^1000", "1", mode="expand", variables="x y", timeout=0.5)
    elapsed = time.perf_counter() - t0
    assert fb.status in ("undecided", "incorrect")
    assert elapsed < 0.5 + 1.0
    # and the next check works (a fresh worker)
    assert check("x", "x").correct


def test_feedback_is_a_frozen_value():
    fb = check("x", "x")
    assert isinstance(fb, Feedback)
    with pytest.raises(AttributeError):
        fb.score = 0


_tokens = st.sampled_from(
    ["x", "y", "2", "0.5", "pi", "e", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",", " ",
     "sin", "cos", "exp", "ln", "sqrt", "abs", "xy", "3.2e1", "**", "z", "sin(", "))", "((",
     "1e400", "1.00e102", "0.0", "log(0)", "tan(pi/2)", "cosh(", "10^99", "^-1", "\\frac{1}{x}", "π", "²",
     "−", "１", "e^2x", "x/2y", "sin 2x", "asin(", "9.", "(x-1)^999"]
)
grammar_text = st.lists(_tokens, max_size=25).map("".join)


_QUESTIONS = {
    "equivalent": ("2 x cos(x^2)", {}),
    "expand": ("x^2 + 2x + 1", {}),
    "factor": ("(x - 1)(x + 1)", {}),
    "simplify": ("x + 1", {}),
    "numeric": ("sqrt(2)", {"variables": ""}),
    "taylor": ("1 + x + x^2/2", {"point": 0, "order": 2}),
}


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.text(max_size=60), grammar_text), st.sampled_from(MODES),
       st.sampled_from(["x", "(x, 1)"]))
def test_check_never_raises_in_any_mode(text, mode, shape):
    expected, kwargs = _QUESTIONS[mode]
    if shape != "x" and mode not in ("taylor", "numeric"):
        expected = f"({expected}, 1)"
    fb = check(text, expected, mode=mode, timeout=2, **kwargs)
    assert isinstance(fb, Feedback)
    assert fb.status in ("correct", "incorrect", "invalid", "undecided")
    assert 0 <= fb.score <= 1


floats = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: sp.Float(v))


@given(st.one_of(expressions, floats, st.tuples(expressions, floats).map(lambda t: t[0] * t[1])))
def test_to_text_round_trips(e):
    assert parse(to_text(e)) == e


@given(expressions, st.sampled_from(["expand", "factor", "trigsimp", "together"]))
def test_rewrites_of_a_correct_answer_are_accepted(e, how):
    rewritten = getattr(sp, how)(e)
    assume(rewritten.count_ops() < 60)
    fb = check(to_text(rewritten), e, variables=SYMBOLS, timeout=5)
    assert fb.status in ("correct", "undecided"), (rewritten, fb.message)
    assert fb.status == "correct" or len(e.free_symbols) > 0


@given(expressions, st.sampled_from(["plus", "times", "drop"]), st.integers(2, 5))
def test_perturbed_answers_are_rejected_and_diagnosed(e, how, c):
    terms = sp.Add.make_args(e)
    if how == "plus":
        wrong = e + c
    elif how == "times":
        wrong = e * c
    else:
        assume(len(terms) > 1)
        wrong = sp.Add(*terms[1:])
    assume(wrong != e and e != 0)
    fb = check(to_text(wrong), e, variables=SYMBOLS, timeout=5)
    assume(fb.status != "undecided")  # defined at too few points to judge
    assert fb.status == "incorrect"
    if e.free_symbols:  # a number's diagnosis would give the number away
        assert fb.diagnosis is not None, (e, wrong, fb.message)
