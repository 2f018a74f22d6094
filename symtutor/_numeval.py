"""Evaluate expressions at points in high-precision real arithmetic.

Used by the answer checker: each expression is evaluated node by node with
mpmath at a chosen precision.  A point where the expression is not a finite
real number (a logarithm of a negative, a division by zero, a value beyond
1e100) gives ``None``: the expression is not defined there as a real function.
Only whitelisted node types are evaluated.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from .functions import FUNCTIONS as _REGISTRY

__all__ = ["Evaluator", "NotEvaluable"]

_LIMIT = mpmath.mpf(10) ** 100


class NotEvaluable(Exception):
    """The expression holds a node the evaluator does not know."""






def _sign(x):
    return mpmath.sign(x)


_FUNCS = {f.cls: f.mpmath for f in _REGISTRY.values() if f.cls is not sp.log}
_FUNCS[sp.sign] = _sign


class _Undefined(Exception):
    pass


def _real(v):
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise _Undefined
        v = v.real
    if not mpmath.isfinite(v) or abs(v) > _LIMIT:
        raise _Undefined
    return v


class Evaluator:
    """Evaluate one expression at many points, with ``dps`` significant digits."""

    def __init__(self, expr: sp.Expr, variables, dps: int = 40):
        self.expr = expr
        self.variables = tuple(variables)
        self.dps = dps

    def __call__(self, point) -> mpmath.mpf | None:
        """The value at ``point`` (one number per variable), or None where undefined."""
        with mpmath.workdps(self.dps):
            env = {v: mpmath.mpf(p) if not isinstance(p, mpmath.mpf) else p for v, p in zip(self.variables, point)}
            try:
                return self._eval(self.expr, env, {})
            except (_Undefined, ZeroDivisionError, ValueError, OverflowError):
                return None

    def _eval(self, e, env, memo):
        if e in memo:
            return memo[e]
        if e.is_Symbol:
            if e not in env:
                raise NotEvaluable(f"no value for {e}")
            r = env[e]
        elif e.is_Integer:
            r = mpmath.mpf(int(e))
        elif e.is_Rational:
            r = mpmath.mpf(int(e.p)) / int(e.q)
        elif e.is_Float:
            r = mpmath.mpf(e._mpf_)
        elif e is sp.pi:
            r = +mpmath.pi
        elif e is sp.E:
            r = mpmath.e + 0
        elif e.is_Add:
            r = mpmath.fsum(self._eval(a, env, memo) for a in e.args)
        elif e.is_Mul:
            r = mpmath.mpf(1)
            for a in e.args:
                r *= self._eval(a, env, memo)
        elif e.is_Pow:
            base = self._eval(e.base, env, memo)
            if e.exp.is_Integer:
                n = int(e.exp)
                if n < 0 and base == 0:
                    raise _Undefined
                r = base**n
            elif e.exp.is_Rational and e.exp.q % 2 == 1 and base < 0:
                # an odd root of a negative number is real: (-8)^(1/3) = -2
                r = -((-base) ** (mpmath.mpf(int(e.exp.p)) / int(e.exp.q)))
                if e.exp.p % 2 == 0:
                    r = -r
            else:
                exponent = self._eval(e.exp, env, memo)
                if base < 0 or (base == 0 and exponent <= 0):
                    raise _Undefined
                r = base**exponent
        elif isinstance(e, sp.log):
            args = [self._eval(a, env, memo) for a in e.args]
            if any(a <= 0 for a in args):
                raise _Undefined
            r = mpmath.log(args[0]) if len(args) == 1 else mpmath.log(args[0], args[1])
        else:
            fn = _FUNCS.get(type(e))
            if fn is None:
                raise NotEvaluable(type(e).__name__)
            r = fn(self._eval(e.args[0], env, memo))
        r = _real(r)
        memo[e] = r
        return r
