"""Step-by-step derivatives as data: a tree of rule applications.

:func:`derivative_steps` returns the root of a tree whose nodes are frozen
dataclasses, one class per differentiation rule.  Every node knows its rule
(``rule``, with the rule's general form in ``formula``), its input (``expr``,
differentiated with respect to ``var``) and its ``result``; the ``eval`` method
recomputes the result from the children alone.  Rendering lives in
:mod:`symtutor.render`.

Gradient, Jacobian and Hessian steps are :class:`StepMatrix` values: a
matrix of per-entry trees.  The Hessian differentiates only its upper
triangle and records the mirrored entries in ``mirrored``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import sympy as sp
from sympy.core.function import AppliedUndef

from . import functions as _F
from ._coerce import as_expr, as_variable, as_variables
from .functions import FUNCTIONS as _REGISTRY
from .calculus import derivative

__all__ = [
    "Step",
    "ConstantRule",
    "IdentityRule",
    "ConstantMultipleRule",
    "SumRule",
    "PowerRule",
    "ProductRule",
    "QuotientRule",
    "ChainRule",
    "ExpRule",
    "ExponentialRule",
    "LogRule",
    "LogBaseRule",
    "TrigRule",
    "InverseTrigRule",
    "HyperbolicRule",
    "LogarithmicDifferentiationRule",
    "UndefinedFunctionRule",
    "FallbackRule",
    "SecondDerivative",
    "StepMatrix",
    "derivative_steps",
    "gradient_steps",
    "jacobian_steps",
    "hessian_steps",
]


@dataclass(frozen=True, slots=True)
class Step:
    """One application of a differentiation rule: d(expr)/d(var) = result."""

    expr: sp.Expr
    var: sp.Symbol
    result: sp.Expr

    rule: ClassVar[str] = "step"
    formula: ClassVar[str] = ""
    formula_latex: ClassVar[str] = ""

    @property
    def children(self) -> tuple[Step, ...]:
        """The sub-derivations this step combines."""
        return ()

    def eval(self) -> sp.Expr:  # safe: evaluates the step tree, never text
        """Recompute this step's result from its children."""
        raise NotImplementedError

    def walk(self):
        """Every node of the tree, parents before children."""
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True, slots=True)
class ConstantRule(Step):
    """The derivative of a constant is 0."""

    rule: ClassVar[str] = "constant rule"
    formula: ClassVar[str] = "d/dx c = 0"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} c = 0"

    def eval(self):  # safe: evaluates the step tree, never text
        return sp.S.Zero


@dataclass(frozen=True, slots=True)
class IdentityRule(Step):
    """The derivative of the variable itself is 1."""

    rule: ClassVar[str] = "identity rule"
    formula: ClassVar[str] = "d/dx x = 1"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} x = 1"

    def eval(self):  # safe: evaluates the step tree, never text
        return sp.S.One


@dataclass(frozen=True, slots=True)
class ConstantMultipleRule(Step):
    """A constant factor stays: (c f)' = c f'."""

    constant: sp.Expr
    inner: Step

    rule: ClassVar[str] = "constant multiple rule"
    formula: ClassVar[str] = "d/dx [c f(x)] = c f'(x)"
    formula_latex: ClassVar[str] = r"\frac{d}{dx}\left[c\,f(x)\right] = c\,f'(x)"

    @property
    def children(self):
        return (self.inner,)

    def eval(self):  # safe: evaluates the step tree, never text
        return self.constant * self.inner.eval()


@dataclass(frozen=True, slots=True)
class SumRule(Step):
    """Differentiate a sum term by term: (f + g)' = f' + g'."""

    terms: tuple[Step, ...]

    rule: ClassVar[str] = "sum rule"
    formula: ClassVar[str] = "d/dx [f(x) + g(x)] = f'(x) + g'(x)"
    formula_latex: ClassVar[str] = r"\frac{d}{dx}\left[f(x) + g(x)\right] = f'(x) + g'(x)"

    @property
    def children(self):
        return self.terms

    def eval(self):  # safe: evaluates the step tree, never text
        return sp.Add(*[t.eval() for t in self.terms])


@dataclass(frozen=True, slots=True)
class PowerRule(Step):
    """(x^n)' = n x^(n-1), for any constant n: roots and negative powers too."""

    exponent: sp.Expr

    rule: ClassVar[str] = "power rule"
    formula: ClassVar[str] = "d/dx x^n = n x^(n-1)"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} x^n = n\,x^{n-1}"

    @property
    def note(self) -> str:
        n = self.exponent
        if n.is_Rational and not n.is_Integer:
            if n.q == 2 and n.p > 0:
                return f"a square root is a power: sqrt(x) = x^(1/2), here n = {n}"
            return f"a root is a fractional power: here n = {n}"
        if n.is_negative:
            return f"1/x^k is the power x^(-k): here n = {n}"
        return ""

    def eval(self):  # safe: evaluates the step tree, never text
        return self.exponent * self.var ** (self.exponent - 1)


@dataclass(frozen=True, slots=True)
class ProductRule(Step):
    """(f g)' = f' g + f g'; for n factors, differentiate one factor at a time."""

    factors: tuple[sp.Expr, ...]
    steps: tuple[Step, ...]

    rule: ClassVar[str] = "product rule"
    formula: ClassVar[str] = "d/dx [f g] = f' g + f g'"
    formula_latex: ClassVar[str] = r"\frac{d}{dx}\left[f g\right] = f' g + f g'"

    @property
    def children(self):
        return self.steps

    def eval(self):  # safe: evaluates the step tree, never text
        terms = []
        for i, s in enumerate(self.steps):
            others = [f for j, f in enumerate(self.factors) if j != i]
            terms.append(sp.Mul(s.eval(), *others))
        return sp.Add(*terms)


@dataclass(frozen=True, slots=True)
class QuotientRule(Step):
    """(f/g)' = (f' g - f g') / g^2."""

    numerator: sp.Expr
    denominator: sp.Expr
    numerator_step: Step
    denominator_step: Step

    rule: ClassVar[str] = "quotient rule"
    formula: ClassVar[str] = "d/dx [f/g] = (f' g - f g') / g^2"
    formula_latex: ClassVar[str] = r"\frac{d}{dx}\frac{f}{g} = \frac{f' g - f g'}{g^2}"

    @property
    def children(self):
        return (self.numerator_step, self.denominator_step)

    def eval(self):  # safe: evaluates the step tree, never text
        f, g = self.numerator, self.denominator
        return (self.numerator_step.eval() * g - f * self.denominator_step.eval()) / g**2


@dataclass(frozen=True, slots=True)
class ChainRule(Step):
    """(f(g(x)))' = f'(g(x)) g'(x): differentiate the outer function at u = g(x), times g'(x)."""

    u: sp.Symbol
    inner_expr: sp.Expr
    outer: Step
    inner: Step

    rule: ClassVar[str] = "chain rule"
    formula: ClassVar[str] = "d/dx f(u) = f'(u) du/dx, with u = g(x)"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} f(u) = f'(u)\,\frac{du}{dx},\ u = g(x)"

    @property
    def children(self):
        return (self.outer, self.inner)

    def eval(self):  # safe: evaluates the step tree, never text
        return _at(self.outer.eval(), self.u, self.inner_expr) * self.inner.eval()


@dataclass(frozen=True, slots=True)
class ExpRule(Step):
    """(e^x)' = e^x."""

    rule: ClassVar[str] = "exponential rule"
    formula: ClassVar[str] = "d/dx e^x = e^x"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} e^x = e^x"

    def eval(self):  # safe: evaluates the step tree, never text
        return sp.exp(self.var)


@dataclass(frozen=True, slots=True)
class ExponentialRule(Step):
    """(a^x)' = a^x ln(a) for a constant base a."""

    base: sp.Expr

    rule: ClassVar[str] = "exponential rule (base a)"
    formula: ClassVar[str] = "d/dx a^x = a^x ln(a)"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} a^x = a^x \ln a"

    def eval(self):  # safe: evaluates the step tree, never text
        return self.base**self.var * sp.log(self.base)


@dataclass(frozen=True, slots=True)
class LogRule(Step):
    """(ln x)' = 1/x."""

    rule: ClassVar[str] = "natural logarithm rule"
    formula: ClassVar[str] = "d/dx ln(x) = 1/x"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} \ln x = \frac{1}{x}"

    def eval(self):  # safe: evaluates the step tree, never text
        return 1 / self.var


@dataclass(frozen=True, slots=True)
class LogBaseRule(Step):
    """(log_b x)' = 1/(x ln b)."""

    base: sp.Expr

    rule: ClassVar[str] = "logarithm rule (base b)"
    formula: ClassVar[str] = "d/dx log_b(x) = 1/(x ln(b))"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} \log_b x = \frac{1}{x \ln b}"

    def eval(self):  # safe: evaluates the step tree, never text
        return 1 / (self.var * sp.log(self.base))


def _table(family: str) -> dict:
    return {
        f.cls: (f.rule, f.rule_latex, f.derivative)
        for f in _REGISTRY.values()
        if f.family == family and f.derivative is not None
    }


_TRIG = _table(_F.TRIG)
_INVERSE_TRIG = _table(_F.INVERSE_TRIG)
_HYPERBOLIC = _table(_F.HYPERBOLIC)


@dataclass(frozen=True, slots=True)
class _TableRule(Step):
    """A rule read from a table of function derivatives."""

    func: type

    _table: ClassVar[dict] = {}

    @property
    def formula(self) -> str:  # type: ignore[override]
        return self._table[self.func][0]

    @property
    def formula_latex(self) -> str:  # type: ignore[override]
        return self._table[self.func][1]

    def eval(self):  # safe: evaluates the step tree, never text
        return self._table[self.func][2](self.var)


@dataclass(frozen=True, slots=True)
class TrigRule(_TableRule):
    """The derivatives of sin, cos, tan, sec, csc and cot."""

    rule: ClassVar[str] = "trigonometric rule"
    _table: ClassVar[dict] = _TRIG


@dataclass(frozen=True, slots=True)
class InverseTrigRule(_TableRule):
    """The derivatives of arcsin, arccos, arctan and arccot."""

    rule: ClassVar[str] = "inverse trigonometric rule"
    _table: ClassVar[dict] = _INVERSE_TRIG


@dataclass(frozen=True, slots=True)
class HyperbolicRule(_TableRule):
    """The derivatives of sinh, cosh, tanh and their inverses."""

    rule: ClassVar[str] = "hyperbolic rule"
    _table: ClassVar[dict] = _HYPERBOLIC


@dataclass(frozen=True, slots=True)
class LogarithmicDifferentiationRule(Step):
    """y = f(x)^g(x): take logs, ln y = g ln f, so y' = y (g ln f)'."""

    log_expr: sp.Expr
    inner: Step

    rule: ClassVar[str] = "logarithmic differentiation"
    formula: ClassVar[str] = "y = f^g: ln y = g ln(f), so y' = y (g ln(f))'"
    formula_latex: ClassVar[str] = r"y = f^g:\ \ln y = g \ln f \implies y' = y\,(g \ln f)'"

    @property
    def children(self):
        return (self.inner,)

    def eval(self):  # safe: evaluates the step tree, never text
        return self.expr * self.inner.eval()


@dataclass(frozen=True, slots=True)
class UndefinedFunctionRule(Step):
    """The derivative of an unknown function f(x) is written f'(x)."""

    rule: ClassVar[str] = "derivative of an unknown function"
    formula: ClassVar[str] = "d/dx f(x) = f'(x)"
    formula_latex: ClassVar[str] = r"\frac{d}{dx} f(x) = f'(x)"

    def eval(self):  # safe: evaluates the step tree, never text
        return sp.Derivative(self.expr, self.var)


@dataclass(frozen=True, slots=True)
class FallbackRule(Step):
    """No textbook rule applies; the derivative is computed directly."""

    rule: ClassVar[str] = "computed directly"
    formula: ClassVar[str] = "(no single rule: computed by the engine)"
    formula_latex: ClassVar[str] = r"\text{(computed directly)}"

    def eval(self):  # safe: evaluates the step tree, never text
        return sp.diff(self.expr, self.var)


@dataclass(frozen=True, slots=True)
class SecondDerivative(Step):
    """d/dy (df/dx): differentiate the first partial derivative again."""

    first_var: sp.Symbol
    first: Step
    first_result: sp.Expr
    second: Step

    rule: ClassVar[str] = "second partial derivative"
    formula: ClassVar[str] = "d2f/dy dx = d/dy (df/dx)"
    formula_latex: ClassVar[str] = (
        r"\frac{\partial^2 f}{\partial y\,\partial x} = "
        r"\frac{\partial}{\partial y}\frac{\partial f}{\partial x}"
    )

    @property
    def children(self):
        return (self.first, self.second)

    def eval(self):  # safe: evaluates the step tree, never text
        return self.second.eval()


# --------------------------------------------------------------------------
# building trees


def _at(expr: sp.Expr, u: sp.Symbol, value: sp.Expr) -> sp.Expr:
    """expr with u = value; f'(u) at u = g(x) stays a Subs, as SymPy writes it."""
    if expr.has(sp.Derivative):
        return expr.subs(u, value)
    return expr.xreplace({u: value})

_U_NAMES = ("u", "v", "w")


class _Builder:
    def __init__(self, expr: sp.Expr):
        self.used = {s.name for s in expr.free_symbols}

    def fresh(self) -> sp.Symbol:
        for name in _U_NAMES:
            if name not in self.used:
                self.used.add(name)
                return sp.Symbol(name)
        k = 1
        while f"u_{k}" in self.used:
            k += 1
        self.used.add(f"u_{k}")
        return sp.Symbol(f"u_{k}")

    def chain(self, expr, var, inner_expr, make_outer) -> Step:
        """expr = F(inner_expr): the outer rule on u, then the chain rule."""
        if inner_expr == var:
            return make_outer(var)
        u = self.fresh()
        outer = make_outer(u)
        inner = self.build(inner_expr, var)
        result = _at(outer.result, u, inner_expr) * inner.result
        return ChainRule(expr, var, result, u, inner_expr, outer, inner)

    def build(self, expr: sp.Expr, var: sp.Symbol) -> Step:
        if not expr.has(var):
            return ConstantRule(expr, var, sp.S.Zero)
        if expr == var:
            return IdentityRule(expr, var, sp.S.One)
        if expr.is_Add:
            terms = tuple(self.build(t, var) for t in expr.args)
            return SumRule(expr, var, sp.Add(*[t.result for t in terms]), terms)
        if expr.is_Mul:
            return self.mul(expr, var)
        if expr.is_Pow:
            return self.power(expr, var)
        if isinstance(expr, sp.exp):
            return self.chain(expr, var, expr.args[0], lambda u: ExpRule(sp.exp(u), u, sp.exp(u)))
        if isinstance(expr, sp.log) and len(expr.args) == 1:
            return self.chain(expr, var, expr.args[0], lambda u: LogRule(sp.log(u), u, 1 / u))
        for table, cls in ((_TRIG, TrigRule), (_INVERSE_TRIG, InverseTrigRule), (_HYPERBOLIC, HyperbolicRule)):
            f = type(expr)
            if f in table:
                return self.chain(
                    expr, var, expr.args[0], lambda u, f=f, cls=cls, table=table: cls(f(u), u, table[f][2](u), f)
                )
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1:
            func = expr.func
            return self.chain(
                expr,
                var,
                expr.args[0],
                lambda u: UndefinedFunctionRule(func(u), u, sp.Derivative(func(u), u)),
            )
        return FallbackRule(expr, var, sp.diff(expr, var))

    def mul(self, expr: sp.Expr, var: sp.Symbol) -> Step:
        const = [f for f in expr.args if not f.has(var)]
        dep = [f for f in expr.args if f.has(var)]
        if const:
            c = sp.Mul(*const)
            rest = sp.Mul(*dep)
            log_base = _log_base(c, rest)
            if log_base is not None:
                k, b = log_base
                inner = self.chain(
                    sp.log(rest.args[0]) / sp.log(b),
                    var,
                    rest.args[0],
                    lambda u: LogBaseRule(sp.log(u) / sp.log(b), u, 1 / (u * sp.log(b)), b),
                )
                if k == 1:
                    return inner
                return ConstantMultipleRule(expr, var, k * inner.result, k, inner)
            inner = self.build(rest, var)
            return ConstantMultipleRule(expr, var, c * inner.result, c, inner)
        num = [f for f in dep if not (f.is_Pow and f.exp.is_number and f.exp.is_negative)]
        den = [f for f in dep if f.is_Pow and f.exp.is_number and f.exp.is_negative]
        if den and (num or len(den) > 1):
            f = sp.Mul(*num)
            g = sp.Mul(*[d.base ** (-d.exp) for d in den])
            fs = self.build(f, var)
            gs = self.build(g, var)
            result = (fs.result * g - f * gs.result) / g**2
            return QuotientRule(expr, var, result, f, g, fs, gs)
        steps = tuple(self.build(f, var) for f in dep)
        result = sp.Add(
            *[sp.Mul(s.result, *[f for j, f in enumerate(dep) if j != i]) for i, s in enumerate(steps)]
        )
        return ProductRule(expr, var, result, tuple(dep), steps)

    def power(self, expr: sp.Expr, var: sp.Symbol) -> Step:
        b, e = expr.base, expr.exp
        if not e.has(var):
            return self.chain(
                expr, var, b, lambda u: PowerRule(u**e, u, e * u ** (e - 1), e)
            )
        if not b.has(var):
            return self.chain(
                expr, var, e, lambda u: ExponentialRule(b**u, u, b**u * sp.log(b), b)
            )
        log_expr = e * sp.log(b)
        inner = self.build(log_expr, var)
        return LogarithmicDifferentiationRule(expr, var, expr * inner.result, log_expr, inner)


def _log_base(c: sp.Expr, rest: sp.Expr):
    """(k, b) when c * rest is k log(u) / log(b) with a constant base b, else None."""
    if not (isinstance(rest, sp.log) and len(rest.args) == 1):
        return None
    for f in sp.Mul.make_args(c):
        if f.is_Pow and f.exp == -1 and isinstance(f.base, sp.log) and f.base.args[0].is_number:
            return c / f, f.base.args[0]
    return None


def derivative_steps(expr, var) -> Step:
    """The derivation of d(expr)/d(var) as a tree of rule applications.

    Other symbols in ``expr`` are constants: this is then a partial derivative.

    Examples:
        >>> tree = derivative_steps("x^2 sin(x)", "x")
        >>> tree.rule
        'product rule'
        >>> [s.rule for s in tree.children]
        ['power rule', 'trigonometric rule']
        >>> tree.result
        x**2*cos(x) + 2*x*sin(x)
        >>> derivative_steps("sin(x^2)", "x").children[0].formula
        'd/dx sin(x) = cos(x)'
    """
    expr = as_expr(expr)
    var = as_variable(var, expr)
    return _Builder(expr).build(expr, var)


@dataclass(frozen=True, slots=True)
class StepMatrix:
    """A matrix of derivations: ``entries[i][j]`` derives entry (i, j).

    ``kind`` is "gradient", "jacobian" or "hessian".  ``mirrored`` holds the
    positions (i, j) whose tree was not built again because the entry equals
    entry (j, i) (the symmetry of second derivatives).
    """

    kind: str
    functions: tuple[sp.Expr, ...]
    variables: tuple[sp.Symbol, ...]
    entries: tuple[tuple[Step, ...], ...]
    mirrored: frozenset = field(default_factory=frozenset)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.entries), len(self.entries[0]) if self.entries else 0)

    @property
    def result(self) -> sp.Matrix:
        """The matrix of every entry's result."""
        return sp.Matrix([[s.result for s in row] for row in self.entries])

    def eval(self) -> sp.Matrix:  # safe: evaluates the step tree, never text
        """The matrix recomputed from every entry's tree."""
        return sp.Matrix([[s.eval() for s in row] for row in self.entries])


def gradient_steps(f, variables) -> StepMatrix:
    """The derivation of each partial derivative of ``f``, as a column.

    Examples:
        >>> g = gradient_steps("x^2 y", "x, y")
        >>> g.result.T
        Matrix([[2*x*y, x**2]])
        >>> g.entries[0][0].rule
        'constant multiple rule'
    """
    f = as_expr(f, name="f")
    variables = as_variables(variables, f)
    entries = tuple((derivative_steps(f, v),) for v in variables)
    return StepMatrix("gradient", (f,), variables, entries)


def jacobian_steps(F, variables) -> StepMatrix:
    """The derivation of each entry of the Jacobian of ``F``.

    Examples:
        >>> J = jacobian_steps("(x y, x + y)", "x, y")
        >>> J.result
        Matrix([
        [y, x],
        [1, 1]])
    """
    F = as_expr(F, name="F", allow_matrix=True)
    funcs = tuple(F) if isinstance(F, sp.MatrixBase) else (F,)
    variables = as_variables(variables, sp.Matrix(funcs))
    entries = tuple(tuple(derivative_steps(fi, v) for v in variables) for fi in funcs)
    return StepMatrix("jacobian", funcs, variables, entries)


def hessian_steps(f, variables) -> StepMatrix:
    """The derivation of each second partial derivative of ``f``.

    Only the upper triangle is derived; entry (j, i) reuses entry (i, j),
    since mixed partials of a smooth function are equal.

    Examples:
        >>> H = hessian_steps("x^3 y^2", "x, y")
        >>> H.result
        Matrix([
        [6*x*y**2, 6*x**2*y],
        [6*x**2*y,   2*x**3]])
        >>> sorted(H.mirrored)
        [(1, 0)]
    """
    f = as_expr(f, name="f")
    variables = as_variables(variables, f)
    n = len(variables)
    firsts = [derivative_steps(f, v) for v in variables]
    tidy = [derivative(f, v) for v in variables]
    grid: list[list[Step | None]] = [[None] * n for _ in range(n)]
    mirrored = set()
    for i in range(n):
        for j in range(i, n):
            second = derivative_steps(tidy[i], variables[j])
            grid[i][j] = SecondDerivative(
                f, variables[j], second.result, variables[i], firsts[i], tidy[i], second
            )
            if i != j:
                grid[j][i] = grid[i][j]
                mirrored.add((j, i))
    entries = tuple(tuple(row) for row in grid)  # type: ignore[arg-type]
    return StepMatrix("hessian", (f,), variables, entries, frozenset(mirrored))
