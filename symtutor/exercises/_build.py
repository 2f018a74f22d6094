"""Helpers shared by the topic generators: tidy random parameters, derivation drafts."""

from __future__ import annotations

import random

import mpmath
import sympy as sp

from ..calculus import derivative
from ..parsing import to_text
from ..render import expr_typed as typed
from ..render import render_steps
from ..steps import derivative_steps
from .core import Draft

x, y, z, t, u, v = sp.symbols("x y z t u v")


def nonzero(rng: random.Random, lo: int, hi: int) -> int:
    """A whole number in [lo, hi] other than 0 (drawn directly, no rejection loop)."""
    choices = [k for k in range(lo, hi + 1) if k != 0]
    return rng.choice(choices)


def decimal(value, sig: int) -> sp.Float:
    """The exact ``value`` correctly rounded to ``sig`` significant figures, as a Float that prints so.

    Examples:
        >>> decimal(1 / (1 + sp.exp(sp.Rational(3, 100))), 10)
        0.4925005624
        >>> decimal(sp.Rational(1, 2), 4)
        0.5000
        >>> decimal(0, 4)
        0.0
    """
    v = sp.Float(sp.N(value, sig + 30), sig + 30)
    with mpmath.workdps(sig + 30):
        text = mpmath.nstr(mpmath.mpf(v._mpf_), sig, strip_zeros=False, min_fixed=-4, max_fixed=sig + 1)
    return sp.Float(text, sig)


def tex(e) -> str:
    return sp.latex(e)


def derivation(f, var, *, variables, partial: bool = False, prompt: str = "", prompt_latex: str = "") -> Draft:
    """An exercise 'differentiate f': the answer from the engine, the solution from the step tree."""
    answer = derivative(f, var)
    tree = derivative_steps(f, var)
    d, dl = ("∂", r"\partial") if partial else ("d", "d")
    prompt = prompt or f"Find {d}f/{d}{var} for f = {typed(f)}."
    prompt_latex = prompt_latex or rf"Find $\frac{{{dl} f}}{{{dl} {sp.latex(var)}}}$ for $f = {tex(f)}$."
    pieces = "; ".join(f"d/d{c.var} [{to_text(c.expr)}] = {to_text(c.result)}" for c in tree.children[:3])
    hints = (
        f"This needs the {tree.rule}" + (", with the other variables held constant." if partial else "."),
        f"The {tree.rule}: {tree.formula}",
        f"The pieces: {pieces}." if pieces else f"Apply {tree.formula} to {to_text(f)}.",
    )
    return Draft(
        prompt=prompt,
        prompt_latex=prompt_latex,
        variables=tuple(str(s) for s in variables),
        answer=answer,
        hints=hints,
        solution=tuple(render_steps(tree).splitlines()),
        options=(("function", f), ("wrt", str(var))),
    )
