"""Maxima written for STACK reads back, through symtutor's parser, as the expression it came from."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from symtutor import parse
from symtutor.exercises.sets import load_spec
from symtutor.export.maxima import from_maxima, to_maxima
from symtutor.export.stack import stack_plan

from .stack_rules import check_maxima

SPECS = sorted((Path(__file__).resolve().parent.parent / "symtutor" / "data" / "exercises").glob("week*.yaml"))
x, y, t = sp.symbols("x y t")


def _back(value, variables=None):
    out = parse(from_maxima(to_maxima(value)), variables=variables)
    return sp.ImmutableMatrix(out) if isinstance(out, sp.MatrixBase) else out


def _equal(a, b) -> bool:
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        return a.shape == b.shape and all(_equal(u, v) for u, v in zip(a, b))
    return a == b or sp.simplify(a - b) == 0


@pytest.mark.parametrize("value", [
    sp.exp(2 * x) * sp.pi, x**-2, sp.sqrt(2) * x / sp.sqrt(sp.pi), sp.Rational(-3, 4) / x**3, sp.log(x) + sp.E,
    sp.tanh(x) ** 2 - sp.Abs(y), sp.Float("0.00001") * x, sp.Float("-3.76021397219745"), -(1 - t) ** 2 * sp.exp(t),
    sp.atan(x / y), sp.Matrix([[x, -y], [sp.cos(x), 0]]), sp.Matrix([sp.Float("2.52062"), sp.Float("3.22981")]),
    x ** sp.Rational(1, 3), (x + 1) ** -sp.Rational(1, 2), sp.exp(-(x - y) ** 2 / (2 * t**2)),
])
def test_tricky_expressions_round_trip(value):
    text = to_maxima(value)
    check_maxima(text)
    assert "**" not in text and "e-" not in text.replace("exp", "")
    assert _equal(_back(value, ["x", "y", "t"]), value)


def test_every_answer_and_every_node_value_of_the_six_weeks_round_trips():
    count = 0
    for path in SPECS:
        for ex in load_spec(path).items:
            plan = stack_plan(ex)
            if plan.inputs[0][2] == "ta1":  # a number per input
                entries = list(ex.answer) if isinstance(ex.answer, sp.MatrixBase) else [ex.answer]
                intended = {f"ta{k + 1}": v for k, v in enumerate(entries)}
            else:
                intended = {"ta": ex.answer}
            intended.update({f"w{k + 1}": w.value for k, w in enumerate(plan.wrong)})
            written = dict(plan.variables)
            assert set(written) == set(intended), ex.id
            for name, value in written.items():
                text = to_maxima(value)
                check_maxima(text)
                assert len(text) < 2000
                assert _equal(_back(value, ex.variables or None), intended[name]), (ex.id, name, text)
                count += 1
    assert count > 100


def _intended(ex, tag: str, message: str):
    """The wrong answer a tag names, worked out here from its definition (None when not worked out here)."""
    from symtutor.diagnosis import BUGS, buggy_derivative

    b, opts = ex.answer, dict(ex.options)
    f, wrt = opts.get("function"), opts.get("wrt")
    if tag == "sign_error":
        return -b
    if tag == "transposed":
        return b.T
    if tag == "missing_mixed_partials":
        return sp.ImmutableMatrix(sp.diag(*[b[i, i] for i in range(b.rows)]))
    if tag == "components_swapped":
        return sp.ImmutableMatrix(list(b)[::-1])
    if f is None:
        return None
    symbols = {s.name: s for s in f.free_symbols}
    if tag in BUGS:
        return buggy_derivative(f, symbols[wrt], tag)
    if tag == "original_function":
        return f
    if tag == "wrong_variable":
        used = message.split("respect to ", 1)[1].split(" ", 1)[0]
        return sp.diff(f, symbols[used])
    if len(ex.variables) != 1:
        return None
    x = symbols.get(ex.variables[0], sp.Symbol(ex.variables[0]))
    a, order = opts["point"][0], opts["order"]
    if tag == "taylor_missing_factorial":  # the derivatives at a, not divided by n!
        return sum(sp.diff(f, x, n).subs(x, a) * (x - a) ** n for n in range(order + 1))
    if tag == "taylor_wrong_point":
        used = sp.Rational(message.split("about x = ", 1)[1].split(",", 1)[0])
        return sp.series(f, x, used, order + 1).removeO()
    return None


def test_every_wrong_answer_is_the_mistake_its_tag_names():
    checked = set()
    for path in SPECS:
        for ex in load_spec(path).items:
            for k, w in enumerate(stack_plan(ex).wrong):
                want = _intended(ex, w.tag, w.message)
                if want is None:
                    continue
                assert _equal(_back(w.value, ex.variables or None), want), (ex.id, w.tag)
                checked.add(w.tag)
    assert {"sign_error", "transposed", "missing_mixed_partials", "components_swapped", "original_function",
            "wrong_variable", "chain_rule_inner_missing", "taylor_missing_factorial", "taylor_wrong_point"} <= checked
