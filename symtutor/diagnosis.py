"""Common mistakes ("buggy rules") and the messages that explain them.

A diagnosis is a stable tag and a message.  Tags are produced by comparing a
wrong answer with what each misconception would give: the derivative with the
chain rule's inner factor dropped, a product rule applied as a product of
derivatives, a Taylor polynomial without its factorials, and so on.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = ["MESSAGES", "buggy_derivative", "BUGS"]

MESSAGES: dict[str, str] = {
    "chain_rule_inner_missing": (
        "Check the chain rule: after differentiating the outer function, "
        "multiply by the derivative of the inner function."
    ),
    "product_rule_as_product": (
        "The derivative of a product is not the product of the derivatives: (f g)' = f' g + f g'."
    ),
    "quotient_rule_sign": (
        "Check the order in the quotient rule's numerator: (f/g)' = (f' g - f g')/g^2."
    ),
    "sign_error": "The sign is wrong.",
    "term_sign_error": "One of the terms has the wrong sign.",
    "constant_factor": "Your answer is off by a constant factor of {factor}.",
    "extra_constant": "Your answer differs from the right one by a constant ({constant}).",
    "wrong_variable": "It looks as if you differentiated with respect to {used} instead of {wanted}.",
    "original_function": "That is the function itself: it still needs to be differentiated.",
    "transposed": (
        "Your matrix is the transpose of the right one. A Jacobian has one row per output "
        "function and one column per variable."
    ),
    "row_for_column": "Write the vector as a column, (a, b) or [a, b], not as a row [[a, b]].",
    "wrong_shape": "Expected {expected_shape}, but the answer is {answer_shape}.",
    "missing_mixed_partials": (
        "The mixed partial derivatives (the entries off the diagonal) are missing: "
        "d2f/dx dy is not zero in general."
    ),
    "taylor_missing_factorial": (
        "Each Taylor coefficient is the derivative divided by a factorial: f^(n)(a)/n!."
    ),
    "taylor_wrong_point": "This is the expansion about {used}, not about {wanted}.",
    "taylor_wrong_degree": "Keep the terms up to and including degree {order}, and no higher.",
    "term_missing": "A term is missing.",
    "term_extra": "There is a term too many.",
    "not_expanded": "The value is right, but it is not expanded: multiply out the brackets.",
    "not_factored": "The value is right, but it is not fully factored.",
    "not_simplified": "The value is right, but it can be simplified further.",
    "not_a_number": "The answer should be a number.",
    "too_few_digits": "Give at least {digits} significant figures.",
    "not_a_polynomial": "The answer should be a polynomial in {variables}.",
}
"""Messages by diagnosis tag; ``{...}`` fields are filled in per answer."""

BUGS = ("chain_rule_inner_missing", "product_rule_as_product", "quotient_rule_sign")
"""The differentiation misconceptions :func:`buggy_derivative` can apply."""


def buggy_derivative(expr: sp.Expr, x: sp.Symbol, bug: str) -> sp.Expr:
    """d(expr)/dx with one misconception applied wherever it can be.

    Examples:
        >>> x = sp.Symbol("x")
        >>> buggy_derivative(sp.sin(x**2), x, "chain_rule_inner_missing")
        cos(x**2)
        >>> buggy_derivative(x**2 * sp.sin(x), x, "product_rule_as_product")
        2*x*cos(x)
    """
    if bug not in BUGS:
        raise ValueError(f"bug must be one of {', '.join(BUGS)}, not {bug!r}")
    return _D(x, bug).d(expr)


_T = sp.Symbol("_symtutor_t")


@lru_cache(maxsize=64)
def _outer_derivative(func):
    """(t, f'(t)) for a function class f."""
    return _T, sp.diff(func(_T), _T)


class _D:
    def __init__(self, x, bug):
        self.x = x
        self.bug = bug

    def inner(self, u):
        """du/dx, or 1 when the chain rule's inner factor is forgotten."""
        if self.bug == "chain_rule_inner_missing":
            return sp.S.One
        return self.d(u)

    def d(self, e):
        x = self.x
        if not e.has(x):
            return sp.S.Zero
        if e == x:
            return sp.S.One
        if e.is_Add:
            return sp.Add(*[self.d(t) for t in e.args])
        if e.is_Mul:
            const = [f for f in e.args if not f.has(x)]
            dep = [f for f in e.args if f.has(x)]
            if const:
                return sp.Mul(*const) * self.d(sp.Mul(*dep))
            num = [f for f in dep if not (f.is_Pow and f.exp.is_number and f.exp.is_negative)]
            den = [f.base ** (-f.exp) for f in dep if f.is_Pow and f.exp.is_number and f.exp.is_negative]
            if num and den:
                f, g = sp.Mul(*num), sp.Mul(*den)
                df, dg = self.d(f), self.d(g)
                if self.bug == "quotient_rule_sign":
                    return (f * dg - df * g) / g**2
                return (df * g - f * dg) / g**2
            if self.bug == "product_rule_as_product":
                return sp.Mul(*[self.d(f) for f in dep])
            return sp.Add(
                *[sp.Mul(self.d(f), *[g for j, g in enumerate(dep) if j != i]) for i, f in enumerate(dep)]
            )
        if e.is_Pow:
            b, n = e.base, e.exp
            if not n.has(x):
                return n * b ** (n - 1) * self.inner(b)
            if not b.has(x):
                return e * sp.log(b) * self.inner(n)
            return sp.diff(e, x)
        if isinstance(e, sp.Function) and len(e.args) == 1:
            u = e.args[0]
            t, outer = _outer_derivative(e.func)
            return outer.xreplace({t: u}) * self.inner(u)
        return sp.diff(e, x)
