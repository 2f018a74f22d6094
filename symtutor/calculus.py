"""Derivatives, gradients, Jacobians, Hessians, the chain rule and Taylor series.

Every function takes SymPy objects or text (read by :func:`symtutor.parse`),
and returns plain SymPy objects equal to what SymPy's own functions return.
Where the expression allows it, the work is done by SymEngine and the result
rebuilt as canonical SymPy objects (see ``symtutor._engine``); anything else
goes through SymPy directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product as _cartesian

import numpy as np
import symengine as se
import sympy as sp
from sympy.core.basic import _args_sortkey

from ._coerce import as_expr, as_order, as_point, as_variable, as_variables
from ._engine import Bridge, Unsupported, engine_symbols, raw_pow
from ._series import NotAnalytic, taylor_coefficients
from .errors import InvalidArgumentError

__all__ = [
    "derivative",
    "gradient",
    "jacobian",
    "hessian",
    "chain_rule",
    "ChainRule",
    "taylor",
    "linearize",
    "taylor_remainder_bound",
    "RemainderBound",
]


# --------------------------------------------------------------------------
# differentiation


def _diff_table(exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol], pairs) -> list[sp.Expr]:
    """d exprs[i] / d variables[j] (repeated for each j in a tuple) for (i, js) in pairs."""
    try:
        bridge = Bridge(exprs)
        ses = [bridge.to_engine(e) for e in exprs]
        sv = engine_symbols(bridge, variables)
        out = []
        for i, js in pairs:
            d = ses[i]
            for j in js:
                d = d.diff(sv[j])
            out.append(d)
        return bridge.from_engine_many(out)
    except Unsupported:
        res = []
        for i, js in pairs:
            d = exprs[i]
            for j in js:
                d = sp.diff(d, variables[j])
            res.append(d)
        return res


def derivative(expr, var, *, order: int = 1):
    """The derivative of ``expr`` with respect to ``var``, ``order`` times.

    ``expr`` may be a matrix, differentiated entry by entry.

    Examples:
        >>> derivative("x^2 sin(x)", "x")
        x**2*cos(x) + 2*x*sin(x)
        >>> derivative("exp(x y)", "y", order=2)
        x**2*exp(x*y)
    """
    expr = as_expr(expr, allow_matrix=True)
    var = as_variable(var, expr)
    order = as_order(order)
    if isinstance(expr, sp.MatrixBase):
        flat = list(expr)
        vals = _diff_table(flat, [var], [(i, (0,) * order) for i in range(len(flat))])
        return sp.Matrix(expr.rows, expr.cols, vals)
    if order == 0:
        return expr
    return _diff_table([expr], [var], [(0, (0,) * order)])[0]


def gradient(f, variables):
    """The gradient of a scalar ``f``: a column Matrix of its partial derivatives.

    Examples:
        >>> gradient("x^2 y + y^3", ["x", "y"])
        Matrix([
        [        2*x*y],
        [x**2 + 3*y**2]])
    """
    f = as_expr(f, name="f")
    variables = as_variables(variables, f)
    vals = _diff_table([f], variables, [(0, (j,)) for j in range(len(variables))])
    return sp.Matrix(len(variables), 1, vals)


def _as_vector(F, name: str = "F") -> sp.Matrix:
    F = as_expr(F, name=name, allow_matrix=True)
    if not isinstance(F, sp.MatrixBase):
        return sp.Matrix([F])
    if F.cols != 1 and F.rows != 1:
        raise InvalidArgumentError(
            f"{name} must be a vector of functions, not a {F.rows}x{F.cols} matrix."
        )
    return sp.Matrix(list(F))


def jacobian(F, variables):
    """The Jacobian of ``F``: one row per output, one column per variable.

    A scalar ``F`` gives a one-row Jacobian (the gradient as a row).

    Examples:
        >>> jacobian("(x^2 y, 5x + sin(y))", "x, y")
        Matrix([
        [2*x*y,   x**2],
        [    5, cos(y)]])
    """
    F = _as_vector(F)
    variables = as_variables(variables, F)
    m, n = len(F), len(variables)
    vals = _diff_table(list(F), variables, [(i, (j,)) for i in range(m) for j in range(n)])
    return sp.Matrix(m, n, vals)


def hessian(f, variables):
    """The Hessian of a scalar ``f``: the symmetric matrix of second partials.

    Only the upper triangle is differentiated; the lower one is its mirror.

    Examples:
        >>> hessian("x^3 + x y^2", "x, y")
        Matrix([
        [6*x, 2*y],
        [2*y, 2*x]])
    """
    f = as_expr(f, name="f")
    variables = as_variables(variables, f)
    n = len(variables)
    keys = [(i, j) for i in range(n) for j in range(i, n)]
    vals = _diff_table([f], variables, [(0, k) for k in keys])
    H = sp.zeros(n, n)
    for (i, j), v in zip(keys, vals):
        H[i, j] = H[j, i] = v
    return H


# --------------------------------------------------------------------------
# the multivariate chain rule


@dataclass(frozen=True, slots=True)
class ChainRule:
    """The derivative of a composition f(g(u)), found two ways.

    ``direct`` differentiates the composition itself; ``product`` is the
    product of Jacobians ``outer_jacobian`` (of f, evaluated at g) times
    ``inner_jacobian`` (of g).  ``equal`` records that they agree.
    """

    composition: sp.Matrix
    outer_jacobian: sp.Matrix
    inner_jacobian: sp.Matrix
    direct: sp.Matrix
    product: sp.Matrix
    equal: bool

    @property
    def total(self):
        """The derivative as a scalar when it is 1x1, else the Jacobian matrix."""
        return self.direct[0, 0] if self.direct.shape == (1, 1) else self.direct


def _same(a, b) -> bool:
    if a == b:
        return True
    d = sp.expand(a - b)
    if d == 0:
        return True
    return sp.simplify(d) == 0


def chain_rule(f, inner, variables):
    """The multivariate chain rule: d f(g(u)) / du, directly and as J_f · J_g.

    ``f`` is a scalar or vector function of intermediate variables; ``inner``
    maps each intermediate variable to its expression in ``variables``.

    Examples:
        >>> r = chain_rule("x^2 + y^2", {"x": "cos(t)", "y": "sin(t)"}, "t")
        >>> r.total, r.equal
        (0, True)
        >>> r = chain_rule("x y", {"x": "u + v", "y": "u - v"}, "u, v")
        >>> r.outer_jacobian
        Matrix([[y, x]])
        >>> r.product
        Matrix([[2*u, -2*v]])
    """
    F = _as_vector(f, "f")
    if not isinstance(inner, Mapping):
        try:
            inner = dict(inner)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                "inner must map each intermediate variable to its expression, "
                "e.g. {'x': 'cos(t)', 'y': 'sin(t)'}."
            ) from None
    if not inner:
        raise InvalidArgumentError("inner is empty; give each intermediate variable's expression.")
    mids = tuple(as_variable(k, F, name="inner") for k in inner)
    g = sp.Matrix([as_expr(v, name="inner") for v in inner.values()])
    outer = as_variables(variables, g)
    clash = set(mids) & set(outer)
    if clash:
        raise InvalidArgumentError(
            f"{', '.join(map(str, clash))} is both an intermediate and an outer variable; rename one."
        )
    direct_use = F.free_symbols & set(outer)
    if direct_use:
        names = ", ".join(sorted(map(str, direct_use)))
        raise InvalidArgumentError(
            f"f depends on {names} directly; write f in the intermediate variables only "
            f"(add {names} as an intermediate variable equal to itself)."
        )
    sub = dict(zip(mids, g))
    composed = F.xreplace(sub)
    direct = jacobian(composed, outer)
    Jf = jacobian(F, mids)
    Jg = jacobian(g, outer)
    prod = (Jf.xreplace(sub) * Jg).applyfunc(sp.expand)
    direct_e = direct.applyfunc(sp.expand)
    equal = all(_same(a, b) for a, b in zip(direct_e, prod))
    return ChainRule(
        composition=composed,
        outer_jacobian=Jf,
        inner_jacobian=Jg,
        direct=direct,
        product=prod,
        equal=equal,
    )


# --------------------------------------------------------------------------
# Taylor series


def _multi_indices(n: int, order: int):
    """All exponent tuples of n variables with total degree <= order, graded."""
    out = []
    for deg in range(order + 1):
        for combo in _cartesian(range(deg + 1), repeat=n):
            if sum(combo) == deg:
                out.append(combo)
    out.sort(key=lambda a: (sum(a), tuple(-k for k in a)))
    return out


_EXACT = {type(se.Integer(k)) for k in (-1, 0, 1, 2)} | {type(se.Rational(k, 2)) for k in (1, 3)}
_NOT_FINITE = (se.zoo, se.oo, -se.oo, se.nan)


def _partials(f, variables, order: int, diff):
    """(alpha, D^alpha f, alpha!) for every multi-index up to ``order``, each from a lower one."""
    derivs = {(0,) * len(variables): f}
    for alpha in _multi_indices(len(variables), order):
        if alpha not in derivs:
            i = next(k for k, v in enumerate(alpha) if v)
            prev = list(alpha)
            prev[i] -= 1
            derivs[alpha] = diff(derivs[tuple(prev)], variables[i])
        yield alpha, derivs[alpha], math.prod(math.factorial(k) for k in alpha)


def _taylor_engine(f, variables, point, order):
    """The Taylor polynomial, computed in SymEngine and rebuilt once in SymPy."""
    bridge = Bridge([f, *point], opaque_exp=False)
    sv = engine_symbols(bridge, variables)
    fe = bridge.to_engine(f)
    pe = [bridge.to_engine(p) for p in point]
    shifts = [x - a for x, a in zip(sv, pe)]
    terms = []
    if len(sv) == 1:
        try:
            coeffs = taylor_coefficients(fe, sv[0], pe[0], order)
            terms = [(c, (k,)) for k, c in enumerate(coeffs)]
        except Unsupported:
            terms = []
    if not terms:
        sub = dict(zip(sv, pe))
        for alpha, d, denom in _partials(fe, sv, order, lambda e, v: e.diff(v)):
            terms.append((d.xreplace(sub) / denom, alpha))
    for c, _ in terms:
        if type(c) not in _EXACT and any(c.has(b) for b in _NOT_FINITE):
            raise NotAnalytic
    if all(p == 0 for p in point):
        coeffs = bridge.from_engine_many([c for c, _ in terms])
        return _polynomial([(c, alpha) for c, (_, alpha) in zip(coeffs, terms)], variables)
    poly = se.Add(*[c * se.Mul(*[s**k for s, k in zip(shifts, alpha)]) for c, alpha in terms])
    return bridge.from_engine(poly)


def _polynomial(terms, variables):
    """sum of c * prod(x**k) about the origin, built directly in SymPy's canonical form.

    Terms with rational coefficients are assembled without re-running SymPy's
    canonicalisation (each monomial is distinct, so nothing can combine); any
    other coefficient goes through SymPy's constructors.
    """
    key = _args_sortkey
    constant = sp.S.Zero
    built = []
    plain = True
    for c, alpha in terms:
        if c == 0:
            continue
        factors = [
            x if k == 1 else raw_pow(x, sp.Integer(k))
            for x, k in zip(variables, alpha)
            if k
        ]
        if not factors:
            constant = c
            plain = plain and c.is_Rational
            continue
        if not c.is_Rational:
            plain = False
            built.append(c * sp.Mul(*factors))
            continue
        factors.sort(key=key)
        if c != 1:
            factors.insert(0, c)
        built.append(sp.Mul._from_args(factors, True) if len(factors) > 1 else factors[0])
    if not plain or len(built) < 2:
        return sp.Add(constant, *built)
    built.sort(key=key)
    if constant != 0:
        built.insert(0, constant)
    return sp.Add._from_args(built, True)


def _taylor_sympy(f, variables, point, order):
    # Taylor polynomials are about real variables (|x|' = sign(x), not SymPy's
    # complex-variable derivative), so differentiate with real stand-ins.
    real = {v: sp.Dummy(v.name, real=True) for v in variables if v.is_real is None}
    back = {d: v for v, d in real.items()}
    f = f.xreplace(real)
    variables = [real.get(v, v) for v in variables]
    sub = dict(zip(variables, point))
    shifts = [v - a for v, a in zip(variables, point)]
    terms = []
    for alpha, d, denom in _partials(f, variables, order, sp.diff):
        c = d.subs(sub) / denom
        if c.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise NotAnalytic
        terms.append(c * sp.Mul(*[s**k for s, k in zip(shifts, alpha)]))
    return sp.Add(*terms).xreplace(back)


def taylor(f, variables, *, point, order: int):
    """The Taylor polynomial of ``f`` about ``point``, up to and including degree ``order``.

    The result is a polynomial in powers of (x - a) for each variable x with
    coordinate a: the sum of  D^alpha f(a) / alpha! * (x - a)^alpha  over |alpha| <= order.

    Examples:
        >>> taylor("exp(x)", "x", point=0, order=3)
        x**3/6 + x**2/2 + x + 1
        >>> taylor("exp(x) cos(y)", "x, y", point=(0, 0), order=2)
        x**2/2 + x - y**2/2 + 1
        >>> taylor("log(x)", "x", point=1, order=2)
        x - (x - 1)**2/2 - 1
    """
    f = as_expr(f, name="f")
    variables = as_variables(variables, f)
    point = as_point(point, variables)
    order = as_order(order)
    try:
        try:
            return _taylor_engine(f, variables, point, order)
        except Unsupported:
            return _taylor_sympy(f, variables, point, order)
    except NotAnalytic:
        where = ", ".join(f"{v} = {p}" for v, p in zip(variables, point))
        raise InvalidArgumentError(
            f"{f} has no Taylor series about {where}: it is not differentiable there. "
            "Choose another point."
        ) from None


def linearize(f, variables, *, point):
    """The linear approximation f(a) + J(a)(x - a): the Taylor polynomial of order 1.

    Examples:
        >>> linearize("sqrt(x)", "x", point=4)
        x/4 + 1
    """
    return taylor(f, variables, point=point, order=1)


@dataclass(frozen=True, slots=True)
class RemainderBound:
    """A Lagrange-form bound on the error of a Taylor polynomial over a box.

    For every x in the box, |f(x) - P(x)| <= ``bound``, where
    ``bound = M * r**(order+1) / (order+1)!``, ``M`` bounds every partial
    derivative of order ``order + 1`` on the box and ``r`` is the largest
    1-norm of (x - a) there.
    """

    polynomial: sp.Expr
    order: int
    point: tuple
    box: tuple
    max_derivative: float
    radius: float
    bound: float

    def __str__(self) -> str:
        return (
            f"|f - P{self.order}| <= {self.max_derivative:.6g} * {self.radius:.6g}^{self.order + 1}"
            f" / {self.order + 1}! = {self.bound:.6g}"
        )


def taylor_remainder_bound(f, variables, *, point, order: int, interval, samples: int = 2001):
    """Bound the error of the order-``order`` Taylor polynomial over ``interval``.

    ``interval`` is ``(lo, hi)`` for one variable, or one such pair per
    variable.  The maximum of the (order+1)-th derivatives is found by dense
    sampling refined around the largest sample, so the bound is as good as
    that maximum.

    Examples:
        >>> b = taylor_remainder_bound("exp(x)", "x", point=0, order=2, interval=(-0.5, 0.5))
        >>> round(b.bound, 6)
        0.034348
        >>> print(b)
        |f - P2| <= 1.64872 * 0.5^3 / 3! = 0.0343484
    """
    from .numeric import to_numpy

    f = as_expr(f, name="f")
    variables = as_variables(variables, f)
    point = as_point(point, variables)
    order = as_order(order)
    n = len(variables)
    box = _as_box(interval, n)
    a = [float(p) for p in point]
    for (lo, hi), ai, v in zip(box, a, variables):
        if not lo <= ai <= hi:
            raise InvalidArgumentError(
                f"the interval for {v}, [{lo}, {hi}], must contain the expansion point {ai}."
            )
    poly = taylor(f, variables, point=point, order=order)
    higher = [
        alpha for alpha in _multi_indices(n, order + 1) if sum(alpha) == order + 1
    ]
    per_axis = max(3, int(round(samples ** (1.0 / n))))
    grids = np.meshgrid(*[np.linspace(lo, hi, per_axis) for lo, hi in box], indexing="ij")
    M = 0.0
    for alpha in higher:
        d = f
        for v, k in zip(variables, alpha):
            if k:
                d = derivative(d, v, order=k)
        fn = to_numpy(d, variables)
        with np.errstate(all="ignore"):
            vals = np.abs(np.broadcast_to(fn(*grids), grids[0].shape))
        if not np.all(np.isfinite(vals)):
            raise InvalidArgumentError(
                f"a derivative of order {order + 1} is unbounded on the interval; "
                "shrink it so that f is smooth there."
            )
        k = int(np.argmax(vals))
        best = float(vals.flat[k])
        if n == 1:
            best = max(best, _refine_max(fn, grids[0].flat, k))
        M = max(M, best)
    radius = 0.0
    for corner in _cartesian(*box):
        radius = max(radius, sum(abs(c - ai) for c, ai in zip(corner, a)))
    bound = M * radius ** (order + 1) / math.factorial(order + 1)
    return RemainderBound(poly, order, tuple(point), tuple(box), M, radius, bound)


def _as_box(interval, n: int):
    try:
        if n == 1 and len(interval) == 2 and not hasattr(interval[0], "__len__"):
            interval = [interval]
        box = [(float(lo), float(hi)) for lo, hi in interval]
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            "interval must be (lo, hi), or one (lo, hi) pair per variable."
        ) from None
    if len(box) != n:
        raise InvalidArgumentError(f"interval has {len(box)} pair(s); give one per variable ({n}).")
    for lo, hi in box:
        if not lo < hi:
            raise InvalidArgumentError(f"an interval must have lo < hi, not ({lo}, {hi}).")
    return box


def _refine_max(fn, xs, k: int) -> float:
    xs = np.asarray(list(xs), dtype=float)
    lo = xs[max(k - 1, 0)]
    hi = xs[min(k + 1, len(xs) - 1)]
    fine = np.linspace(lo, hi, 201)
    with np.errstate(all="ignore"):
        vals = np.abs(np.broadcast_to(fn(fine), fine.shape))
    return float(np.nanmax(vals))
