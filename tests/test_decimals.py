"""The decimal policy: a typed decimal is right only as a correct rounding of the exact value."""

from __future__ import annotations

import pytest
import sympy as sp

from symtutor import check, parse
from symtutor._decimals import fits, typed_decimals


def _fits(text, c, truncate=False):
    (t,) = typed_decimals(text).values()
    return fits(t, 1, sp.sympify(c) if not isinstance(c, sp.Basic) else c, truncate)


@pytest.mark.parametrize(
    "answer, expected, kwargs",
    [
        ("1.00e10*0", "1/6", dict(variables="", mode="numeric")),
        ("1.00e102*0 + 42", "pi", dict(variables="", mode="numeric")),
        ("2.01x", "2x", {}),
        ("1.42", "sqrt(2)", dict(mode="numeric")),
        ("1.42", "sqrt(2)", {}),
        ("(9., 9.)", "(6, 6)", {}),
        ("(3. x y, x^2)", "(2x y, x^2)", {}),
        ("1. + 3 x", "2x + 1", {}),
        ("(0.3, -0.5)", "(1/5, -2/5)", {}),
        ("(0.804, 0.398)", "(4/5, 2/5)", {}),
        ("0.16", "1/6", dict(mode="numeric")),  # a truncation, not allowed here
        ("1.41 x + 0.1", "sqrt(2) x", {}),
        ("[[0.5, 1], [1, 1.1]]", "[[1/2, 1], [1, 1]]", {}),
        # SymPy's arithmetic on decimals loses the tiny one: the answer is still what was typed
        ("0.1667 + 1e-20", "1/6", dict(mode="numeric")),
        ("0.5x + 1e-35 x", "x/2", {}),
        ("x + 0.1 - 0.10000000000000001", "x", {}),
        ("[[0.5, 1e-20 + 0.5], [0, 1]]", "[[1/2, 1/2], [0, 1]]", {}),
        ("1.41421357", "sqrt(2)", dict(mode="numeric")),  # nine figures: the correct rounding only
        ("0.999999999", "1", {}),
        ("x^1.0000000000000000000000000000001", "x", {}),  # more figures than a double: no unit's slack
    ],
)
def test_decimals_that_are_not_the_right_rounding_are_wrong(answer, expected, kwargs):
    fb = check(answer, expected, **kwargs)
    assert fb.status == "incorrect", fb.message


@pytest.mark.parametrize(
    "answer, expected, kwargs",
    [
        ("1.41", "sqrt(2)", dict(mode="numeric")),
        ("1.414", "sqrt(2)", dict(mode="numeric")),
        ("1.41421356", "sqrt(2)", {}),
        ("0.167", "1/6", dict(mode="numeric")),
        ("0.5 x^2", "x^2/2", {}),
        ("0.333 x", "x/3", {}),
        ("1.41 x", "sqrt(2) x", {}),
        ("0.707 sin(x)", "sin(x)/sqrt(2)", {}),
        ("0.333 x^2 + 0.667 x + 0.333", "(x + 1)^2/3", {}),
        ("(0.800, 0.400)", "(4/5, 2/5)", {}),
        ("(0.8, 0.4)", "(4/5, 2/5)", {}),  # exact: no figures needed
        ("x^2.0", "x^2", {}),
        ("5.1e-2", "51/1000", {}),
        ("0.333333333333333", "1/3", {}),  # 1/3 correctly rounded (STACK's AlgEquiv says not the same)
        ("1.06", "1.0631049", dict(mode="numeric")),
        ("0.6666666666666666", "2/3", {}),  # as a double prints it: one unit off in the 16th figure
        ("sqrt(2.00)", "sqrt(2)", {}),
        ("0.5x + 0.5x", "x", {}),
    ],
)
def test_correct_roundings_and_exact_decimals_are_right(answer, expected, kwargs):
    fb = check(answer, expected, **kwargs)
    assert fb.status == "correct", fb.message


def test_minimum_significant_figures_apply_to_each_number():
    assert check("1.4", "sqrt(2)", mode="numeric").diagnosis == "too_few_digits"
    assert check("0.17", "1/6", mode="numeric").diagnosis == "too_few_digits"
    fb = check("(1.41, 0.33)", "(sqrt(2), 1/3)")
    assert fb.diagnosis == "too_few_digits" and fb.wrong_entries == ((1, 0),)
    assert check("1.4 x", "sqrt(2) x").diagnosis == "too_few_digits"


def test_too_few_figures_does_not_shadow_a_sign_error():
    assert check("-0.5", "1/2", mode="numeric").diagnosis == "sign_error"
    assert check("-1.41", "sqrt(2)", mode="numeric").diagnosis == "sign_error"


def test_truncation_only_where_the_question_allows_it():
    assert check("1.73", "sqrt(3)", mode="numeric").correct  # sqrt(3) = 1.7320...
    assert not check("0.166", "1/6", mode="numeric").correct
    assert check("0.166", "1/6", mode="numeric", truncate=True).correct


def test_a_tolerance_comes_from_the_question():
    assert check("1.5", "1.52", mode="numeric", tolerance=0.02).correct
    assert not check("1.5", "1.52", mode="numeric", tolerance={"abs": 0.01}).correct


def test_rounding_oracle():
    # the rounding itself, against Python's decimal module
    from decimal import ROUND_HALF_UP, Decimal

    for num, den in [(1, 3), (2, 3), (1, 7), (22, 7), (5, 8), (1, 16)]:
        for places in (1, 2, 3, 4):
            r = Decimal(num) / Decimal(den)
            text = str(r.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
            assert _fits(text, sp.Rational(num, den)), (text, num, den)
            wrong = str(Decimal(text) + Decimal(1).scaleb(-places))
            assert not _fits(wrong, sp.Rational(num, den)), (wrong, num, den)
    assert _fits("1.41", sp.sqrt(2)) and not _fits("1.42", sp.sqrt(2))
    assert _fits("0.166", sp.Rational(1, 6), truncate=True) and not _fits("0.166", sp.Rational(1, 6))


@pytest.mark.parametrize("expected", ["1/6", "sqrt(2)", "pi", "exp(1)", "1/7", "log(2)/3"])
def test_a_long_decimal_one_unit_off_is_wrong_unless_a_double_prints_it(expected):
    # ten to seventeen figures: the correct rounding, or a value within two units of a double's last place
    import mpmath
    from decimal import Decimal

    value = parse(expected)
    with mpmath.workdps(60):
        exact = mpmath.mpf(sp.N(value, 60)._mpf_)
        ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - 52)
        for sig in range(10, 21):
            right = Decimal(mpmath.nstr(exact, sig, strip_zeros=False))
            unit = Decimal(1).scaleb(right.adjusted() - sig + 1)
            assert check(str(right), value, variables="", mode="numeric").correct, (right, expected)
            for off in (right + unit, right - unit):
                within = sig <= 17 and abs(mpmath.mpf(str(off)) - exact) <= 2 * ulp
                fb = check(str(off), value, variables="", mode="numeric")
                assert fb.correct == within, (str(off), expected, sig)
                assert check(str(off), value, variables="").correct == within
    # what a double prints for the value is right (numpy's repr of 1/6, 2/3, sqrt(2))
    for text, exact_text in [(repr(1 / 6), "1/6"), (repr(2 / 3), "2/3"), (repr(2**0.5), "sqrt(2)")]:
        assert check(text, exact_text, variables="").correct, text


def test_a_decimal_and_its_negative_in_one_answer():
    # 2.5 and -2.5 both typed: the decimals are read in a fixed order, not compared as SymPy booleans
    assert check("x^2 - 2.5x + 2.5", "x^2 - 5/2 x + 5/2").correct
    assert check("(x - 0.5)(x + 0.5)", "x^2 - 1/4").correct
    fb = check("abs(x - 2.5) + 2.5", "x")
    assert fb.status == "incorrect"


@pytest.mark.parametrize("answer, expected, kwargs", [
    ("2.0x", "2.0x", {}), ("0.5x", "0.5x", {}), ("0.50x", "0.5x", {}), ("[[2, 0.5 x], [1, x]]", "[[2, 0.5 x], [1, x]]", {}),
    ("0.500", "0.5", {}), ("0.150", "0.15", {}), ("0.500", "0.5", dict(mode="numeric"))])
def test_the_questions_own_decimal_typed_as_written_is_right(answer, expected, kwargs):
    # in an expression, not a rounding of the question's 0.5 to too few figures: the very number
    assert check(answer, expected, **kwargs).correct


@pytest.mark.parametrize("answer, expected", [("0.5", "0.5"), ("0.15", "0.15"), ("(0.5, 1.00)", "(0.5, 1)")])
def test_a_number_answer_needs_its_figures_even_as_the_question_writes_it(answer, expected):
    # as the exported STACK question asks (NumSigFigs): a number is given to three figures at least
    fb = check(answer, expected)
    assert fb.status == "incorrect" and fb.diagnosis == "too_few_digits", fb.message


def test_a_questions_decimal_is_rounded_as_written_not_as_the_double_below_it():
    # the double nearest 0.15 is just below it: 0.1 is still no rounding of 0.15
    fb = check("0.1", "0.15")
    assert fb.status == "incorrect" and fb.diagnosis is None
