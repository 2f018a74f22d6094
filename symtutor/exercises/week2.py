"""Week 2: partial derivatives, the total derivative, gradients, Jacobians and Hessians."""

from __future__ import annotations

import sympy as sp

from ..calculus import gradient, hessian, jacobian
from ..parsing import to_text
from ..render import expr_typed as typed
from ..render import expr_text
from ..steps import gradient_steps, hessian_steps, jacobian_steps
from ._build import derivation, nonzero, tex, x, y, z
from .core import Draft, topic


def _function(rng, difficulty, variables=(x, y)):
    a, b = nonzero(rng, -4, 4), nonzero(rng, -4, 4)
    p, q = variables[0], variables[1]
    if difficulty == 1:
        return a * p**2 * q + b * q ** rng.randint(2, 3)
    if difficulty == 2:
        return rng.choice([sp.sin(a * p * q), sp.exp(p**2 + b * q), p * sp.cos(q) + q * sp.exp(a * p)])
    r = variables[2] if len(variables) > 2 else z
    return rng.choice([p * q * r + sp.exp(a * p * r), sp.sin(p + q) * r**2, p**2 * q + b * sp.log(r**2 + 1)])


def _matrix_solution(steps) -> tuple[str, ...]:
    from ..render import render_steps

    lines = render_steps(steps).splitlines()
    # close with the answer in the syntax learners type, worked out from the entries' trees
    return (*lines, f"Answer: {expr_text(steps.result)}")


@topic(
    "partial_derivatives",
    2,
    "Partial derivatives: differentiate in one variable, holding the others constant",
    ("a polynomial in x and y", "exponentials and trigonometric functions of x and y", "three variables"),
)
def partial_derivatives(rng, difficulty):
    variables = (x, y) if difficulty < 3 else (x, y, z)
    f = _function(rng, difficulty, variables)
    var = rng.choice(variables)
    return derivation(f, var, variables=variables, partial=True)


@topic(
    "total_derivative",
    2,
    "The total derivative df/dt of f(x(t), y(t))",
    ("polynomial f with polynomial paths", "f with exponentials or trigonometric functions", "f depending on t directly too"),
)
def total_derivative(rng, difficulty):
    t = sp.Symbol("t")
    a = nonzero(rng, -3, 3)
    f = _function(rng, min(difficulty, 2))
    paths = {x: rng.choice([t**2, a * t + 1, sp.cos(t)]), y: rng.choice([t**3, sp.sin(t), sp.exp(t)])}
    extra = t * x if difficulty == 3 else 0
    f = f + extra
    composed = f.xreplace(paths) if difficulty < 3 else (f.xreplace(paths))
    answer = sp.diff(composed, t)
    dfdx, dfdy = sp.diff(f, x), sp.diff(f, y)
    dxdt, dydt = sp.diff(paths[x], t), sp.diff(paths[y], t)
    parts = (dfdx * dxdt + dfdy * dydt + sp.diff(f, t)).xreplace(paths)
    return Draft(
        prompt=f"f = {typed(f)} with x = {typed(paths[x])}, y = {typed(paths[y])}. Find df/dt in terms of t.",
        prompt_latex=rf"$f = {tex(f)}$ with $x = {tex(paths[x])}$, $y = {tex(paths[y])}$. Find $\frac{{df}}{{dt}}$ in terms of $t$.",
        variables=("t",),
        answer=answer,
        hints=(
            "Every path from t to f contributes: df/dt = ∂f/∂x dx/dt + ∂f/∂y dy/dt" + (" + ∂f/∂t." if difficulty == 3 else "."),
            f"∂f/∂x = {to_text(dfdx)}, ∂f/∂y = {to_text(dfdy)}.",
            f"dx/dt = {to_text(dxdt)}, dy/dt = {to_text(dydt)}; substitute x and y.",
        ),
        solution=(
            f"∂f/∂x = {to_text(dfdx)}, ∂f/∂y = {to_text(dfdy)}" + (f", ∂f/∂t = {to_text(sp.diff(f, t))}" if difficulty == 3 else ""),
            f"dx/dt = {to_text(dxdt)}, dy/dt = {to_text(dydt)}",
            f"Answer: {to_text(parts)}",
        ),
    )


@topic(
    "gradient",
    2,
    "The gradient, at a point, and the direction of steepest ascent",
    ("the gradient of a polynomial", "the gradient at a point", "the unit direction of steepest ascent at a point"),
)
def gradient_topic(rng, difficulty):
    f = _function(rng, 2 if difficulty == 2 and rng.random() < 0.5 else 1)
    g = gradient(f, (x, y))
    steps = gradient_steps(f, (x, y))
    if difficulty == 1:
        return Draft(
            prompt=f"Find the gradient of f = {typed(f)} as a column (∂f/∂x, ∂f/∂y).",
            prompt_latex=rf"Find $\nabla f$ for $f = {tex(f)}$.",
            variables=("x", "y"),
            answer=g,
            hints=("The gradient lists the partial derivatives.", "Differentiate in x holding y constant, then in y.",
                   f"∂f/∂x = {to_text(g[0])}."),
            solution=_matrix_solution(steps),
        )
    px, py = rng.randint(-2, 2), rng.randint(-2, 2)
    at = g.subs({x: px, y: py})
    if difficulty == 2:
        return Draft(
            prompt=f"Find the gradient of f = {typed(f)} at (x, y) = ({px}, {py}).",
            prompt_latex=rf"Find $\nabla f({px}, {py})$ for $f = {tex(f)}$.",
            variables=(),
            answer=at,
            hints=("First find the gradient, then put in the point.", f"∇f = {expr_text(g)}.",
                   f"∂f/∂x at the point is {to_text(at[0])}."),
            solution=(*_matrix_solution(steps)[:-1], f"at ({px}, {py}): {expr_text(at)}", f"Answer: {expr_text(at)}"),
        )
    # make the gradient at the point non-zero with a tidy length: pick from a Pythagorean triple
    a, b, c = rng.choice([(3, 4, 5), (5, 12, 13), (8, 15, 17), (1, 0, 1), (0, 1, 1)])
    sa, sb = rng.choice([1, -1]), rng.choice([1, -1])
    k = nonzero(rng, 1, 3)
    f = f - at[0] * x - at[1] * y + k * (sa * a * x + sb * b * y)
    g = gradient(f, (x, y))
    at = g.subs({x: px, y: py})
    direction = at / sp.sqrt(at.dot(at))
    return Draft(
        prompt=f"f = {typed(f)}. In which unit direction does f increase fastest at ({px}, {py})?",
        prompt_latex=rf"$f = {tex(f)}$. Find the unit vector of steepest ascent at $({px}, {py})$.",
        variables=(),
        answer=direction,
        hints=("Steepest ascent is along the gradient.", f"∇f({px}, {py}) = {expr_text(at)}.",
               f"Divide by its length, {to_text(sp.sqrt(at.dot(at)))}."),
        solution=(f"∇f = {expr_text(g)}", f"∇f({px}, {py}) = {expr_text(at)}, length {to_text(sp.sqrt(at.dot(at)))}",
                  f"Answer: {expr_text(direction)}"),
    )


@topic(
    "jacobian",
    2,
    "The Jacobian matrix of a vector function",
    ("two polynomial functions of x and y", "with exponentials and trigonometric functions", "three functions of three variables"),
)
def jacobian_topic(rng, difficulty):
    variables = (x, y) if difficulty < 3 else (x, y, z)
    funcs = [_function(rng, min(difficulty, 2), variables) for _ in variables]
    if difficulty == 3:
        funcs[2] = funcs[2] + z**2
    F = sp.Matrix(funcs)
    J = jacobian(F, variables)
    names = ", ".join(map(str, variables))
    return Draft(
        prompt=f"Find the Jacobian of F = {typed(F)} with respect to ({names}).",
        prompt_latex=rf"Find the Jacobian of $F = {tex(F)}$ with respect to $({names})$.",
        variables=tuple(map(str, variables)),
        answer=J,
        hints=("One row per function, one column per variable.", f"Row 1 is the gradient of {to_text(funcs[0])}, as a row.",
               f"Row 1: {expr_text(J[0, :])}."),
        solution=_matrix_solution(jacobian_steps(F, variables)),
    )


@topic(
    "hessian",
    2,
    "The Hessian matrix of second partial derivatives",
    ("a polynomial in x and y", "with exponentials and trigonometric functions", "three variables"),
)
def hessian_topic(rng, difficulty):
    variables = (x, y) if difficulty < 3 else (x, y, z)
    f = _function(rng, difficulty, variables)
    H = hessian(f, variables)
    return Draft(
        prompt=f"Find the Hessian of f = {typed(f)} with respect to ({', '.join(map(str, variables))}).",
        prompt_latex=rf"Find the Hessian of $f = {tex(f)}$.",
        variables=tuple(map(str, variables)),
        answer=H,
        hints=("The Hessian holds every second partial derivative; it is symmetric.",
               f"The gradient first: {expr_text(gradient(f, variables))}.", f"The first row: {expr_text(H[0, :])}."),
        solution=_matrix_solution(hessian_steps(f, variables)),
    )
