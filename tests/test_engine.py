"""The SymPy <-> SymEngine bridge: canonical rebuilds, fallbacks."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given

from symtutor._engine import Bridge, Unsupported

from .conftest import expressions

x, y = sp.symbols("x y")


@given(expressions)
def test_round_trip_rebuilds_the_same_sympy_object(e):
    b = Bridge([e])
    assert b.from_engine(b.to_engine(e)) == e


@given(expressions)
def test_round_trip_without_opaque_exp_is_equivalent(e):
    b = Bridge([e], opaque_exp=False)
    back = b.from_engine(b.to_engine(e))
    assert back == e or sp.simplify(back - e) == 0


@pytest.mark.parametrize(
    "e",
    [
        sp.Float(0.5) * x,
        sp.Function("f")(x),
        sp.Symbol("p", positive=True) * x,
        sp.Dummy("d") + x,
        sp.Abs(x),
        sp.I * x,
    ],
)
def test_what_the_fast_path_does_not_translate(e):
    with pytest.raises(Unsupported):
        b = Bridge([e])
        b.to_engine(e)


def test_two_symbols_with_one_name_are_refused():
    with pytest.raises(Unsupported):
        Bridge([sp.Symbol("x") + sp.Symbol("x", real=True)])


def test_products_of_exponentials_stay_apart_as_in_sympy():
    e = sp.exp(x) * sp.exp(sp.exp(x))
    b = Bridge([e])
    xe = b.to_engine(x)
    d = b.from_engine(b.to_engine(e).diff(xe))
    assert d == sp.diff(e, x)
    assert d.has(sp.exp(x + sp.exp(x))) is False
