"""Week 3: the multivariate chain rule and small neural networks."""

from __future__ import annotations

import sympy as sp

from ..calculus import chain_rule as chain
from ..parsing import to_text
from ..render import expr_typed as typed
from ._build import decimal, derivation, nonzero, tex, u, v, x, y
from .core import Draft, topic


@topic(
    "multivariate_chain_rule",
    3,
    "d f(x(u, v), y(u, v)) / du by the multivariate chain rule",
    ("x and y linear in u and v", "x and y polynomial in u and v", "exponentials and trigonometric functions"),
)
def multivariate_chain_rule(rng, difficulty):
    a, b = nonzero(rng, -3, 3), nonzero(rng, -3, 3)
    f = rng.choice([x**2 * y, x * y + y**2, x**2 + a * x * y])
    if difficulty == 1:
        inner = {x: u + a * v, y: b * u - v}
    elif difficulty == 2:
        inner = {x: u**2 + v, y: u * v + a}
    else:
        inner = {x: sp.exp(u) + v, y: sp.sin(u * v)}
    var = rng.choice([u, v])
    r = chain(f, inner, [var])
    return Draft(
        prompt=f"f = {typed(f)} with x = {typed(inner[x])}, y = {typed(inner[y])}. Find ∂f/∂{var} in terms of u and v.",
        prompt_latex=rf"$f = {tex(f)}$ with $x = {tex(inner[x])}$, $y = {tex(inner[y])}$. Find $\frac{{\partial f}}{{\partial {var}}}$.",
        variables=("u", "v"),
        answer=r.direct[0, 0],
        hints=(
            f"∂f/∂{var} = ∂f/∂x ∂x/∂{var} + ∂f/∂y ∂y/∂{var}: a product of Jacobians.",
            f"J_f = {to_text(r.outer_jacobian)}, J_x,y = {to_text(r.inner_jacobian)}.",
            "Substitute x and y in J_f, then multiply.",
        ),
        solution=(
            f"J_f = (∂f/∂x, ∂f/∂y) = {to_text(r.outer_jacobian)}",
            f"(∂x/∂{var}, ∂y/∂{var}) = {to_text(r.inner_jacobian)}",
            f"Answer: {to_text(r.product[0, 0])}",
        ),
    )


def _act(name):
    return sp.tanh if name == "tanh" else (lambda z: 1 / (1 + sp.exp(-z)))


@topic(
    "neuron_forward",
    3,
    "Evaluate a small tanh or sigmoid layer by hand",
    ("one neuron, one input", "one neuron, two inputs", "a layer of two neurons (a vector answer)"),
)
def neuron_forward(rng, difficulty):
    name = rng.choice(["tanh", "sigmoid"])
    sigma = _act(name)
    tenth = sp.Rational(1, 10)
    n_in = 1 if difficulty == 1 else 2
    n_out = 2 if difficulty == 3 else 1
    W = sp.Matrix(n_out, n_in, [rng.randint(-10, 10) * tenth for _ in range(n_out * n_in)])
    b = sp.Matrix(n_out, 1, [rng.randint(-10, 10) * tenth for _ in range(n_out)])
    a0 = sp.Matrix(n_in, 1, [rng.randint(-10, 10) * tenth for _ in range(n_in)])
    z = W * a0 + b
    a1 = z.applyfunc(sigma)
    answer = a1[0, 0] if n_out == 1 else a1
    values = [decimal(v, 10) for v in a1]
    shown = to_text(values[0]) if n_out == 1 else "(" + ", ".join(to_text(v) for v in values) + ")"
    act = "tanh" if name == "tanh" else "σ(z) = 1/(1 + e^(-z))"
    return Draft(
        prompt=f"A layer with activation {act}, weights W = {typed(W)}, bias b = {typed(b)} and input "
        f"a0 = {typed(a0)}. Find a1 = {name}(W a0 + b) to 4 significant figures.",
        prompt_latex=rf"With $W = {tex(W)}$, $b = {tex(b)}$, $a^{{(0)}} = {tex(a0)}$, find "
        rf"$a^{{(1)}} = \operatorname{{{name}}}(W a^{{(0)}} + b)$.",
        variables=(),
        answer=answer,
        mode="numeric" if n_out == 1 else "equivalent",
        hints=("First the weighted sum z = W a0 + b, then the activation.", f"z = {to_text(z)}.",
               f"Apply {name} to each entry of z."),
        solution=(f"z = W a0 + b = {to_text(z)}", f"a1 = {name}(z) = {to_text(a1)}", f"Answer: {shown}"),
        options=(("tolerance", {"sig": 4}),) if n_out == 1 else (),
    )


@topic(
    "network_derivative",
    3,
    "dC/dw and dC/db for a one-neuron network with cost C = (a - y)^2",
    ("dC/db with tanh", "dC/dw with tanh", "dC/dw with the sigmoid"),
)
def network_derivative(rng, difficulty):
    w, b, a_in, target = sp.symbols("w b x y")
    sigma = _act("sigmoid" if difficulty == 3 else "tanh")
    C = (sigma(w * a_in + b) - target) ** 2
    var = b if difficulty == 1 else w
    return derivation(
        C,
        var,
        variables=(w, b, a_in, target),
        partial=True,
        prompt=f"A neuron a = {'σ' if difficulty == 3 else 'tanh'}(w x + b) has cost C = (a - y)^2"
        + (" where σ(z) = 1/(1 + e^(-z))" if difficulty == 3 else "")
        + f". Find ∂C/∂{var} in terms of w, b, x and y.",
        prompt_latex=rf"With $a = {tex(sigma(w * a_in + b))}$ and $C = (a - y)^2$, find $\frac{{\partial C}}{{\partial {var}}}$.",
    )
