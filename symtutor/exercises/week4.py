"""Week 4: Taylor series and linearisation."""

from __future__ import annotations

import math

import sympy as sp

from ..calculus import gradient, hessian, taylor
from ..parsing import to_text
from ..render import expr_operand, expr_typed as typed
from ._build import nonzero, tex, x, y
from .core import Draft, topic


def _coefficient_lines(f, a, order):
    lines = []
    for k in range(order + 1):
        d = sp.diff(f, x, k).subs(x, a)
        lines.append(f"f^({k})({to_text(a)}) = {to_text(d)}, so the coefficient of (x - {to_text(a)})^{k} is "
                     f"{expr_operand(d)}/{k}! = {to_text(d / math.factorial(k))}")
    return lines


@topic(
    "taylor_1d",
    4,
    "The Taylor polynomial of a function of one variable to order n",
    ("a standard function about 0", "a standard function about another point", "a composition about 0"),
)
def taylor_1d(rng, difficulty):
    k = nonzero(rng, -3, 3)
    if difficulty == 1:
        f = rng.choice([sp.exp(k * x), sp.sin(k * x), sp.cos(k * x), sp.log(1 + x), 1 / (1 - x), sp.sqrt(1 + x)])
        a = 0
    elif difficulty == 2:
        f, a = rng.choice([(sp.exp(x), 1), (sp.log(x), 1), (sp.sqrt(x), 4), (1 / x, 1), (sp.sin(x), 0),
                           (1 / (1 + x), 1)])
    else:
        f = rng.choice([sp.exp(sp.sin(x)), sp.cos(x) * sp.exp(x), sp.log(1 + x) / (1 - x), sp.sqrt(1 + x) * sp.exp(-x)])
        a = 0
    order = rng.randint(2, 4 if difficulty < 3 else 3)
    p = taylor(f, x, point=a, order=order)
    return Draft(
        prompt=f"Find the Taylor polynomial of f(x) = {typed(f)} about x = {a}, up to and including "
        + (f"x^{order}." if a == 0 else f"(x - {a})^{order}."),
        prompt_latex=rf"Find the Taylor polynomial of $f(x) = {tex(f)}$ about $x = {a}$ to order {order}.",
        variables=("x",),
        answer=p,
        mode="taylor",
        hints=(
            f"Each term is f^(n)({a})/n! (x - {a})^n for n = 0 ... {order}.",
            f"f({a}) = {to_text(f.subs(x, a))}, f'({a}) = {to_text(sp.diff(f, x).subs(x, a))}.",
            "Divide the n-th derivative by n!: the x^2 coefficient is f''(a)/2.",
        ),
        solution=(*_coefficient_lines(f, a, order), f"Answer: {to_text(p)}"),
        options=(("point", (a,)), ("order", order), ("function", f)),
    )


@topic(
    "linearization",
    4,
    "The linear approximation f(a) + f'(a)(x - a), in one or two variables",
    ("one variable about 0", "one variable about another point", "two variables about a point"),
)
def linearization(rng, difficulty):
    if difficulty < 3:
        f, a = rng.choice([(sp.sqrt(1 + x), 0), (sp.exp(2 * x), 0), (sp.sin(x), 0)] if difficulty == 1
                          else [(sp.sqrt(x), 4), (sp.log(x), 1), (sp.sqrt(1 + x), 3), (1 / x, 2)])
        p = taylor(f, x, point=a, order=1)
        f0, d1 = f.subs(x, a), sp.diff(f, x).subs(x, a)
        return Draft(
            prompt=f"Linearise f(x) = {typed(f)} about x = {a}.",
            prompt_latex=rf"Find the linear approximation of $f(x) = {tex(f)}$ about $x = {a}$.",
            variables=("x",),
            answer=p,
            mode="taylor",
            hints=("f(x) ≈ f(a) + f'(a)(x - a).", f"f({a}) = {to_text(f0)}.", f"f'({a}) = {to_text(d1)}."),
            solution=(f"f({a}) = {to_text(f0)}, f'({a}) = {to_text(d1)}", f"Answer: {to_text(f0 + d1 * (x - a))}"),
            options=(("point", (a,)), ("order", 1), ("function", f)),
        )
    c = nonzero(rng, -2, 2)
    f = rng.choice([sp.exp(x) * sp.cos(y), x**2 * y + c * y**2, sp.sqrt(x**2 + y**2)])
    pt = (0, 0) if f.has(sp.cos) else ((3, 4) if f.has(sp.sqrt) else (1, rng.randint(-2, 2)))
    p = taylor(f, (x, y), point=pt, order=1)
    g = gradient(f, (x, y)).subs({x: pt[0], y: pt[1]})
    f0 = f.subs({x: pt[0], y: pt[1]})
    return Draft(
        prompt=f"Linearise f(x, y) = {typed(f)} about (x, y) = {pt}.",
        prompt_latex=rf"Find the linear approximation of $f = {tex(f)}$ about ${pt}$.",
        variables=("x", "y"),
        answer=p,
        mode="taylor",
        hints=("f ≈ f(a) + ∇f(a)·(x - a).", f"f{pt} = {to_text(f0)}.", f"∇f{pt} = {to_text(g)}."),
        solution=(f"f{pt} = {to_text(f0)}, ∇f{pt} = {to_text(g)}",
                  f"Answer: {to_text(f0 + g[0] * (x - pt[0]) + g[1] * (y - pt[1]))}"),
        options=(("point", pt), ("order", 1), ("function", f)),
    )


@topic(
    "taylor_2d",
    4,
    "The second-order Taylor polynomial f0 + J Δx + ½ Δxᵀ H Δx of f(x, y)",
    ("a polynomial about the origin", "exponentials and cosines about the origin", "about another point"),
)
def taylor_2d(rng, difficulty):
    a, b = nonzero(rng, -3, 3), nonzero(rng, -3, 3)
    if difficulty == 1:
        f, pt = x**3 * y + a * x * y + b * y**2 + x, (0, 0)
    elif difficulty == 2:
        f, pt = rng.choice([sp.exp(x) * sp.cos(y), sp.exp(a * x + y), sp.cos(x) * sp.sin(y) + x]), (0, 0)
    else:
        f, pt = rng.choice([x**2 * y**2, sp.exp(x * y), x**3 + y**3 + a * x * y]), (1, rng.choice([-1, 1]))
    p = taylor(f, (x, y), point=pt, order=2)
    sub = {x: pt[0], y: pt[1]}
    f0 = f.subs(sub)
    J = gradient(f, (x, y)).subs(sub).T
    H = hessian(f, (x, y)).subs(sub)
    d = sp.Matrix([x - pt[0], y - pt[1]])
    assembled = f0 + (J * d)[0, 0] + (d.T * H * d)[0, 0] / 2
    return Draft(
        prompt=f"Find the second-order Taylor polynomial of f(x, y) = {typed(f)} about (x, y) = {pt}.",
        prompt_latex=rf"Find $f_0 + J\,\Delta x + \tfrac12 \Delta x^T H \Delta x$ for $f = {tex(f)}$ about ${pt}$.",
        variables=("x", "y"),
        answer=p,
        mode="taylor",
        hints=("f ≈ f0 + J Δx + ½ Δxᵀ H Δx with Δx = (x - a, y - b).", f"f0 = {to_text(f0)}, J = {to_text(J)}.",
               f"H = {to_text(H)}; do not forget the ½."),
        solution=(f"f0 = {to_text(f0)}", f"J = {to_text(J)}", f"H = {to_text(H)}",
                  f"Answer: {to_text(sp.expand(assembled))}"),
        options=(("point", pt), ("order", 2), ("function", f)),
    )
