"""Univariate Taylor coefficients by truncated power-series arithmetic.

Each node of a SymEngine expression becomes its Taylor coefficients
``[c0, c1, ..., cn]`` about x = a, combined by the classical recurrences
(products by convolution, exp/log/sin/cos/powers by their differential
equations).  Coefficients are exact SymEngine numbers or constants such as
``exp(sin(1))``.  A node outside the whitelist raises ``Unsupported``; a node
with no Taylor series at the point raises ``NotAnalytic``.
"""

from __future__ import annotations

import symengine as se
from symengine.lib import symengine_wrapper as sw

from ._engine import _EXP_NAME, Unsupported

__all__ = ["NotAnalytic", "taylor_coefficients"]


class NotAnalytic(Exception):
    """The function has no Taylor series at the point."""


_ZERO = se.Integer(0)
_ONE = se.Integer(1)
_INTEGERS = (sw.Integer, sw.Zero, sw.One, sw.NegativeOne)
_ATOMS = (*_INTEGERS, sw.Rational, sw.Half, sw.Pi, sw.Exp1)
_INTS: list = [_ZERO, _ONE]  # small integers and their reciprocals, shared
_INVS: list = [None, _ONE]


class _Series:
    def __init__(self, x: se.Symbol, a: se.Basic, n: int):
        self.x = x
        self.a = a
        self.n = n
        self.memo: dict[se.Basic, list | None] = {}
        while len(_INTS) < n + 2:
            k = len(_INTS)
            _INTS.append(se.Integer(k))
            _INVS.append(se.Rational(1, k))
        self.inv = _INVS
        self.ints = _INTS

    # -- helpers on coefficient lists (length n + 1) --------------------------
    # Each recurrence visits only the non-zero coefficients of its input: the
    # series met in practice are sparse (1 - x - x^2 has three terms).
    def const(self, c) -> list:
        return [c] + [_ZERO] * self.n

    @staticmethod
    def _nonzero(u: list, start: int = 0) -> list[int]:
        return [j for j in range(start, len(u)) if u[j] != _ZERO]

    @staticmethod
    def _sum(terms: list):
        if not terms:
            return _ZERO
        return terms[0] if len(terms) == 1 else se.Add(*terms)

    def mul(self, u: list, v: list) -> list:
        nu = self._nonzero(u)
        nv = set(self._nonzero(v))
        return [self._sum([u[j] * v[k - j] for j in nu if j <= k and k - j in nv]) for k in range(self.n + 1)]

    def scale(self, u: list, c) -> list:
        return [c * t for t in u]

    def recip(self, v: list) -> list:
        if v[0] == _ZERO:
            raise NotAnalytic
        nz = self._nonzero(v, 1)
        inv0 = _ONE / v[0]
        q = [inv0]
        for k in range(1, self.n + 1):
            q.append(-inv0 * self._sum([v[j] * q[k - j] for j in nz if j <= k]))
        return q

    def integrate(self, c0, du: list, fprime: list) -> list:
        """Coefficients of F with F(a) = c0 and F' = fprime * u' (chain rule)."""
        J = self.ints
        nz = self._nonzero(du, 1)
        out = [c0]
        for k in range(1, self.n + 1):
            out.append(self.inv[k] * self._sum([J[j] * du[j] * fprime[k - j] for j in nz if j <= k]))
        return out

    def exp(self, u: list) -> list:
        J = self.ints
        nz = self._nonzero(u, 1)
        e = [se.exp(u[0])]
        for k in range(1, self.n + 1):
            e.append(self.inv[k] * self._sum([J[j] * u[j] * e[k - j] for j in nz if j <= k]))
        return e

    def log(self, u: list) -> list:
        if u[0] == _ZERO:
            raise NotAnalytic
        return self.integrate(se.log(u[0]), u, self.recip(u))

    def sincos(self, u: list, hyperbolic: bool = False) -> tuple[list, list]:
        if hyperbolic:
            s, c = [se.sinh(u[0])], [se.cosh(u[0])]
        else:
            s, c = [se.sin(u[0])], [se.cos(u[0])]
        sign = 1 if hyperbolic else -1
        J = self.ints
        nz = self._nonzero(u, 1)
        for k in range(1, self.n + 1):
            s.append(self.inv[k] * self._sum([J[j] * u[j] * c[k - j] for j in nz if j <= k]))
            c.append(sign * self.inv[k] * self._sum([J[j] * u[j] * s[k - j] for j in nz if j <= k]))
        return s, c

    def power(self, u: list, alpha) -> list:
        if u[0] == _ZERO:
            if alpha.is_integer and alpha >= 0:
                k = int(alpha)
                if len(u) > 1 and u[1] == _ONE and all(c == _ZERO for c in u[2:]):
                    # (x - a)^k itself: one coefficient
                    out = [_ZERO] * (self.n + 1)
                    if k <= self.n:
                        out[k] = _ONE
                    return out
                out = self.const(_ONE)
                for _ in range(int(alpha)):
                    out = self.mul(out, u)
                return out
            raise NotAnalytic
        if alpha == -1:
            return self.recip(u)
        J = self.ints
        nz = self._nonzero(u, 1)
        weight = {(j, k): (alpha + 1) * J[j] - J[k] for k in range(1, self.n + 1) for j in nz if j <= k}
        p = [u[0] ** alpha]
        inv0 = _ONE / u[0]
        for k in range(1, self.n + 1):
            terms = [weight[j, k] * u[j] * p[k - j] for j in nz if j <= k]
            p.append(self.inv[k] * inv0 * self._sum(terms))
        return p

    # -- the walk ------------------------------------------------------------------
    def coefficients(self, e: se.Basic) -> list | None:
        """Coefficients of e, or None when e does not depend on x."""
        if e in self.memo:
            return self.memo[e]
        r = self._coefficients(e)
        self.memo[e] = r
        return r

    def _coefficients(self, e: se.Basic):
        t = type(e)
        if t is sw.Symbol:
            if e == self.x:
                return [self.a, _ONE] + [_ZERO] * (self.n - 1) if self.n >= 1 else [self.a]
            return None
        if t in _ATOMS or isinstance(e, sw.Number):
            return None
        args = e.args
        parts = [self.coefficients(a) for a in args]
        if all(p is None for p in parts):
            return None
        full = [self.const(a) if p is None else p for a, p in zip(args, parts)]
        if t is sw.Add:
            return [se.Add(*col) for col in zip(*full)]
        if t is sw.Mul:
            const = [a for a, p in zip(args, parts) if p is None]
            var = [p for p in parts if p is not None]
            out = var[0]
            for p in var[1:]:
                out = self.mul(out, p)
            if const:
                out = self.scale(out, se.Mul(*const))
            return out
        if t is sw.Pow:
            base, exponent = args
            if parts[1] is None:
                return self.power(full[0], exponent)
            if base == se.E:
                return self.exp(full[1])
            # b^g = exp(g log b)
            return self.exp(self.mul(full[1], self.log(full[0])))
        u = full[0]
        if t is sw.FunctionSymbol:
            if e.get_name() != _EXP_NAME:
                raise Unsupported(str(e))
            return self.exp(u)
        name = t.__name__
        if name == "log":
            return self.log(u)
        if name in ("sin", "cos", "tan", "cot", "sec", "csc"):
            s, c = self.sincos(u)
            return {
                "sin": lambda: s,
                "cos": lambda: c,
                "tan": lambda: self.mul(s, self.recip(c)),
                "cot": lambda: self.mul(c, self.recip(s)),
                "sec": lambda: self.recip(c),
                "csc": lambda: self.recip(s),
            }[name]()
        if name in ("sinh", "cosh", "tanh"):
            s, c = self.sincos(u, hyperbolic=True)
            return {"sinh": lambda: s, "cosh": lambda: c, "tanh": lambda: self.mul(s, self.recip(c))}[name]()
        one = self.const(_ONE)
        u2 = self.mul(u, u)
        minus_half = se.Rational(-1, 2)
        derivs = {
            "atan": lambda: (se.atan(u[0]), self.recip([a + b for a, b in zip(one, u2)])),
            "acot": lambda: (se.acot(u[0]), self.scale(self.recip([a + b for a, b in zip(one, u2)]), -1)),
            "asin": lambda: (se.asin(u[0]), self.power([a - b for a, b in zip(one, u2)], minus_half)),
            "acos": lambda: (se.acos(u[0]), self.scale(self.power([a - b for a, b in zip(one, u2)], minus_half), -1)),
            "asinh": lambda: (se.asinh(u[0]), self.power([a + b for a, b in zip(one, u2)], minus_half)),
            "acosh": lambda: (se.acosh(u[0]), self.power([b - a for a, b in zip(one, u2)], minus_half)),
            "atanh": lambda: (se.atanh(u[0]), self.recip([a - b for a, b in zip(one, u2)])),
        }
        if name in derivs:
            c0, fprime = derivs[name]()
            return self.integrate(c0, u, fprime)
        raise Unsupported(name)


def taylor_coefficients(fe: se.Basic, x: se.Symbol, a: se.Basic, n: int) -> list[se.Basic]:
    """[c0, ..., cn]: the Taylor coefficients of fe about x = a."""
    s = _Series(x, a, n)
    c = s.coefficients(fe)
    return s.const(fe) if c is None else c
