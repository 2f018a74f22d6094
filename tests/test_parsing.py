"""The safe parser: syntax, the implied-multiplication policy, errors and bounds."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from symtutor import ParseError, parse

x, y, r, a, b = sp.symbols("x y r a b")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2x cos(x^2)", 2 * x * sp.cos(x**2)),
        ("x y", x * y),
        ("2(x+1)", 2 * x + 2),
        ("(x+1)(x-1)", (x + 1) * (x - 1)),
        ("x sin(x)", x * sp.sin(x)),
        ("2 pi r", 2 * sp.pi * r),
        ("x**2 + x^3", x**2 + x**3),
        ("-x^2", -(x**2)),
        ("2^-1", sp.Rational(1, 2)),
        ("x^-2", x**-2),
        ("2^3^2", sp.Integer(512)),
        ("e^(x y)", sp.exp(x * y)),
        ("exp(x)", sp.exp(x)),
        ("ln(x) + log(x)", 2 * sp.log(x)),
        ("log(x, 2)", sp.log(x) / sp.log(2)),
        ("sqrt(x) abs(x)", sp.sqrt(x) * sp.Abs(x)),
        ("arcsin(x) + asin(x)", 2 * sp.asin(x)),
        ("arctan(x) - atan(x)", sp.Integer(0)),
        ("sec(x) csc(x) cot(x)", sp.sec(x) * sp.csc(x) * sp.cot(x)),
        ("sinh(x) cosh(x) tanh(x)", sp.sinh(x) * sp.cosh(x) * sp.tanh(x)),
        ("sin x^2", sp.sin(x**2)),
        ("sin^2(x)", sp.sin(x) ** 2),
        ("1.0631", sp.Float("1.0631", 15)),
        ("2.5e-3", sp.Float("2.5e-3", 15)),
        ("3e2", sp.Integer(300)),
        ("x/2/y", x / (2 * y)),
    ],
)
def test_syntax(text, expected):
    assert parse(text) == expected


def test_vectors_and_matrices():
    assert parse("(a, b)") == sp.Matrix([a, b])
    assert parse("[a, b]") == sp.Matrix([a, b])
    assert parse("[[2, 0], [0, 6y]]") == sp.Matrix([[2, 0], [0, 6 * y]])
    assert parse("e^(x y)(y, x)") == sp.exp(x * y) * sp.Matrix([y, x])


def test_declared_names_split_runs_of_letters():
    assert parse("xy", variables=["x", "y"]) == x * y
    assert parse("2xy^2", variables="x y") == 2 * x * y**2
    assert parse("xsin(x)", variables=["x"]) == x * sp.sin(x)
    assert parse("pix", variables=["x"]) == sp.pi * x
    # a declared multi-letter name wins over splitting
    xy = sp.Symbol("xy")
    assert parse("xy", variables=["xy", "x", "y"]) == xy


def test_e_as_a_variable_when_declared():
    e = sp.Symbol("e")
    assert parse("e x", variables=["e", "x"]) == e * x
    assert parse("e x", variables=["x"]) == sp.E * x


def test_undefined_functions_when_named():
    f = sp.Function("f")
    assert parse("f(x) x", functions=["f"]) == f(x) * x
    assert parse("x(x+1)") == x * (x + 1)


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("", "empty", 0),
        ("   ", "empty", 0),
        ("(x + 1", "never closed", 0),
        ("x + 1)", "no matching opening bracket", 5),
        ("[x, y)", r"closed by '\)'", 5),
        ("x +", "nothing after it", 2),
        ("* x", "nothing before it", 0),
        ("x ^", "no exponent", 2),
        ("foo(x)", "Unknown function 'foo'", 0),
        ("Sin(x)", "did you mean 'sin'", 0),
        ("x = 2", "without '='", 2),
        ("x {1}", r"Use \( \) or \[ \]", 2),
        ("sin()", "needs an argument", 3),
        ("log(x, 2, 3)", "takes 1 to 2 arguments", 0),
    ],
)
def test_errors_explain_and_point(text, message, position):
    with pytest.raises(ParseError, match=message) as info:
        parse(text)
    assert info.value.position == position
    assert isinstance(info.value, ValueError)


def test_unknown_names_with_declared_variables():
    with pytest.raises(ParseError, match="Unknown name 'z'") as info:
        parse("x + z", variables=["x", "y"])
    assert info.value.position == 4
    with pytest.raises(ParseError, match="Did you mean 'theta'"):
        parse("thetta", variables=["theta"])
    with pytest.raises(ParseError, match="Unknown name 'q'"):
        parse("q", variables=["x"])


def test_shape_errors():
    with pytest.raises(ParseError, match="shapes do not fit"):
        parse("(1, 2) + (1, 2, 3)")
    with pytest.raises(ParseError, match="different lengths"):
        parse("[[1, 2], [3]]")
    with pytest.raises(ParseError, match="Cannot divide by a vector"):
        parse("1/(x, y)")


@pytest.mark.parametrize(
    "text, message",
    [
        ("9^9^9^9", "too large"),
        ("x^(10^100)", "too large"),
        ("10^10^10", "too large"),
        ("(" * 10_000 + "x" + ")" * 10_000, "too long"),
        ("(" * 200 + "x" + ")" * 200, "nested too deeply"),
        ("sin(" * 200 + "x" + ")" * 200, "nested too deeply"),
        ("x+" * 500_000 + "x", "too long"),
        ("1" * 200, "too many digits"),
        ("1e999", "out of range"),
        ("-" * 3000 + "x", "too"),
    ],
)
def test_hostile_input_is_refused_fast(text, message):
    t0 = time.perf_counter()
    with pytest.raises(ParseError, match=message):
        parse(text)
    assert time.perf_counter() - t0 < 1.0


def test_parse_takes_text_only():
    with pytest.raises(TypeError):
        parse(42)


def test_read_echoes_the_structure_it_understood():
    from symtutor.parsing import read

    r = read("2x cos(x^2)")
    assert r.value == 2 * x * sp.cos(x**2)
    assert r.text == "2*x*cos(x^2)"
    assert r.latex == r"2 x \cdot \cos\left(x^{2}\right)"
    assert read("xy^2", variables="x y").text == "x*y^2"
    assert read("-(a+b) c").text == "-(a + b)*c"
    assert read("(x+1)/(x-1)^2").latex == r"\frac{x + 1}{\left(x - 1\right)^{2}}"
    assert read("[[a, b], [c, d]]").latex == r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}"
    assert read("e^(x y)(y, x)").text == "e^(x*y)*(y, x)"


def test_division_by_zero_is_a_parse_error():
    with pytest.raises(ParseError, match="Division by zero"):
        parse("1/0")
    with pytest.raises(ParseError, match="Division by zero"):
        parse("x/(1 - 1)")
