"""Evaluate expressions at points in high-precision real arithmetic.

Used by the answer checker: each expression is evaluated node by node with
mpmath at a chosen precision.  A point where the expression is not a real
number (a logarithm of a negative, a division by zero, an even root of a
negative) gives ``None``: the expression is not defined there as a real
function.  Odd roots of negative numbers are real, as on paper
((-8)^(1/3) = -2).  Values far beyond floating point's range are kept (mpmath
has no overflow), up to a magnitude of 10^(10^6); beyond it, or where an
argument is too large to reduce accurately, the value is :data:`HUGE`: too
large to compare, which is neither a value nor undefined.  Only whitelisted
node types are evaluated.
"""

from __future__ import annotations

import math

import mpmath
import sympy as sp
from mpmath.libmp import mpf_sum

from .functions import FUNCTIONS as _REGISTRY

__all__ = ["Evaluator", "NotEvaluable", "HUGE", "LOST", "exact_sum"]

_MAX_MAG = 10**6  # binary exponents beyond this are too large to compare
_MAX_TRIG_ARG = mpmath.mpf(10) ** 300  # trigonometric arguments beyond this cannot be reduced cheaply
_MAX_EXP_ARG = mpmath.mpf(10) ** 5  # exp(10^5) is about 10^43429: far enough


class _Huge:
    """A value too large (or too close to zero in a denominator) to compare."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "HUGE"


HUGE = _Huge()


class NotEvaluable(Exception):
    """The expression holds a node the evaluator does not know."""


class _Undefined(Exception):
    pass


class _TooLarge(Exception):
    pass


def _trig(fn):
    def f(x):
        if abs(x) > _MAX_TRIG_ARG:
            raise _TooLarge
        return fn(x)

    return f


def _expish(fn):
    def f(x):
        if abs(x) > _MAX_EXP_ARG:
            raise _TooLarge
        return fn(x)

    return f


def _sec(x):
    return 1 / mpmath.cos(x)


def _csc(x):
    return 1 / mpmath.sin(x)


def _cot(x):
    return 1 / mpmath.tan(x)


def _acot(x):
    return mpmath.atan(1 / x)


def _acoth(x):
    if abs(x) <= 1:
        raise _Undefined
    return mpmath.atanh(1 / x)


def _asec(x):
    return mpmath.acos(1 / x)


def _acsc(x):
    return mpmath.asin(1 / x)


def _sech(x):
    return 1 / mpmath.cosh(x)


def _csch(x):
    return 1 / mpmath.sinh(x)


def _asin(x):
    if abs(x) > 1:
        raise _Undefined
    return mpmath.asin(x)


def _acos(x):
    if abs(x) > 1:
        raise _Undefined
    return mpmath.acos(x)


def _acosh(x):
    if x < 1:
        raise _Undefined
    return mpmath.acosh(x)


def _atanh(x):
    if abs(x) >= 1:
        raise _Undefined
    return mpmath.atanh(x)


def _sign(x):
    return mpmath.sign(x)


_GUARDED = {
    sp.sin: _trig(mpmath.sin),
    sp.cos: _trig(mpmath.cos),
    sp.tan: _trig(mpmath.tan),
    sp.sec: _trig(_sec),
    sp.csc: _trig(_csc),
    sp.cot: _trig(_cot),
    sp.asin: _asin,
    sp.acos: _acos,
    sp.atan: mpmath.atan,
    sp.acot: _acot,
    sp.asec: _asec,
    sp.acsc: _acsc,
    sp.sinh: _expish(mpmath.sinh),
    sp.cosh: _expish(mpmath.cosh),
    sp.tanh: mpmath.tanh,
    sp.coth: mpmath.coth,
    sp.sech: _expish(_sech),
    sp.csch: _expish(_csch),
    sp.asinh: mpmath.asinh,
    sp.acosh: _acosh,
    sp.atanh: _atanh,
    sp.acoth: _acoth,
    sp.exp: _expish(mpmath.exp),
    sp.Abs: abs,
    sp.sign: _sign,
}

# functions whose value loses as many figures as their argument's size has (exp(x) and sin(x) of a large x)
_SENSITIVE = frozenset((sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot, sp.exp, sp.sinh, sp.cosh, sp.sech, sp.csch))

# every function of the registry, with the guards above (domains, argument sizes) where they apply
_FUNCS = {f.cls: f.mpmath for f in _REGISTRY.values() if f.cls is not sp.log and f.mpmath is not None}
_FUNCS.update(_GUARDED)


def exact_sum(values):
    """The sum of mpf values worked out exactly and rounded once.

    ``mpmath.fsum`` leaves out a term far below the sum so far, so that after a
    cancellation (x^2 - x^2 + 1 at a huge x) the result can be a value the
    precision does not change, as if it were right.

    Examples:
        >>> big = mpmath.mpf(10) ** 100
        >>> exact_sum([big, mpmath.mpf(1), -big]), mpmath.fsum([big, mpmath.mpf(1), -big])
        (mpf('1.0'), mpf('0.0'))
    """
    return +mpmath.mpf(mpf_sum([v._mpf_ for v in values]))


LOST = 10**9
"""The bits a value lost when its terms cancelled to 0: all of them."""


def _bits(v):
    """The binary exponent of v's size (None for 0)."""
    sign, man, exp, bc = v._mpf_
    return exp + bc if man else None


def _real(v):
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise _Undefined
        v = v.real
    if not mpmath.isfinite(v):
        raise _Undefined
    if v and abs(mpmath.mag(v)) > _MAX_MAG:
        raise _TooLarge
    return v


class Evaluator:
    """Evaluate one expression at many points, with ``dps`` significant digits.

    Examples:
        >>> x = sp.Symbol("x")
        >>> Evaluator(x ** sp.Rational(1, 3), (x,))((-8,))
        mpf('-2.0')
        >>> Evaluator(sp.log(x), (x,))((-1,)) is None
        True
        >>> Evaluator(sp.exp(sp.exp(x)), (x,))((100,))
        HUGE
    """

    def __init__(self, expr: sp.Expr, variables, dps: int = 40):
        self.expr = expr
        self.variables = tuple(variables)
        self.dps = dps

    def __call__(self, point):
        """The value at ``point`` (one number per variable): an mpf, None where undefined, or HUGE."""
        return self.evaluate(point)[0]

    def evaluate(self, point, values: dict | None = None) -> tuple:
        """(the value at ``point``, the bits of it lost on the way): the value as :meth:`__call__` gives it.

        A sum of rounded values loses the bits by which its largest term exceeds
        it (all of them, ``LOST``, when they cancel to 0); a function such as sin
        or exp loses the bits of its argument's size; the losses add up.  A value
        that lost nearly all its bits has no figures left.  A sum of exact values
        (x - 3 at x = 3) loses nothing.

        ``values``, when given, receives the value of each subexpression met on the way.

        Examples:
            >>> x = sp.Symbol("x")
            >>> Evaluator(1 - sp.tanh(x) ** 2, (x,), 30).evaluate((100,))[1] >= LOST
            True
            >>> Evaluator(x**2 - 9, (x,), 30).evaluate((3,))
            (mpf('0.0'), 0)
        """
        self._lost = 0
        self._exact: set = set()  # the nodes whose values carry no rounding
        value = self._value(point, {} if values is None else values)
        return value, self._lost

    def _value(self, point, values: dict):
        with mpmath.workdps(self.dps):
            env = {v: mpmath.mpf(p) if not isinstance(p, mpmath.mpf) else p for v, p in zip(self.variables, point)}
            try:
                return self._eval(self.expr, env, values)
            except _TooLarge:
                return HUGE
            except (_Undefined, ZeroDivisionError, ValueError):
                return None
            except (OverflowError, MemoryError):
                return HUGE

    def _eval(self, e, env, memo):
        if e in memo:
            return memo[e]
        exact = False
        if e.is_Symbol:
            if e not in env:
                raise NotEvaluable(f"no value for {e}")
            r = env[e]
            exact = True
        elif e.is_Integer:
            r = mpmath.mpf(int(e))
            exact = True
        elif e.is_Rational:
            r = mpmath.mpf(int(e.p)) / int(e.q)
            exact = e.q & (e.q - 1) == 0
        elif e.is_Float:
            r = mpmath.mpf(e._mpf_)
            exact = True
        elif e is sp.pi:
            r = +mpmath.pi
        elif e is sp.E:
            r = mpmath.e + 0
        elif e.is_Add:
            terms = [self._eval(a, env, memo) for a in e.args]
            whole = mpf_sum([t._mpf_ for t in terms])
            r = +mpmath.mpf(whole)
            # a sum of exact values worked out exactly loses nothing, even to 0 (x - 3 at x = 3)
            exact = r._mpf_ == whole and all(a in self._exact for a in e.args)
            if not exact:
                sizes = [s for s in map(_bits, terms) if s is not None]
                if sizes:
                    self._lost += max(0, max(sizes) - _bits(r)) if r else LOST
        elif e.is_Mul:
            r = mpmath.mpf(1)
            for a in e.args:
                r *= self._eval(a, env, memo)
            exact = all(a in self._exact for a in e.args) and sum(
                memo[a]._mpf_[3] for a in e.args) <= mpmath.mp.prec
        elif e.is_Pow:
            r = self._pow(e, env, memo)
            n = e.exp
            exact = (n.is_Integer and e.base in self._exact and 0 <= n.p
                     and memo[e.base]._mpf_[3] * n.p <= mpmath.mp.prec)
        elif isinstance(e, sp.log):
            args = [self._eval(a, env, memo) for a in e.args]
            if any(a <= 0 for a in args):
                raise _Undefined
            r = mpmath.log(args[0]) if len(args) == 1 else mpmath.log(args[0], args[1])
        else:
            fn = _FUNCS.get(type(e))
            if fn is None or len(e.args) != 1:
                raise NotEvaluable(type(e).__name__)
            arg = self._eval(e.args[0], env, memo)
            if type(e) in _SENSITIVE:
                self._lost += max(0, _bits(arg) or 0)  # sin(10^50) keeps 50 figures fewer than its argument
            r = fn(arg)
        if not (e.is_Symbol or e.is_Rational):  # a point's coordinate or a written number is a real number
            r = _real(r)
        memo[e] = r
        if exact:
            self._exact.add(e)
        return r

    def _pow(self, e, env, memo):
        base = self._eval(e.base, env, memo)
        exp = e.exp
        if exp.is_Integer:
            n = int(exp)
            if n < 0 and base == 0:
                raise _Undefined
            if base and abs(n) * abs(mpmath.mag(base)) > 4 * _MAX_MAG:
                raise _TooLarge
            return base**n
        if exp.is_Rational and exp.q % 2 == 1 and base < 0:
            # an odd root of a negative number is real: (-8)^(1/3) = -2
            r = -((-base) ** (mpmath.mpf(int(exp.p)) / int(exp.q)))
            return -r if exp.p % 2 == 0 else r
        exponent = self._eval(exp, env, memo)
        if base < 0:
            if exponent == mpmath.nint(exponent):
                n = int(mpmath.nint(exponent))  # a float exponent with an integer value, as 2.0
                if abs(n) * abs(mpmath.mag(base)) > 4 * _MAX_MAG:
                    raise _TooLarge
                return base**n
            raise _Undefined
        if base == 0:
            if exponent <= 0:
                raise _Undefined
            return mpmath.mpf(0)
        size = abs(exponent * mpmath.log(base))
        if size > _MAX_EXP_ARG * 7:
            raise _TooLarge
        self._lost += max(0, _bits(size) or 0)
        return base**exponent
