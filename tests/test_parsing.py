"""The safe parser: syntax, the implied-multiplication policy, errors and bounds."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from symtutor import AmbiguousInputError, ParseError, parse
from symtutor import expr_latex
from symtutor.parsing import read

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
        ("x }", "no matching '{'", 2),
        ("x ; 1", "Unexpected character", 2),
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


# --- paper notation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sin 2x", sp.sin(2 * x)),
        ("4cos 4x", 4 * sp.cos(4 * x)),
        ("sin x cos x", sp.sin(x) * sp.cos(x)),
        ("sin x^2", sp.sin(x**2)),
        ("sin 2x^2 + 1", sp.sin(2 * x**2) + 1),
        ("sin^2 x", sp.sin(x) ** 2),
        ("sin^2x", sp.sin(x) ** 2),
        ("cos^3(2x)", sp.cos(2 * x) ** 3),
        ("sin^-1(x)", sp.asin(x)),
        ("sin^(-1) x", sp.asin(x)),
        ("cos^-1 x", sp.acos(x)),
        ("tan^-1(x)", sp.atan(x)),
        ("tanh^-1 x", sp.atanh(x)),
        ("log_2(x)", sp.log(x, 2)),
        ("log_10 x", sp.log(x, 10)),
        ("log_b(x)", sp.log(x, b)),
        ("log_2x", sp.log(x, 2)),
        ("log_(b)(x)", sp.log(x, b)),
        ("ln x", sp.log(x)),
        ("ln 2x + 1", sp.log(2 * x) + 1),
        ("sin -x", sp.sin(-x)),
        ("2 sin x + x", 2 * sp.sin(x) + x),
        ("e^2 x", sp.exp(2) * x),
        ("e^x(x+1)", sp.exp(x) * (x + 1)),
        ("e^(2)x", sp.exp(2) * x),
        ("e^(2x)", sp.exp(2 * x)),
        ("x^2 y", x**2 * y),
        ("x/(2y)", x / (2 * y)),
        ("(x/2)y", x * y / 2),
        ("x/2*y", x * y / 2),
        ("x/2 y", x * y / 2),
        ("1/2 x", x / 2),
        ("1/(x+1) x", x / (x + 1)),
        ("1/sin(x) cos(x)", sp.cos(x) / sp.sin(x)),
        ("sin(x)/2", sp.sin(x) / 2),
        ("sin(x/2)", sp.sin(x / 2)),
        ("sin(2)x", sp.sin(2) * x),
        ("coth x", sp.coth(x)),
        ("sinx", sp.sin(x)),
        ("sin2x", sp.sin(2 * x)),
        ("2cosx", 2 * sp.cos(x)),
        ("lnx", sp.log(x)),
        ("|x|", sp.Abs(x)),
        ("ln|x| + 2|x - 1|", sp.log(sp.Abs(x)) + 2 * sp.Abs(x - 1)),
        ("|x|^2 |y|", sp.Abs(x) ** 2 * sp.Abs(y)),
        ("log2(x)", sp.log(x, 2)),
        ("log10(x)", sp.log(x, 10)),
        ("⟨1, 2⟩", sp.Matrix([1, 2])),
        ("cbrt(8x)", 2 * sp.cbrt(x)),
    ],
)
def test_paper_notation_is_read_as_written(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, first, second",
    [
        ("e^2x", "e^(2*x)", "e^2*x"),
        ("e^-2x", "e^(-2*x)", "e^(-2)*x"),
        ("x/2y", "x/(2*y)", "x/2*y"),
        ("1/2x", "1/(2*x)", "1/2*x"),
        ("x^2y", "x^(2*y)", "x^2*y"),
        ("sin x/2", "sin(x/2)", "sin(x)/2"),
        ("sin 2*x", "sin(2*x)", "sin(2)*x"),
        ("(x+1)/2(x-1)", "(x + 1)/(2*(x - 1))", "(x + 1)/2*(x - 1)"),
        ("3 + e^2x", "3 + e^(2*x)", "3 + e^2*x"),
        ("log2x", "log(x, 2)", "log(2*x)"),
        ("log2 x", "log(x, 2)", "log(2*x)"),
        # is the quotient after a bracketless exponent part of it?
        ("x^1/2", "x^(1/2)", "x^(1)/2"),
        ("x^-1/2", "x^(-1/2)", "x^(-1)/2"),
        ("e^-x^2/2", "e^(-x^2/2)", "e^(-x^2)/2"),
    ],
)
def test_ambiguous_readings_are_shown_not_guessed(text, first, second):
    with pytest.raises(AmbiguousInputError) as info:
        parse(text)
    err = info.value
    assert [t for t, _ in err.readings] == [first, second]
    assert "add brackets" in err.message
    assert isinstance(err, ParseError) and isinstance(err, ValueError)
    # each reading, typed as shown, reads without doubt and differently
    values = [parse(t) for t, _ in err.readings]
    assert values[0] != values[1]
    assert all(sp.simplify(parse(tex) - v) == 0 for (_, tex), v in zip(err.readings, values))


def test_ambiguity_with_declared_names():
    with pytest.raises(AmbiguousInputError) as info:
        parse("a/bc", variables="a b c")
    assert [t for t, _ in info.value.readings] == ["a/(b*c)", "a/b*c"]
    with pytest.raises(AmbiguousInputError):
        parse("e^xy", variables="x y")
    assert parse("e^(xy)", variables="x y") == sp.exp(x * y)


def test_the_message_names_both_readings():
    with pytest.raises(AmbiguousInputError) as info:
        parse("e^2x")
    assert info.value.message == "`e^2x` could mean e^(2x) or e^2·x: add brackets to say which."


@pytest.mark.parametrize("text", ["log^-1(x)", "log_0(x)", "log_1 x", "log_", "sin^-1", "||x||", "|x", "|(1, 2)|"])
def test_unclear_function_notation_is_an_error(text):
    with pytest.raises(ParseError):
        parse(text)


# --- Unicode and pasted LaTeX ----------------------------------------------------------

theta = sp.Symbol("theta")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("π", sp.pi),
        ("2πr", 2 * sp.pi * r),
        ("2·x", 2 * x),
        ("3×x", 3 * x),
        ("x÷2", x / 2),
        ("x − 1", x - 1),
        ("x – 1", x - 1),
        ("x²", x**2),
        ("x³ + x⁻¹", x**3 + 1 / x),
        ("xⁿ", x ** sp.Symbol("n")),
        ("x²y", x**2 * y),
        ("e⁽ˣ⁺¹⁾", sp.exp(x + 1)),
        ("e²ˣ", sp.exp(2 * x)),
        ("√x", sp.sqrt(x)),
        ("2√(x+1)", 2 * sp.sqrt(x + 1)),
        ("∛x", sp.cbrt(x)),
        ("∞", sp.oo),
        ("１.５", sp.Float("1.5", 15)),
        ("（x＋１）²", (x + 1) ** 2),
        ("٣x", 3 * x),
        ("x^२", x**2),
        ("sin⁻¹x", sp.asin(x)),
        ("sin²x", sp.sin(x) ** 2),
        ("log₂(x)", sp.log(x, 2)),
        ("θ²", theta**2),
        ("½x", x / 2),
    ],
)
def test_unicode_maths(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"\frac{1}{x}", 1 / x),
        (r"\dfrac{x}{2} + \tfrac12", x / 2 + sp.Rational(1, 2)),
        (r"\sqrt{x}", sp.sqrt(x)),
        (r"\sqrt[3]{x}", sp.cbrt(x)),
        (r"x^{2}", x**2),
        (r"e^{-x}", sp.exp(-x)),
        (r"\mathrm{e}^{2x}", sp.exp(2 * x)),
        (r"\log_{2} x", sp.log(x, 2)),
        (r"\log_{10}(x)", sp.log(x, 10)),
        (r"x \cdot y", x * y),
        (r"x \times y", x * y),
        (r"x \div 2", x / 2),
        (r"\left(x+1\right)^{2}", (x + 1) ** 2),
        (r"2\left[x+1\right]", 2 * x + 2),
        (r"\{x+1\}", x + 1),
        (r"\sin x + \cos x", sp.sin(x) + sp.cos(x)),
        (r"\ln x \cdot \exp(x)", sp.log(x) * sp.exp(x)),
        (r"\arcsin x + \arccos x + \arctan x", sp.asin(x) + sp.acos(x) + sp.atan(x)),
        (r"\sinh x \cosh x \tanh x", sp.sinh(x) * sp.cosh(x) * sp.tanh(x)),
        (r"\sin^{2}{\left(x \right)}", sp.sin(x) ** 2),
        (r"\sin^{-1} x", sp.asin(x)),
        (r"\pi r^2", sp.pi * r**2),
        (r"\theta^{2}", theta**2),
        (r"\left|{x}\right|", sp.Abs(x)),
        (r"\operatorname{asinh}{\left(x \right)}", sp.asinh(x)),
        (r"\,x\;+\!y\:", x + y),
        (r"$x^2$", x**2),
        (r"\(x^2\)", x**2),
        (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", sp.Matrix([[a, b], [r, y]]).subs({r: sp.Symbol("c"), y: sp.Symbol("d")})),
        (r"\begin{bmatrix} a \\ b \end{bmatrix}", sp.Matrix([a, b])),
        (r"\left[\begin{matrix}1 & 2\\3 & 4\end{matrix}\right]", sp.Matrix([[1, 2], [3, 4]])),
    ],
)
def test_pasted_latex(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}", "determinant"),
        (r"\frac{1}{x", "never closed"),
        (r"\foo x", r"Unknown LaTeX command \\foo"),
        (r"a & b", "matrix"),
        (r"\begin{pmatrix} a & b", "never closed"),
        (r"\begin{pmatrix} a \end{bmatrix}", "closed by"),
        (r"\pm 1", "two answers"),
        ("x ☃ 1", "Unexpected character"),
    ],
)
def test_latex_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text)


def test_digit_cap_counts_every_kind_of_digit():
    for digit in ("１", "٣", "३", "1"):
        with pytest.raises(ParseError, match="too many digits"):
            parse(digit * 4999)
    with pytest.raises(ParseError, match="too long"):
        parse("１" * 5001)


def test_latex_under_the_same_caps():
    deep = r"\frac{" * 150 + "1" + "}{2}" * 150
    with pytest.raises(ParseError, match="nested too deeply"):
        parse(deep)
    with pytest.raises(ParseError, match="too large"):
        parse(r"x^{10^{100}}")
    with pytest.raises(ParseError, match="too many digits"):
        parse(r"\frac{" + "9" * 200 + "}{2}")


def test_subscripts_match_declared_names():
    x1, x_2 = sp.Symbol("x1"), sp.Symbol("x_2")
    assert parse(r"x_{1} + x_{2}", variables=["x1", "x_2"]) == x1 + x_2
    assert parse("x_1 x2", variables=["x1", "x_2"]) == x1 * x_2
    assert parse(expr_latex(x1**2 + x_2), variables=["x1", "x_2"]) == x1**2 + x_2
