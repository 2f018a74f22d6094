"""Week 6: regression by least squares."""

from __future__ import annotations

import sympy as sp

from ..calculus import gradient
from ..parsing import to_text
from ..render import expr_typed as typed
from ._build import nonzero, tex
from .core import Draft, topic


@topic(
    "linear_regression",
    6,
    "The slope and intercept of the least-squares line through data",
    ("five points symmetric about 0, slope only", "five points, slope and intercept", "seven points, slope and intercept"),
)
def linear_regression(rng, difficulty):
    n = 7 if difficulty == 3 else 5
    xs = list(range(-(n // 2), n // 2 + 1))
    m, c = nonzero(rng, -4, 4), rng.randint(-5, 5)
    k = rng.choice([-1, 1]) * rng.randint(1, 2)
    mean_sq = sp.Rational(sum(v * v for v in xs), n)
    # residuals k (x^2 - mean(x^2)) are orthogonal to 1 and to x, so the fit recovers m and c exactly
    ys = [m * v + c + k * (v * v - mean_sq) for v in xs]
    sxy = sum(a * b for a, b in zip(xs, ys))
    sxx = sum(a * a for a in xs)
    slope = sp.Rational(sxy, 1) / sxx
    intercept = sp.Rational(sum(ys), 1) / n
    data = ", ".join(f"({a}, {to_text(b)})" for a, b in zip(xs, ys))
    answer = slope if difficulty == 1 else sp.Matrix([slope, intercept])
    what = "the slope m" if difficulty == 1 else "(m, c)"
    return Draft(
        prompt=f"Fit y = m x + c by least squares to the points {data}. Find {what}.",
        prompt_latex=rf"Fit $y = m x + c$ by least squares to ${data}$. Find {what}.",
        variables=(),
        answer=answer,
        hints=("Minimise χ² = Σ (y_i - m x_i - c)²: set ∂χ²/∂m = ∂χ²/∂c = 0.",
               "With x symmetric about 0, m = Σ x_i y_i / Σ x_i² and c is the mean of y.",
               f"Σ x_i y_i = {to_text(sxy)}, Σ x_i² = {sxx}."),
        solution=(f"Σ x_i y_i = {to_text(sxy)}, Σ x_i² = {sxx}, Σ y_i = {to_text(sum(ys))}",
                  f"m = {to_text(sxy)}/{sxx}, c = {to_text(sum(ys))}/{n}",
                  f"Answer: {to_text(answer)}"),
    )


@topic(
    "least_squares_gradient",
    6,
    "The gradient of χ² with respect to a model's parameters",
    ("a line y = a x + b through two points", "a line through three points", "a quadratic model y = a x² + b"),
)
def least_squares_gradient(rng, difficulty):
    a, b = sp.symbols("a b")
    npts = 2 if difficulty == 1 else 3
    pts = [(i, rng.randint(-3, 5)) for i in range(1, npts + 1)]
    model = a * sp.Symbol("x") ** (2 if difficulty == 3 else 1) + b
    chi2 = sp.Add(*[(yi - model.subs("x", xi)) ** 2 for xi, yi in pts])
    g = gradient(chi2, (a, b))
    data = ", ".join(f"({xi}, {yi})" for xi, yi in pts)
    terms = [f"-2 Σ (y_i - f(x_i)) ∂f/∂{p}" for p in ("a", "b")]
    return Draft(
        prompt=f"For the model y = {typed(model)} and the data {data}, find the gradient of "
        f"χ² = Σ (y_i - y(x_i))² with respect to (a, b).",
        prompt_latex=rf"For $y = {tex(model)}$ and data ${data}$, find $\nabla_{{(a,b)}} \chi^2$.",
        variables=("a", "b"),
        answer=g,
        hints=("Differentiate each squared residual by the chain rule.", f"∂χ²/∂a = {terms[0]}.",
               f"χ² = {to_text(chi2)}."),
        solution=(f"χ² = {to_text(chi2)}", f"∂χ²/∂a = {to_text(sp.expand(g[0]))}", f"∂χ²/∂b = {to_text(sp.expand(g[1]))}",
                  f"Answer: ({to_text(sp.expand(g[0]))}, {to_text(sp.expand(g[1]))})"),
    )
