"""Common mistakes ("buggy rules") and the messages that explain them.

A diagnosis is a stable tag and a message.  Tags are produced by comparing a
wrong answer with what each misconception would give: the derivative with the
chain rule's inner factor dropped, a product rule applied as a product of
derivatives, the power rule applied to e^x, a Taylor polynomial without its
factorials, and so on (:func:`telling_mistakes`); then by comparing its shape
with the expected answer's: a sign, a constant factor, one term missing,
flipped, scaled or upside down (as written and after expansion), the terms
multiplied instead of added; and, for vectors and matrices, the whole answer
negated, scaled, transposed or its components swapped.  The checks run in that
order, so the most telling diagnosis wins.  A message never states a number
from which the answer follows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import sympy as sp

from ._modes import small_expansion

__all__ = ["MESSAGES", "buggy_derivative", "BUGS", "Mistake", "telling_mistakes"]

MESSAGES: dict[str, str] = {
    "chain_rule_inner_missing": (
        "Check the chain rule: after differentiating the outer function, "
        "multiply by the derivative of the inner function."
    ),
    "chain_rule_inner_replaced": (
        "Check the chain rule: d/dx f(u) = f'(u) u'. The outer derivative is taken at u itself, "
        "not at u'."
    ),
    "chain_rule_outer_not_differentiated": (
        "Check the chain rule: the outer function must be differentiated too: d/dx f(u) = f'(u) u', not f(u) u'."
    ),
    "chain_rule_layer_dropped": (
        "Check the chain rule: one layer's derivative is missing. Each function in the chain "
        "contributes its own derivative (such as sigma'(z)) to the product."
    ),
    "chain_rule_paths_multiplied": (
        "The multivariate chain rule adds the contributions of each path "
        "(df/dt = df/dx dx/dt + df/dy dy/dt); they are not multiplied."
    ),
    "chain_rule_factor_missing": (
        "Check the multivariate chain rule: each partial derivative is multiplied by the derivative of "
        "its inner variable (df/dx dx/dt + df/dy dy/dt)."
    ),
    "product_rule_as_product": (
        "The derivative of a product is not the product of the derivatives: (f g)' = f' g + f g'."
    ),
    "product_rule_one_term": "The product rule has two terms: (f g)' = f' g + f g'. One of them is missing.",
    "quotient_rule_sign": (
        "Check the order and the sign in the quotient rule's numerator: (f/g)' = (f' g - f g')/g^2."
    ),
    "quotient_rule_no_square": "The quotient rule divides by the square of the denominator: (f/g)' = (f' g - f g')/g^2.",
    "quotient_rule_as_ratio": (
        "The derivative of a quotient is not the quotient of the derivatives: (f/g)' = (f' g - f g')/g^2, not f'/g'."
    ),
    "power_rule_on_exponential": (
        "d/dx e^x = e^x, and d/dx a^x = a^x ln(a): the power rule is for x^n, not for a variable exponent."
    ),
    "exponential_log_missing": "d/dx a^x = a^x ln(a): the factor ln(a) is missing (only e^x is its own derivative).",
    "partial_as_total": (
        "In a partial derivative the other variables are held constant: no term comes from differentiating them."
    ),
    "power_rule_exponent_kept": "The power rule lowers the exponent by one: d/dx x^n = n x^(n-1), not n x^n.",
    "power_rule_coefficient_missing": "The power rule brings the exponent down as a factor: d/dx x^n = n x^(n-1).",
    "power_rule_exponent_raised": "The power rule lowers the exponent: d/dx x^n = n x^(n-1), not n x^(n+1).",
    "log_rule_inner_missing": "d/dx ln(u) = u'/u: divide the derivative of the inside by the inside.",
    "log_rule_as_one_over_x": "d/dx ln(u) = u'/u, which is 1/x only when u = x.",
    "trig_derivative_sign": "Check the signs of the trigonometric derivatives: (sin x)' = cos x, (cos x)' = -sin x.",
    "partial_factor_dropped": (
        "In a partial derivative the other variables are constants, but a constant factor stays: "
        "d/dx (g(y) f(x)) = g(y) f'(x)."
    ),
    "domain_differs": (
        "Your answer agrees with the right one where both are defined, but not everywhere: one of them is "
        "undefined for some values (as log(x) is for x <= 0, where log(x^2) is defined)."
    ),
    "term_not_differentiated": (
        "One term has not been differentiated: every term of a sum is differentiated on its own, "
        "(f + g)' = f' + g'."
    ),
    "constant_kept": "The derivative of a constant term is 0: d/dx (f + c) = f'.",
    "term_factor_missing": (
        "One of the terms is missing a factor: check each term for a factor left out (a denominator, "
        "a rate, or a derivative from the chain rule)."
    ),
    "sign_error": "The sign is wrong.",
    "term_sign_error": "One of the terms has the wrong sign.",
    "term_factor": "One of the terms is off by a constant factor (a coefficient, a rate, or a factor from the chain rule).",
    "term_inverted": "One of the terms is upside down: check which way round the fraction goes (f/f', not f'/f).",
    "constant_factor": "Your answer is a constant multiple of the right one: check the constant factors.",
    "extra_constant": "Your answer differs from the right one by a constant.",
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
    "vector_negated": "Every component has the wrong sign (a step uphill instead of downhill, or a sign slip).",
    "vector_scaled": "Every component is off by the same constant factor (a rate, or a factor left out).",
    "components_swapped": "The components are in the wrong order.",
    "same_slip_in_every_entry": "Every entry has the same slip: {detail}",
    "taylor_missing_factorial": (
        "Each Taylor coefficient is the derivative divided by a factorial: f^(n)(a)/n!."
    ),
    "taylor_divided_by_n": "Each Taylor coefficient is divided by n! (the factorial), not by n: f^(n)(a)/n!.",
    "taylor_powers_of_x": "A Taylor series about a is in powers of (x - a), not of x.",
    "taylor_mixed_term": (
        "The second-order term is (f_xx dx^2 + 2 f_xy dx dy + f_yy dy^2)/2: the mixed term keeps its 2."
    ),
    "taylor_shift_sign": "A Taylor series about a is in powers of (x - a), not of (x + a).",
    "taylor_wrong_point": "This is the expansion about {used}, not about {wanted}.",
    "taylor_wrong_degree": "Keep the terms up to and including degree {order}, and no higher.",
    "term_missing": "A term is missing.",
    "term_extra": "There is a term too many.",
    "not_expanded": "The value is right, but it is not expanded: multiply out the brackets.",
    "not_factored": "The value is right, but it is not fully factored.",
    "not_simplified": "The value is right, but it can be simplified further.",
    "not_a_number": "The answer should be a number.",
    "not_real": "That is not a real number.",
    "too_few_digits": "Give at least {digits} significant figures.",
    "not_a_polynomial": "The answer should be a polynomial in {variables}.",
    "ambiguous": "This can be read in more than one way: {readings}. Add brackets to say which you mean.",
}
"""Messages by diagnosis tag; ``{...}`` fields are filled in per answer."""

BUGS = (
    "chain_rule_inner_missing",
    "product_rule_as_product",
    "quotient_rule_sign",
    "quotient_rule_no_square",
    "quotient_rule_as_ratio",
    "quotient_rule_plus",
    "power_rule_on_exponential",
    "power_rule_exponent_kept",
    "power_rule_coefficient_missing",
    "power_rule_exponent_raised",
    "log_rule_inner_missing",
    "log_rule_as_one_over_x",
    "trig_derivative_sign",
    "partial_factor_dropped",
    "exponential_log_missing",
    "chain_rule_inner_replaced",
    "chain_rule_outer_not_differentiated",
    "product_rule_first_term",
    "product_rule_second_term",
)
"""The differentiation misconceptions :func:`buggy_derivative` can apply."""

_TAG = {"product_rule_first_term": "product_rule_one_term", "product_rule_second_term": "product_rule_one_term",
        "quotient_rule_plus": "quotient_rule_sign"}


def buggy_derivative(expr: sp.Expr, x: sp.Symbol, bug: str) -> sp.Expr:
    """d(expr)/dx with one misconception applied wherever it can be.

    Examples:
        >>> x = sp.Symbol("x")
        >>> buggy_derivative(sp.sin(x**2), x, "chain_rule_inner_missing")
        cos(x**2)
        >>> buggy_derivative(x**2 * sp.sin(x), x, "product_rule_as_product")
        2*x*cos(x)
        >>> buggy_derivative(sp.exp(x), x, "power_rule_on_exponential")
        x*exp(x - 1)
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
    """Differentiation rule by rule, with one misconception (or one node's outer derivative) changed."""

    def __init__(self, x, bug, drop=None, bare=None, only=None):
        self.x = x
        self.bug = bug
        self.drop = drop  # a node whose outer derivative is left out (one chain-rule layer)
        self.bare = bare  # a node whose inner derivative is left out (one layer's inner factor)
        self.only = only  # the one node the misconception is applied at (None: everywhere)

    def inner(self, u, node=None):
        """du/dx, or 1 when the chain rule's inner factor is forgotten (everywhere, or at one node)."""
        if self.bug == "chain_rule_inner_missing" or (node is not None and node == self.bare):
            return sp.S.One
        return self.d(u)

    def d(self, e):
        x = self.x
        bug = self.bug if self.only is None or e == self.only else None
        if not e.has(x):
            return sp.S.Zero
        if e == x:
            return sp.S.One
        if self.drop is not None and e == self.drop and e.args:
            return self.d(e.args[0] if not e.is_Pow else e.base)
        if e.is_Add:
            return sp.Add(*[self.d(t) for t in e.args])
        if e.is_Mul:
            const = [f for f in e.args if not f.has(x)]
            dep = [f for f in e.args if f.has(x)]
            if const:
                if bug == "partial_factor_dropped" and any(f.free_symbols for f in const):
                    const = [f for f in const if not f.free_symbols]
                return sp.Mul(*const) * self.d(sp.Mul(*dep))
            num = [f for f in dep if not (f.is_Pow and f.exp.is_number and f.exp.is_negative)]
            den = [f.base ** (-f.exp) for f in dep if f.is_Pow and f.exp.is_number and f.exp.is_negative]
            if num and den:
                f, g = sp.Mul(*num), sp.Mul(*den)
                df, dg = self.d(f), self.d(g)
                if bug == "quotient_rule_sign":
                    return (f * dg - df * g) / g**2
                if bug == "quotient_rule_plus":
                    return (df * g + f * dg) / g**2
                if bug == "quotient_rule_no_square":
                    return (df * g - f * dg) / g
                if bug == "quotient_rule_as_ratio":
                    return df / dg
                return (df * g - f * dg) / g**2
            if bug == "product_rule_as_product":
                return sp.Mul(*[self.d(f) for f in dep])
            terms = [sp.Mul(self.d(f), *[g for j, g in enumerate(dep) if j != i]) for i, f in enumerate(dep)]
            if bug == "product_rule_first_term":
                return terms[0]
            if bug == "product_rule_second_term":
                return terms[-1]
            return sp.Add(*terms)
        if e.is_Pow:
            b, n = e.base, e.exp
            if not n.has(x):
                if bug == "chain_rule_inner_replaced" and b != x:
                    return n * self.d(b) ** (n - 1)  # (u^n)' as n (u')^(n-1)
                if bug == "quotient_rule_no_square" and n == -1:
                    return -self.inner(b, e) / b
                if bug == "power_rule_exponent_kept":
                    return n * b**n * self.inner(b, e)
                if bug == "power_rule_coefficient_missing":
                    return b ** (n - 1) * self.inner(b, e)
                if bug == "power_rule_exponent_raised":
                    return n * b ** (n + 1) * self.inner(b, e)
                return n * b ** (n - 1) * self.inner(b, e)
            if not b.has(x):
                if bug == "power_rule_on_exponential":
                    return n * b ** (n - 1)
                if bug == "exponential_log_missing":
                    return e * self.inner(n, e)
                return e * sp.log(b) * self.inner(n, e)
            return sp.diff(e, x)
        if isinstance(e, sp.log) and len(e.args) == 1:
            u = e.args[0]
            if bug == "log_rule_inner_missing":
                return 1 / u
            if bug == "log_rule_as_one_over_x":
                return 1 / x
            return self.inner(u, e) / u
        if isinstance(e, sp.exp) and bug == "power_rule_on_exponential":
            u = e.args[0]
            return u * sp.exp(u - 1)  # as if e^u were a power of e with the exponent brought down
        if isinstance(e, sp.Function) and len(e.args) == 1:
            u = e.args[0]
            t, outer = _outer_derivative(e.func)
            if bug == "trig_derivative_sign" and e.func in (sp.sin, sp.cos):
                outer = -outer
            if bug == "chain_rule_inner_replaced" and u != x:
                return outer.xreplace({t: self.d(u)})
            if bug == "chain_rule_outer_not_differentiated" and u != x:
                return e * self.d(u)
            return outer.xreplace({t: u}) * self.inner(u, e)
        return sp.diff(e, x)


@dataclass(frozen=True, slots=True)
class Mistake:
    """A telling wrong answer: what a misconception gives, its tag and its message."""

    tag: str
    answer: sp.Expr
    message: str


def _layers(f, x) -> list:
    """The function applications in f (one chain-rule layer each), outermost first, at most six."""
    out = []
    for node in sp.preorder_traversal(f):
        if (isinstance(node, sp.Function) and len(node.args) == 1 and node.args[0].has(x) and node.args[0] != x) or (
            node.is_Pow and node.base.has(x) and not node.exp.has(x) and node.base != x
        ):
            if node not in out:
                out.append(node)
        if len(out) >= 6:
            break
    return out


def _paths_multiplied(f, x):
    """The terms of the derivative's paths multiplied instead of added (None when f has one path)."""
    d = _D(x, None).d
    if f.is_Add:
        parts = [d(t) for t in f.args if t.has(x)]
    elif f.is_Mul:
        dep = [g for g in f.args if g.has(x)]
        const = sp.Mul(*[g for g in f.args if not g.has(x)])
        parts = [const * d(g) * sp.Mul(*[h for h in dep if h is not g]) for g in dep]
    else:
        return None
    parts = [p for p in parts if p != 0]
    if len(parts) < 2:
        return None
    return sp.Mul(*parts)


class _Worked:
    """The results of a list of steps, worked out in order as far as they are asked for, and kept.

    A step cut short (by a time limit) leaves those before it done: the next
    caller goes on from there, so what a question has worked out never
    depends on where an earlier answer was stopped.  ``state`` is replaced in
    one assignment, so an interruption never leaves it half updated.
    """

    def __init__(self, steps: tuple, work):
        self._steps = steps
        self._work = work  # step -> a result, or None for nothing
        self.state: tuple = (0, ())  # (steps done, results)

    def advance(self) -> bool:
        """Work out the next step; False when every step is done."""
        done, results = self.state
        if done >= len(self._steps):
            return False
        result = self._work(self._steps[done])
        self.state = (done + 1, results if result is None else results + (result,))
        return True

    def get(self, i: int):
        """Result i, or None when the steps give fewer."""
        while len(self.state[1]) <= i:
            if not self.advance():
                return None
        return self.state[1][i]

    def fill(self) -> tuple:
        """Every result."""
        while self.advance():
            pass
        return self.state[1]

    def __iter__(self):
        i = 0
        while (item := self.get(i)) is not None:
            yield item
            i += 1


def _mistake(step):
    tag, work, fields = step
    try:
        wrong = work()
    except (ValueError, TypeError, RecursionError, AttributeError):
        return None
    return None if wrong is None else (tag, wrong, fields)


@lru_cache(maxsize=256)
def _derivative_mistakes(f, x) -> _Worked:
    """(tag, wrong answer, message fields) for the usual mistakes in differentiating f by x, worked out as needed."""
    return _Worked(_derivative_mistake_steps(f, x), _mistake)


def _derive(f, x, bug=None, **where):
    return _D(x, bug, **where).d(f)


@lru_cache(maxsize=256)
def _right_derivative(f, x):
    return _D(x, None).d(f)


def _term_kept(f, x, t):
    # one term left as it was: d/dx (x^3 + 5x) as 3x^2 + 5x (unless that is f itself, named so)
    wrong = _right_derivative(f, x) - _D(x, None).d(t) + t
    return wrong if not small_expansion(wrong - f) or sp.expand(wrong - f) != 0 else None


def _partial_as_total(f, x, others):
    from .calculus import derivative

    return sp.Add(*[derivative(f, v) for v in [x, *others]])


def _derivative_mistake_steps(f, x) -> tuple:
    """(tag, work, fields) for each usual mistake in differentiating f by x, most specific first.

    ``work()`` gives the wrong answer (None when the mistake does not apply);
    listing the steps is cheap, working them out is not.
    """
    from .calculus import derivative

    # the most specific first: rule-by-rule slips, then chain-rule layers, then the wrong variable
    order = (
        "power_rule_on_exponential", "exponential_log_missing", "log_rule_as_one_over_x",
        "quotient_rule_as_ratio", "quotient_rule_no_square", "quotient_rule_sign", "quotient_rule_plus",
        "product_rule_as_product", "product_rule_first_term", "product_rule_second_term",
        "power_rule_exponent_kept", "power_rule_coefficient_missing",
        "power_rule_exponent_raised", "trig_derivative_sign", "chain_rule_inner_missing", "log_rule_inner_missing",
        "partial_factor_dropped", "chain_rule_inner_replaced", "chain_rule_outer_not_differentiated",
    )
    steps = [(_TAG.get(bug, bug), partial(buggy_derivative, f, x, bug), ()) for bug in order if _applies(bug, f, x)]
    # a misconception applied at one place only, where f has several (the outer power, not the inner one)
    for bug in _ONE_PLACE:
        nodes = [n for n in sp.preorder_traversal(f) if n.has(x) and _ONE_PLACE[bug](n, x)]
        if 1 < len(nodes) <= 4:
            steps += [(_TAG.get(bug, bug), partial(_derive, f, x, bug, only=node), ()) for node in nodes]
    if f.is_Add and len(f.args) <= 6:
        for t in f.args:
            if t.has(x):
                steps.append(("term_not_differentiated", partial(_term_kept, f, x, t), ()))
            else:
                steps.append(("constant_kept", partial(lambda t: _right_derivative(f, x) + t, t), ()))
    # the inner function replaced by its derivative, and then multiplied by it too
    steps.append(("chain_rule_inner_replaced", partial(_inner_replaced_times, f, x), ()))
    layers = _layers(f, x)
    steps += [("chain_rule_layer_dropped", partial(_derive, f, x, drop=node), ()) for node in layers]
    # one inner layer's own factor left out (d/dx e^(sin 2x) as e^(sin 2x) cos 2x)
    steps += [("chain_rule_inner_missing", partial(_derive, f, x, bare=node), ()) for node in layers
              if len(layers) > 1]
    steps.append(("chain_rule_paths_multiplied", partial(_paths_multiplied, f, x), ()))
    others = sorted(f.free_symbols - {x}, key=str)
    steps += [("wrong_variable", partial(derivative, f, y), (("used", y), ("wanted", x))) for y in others]
    if others:
        # a partial derivative taken as a total one, as if each other variable moved with x
        steps.append(("partial_as_total", partial(_partial_as_total, f, x, others), ()))
    # last: for e^(g(x)) the chain rule without its inner factor gives f itself, and that names it better
    steps.append(("original_function", lambda: f, ()))
    return tuple(steps)


def _applies(bug: str, f, x) -> bool:
    """Whether f holds something the misconception changes (else it gives the right derivative)."""
    nodes = [n for n in sp.preorder_traversal(f) if n.has(x)]
    if bug == "power_rule_on_exponential":
        return any(isinstance(n, sp.exp) or (n.is_Pow and not n.base.has(x)) for n in nodes)
    if bug == "exponential_log_missing":
        return any(n.is_Pow and not n.base.has(x) for n in nodes)
    if bug.startswith("log_rule"):
        return any(isinstance(n, sp.log) for n in nodes)
    if bug.startswith("quotient_rule"):
        # a quotient: a negative power of something other than x alone (1/x is a power, x^-1), or a product
        # with a denominator (sin(x)/x)
        return any(n.is_Pow and n.exp.is_number and n.exp.is_negative and n.base != x for n in nodes) or any(
            n.is_Mul and any(g.is_Pow and g.exp.is_number and g.exp.is_negative for g in n.args)
            and sum(1 for g in n.args if g.has(x)) > 1 for n in nodes)
    if bug.startswith("product_rule"):
        return any(n.is_Mul and sum(1 for g in n.args if g.has(x)) > 1 for n in nodes)
    if bug.startswith("power_rule"):
        return any(n.is_Pow and not n.exp.has(x) for n in nodes)
    if bug == "trig_derivative_sign":
        return any(isinstance(n, (sp.sin, sp.cos)) for n in nodes)
    if bug == "partial_factor_dropped":
        return bool(f.free_symbols - {x})
    if bug.startswith("chain_rule"):
        return any((isinstance(n, sp.Function) or n.is_Pow) and n.args and n.args[0] != x for n in nodes)
    return True


def _is_power(n, x) -> bool:
    return n.is_Pow and not n.exp.has(x)


_ONE_PLACE = {
    "power_rule_exponent_kept": _is_power,
    "power_rule_coefficient_missing": _is_power,
    "power_rule_exponent_raised": _is_power,
    "power_rule_on_exponential": lambda n, x: isinstance(n, sp.exp) or (n.is_Pow and not n.base.has(x)),
    "trig_derivative_sign": lambda n, x: isinstance(n, (sp.sin, sp.cos)),
    "log_rule_inner_missing": lambda n, x: isinstance(n, sp.log),
}
"""Misconceptions that may be applied at one place of a function only, and the places they apply to."""


def _inner_replaced_times(f, x):
    """f'(u') u' for a single outer function of an inner u (the inner replaced by its derivative)."""
    if isinstance(f, sp.Function) and len(f.args) == 1 and f.args[0] != x:
        u = f.args[0]
        du = sp.diff(u, x)
        t, outer = _outer_derivative(f.func)
        return outer.xreplace({t: du}) * du
    if f.is_Pow and f.base.has(x) and not f.exp.has(x) and f.base != x:
        du = sp.diff(f.base, x)
        return f.exp * du ** (f.exp - 1) * du
    raise ValueError("not a composition")


def telling_mistakes(function, wrt, expected=None) -> tuple:
    """The wrong answers the usual misconceptions give for d(function)/d(wrt), each a :class:`Mistake`.

    Only mistakes that give something other than ``expected`` (the right
    derivative) are listed, each once, in the order the checker tries them.

    Examples:
        >>> x = sp.Symbol("x")
        >>> [(m.tag, m.answer) for m in telling_mistakes(sp.exp(x), x)][:1]
        [('power_rule_on_exponential', x*exp(x - 1))]
    """
    from ._coerce import as_expr, as_variables

    f = as_expr(function, name="function")
    x = as_variables(wrt, f)[0]
    right = sp.diff(f, x) if expected is None else as_expr(expected, name="expected")
    from ._compare import Compare, seed_of

    variables = tuple(sorted(f.free_symbols | right.free_symbols, key=str))
    cmp = Compare(variables, seed_of(str(f), str(x)), 1e-30)
    seen: list = []
    out = []
    for tag, wrong, fields in _derivative_mistakes(f, x):
        if wrong == 0 or wrong == right or cmp.equal(wrong, right) or any(cmp.equal(wrong, s) for s in seen):
            continue
        seen.append(wrong)
        out.append(Mistake(tag, wrong, MESSAGES[tag].format(**dict(fields))))
    return tuple(out)


# --------------------------------------------------------------------------
# naming the mistake in a wrong scalar answer (used by the checker)


def _same_everywhere(values, tol, scale=None) -> bool:
    scale = np.abs(values) if scale is None else np.abs(scale)
    return bool(np.all(np.abs(values - values[0]) <= tol * np.maximum(1.0, scale)))


class _MistakeValues:
    """The mistakes in differentiating f that give something other than b, with their float values at the points.

    Worked out whole the first time a question needs them (a right answer
    prepares them, see :func:`prepare_scalar`) and kept, as far as the time
    limit let it go, so every later answer is compared with all of them at once.
    """

    def __init__(self, f, x, b, variables: tuple, seed: int):
        from ._compare import Compare

        self._cmp = Compare(variables, seed, 1e-30)
        self._b = b
        self._mistakes = _derivative_mistakes(f, x)
        self.state: tuple = (0, frozenset(), ())  # (mistakes looked at, their answers, rows)
        self._stacked: tuple = (0, None, None)  # (rows stacked, row indices with values, their values)

    def fill(self) -> tuple:
        """Every row (tag, wrong answer, fields, float values or None), in the order they are tried."""
        cmp, b = self._cmp, self._b
        while True:
            used, seen, rows = self.state
            item = self._mistakes.get(used)
            if item is None:
                return rows
            tag, wrong, fields = item
            row = None
            if wrong != 0 and wrong not in seen and (
                    tag == "original_function" or not (wrong == b or cmp.resembles(wrong, b))):
                row = (tag, wrong, fields, cmp.floats(wrong))  # else: this mistake makes no difference here
            self.state = (used + 1, seen | {wrong}, rows if row is None else rows + (row,))

    def first(self, cmp, a, fa, tol):
        """The first row a resembles (compared with every row with values at once), or None."""
        rows = self.fill()
        n, with_values, values = self._stacked
        if n != len(rows):
            with_values = [i for i, r in enumerate(rows) if r[3] is not None]
            values = np.stack([rows[i][3] for i in with_values]) if with_values else None
            self._stacked = (len(rows), with_values, values)
        like = np.zeros(len(rows), dtype=bool)
        if fa is not None and values is not None:
            from ._compare import resembling

            like[with_values] = resembling(fa, values, tol)
        for i, (tag, wrong, fields, fw) in enumerate(rows):
            if like[i] if (fa is not None and fw is not None) else cmp.resembles(a, wrong):
                return rows[i]
        return None


@lru_cache(maxsize=256)
def _mistakes_at(f, x, b, variables: tuple, seed: int) -> _MistakeValues:
    return _MistakeValues(f, x, b, variables, seed)


@lru_cache(maxsize=256)
def _factor_drops(b, variables: tuple, seed: int) -> tuple:
    """For each term of b (2 to 4 of them), the float values of the term with some of its factors left out."""
    from ._compare import Compare

    terms_b = sp.Add.make_args(b)
    if not 1 < len(terms_b) <= 4:
        return ()
    cmp = Compare(variables, seed, 1e-30)
    options = []
    for t in terms_b:
        facs = list(sp.Mul.make_args(t))[:4]
        opts = []
        if any(g.free_symbols for g in facs):
            negative = t.as_coeff_Mul()[0] < 0
            for k in range(1, len(facs)):
                for keep in itertools.combinations(facs, k):
                    fk = cmp.floats(sp.Mul(*keep))
                    if fk is not None:
                        opts.append(fk)
                        if negative:
                            opts.append(-fk)  # the sign went with the factor left out (-sin t)
        if not opts:
            return ()
        options.append(tuple(opts))
    return tuple(options)


@lru_cache(maxsize=1024)
def _factor_missing(t) -> tuple:
    """t with some of its factors (not only numbers) left out, keeping its sign: x/(3x^2) as x, -x/y as -x."""
    facs = list(sp.Mul.make_args(t))
    if not 1 < len(facs) <= 4:
        return ()
    sign = -1 if t.as_coeff_Mul()[0] < 0 else 1
    out = []
    for k in range(1, len(facs)):
        for keep in itertools.combinations(facs, k):
            dropped = [g for g in facs if g not in keep]
            if all(g.is_number for g in dropped):
                continue  # a constant factor: named as one
            kept = sp.Mul(*keep)
            for v in (kept, -kept) if sign < 0 else (kept,):
                if v not in out and v != t:
                    out.append(v)
    return tuple(out)


@lru_cache(maxsize=1024)
def _terms(e) -> list:
    """e's terms as written and, when e is a product or power, after expansion (at most 12 each)."""
    out = [tuple(sp.Add.make_args(e))]
    if (e.is_Mul or e.is_Pow) and sp.count_ops(e) < 80 and small_expansion(e):
        try:
            ex = sp.expand(e)
        except (TypeError, ValueError, RecursionError):
            ex = e
        if ex != e:
            out.append(tuple(sp.Add.make_args(ex)))
    return [t for t in out if 1 < len(t) <= 12]


@lru_cache(maxsize=256)
def _term_slips(b, variables: tuple, seed: int) -> tuple:
    """What b gives with one term missing, flipped, scaled or upside down, for comparing answers with at once.

    (steps, values): each step is (tag, row of values) for "the answer is this
    value", or ("term_factor", (term, rest)) for "the answer is rest plus a
    multiple of term"; in the order they are tried, for b's terms as written
    and then after expansion.
    """
    from ._compare import Compare

    cmp = Compare(variables, seed, 1e-30)
    fb = cmp.floats(b)
    if fb is None:
        return (), None
    steps: list = []
    rows: list = []

    def like(tag, values):
        steps.append((tag, len(rows)))
        rows.append(values)

    with np.errstate(all="ignore"):
        for terms_b in _terms(b):
            for t in terms_b:
                ft = cmp.floats(t)
                if ft is not None:
                    like("term_missing", fb - ft)
                    like("term_sign_error", fb - 2 * ft)
            for t in terms_b:
                ft = cmp.floats(t)
                if ft is None or t.is_number:
                    continue  # a constant term changed is a constant added, named later
                like("term_inverted", fb - ft + 1 / ft)
                like("term_inverted", fb - ft - 1 / ft)
                steps.append(("term_factor", (ft, fb - ft)))
            for t in terms_b[:6]:
                # one factor of a term upside down: f' f'' for f'/f'' (H for H^-1 in a Newton step)
                facs = [g for g in sp.Mul.make_args(t) if not g.is_number][:4]
                num, den = sp.fraction(t)
                flipped = [num * den] if den != 1 and num.free_symbols else []
                flipped += [t * g**-2 for g in facs] if len(facs) > 1 else []
                ft = cmp.floats(t)
                if ft is None:
                    continue
                for w in flipped:
                    fg = cmp.floats(w)
                    if fg is not None:
                        like("term_inverted", fb - ft + fg)
                for kept in _factor_missing(t):
                    fk = cmp.floats(kept)
                    if fk is not None:
                        like("term_factor_missing", fb - ft + fk)
    return tuple(steps), (np.stack(rows) if rows else None)


def _term_slip(fa, slips, tol):
    """The first of :func:`_term_slips` that fa shows, or None."""
    steps, values = slips
    if values is None:
        return None
    from ._compare import resembling

    like = resembling(fa, values, tol)
    for tag, what in steps:
        if tag != "term_factor":
            if like[what]:
                return tag
            continue
        ft, rest_b = what  # fa = rest_b + r ft, with one r everywhere (not 0, 1 or -1)
        with np.errstate(all="ignore"):
            rest = fa - rest_b
            ok = np.isfinite(rest) & np.isfinite(ft) & (np.abs(ft) > 1e-9)
            if ok.sum() >= 6:
                r = rest[ok] / ft[ok]
                if _same_everywhere(r, tol) and abs(r[0]) > 1e-9 and abs(r[0] - 1) > 1e-6 and abs(r[0] + 1) > 1e-6:
                    return tag
    return None


_READY: dict = {}  # the questions prepare_scalar has worked out, oldest first (at most 1024 kept)


def prepare_scalar(cmp, b, *, function=None, wrt=None) -> None:
    """Work out what naming a mistake in an answer to b needs, once for the question (kept for later answers).

    The checker calls it after a right answer, so the first wrong answer to a
    question is named as quickly as the ones after it.

    Examples:
        >>> from symtutor._compare import Compare, seed_of
        >>> x = sp.Symbol("x")
        >>> cmp = Compare((x,), seed_of("2*x*cos(x^2)"))
        >>> prepare_scalar(cmp, 2 * x * sp.cos(x**2), function=sp.sin(x**2), wrt=x)
        >>> scalar_prepared(cmp, 2 * x * sp.cos(x**2), function=sp.sin(x**2), wrt=x)
        True
    """
    key = (b, cmp.variables, cmp.seed, function, wrt)
    if key in _READY:
        return
    if function is not None and wrt is not None:
        _mistakes_at(function, wrt, b, cmp.variables, cmp.seed).fill()
    _term_slips(b, cmp.variables, cmp.seed)
    _READY[key] = True
    if len(_READY) > 1024:
        del _READY[next(iter(_READY))]


def scalar_prepared(cmp, b, *, function=None, wrt=None) -> bool:
    """Whether :func:`prepare_scalar` has worked out this question (see its examples)."""
    return (b, cmp.variables, cmp.seed, function, wrt) in _READY


def diagnose_scalar(cmp, a, b, *, function=None, wrt=None, is_number=False):
    """(tag, fields) naming the mistake in a wrong scalar answer a to b, or None."""
    from ._compare import resembles
    from ._numeval import HUGE

    tol = max(1e-9, 2 * cmp.ftol)
    fa = cmp.floats(a)
    fb = cmp.floats(b)
    if fa is not None and fb is not None and resembles(fa, fb, tol):
        # equal where both are defined: named a domain slip once a point defined on one side only is found
        for i in np.flatnonzero(np.isfinite(fa) != np.isfinite(fb))[:8]:
            va, vb = cmp.value(a, int(i)), cmp.value(b, int(i))
            if (va is None) != (vb is None) and not any(v is HUGE for v in (va, vb)):
                return "domain_differs", {}
        return None  # a difference below floating point's resolution: nothing to name
    if function is not None and wrt is not None:
        found = _mistakes_at(function, wrt, b, cmp.variables, cmp.seed).first(cmp, a, fa, tol)
        if found is not None:
            return found[0], dict(found[2])
    vals = cmp.common(a, b)
    fb = cmp.floats(b)
    if len(vals) >= 3:
        va, vb = vals[:, 0], vals[:, 1]
        if np.any(np.abs(vb) > 1e-12) and np.all(np.abs(va + vb) <= tol * np.maximum(1.0, np.abs(vb))):
            return "sign_error", {}
    if fa is None or fb is None:
        return None
    # one term missing, flipped, scaled or upside down; compared as written and after expansion
    tag = _term_slip(fa, _term_slips(b, cmp.variables, cmp.seed), tol)
    if tag is not None:
        return tag, {}
    if len(vals) >= 3:
        va, vb = vals[:, 0], vals[:, 1]
        nz = np.abs(vb) > 1e-12
        if nz.sum() >= 3 and not is_number:
            ratios = va[nz] / vb[nz]
            if _same_everywhere(ratios, tol) and abs(ratios[0]) > 1e-12:
                return "constant_factor", {}
        diffs = va - vb
        if _same_everywhere(diffs, tol, np.maximum(np.abs(va), np.abs(vb))) and not is_number:
            return "extra_constant", {}
    # the terms multiplied instead of added (paths of the chain rule)
    for terms_b in _terms(b)[:1]:
        if len(terms_b) in (2, 3):
            prod = np.ones_like(fb)
            for t in terms_b:
                ft = cmp.floats(t)
                if ft is None:
                    prod = None
                    break
                prod = prod * ft
            if prod is not None and resembles(fa, prod, tol):
                return "chain_rule_paths_multiplied", {}
    # each term with a factor missing (df/dx + df/dy without dx/dt)
    options = _factor_drops(b, cmp.variables, cmp.seed)
    if options:
        for combo in itertools.islice(itertools.product(*options), 256):
            if resembles(fa, sum(combo), tol):
                return "chain_rule_factor_missing", {}
    terms_a = sp.Add.make_args(a)
    if 1 < len(terms_a) <= 12:
        for t in terms_a:
            ft = cmp.floats(t)
            if ft is not None and resembles(fa - ft, fb, tol):
                return "term_extra", {}
    return None
