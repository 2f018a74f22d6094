"""Week 1: derivatives and their rules."""

from __future__ import annotations

import sympy as sp

from ..parsing import to_text
from ..render import expr_operand, expr_typed as typed
from ._build import derivation, nonzero, tex, x
from .core import Draft, topic

_FUNCS = [sp.sin, sp.cos, sp.exp, sp.log]


@topic(
    "rise_over_run",
    1,
    "The slope of a secant as h shrinks, and the derivative it tends to",
    (
        "the limit of the rise over run of a quadratic at a point",
        "the rise over run itself, over a given step h",
        "the rise over run as a function of h, simplified",
    ),
)
def rise_over_run(rng, difficulty):
    a2, a1 = nonzero(rng, -4, 4), rng.randint(-5, 5)
    f = a2 * x**2 + a1 * x + rng.randint(-5, 5)
    a = rng.randint(-3, 3)
    h = sp.Symbol("h")
    secant = sp.expand((f.subs(x, a + h) - f.subs(x, a)) / h)
    fa = f.subs(x, a)
    if difficulty == 1:
        answer = secant.subs(h, 0)
        prompt = f"For f(x) = {typed(f)}, the rise over run (f({a} + h) - f({a}))/h tends to what as h -> 0?"
        prompt_latex = rf"For $f(x) = {tex(f)}$, what does $\frac{{f({a}+h) - f({a})}}{{h}}$ tend to as $h \to 0$?"
        variables = ()
        mode = "numeric"
        solution = (
            f"(f({a} + h) - f({a}))/h = {to_text(secant)}",
            "as h -> 0 the terms with h vanish",
            f"Answer: {to_text(secant.subs(h, 0))}",
        )
    elif difficulty == 2:
        step = sp.Rational(1, rng.choice([2, 4, 5, 10]))
        answer = (f.subs(x, a + step) - fa) / step
        prompt = f"For f(x) = {typed(f)}, find the rise over run (f({a} + h) - f({a}))/h with h = {typed(step)}."
        prompt_latex = rf"For $f(x) = {tex(f)}$, find $\frac{{f({a}+h) - f({a})}}{{h}}$ with $h = {tex(step)}$."
        variables = ()
        mode = "numeric"
        solution = (
            f"f({a}) = {to_text(fa)}, f({to_text(a + step)}) = {to_text(f.subs(x, a + step))}",
            f"rise over run = ({to_text(f.subs(x, a + step))} - {expr_operand(fa)})/{expr_operand(step)}",
            f"Answer: {to_text(secant.subs(h, step))}",
        )
    else:
        answer = secant
        prompt = f"For f(x) = {typed(f)}, write (f({a} + h) - f({a}))/h as simply as you can, in terms of h."
        prompt_latex = rf"For $f(x) = {tex(f)}$, simplify $\frac{{f({a}+h) - f({a})}}{{h}}$ in terms of $h$."
        variables = ("h",)
        mode = "equivalent"
        solution = (
            f"f({a} + h) - f({a}) = {to_text(sp.expand(f.subs(x, a + h) - fa))}",
            "divide every term by h",
            f"Answer: {to_text(sp.expand(sp.cancel((f.subs(x, a + h) - fa) / h)))}",
        )
    return Draft(
        prompt=prompt,
        prompt_latex=prompt_latex,
        variables=variables,
        answer=answer,
        mode=mode,
        hints=(
            "Rise over run is the change in f divided by the change in x.",
            f"Work out f({a} + h) first, then subtract f({a}) = {to_text(fa)}.",
            f"(f({a} + h) - f({a}))/h = {to_text(secant)}.",
        ),
        solution=solution,
    )


def _power_term(rng, difficulty):
    c = nonzero(rng, -6, 6)
    if difficulty == 1:
        n = rng.randint(2, 7)
    elif difficulty == 2:
        n = rng.choice([-3, -2, -1, 2, 3, 4, 5])
    else:
        n = rng.choice([sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(-1, 2), sp.Rational(2, 3), sp.Rational(-1, 3), -2])
    return c * x**n


@topic(
    "power_rule",
    1,
    "Differentiate powers of x, their multiples and sums",
    ("a single multiple of a positive power", "a sum including negative powers", "roots and reciprocal powers"),
)
def power_rule(rng, difficulty):
    terms = 1 if difficulty == 1 else 3
    f = sp.Add(*[_power_term(rng, difficulty) for _ in range(terms)])
    if not f.has(x):
        f = f + x**2
    return derivation(f, x, variables=[x])


def _simple(rng, difficulty):
    """A factor with a derivative rule of its own."""
    k = rng.randint(1, 3)
    pool = [x ** rng.randint(1, 4), sp.sin(k * x), sp.cos(k * x), sp.exp(k * x)]
    if difficulty >= 2:
        pool += [sp.log(x), sp.sqrt(x), x**2 + rng.randint(1, 5)]
    return rng.choice(pool)


@topic(
    "product_rule",
    1,
    "Differentiate products with the product rule",
    ("a power of x times a sine, cosine or exponential", "two factors that each need a rule", "three factors"),
)
def product_rule(rng, difficulty):
    if difficulty == 1:
        f = x ** rng.randint(1, 3) * rng.choice([sp.sin(x), sp.cos(x), sp.exp(x)])
    else:
        factors = [_simple(rng, difficulty) for _ in range(2 if difficulty == 2 else 3)]
        f = sp.Mul(*factors)
        if not f.is_Mul or len([a for a in f.args if a.has(x)]) < 2:
            f = x * sp.exp(x) * (sp.sin(x) if difficulty == 3 else 1)
    return derivation(f, x, variables=[x])


@topic(
    "quotient_rule",
    1,
    "Differentiate quotients with the quotient rule",
    ("a ratio of linear functions", "a function over a polynomial", "quotients of products"),
)
def quotient_rule(rng, difficulty):
    if difficulty == 1:
        a, b, c, d = nonzero(rng, -4, 4), rng.randint(-5, 5), nonzero(rng, -4, 4), nonzero(rng, -5, 5)
        if a * d == b * c:
            d = d + 1 if d != -1 else d + 2
        f = (a * x + b) / (c * x + d)
    elif difficulty == 2:
        f = rng.choice([sp.sin(x), sp.exp(x), sp.log(x), x**2]) / (x**2 + rng.randint(1, 5))
    else:
        f = (x * rng.choice([sp.sin(x), sp.exp(x)])) / (rng.choice([sp.cos(x), x + 1]) + rng.randint(2, 4))
    return derivation(f, x, variables=[x])


def _inner(rng, difficulty):
    a, b = nonzero(rng, -4, 4), rng.randint(-5, 5)
    if difficulty == 1:
        return a * x + b
    return rng.choice([a * x**2 + b, x**3 + a * x, a * x + b])


@topic(
    "chain_rule",
    1,
    "Differentiate compositions with the chain rule",
    ("a function of a linear function", "a function of a polynomial", "two levels of composition"),
)
def chain_rule(rng, difficulty):
    inner = _inner(rng, difficulty)
    if difficulty == 3:
        inner = rng.choice([sp.sin, sp.exp, sp.cos])(inner)
    # e^(e^(...)) grows too fast to be a fair exercise (or a fair check)
    outer = rng.choice(["pow", "sin", "cos", "log", "sqrt"] + ([] if isinstance(inner, sp.exp) else ["exp"]))
    if outer == "pow":
        f = inner ** rng.randint(2, 6)
    elif outer == "log":
        f = sp.log(inner**2 + 1)
    elif outer == "sqrt":
        f = sp.sqrt(inner**2 + 1)
    else:
        f = getattr(sp, outer)(inner)
    return derivation(f, x, variables=[x])


@topic(
    "mixed_rules",
    1,
    "Derivatives that need several rules together",
    ("a sum of terms each needing one rule", "a product with a composition inside", "a quotient with compositions"),
)
def mixed_rules(rng, difficulty):
    k = rng.randint(2, 4)
    if difficulty == 1:
        f = nonzero(rng, -5, 5) * x**k + rng.choice([sp.sin(k * x), sp.exp(k * x), sp.log(x)])
    elif difficulty == 2:
        f = x ** rng.randint(1, 3) * rng.choice([sp.sin(x**2), sp.exp(-x**2), sp.cos(k * x + 1)])
    else:
        f = rng.choice([sp.exp(k * x), sp.sin(x) ** 2]) / (1 + rng.choice([x**2, sp.exp(x)]))
    return derivation(f, x, variables=[x])
