"""validate(): how an answer is read; hostile text; every answer symtutor renders reads back."""

from __future__ import annotations

import time

import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symtutor
from symtutor import AmbiguousInputError, ParseError, Validation, expr_latex, parse, to_text, validate

from .conftest import expressions

x, y = sp.symbols("x y")


def test_ok_ambiguous_and_invalid():
    v = validate("sin 2x")
    assert v == Validation("ok", "sin(2*x)", r"\sin\left(2 x\right)", (), "Read as sin(2*x).")
    v = validate("e^2x")
    assert v.status == "ambiguous"
    assert v.readings == (("e^(2*x)", "e^{2 x}"), ("e^2*x", r"e^{2} \cdot x"))
    assert v.message == "`e^2x` could mean e^(2x) or e^2·x: add brackets to say which."
    v = validate("x +")
    assert v.status == "invalid" and v.readings == () and v.message == "The '+' has nothing after it."
    assert validate("q", variables="x").status == "invalid"
    assert validate("f(x)", functions=["f"]).status == "ok"


def test_brackets_are_never_ambiguous():
    for text in ("e^(2x)", "(e^2)x", "x/(2y)", "(x/2)y", "sin(x)/2", "sin(x/2)", "x^(2y)", "(x^2)y"):
        assert validate(text).status == "ok", text


@pytest.mark.parametrize("text", ["e^2x", "x/2y", "1/2x", "x^2y", "sin x/2", "e^-x y z/2w"])
def test_parse_raises_what_validate_reports(text):
    v = validate(text)
    assert v.status == "ambiguous" and len(v.readings) == 2
    with pytest.raises(AmbiguousInputError) as info:
        parse(text)
    assert info.value.readings == v.readings


def test_validate_reads_what_parse_reads():
    for text in ("２x²", r"\frac{1}{x}", "sin^-1 x", "log_2(x)", "(1, 2)", "[[1, 2], [3, 4]]"):
        v = validate(text)
        assert v.status == "ok"
        assert parse(v.text) == parse(text)
        assert parse(v.latex) == parse(text)


def test_too_long_or_odd_arguments_are_invalid_not_raised():
    assert validate("x" * 100_000).status == "invalid"
    assert validate(None).status == "invalid"  # type: ignore[arg-type]
    assert "too many digits" in validate("１" * 4999).message


_ALPHABET = st.sampled_from(
    list("0123456789xyze.+-*/^()[],{}_ &$|'!")
    + ["sin", "cos", "log", "ln", "sqrt", "exp", "e", "pi", "log_", "^-1", " "]
    + ["\\frac", "\\sqrt", "\\left(", "\\right)", "\\left|", "\\right|", "\\cdot", "\\sin", "\\pi",
       "\\begin{pmatrix}", "\\end{pmatrix}", "\\\\", "\\,", "\\operatorname", "\\mathrm", "\\theta"]
    + list("π·×÷−–²³ⁿ⁻¹⁽⁾√∛∞１٣३₂θ½\u200b")
)
_ALPHABET = st.one_of(_ALPHABET, st.characters())


@settings(max_examples=250)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
@example("e^2x")
@example("\\frac{" * 200)
@example("\\sqrt[" * 50 + "x")
@example("x^" * 300 + "x")
@example("sin^-1^-1^-1 x")
@example("log_log_log_x")
@example("\\begin{pmatrix}\\begin{pmatrix}a\\end{pmatrix}\\end{pmatrix}")
@example("⁽" * 200)
@example("9^9^9^9")
@example("\\left|\\left|x\\right|")
def test_hostile_text_never_raises_anything_but_a_parse_error(text):
    t0 = time.perf_counter()
    try:
        parse(text)
    except ParseError:
        pass
    v = validate(text)
    assert v.status in ("ok", "ambiguous", "invalid")
    assert time.perf_counter() - t0 < 2.0
    if v.status == "ok":
        assert parse(v.text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "x^(" * 2000,
        "\\frac{1}{" * 1000 + "x" + "}" * 1000,
        "\\left(" * 2000 + "x" + "\\right)" * 2000,
        "sin " * 1000 + "x",
        "1/2x" * 1000,
        "e^2x " * 800,
        "²" * 4999,
        "٣" * 4999,
        "$" * 4999,
        "\\frac" * 900,
        "\\sqrt" * 900,
        "\\mathrm" * 600,
        "\\frac1" * 800,
        "\\frac\\sqrt" * 400,
        "_{" * 2000,
        "|" * 4999,
        "sin^" * 1000 + "x",
        "log_" * 1000 + "x",
    ],
)
def test_hostile_text_is_refused_fast(text):
    t0 = time.perf_counter()
    with pytest.raises(ParseError):
        parse(text)
    assert validate(text).status != "ok"
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize(
    "text",
    [
        "exp(2exp(2exp(2exp(2exp(2)))))",
        "cosh(cosh(2.0e102))",
        "log2 log2 log2 log2 log2 log2 log2 log2 log2 log2 \\sin",
        "log(2log(2log(2log(2log(2log(2))))))",
        "exp(exp(10^99))",
        "asin(sin(1e400))",
        "sinh(sinh(sinh(sinh(9))))",
        "e^e^e^e^e^e",
        "2^exp(2exp(2exp(2)))",
    ],
)
def test_towers_of_numbers_are_read_fast_or_refused(text):
    t0 = time.perf_counter()
    try:
        parse(text)
    except ParseError:
        pass
    assert validate(text).status in ("ok", "invalid")
    assert time.perf_counter() - t0 < 2.0


# --- round trips ----------------------------------------------------------------------


@given(expressions)
def test_text_and_latex_read_back(e):
    assert parse(to_text(e)) == e
    back = parse(expr_latex(e))
    assert back == e or sp.expand(back - e) == 0


@pytest.mark.parametrize("topic", sorted(symtutor.topics()))
def test_every_rendered_answer_reads_back(topic):
    for difficulty in (1, 2, 3):
        for seed in range(2):
            ex = symtutor.generate(topic, difficulty=difficulty, seed=seed)
            answer = ex.answer
            names = [str(v) for v in ex.variables] or None
            for text in (expr_latex(answer), to_text(answer)):
                back = parse(text, variables=names)
                assert _same(back, answer), (topic, difficulty, seed, text, back, answer)
                assert validate(text, variables=names).status == "ok"


def _same(back, answer) -> bool:
    """Equal, or equal once expanded; a float reads back to the digits it was printed with."""
    if isinstance(answer, sp.MatrixBase):
        return back.shape == answer.shape and all(_same(a, b) for a, b in zip(back, answer))
    if back == answer or sp.expand(back - answer) == 0:
        return True
    if answer.has(sp.Float):
        diff = abs(complex(sp.N(back - answer, 30)))
        return diff <= 1e-15 * max(1.0, abs(complex(sp.N(answer, 30))))
    return False
