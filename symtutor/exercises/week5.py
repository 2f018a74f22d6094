"""Week 5: optimisation — Newton-Raphson, gradient descent, the Newton step, Lagrange multipliers."""

from __future__ import annotations

import mpmath
import sympy as sp

from ..calculus import gradient, hessian
from ..parsing import to_text
from ..render import expr_operand, expr_typed as typed
from ._build import decimal, nonzero, tex, x, y
from .core import Draft, topic


@topic(
    "newton_raphson",
    5,
    "Newton-Raphson iterates x_{n+1} = x_n - f(x_n)/f'(x_n), or a root to given figures",
    ("one iterate of a quadratic", "two iterates of a cubic", "a root to 6 significant figures"),
)
def newton_raphson(rng, difficulty):
    r1, r2 = rng.randint(-4, 4), rng.randint(1, 5)
    if difficulty == 1:
        f = sp.expand((x - r1) * (x + r2))
        x0 = r1 + rng.choice([-1, 1]) * rng.randint(1, 2)
        if sp.diff(f, x).subs(x, x0) == 0:
            x0 += 3
    elif difficulty == 2:
        # increasing everywhere, so no iterate can land where f' = 0
        f = x**3 + r2 * x + rng.randint(-6, 6)
        x0 = rng.randint(-2, 2)
    else:
        # increasing everywhere (f' = 3x^2 + p > 0): one real root, near r1, which Newton finds from x0 = r1
        p, k = rng.randint(1, 4), nonzero(rng, -3, 3)
        f = x**3 + p * x - (r1**3 + p * r1) + k
        x0 = r1
    fp = sp.diff(f, x)
    # never start at a root (nothing to iterate) or where f' = 0 (no tangent to follow)
    while f.subs(x, x0) == 0 or fp.subs(x, x0) == 0:
        x0 += 1
    xs = [sp.Integer(x0)]
    lines = []
    for n in range(1 if difficulty == 1 else 2 if difficulty == 2 else 40):
        xn = xs[-1]
        nxt = xn - f.subs(x, xn) / fp.subs(x, xn)
        if difficulty == 3:
            nxt = sp.Float(nxt, 30)
        if n < 5:
            shown = to_text(nxt) if difficulty < 3 else to_text(decimal(nxt, 12))
            lines.append(f"x{n + 1} = x{n} - f(x{n})/f'(x{n}) = {shown}")
        xs.append(nxt)
        if difficulty == 3 and abs(xs[-1] - xs[-2]) < 1e-20:
            break
    if difficulty < 3:
        answer, shown = xs[-1], to_text(xs[-1])
    else:
        # the root itself, bracketed (f is increasing and changes sign on [r1 - 3, r1 + 3])
        root = mpmath.findroot(lambda t: t**3 + p * t - (r1**3 + p * r1) + k, (r1 - 3, r1 + 3), solver="anderson")
        answer = sp.Float(root, 20)
        shown = to_text(decimal(xs[-1], 12))
    what = {1: "x1", 2: "x2", 3: "the root it converges to, to 6 significant figures"}[difficulty]
    return Draft(
        prompt=f"Apply Newton-Raphson to f(x) = {typed(f)} from x0 = {x0}. Find {what}.",
        prompt_latex=rf"Apply Newton-Raphson to $f(x) = {tex(f)}$ from $x_0 = {x0}$. Find {what}.",
        variables=(),
        answer=answer,
        mode="numeric",
        hints=("x_{n+1} = x_n - f(x_n)/f'(x_n).", f"f'(x) = {to_text(fp)}.",
               f"x1 = {x0} - ({to_text(f.subs(x, x0))})/({to_text(fp.subs(x, x0))})."),
        solution=(f"f'(x) = {to_text(fp)}", *lines, f"Answer: {shown}"),
        options=(("tolerance", {"sig": 6}),) if difficulty == 3 else (),
    )


def _quadratic(rng):
    """A quadratic with a positive definite Hessian (a c > b^2), so it has a minimum and H is invertible."""
    a, c = rng.randint(2, 4), rng.randint(1, 4)
    b = rng.randint(-1, 1)
    return a * x**2 + 2 * b * x * y + c * y**2 + nonzero(rng, -4, 4) * x + nonzero(rng, -4, 4) * y


@topic(
    "gradient_descent_step",
    5,
    "One or two steps of steepest descent x <- x - γ ∇f(x)",
    ("one step on a quadratic", "two steps on a quadratic", "one step on a function with exponentials"),
)
def gradient_descent_step(rng, difficulty):
    f = _quadratic(rng) if difficulty < 3 else sp.exp(x) + x * y + y**2 + nonzero(rng, -2, 2) * y
    gamma = sp.Rational(1, rng.choice([2, 4, 5, 10]))
    p = sp.Matrix([rng.randint(-2, 2), rng.randint(-2, 2)])
    g = gradient(f, (x, y))
    lines = [f"∇f = {to_text(g)}"]
    for n in range(2 if difficulty == 2 else 1):
        gp = g.subs({x: p[0], y: p[1]})
        new = p - gamma * gp
        lines.append(f"step {n + 1}: ∇f{to_text(p)} = {to_text(gp)}, so the point becomes {to_text(p)} - "
                     f"{expr_operand(gamma)}*{to_text(gp)} = {to_text(new)}")
        p = new
    start = lines[1].split(":")[1].split("∇f")[1].split(" =")[0]
    return Draft(
        prompt=f"Minimise f(x, y) = {typed(f)} by steepest descent with step size γ = {typed(gamma)}, "
        f"starting at {start}. Where are you after {2 if difficulty == 2 else 1} step(s)?",
        prompt_latex=rf"Steepest descent on $f = {tex(f)}$ with $\gamma = {tex(gamma)}$ from ${start}$.",
        variables=(),
        answer=p,
        hints=("Each step: x ← x - γ ∇f(x).", f"∇f = {to_text(g)}.", lines[1]),
        solution=(*lines, f"Answer: {to_text(p)}"),
    )


@topic(
    "newton_step",
    5,
    "The Newton step -H⁻¹ J for a function of two variables",
    ("a quadratic at a point", "a quadratic, the step and the new point", "a quartic at a point"),
)
def newton_step(rng, difficulty):
    f = _quadratic(rng) if difficulty < 3 else x**4 + y**2 + nonzero(rng, -2, 2) * x * y
    p = {x: rng.randint(-2, 2), y: rng.randint(-2, 2)}
    if difficulty == 3 and p[x] == 0:
        p[x] = 1
    J = gradient(f, (x, y)).subs(p)
    H = hessian(f, (x, y)).subs(p)
    step = -H.inv() * J
    answer = step if difficulty != 2 else sp.Matrix([p[x], p[y]]) + step
    return Draft(
        prompt=f"For f(x, y) = {typed(f)} at ({p[x]}, {p[y]}), find "
        + ("the Newton step -H⁻¹ J." if difficulty != 2 else "the point one Newton step on, (x, y) - H⁻¹ J."),
        prompt_latex=rf"For $f = {tex(f)}$ at $({p[x]}, {p[y]})$, find $-H^{{-1}} J$.",
        variables=(),
        answer=answer,
        hints=("Newton's step solves H δ = -J.", f"J = {to_text(J)}.", f"H = {to_text(H)}."),
        solution=(f"J = {to_text(J)}", f"H = {to_text(H)}", f"-H⁻¹ J = {to_text(step)}", f"Answer: {to_text(answer)}"),
    )


@topic(
    "lagrange_multipliers",
    5,
    "Extremes on a constraint by Lagrange multipliers, where ∇f = λ ∇g",
    ("the maximum of a linear function on a circle", "the point maximising x y on a line", "the minimum of x² + y² on a line"),
)
def lagrange_multipliers(rng, difficulty):
    lam = sp.Symbol("lambda")
    if difficulty == 1:
        a, b, c = rng.choice([(3, 4, 5), (5, 12, 13), (6, 8, 10), (8, 15, 17)])
        r = rng.randint(1, 3)
        f, g = a * x + b * y, x**2 + y**2 - r**2
        answer = sp.Integer(c * r)
        what = "the largest value of f"
        pt = (sp.Rational(a * r, c), sp.Rational(b * r, c))
    elif difficulty == 2:
        c = 2 * rng.randint(1, 5)
        f, g = x * y, x + y - c
        answer = sp.Matrix([c // 2, c // 2])
        what = "the point (x, y) where f is largest"
        pt = (c // 2, c // 2)
    else:
        a, b = nonzero(rng, 1, 3), nonzero(rng, 1, 3)
        c = (a * a + b * b) * rng.randint(1, 2)
        f, g = x**2 + y**2, a * x + b * y - c
        k = sp.Rational(c, a * a + b * b)
        answer = sp.Matrix([a * k, b * k])
        what = "the point (x, y) where f is smallest"
        pt = (a * k, b * k)
    L = f - lam * g
    eqs = [sp.diff(L, x), sp.diff(L, y), g]
    return Draft(
        prompt=f"Find {what} for f(x, y) = {typed(f)} subject to {typed(g)} = 0.",
        prompt_latex=rf"Find {what} for $f = {tex(f)}$ subject to ${tex(g)} = 0$.",
        variables=(),
        answer=answer,
        hints=("At an extreme on the constraint, ∇f = λ ∇g.",
               f"Solve {to_text(eqs[0])} = 0, {to_text(eqs[1])} = 0 and {to_text(g)} = 0.",
               f"The extreme point is {pt}."),
        solution=(f"L = f - λ g; ∂L/∂x = {to_text(eqs[0])}, ∂L/∂y = {to_text(eqs[1])}",
                  f"with the constraint, the point is ({to_text(pt[0])}, {to_text(pt[1])})",
                  f"Answer: {to_text(answer if difficulty > 1 else f.subs({x: pt[0], y: pt[1]}))}"),
    )
