"""The registry of known functions: every entry parses, differentiates with steps, renders and compiles."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from symtutor import derivative_steps, expr_latex, parse, to_numpy, to_text
from symtutor.functions import FUNCTIONS, NAMES, by_name
from symtutor.steps import FallbackRule

x = sp.Symbol("x")

# points inside each function's real domain
_POINTS = {"acosh": (1.5, 2.5), "asec": (1.5, -2.5), "acsc": (1.5, -2.5), "acoth": (1.5, -2.5)}
_DEFAULT = (0.3, 0.7)

ENTRIES = sorted({f.name: f for f in NAMES.values()}.values(), key=lambda f: f.name)


@pytest.mark.parametrize("f", ENTRIES, ids=lambda f: f.name)
def test_every_name_parses_to_the_constructor(f):
    for name in f.names:
        assert parse(f"{name}(x)") == f.sympy(x)
        assert parse(f"{name} x") == f.sympy(x)


@pytest.mark.parametrize("f", ENTRIES, ids=lambda f: f.name)
def test_text_and_latex_read_back(f):
    e = f.sympy(x)
    assert parse(to_text(e)) == e
    assert parse(expr_latex(e)) == e
    composed = f.sympy(2 * x + 1)
    assert parse(expr_latex(composed)) == composed


@pytest.mark.parametrize("f", ENTRIES, ids=lambda f: f.name)
def test_steps_agree_with_sympy(f):
    if f.name == "abs":
        pytest.skip("SymPy differentiates |x| of a complex symbol; the steps hand it to SymPy")
    e = f.sympy(x**2 + 1) if f.name not in ("asin", "acos", "atanh") else f.sympy(x / 3)
    steps = derivative_steps(e, x)
    if f.derivative is not None:
        assert not any(isinstance(s, FallbackRule) for s in _walk(steps))
    result = steps.eval()
    oracle = sp.diff(e, x)
    for p in _POINTS.get(f.name, _DEFAULT):
        if f.name in ("acosh", "asec", "acsc", "acoth"):
            p = math.sqrt(p * p - 1) if f.name != "acoth" else p  # keep x^2 + 1 inside the domain
        a = complex(result.evalf(30, subs={x: p}))
        b = complex(oracle.evalf(30, subs={x: p}))
        assert abs(a - b) <= 1e-20 * max(1, abs(b))


@pytest.mark.parametrize("f", ENTRIES, ids=lambda f: f.name)
def test_numpy_agrees_with_evalf(f):
    e = f.sympy(x)
    fn = to_numpy(e, [x])
    for p in _POINTS.get(f.name, _DEFAULT):
        got = float(fn(p))
        want = float(e.evalf(30, subs={x: p}))
        assert got == pytest.approx(want, rel=1e-12)


def test_the_registry_is_one_table():
    import symtutor._engine as engine
    import symtutor._numeval as numeval
    import symtutor.numeric as numeric
    import symtutor.steps as steps

    for cls, f in FUNCTIONS.items():
        assert numeric._UNARY.get(cls, None) is f.numpy or cls is sp.log
        # the evaluator takes the registry's function, or its guarded form (domains, argument sizes)
        assert numeval._FUNCS.get(cls, None) is f.mpmath or cls is sp.log or cls in numeval._GUARDED
        if f.symengine:
            assert cls in engine._FUNCS
        if f.derivative is not None:
            assert cls in steps._TRIG or cls in steps._INVERSE_TRIG or cls in steps._HYPERBOLIC
    assert by_name("arcsin") is by_name("asin")
    with pytest.raises(KeyError):
        by_name("foo")


def _walk(step):
    yield step
    for child in getattr(step, "children", ()):
        yield from _walk(child)
