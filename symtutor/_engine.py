"""The fast path: differentiate in SymEngine, hand back canonical SymPy objects.

SymPy expressions are translated node by node (a whitelist) into SymEngine,
differentiated there, and rebuilt as SymPy objects equal (``==``) to what
SymPy itself would have built.  Two details make the results equal to
SymPy's own and not merely equivalent:

* ``exp`` is carried through SymEngine as an opaque function, because
  SymEngine merges ``exp(a)*exp(b)`` into ``exp(a + b)`` and SymPy does not.
* SymPy objects are rebuilt without re-running SymPy's canonicalisation where
  SymEngine's result is already canonical (sorted arguments, collected terms);
  wherever SymPy could rewrite a node, the evaluating constructor is used.

Anything outside the whitelist (floats, undefined functions, symbols with
assumptions that SymEngine cannot carry, ...) raises :class:`Unsupported`, and
callers fall back to plain SymPy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import symengine as se
import sympy as sp
from functools import cmp_to_key

from sympy.core.basic import Basic, _cmp_name
from symengine.lib import symengine_wrapper as sw

from .functions import FUNCTIONS as _REGISTRY, by_name as _by_name

__all__ = ["Unsupported", "Bridge", "engine_symbols", "raw_pow"]


class Unsupported(Exception):
    """The expression holds something the fast path does not translate."""


_EXP = se.Function("_symtutor_exp")
_EXP_NAME = _EXP(se.Symbol("_symtutor_probe")).get_name()

_FUNCS: dict[type, object] = {
    f.cls: getattr(se, f.symengine) for f in _REGISTRY.values() if f.symengine is not None
}
_PROBE = se.Symbol("_symtutor_probe")
_BACK: dict[type, type] = {type(v(_PROBE)): k for k, v in _FUNCS.items()}
_BACK[type(se.log(_PROBE))] = sp.log

_INVERSE = {f.cls: _by_name(f.inverse).cls for f in _REGISTRY.values() if f.inverse is not None}
_INVERSE.update({sp.exp: sp.log, sp.log: sp.exp})

_INTEGERS = (sw.Integer, sw.Zero, sw.One, sw.NegativeOne)
_RATIONALS = (sw.Rational, sw.Half)
_ONE = sp.S.One
_ZERO = sp.S.Zero
_Add_from = sp.Add._from_args
_Mul_from = sp.Mul._from_args


def raw_pow(base: sp.Expr, exponent: sp.Expr) -> sp.Pow:
    """``Pow(base, exponent, evaluate=False)`` for commutative arguments, without the cache lookup."""
    obj = sp.Expr.__new__(sp.Pow, base, exponent)
    obj = sp.Pow._exec_constructor_postprocessors(obj)
    obj.is_commutative = True
    return obj


def _memoized_sortkey():
    """SymPy's canonical argument order (``Basic.compare``), remembering comparisons.

    Sorting the arguments of many products of deep expressions compares the
    same subtrees again and again; this is the same comparison with a memo.
    """
    memo: dict[tuple[Basic, Basic], int] = {}

    def compare(a, b) -> int:
        if a is b:
            return 0
        key = (a, b)
        c = memo.get(key)
        if c is not None:
            return c
        c = _cmp_name(a.__class__, b.__class__)
        if not c:
            st = a._hashable_content()
            ot = b._hashable_content()
            c = (len(st) > len(ot)) - (len(st) < len(ot))
            if not c:
                for lhs, rhs in zip(st, ot):
                    if isinstance(lhs, Basic):
                        c = compare(lhs, rhs)
                    elif isinstance(lhs, frozenset):
                        c = Basic(*lhs).compare(Basic(*rhs))
                    else:
                        c = (lhs > rhs) - (lhs < rhs)
                    if c:
                        break
        memo[key] = c
        return c

    return cmp_to_key(compare)


class Bridge:
    """Translate between SymPy and SymEngine for one family of expressions.

    ``opaque_exp`` keeps ``exp`` opaque in SymEngine (use it for
    differentiation); without it ``exp`` is SymEngine's own, which is needed
    when expressions are evaluated at points (Taylor coefficients).
    """

    def __init__(self, exprs: Iterable[sp.Basic], *, opaque_exp: bool = True):
        self.opaque_exp = opaque_exp
        self.symbols: dict[str, sp.Symbol] = {}
        for e in exprs:
            for s in e.free_symbols:
                self._register(s)
        self._to: dict[sp.Basic, se.Basic] = {}
        self._from: dict[se.Basic, tuple[sp.Basic, bool]] = {}
        self._sortkey = _memoized_sortkey()

    def _register(self, s) -> None:
        # Symbols with assumptions (positive=True, ...) let SymPy simplify
        # in ways SymEngine does not know; such expressions stay in SymPy.
        if type(s) is not sp.Symbol or s.assumptions0 != {"commutative": True}:
            raise Unsupported(s)
        # Past that test two symbols of one name are equal, though maybe not one object:
        # SymPy interns Symbol('x') in a bounded cache, so an expression built before the
        # entry was evicted (or before clear_cache()) holds an older object than a variable
        # made later.  The first one seen stands for both.
        self.symbols.setdefault(s.name, s)

    # ---- SymPy -> SymEngine ----------------------------------------------
    def to_engine(self, e: sp.Basic) -> se.Basic:
        r = self._to.get(e)
        if r is not None:
            return r
        if e.is_Symbol:
            r = se.Symbol(e.name)
        elif e.is_Integer:
            r = se.Integer(int(e))
        elif e.is_Rational:
            r = se.Rational(int(e.p), int(e.q))
        elif e.is_Add:
            r = se.Add(*[self.to_engine(a) for a in e.args])
        elif e.is_Mul:
            r = se.Mul(*[self.to_engine(a) for a in e.args])
        elif e.is_Pow:
            r = se.Pow(self.to_engine(e.base), self.to_engine(e.exp))
        elif isinstance(e, sp.exp):
            arg = self.to_engine(e.args[0])
            r = _EXP(arg) if self.opaque_exp else se.exp(arg)
        elif type(e) in _FUNCS:
            r = _FUNCS[type(e)](self.to_engine(e.args[0]))
        elif isinstance(e, sp.log) and len(e.args) == 1:
            r = se.log(self.to_engine(e.args[0]))
        elif e is sp.pi:
            r = se.pi
        elif e is sp.E:
            r = se.E
        else:
            raise Unsupported(type(e).__name__)
        self._to[e] = r
        return r

    # ---- SymEngine -> SymPy ----------------------------------------------
    def from_engine_many(self, exprs: Sequence[se.Basic]) -> list[sp.Basic]:
        """Rebuild many SymEngine results, sharing common subexpressions."""
        return [self.from_engine(e) for e in exprs]

    def from_engine(self, e: se.Basic) -> sp.Basic:
        """The SymPy object equal to SymEngine's ``e``."""
        return self._convert(e)[0]

    def _convert(self, e: se.Basic) -> tuple[sp.Basic, bool]:
        """(SymPy object, whether it is a number) for ``e``, memoised."""
        done = self._from.get(e)
        if done is not None:
            return done
        t = type(e)
        if t is sw.Symbol:
            done = (self.symbols[e.name], False)
        elif t in _INTEGERS:
            done = (sp.Integer(int(e)), True)
        elif t in _RATIONALS:
            done = (sp.Rational(int(e.p), int(e.q)), True)
        elif t is sw.Mul:
            done = self._mul(e)
        elif t is sw.Add:
            done = self._add(e)
        elif t is sw.Pow:
            done = self._pow(e)
        elif t is sw.FunctionSymbol:
            if e.get_name() != _EXP_NAME:
                raise Unsupported(str(e))
            done = self._func(sp.exp, e.args)
        elif t is sw.Subs or t is sw.Derivative:
            # SymEngine's d/du E(u) (as Subs(Derivative(E(ξ), ξ), ξ, u), or
            # Derivative(E(x), x)) is E(u) again
            inner = e.args[0]
            while type(inner) is sw.Derivative:
                inner = inner.args[0]
            if type(inner) is not sw.FunctionSymbol or inner.get_name() != _EXP_NAME:
                raise Unsupported(str(e))
            done = self._func(sp.exp, (e.args[2],) if t is sw.Subs else inner.args)
        elif t is sw.Pi:
            done = (sp.pi, True)
        elif t is sw.Exp1:
            done = (sp.E, True)
        elif t in _BACK:
            done = self._func(_BACK[t], e.args)
        else:
            raise Unsupported(t.__name__)
        self._from[e] = done
        return done

    def _children(self, e: se.Basic) -> tuple[list[sp.Basic], list[bool]]:
        pairs = [self._convert(a) for a in e.args]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _add(self, e):
        args, nums = self._children(e)
        numeric = all(nums)
        if numeric:
            return _evaluated(sp.Add(*args), numeric)
        coeff = None
        rest = []
        terms = set()
        for a, n in zip(args, nums):
            if n:
                if coeff is not None or not a.is_Rational:
                    return _evaluated(sp.Add(*args), numeric)
                coeff = a
                continue
            if a.is_Add:
                return _evaluated(sp.Add(*args), numeric)
            term = a.as_coeff_Mul()[1]
            if term in terms:
                return _evaluated(sp.Add(*args), numeric)
            terms.add(term)
            rest.append(a)
        if len(rest) < 2 and (coeff is None or coeff is _ZERO):
            return _evaluated(sp.Add(*args), numeric)
        rest.sort(key=self._sortkey)
        if coeff is not None and coeff is not _ZERO:
            rest.insert(0, coeff)
        return _Add_from(rest, True), False

    def _mul(self, e):
        args, nums = self._children(e)
        numeric = all(nums)
        if numeric:
            return _evaluated(sp.Mul(*args), numeric)
        coeff = None
        rest = []
        keys = set()
        for a, n in zip(args, nums):
            if n:
                if coeff is not None or not a.is_Rational or a is _ZERO:
                    return _evaluated(sp.Mul(*args), numeric)
                coeff = a
                continue
            if a.is_Mul:
                return _evaluated(sp.Mul(*args), numeric)
            b, x = a.as_base_exp()
            key = (b, x.as_coeff_Mul()[1])
            if key in keys:
                return _evaluated(sp.Mul(*args), numeric)
            keys.add(key)
            rest.append(a)
        if coeff is _ONE:
            coeff = None
        if len(rest) == 1 and (coeff is None or rest[0].is_Add):
            # 2*(x + y) is distributed by SymPy; a lone factor is no product
            return _evaluated(sp.Mul(*args), numeric)
        rest.sort(key=self._sortkey)
        if coeff is not None:
            rest.insert(0, coeff)
        return _Mul_from(rest, True), False

    def _pow(self, e):
        (b, x), (nb, nx) = self._children(e)
        numeric = nb and nx
        if (
            not nb
            and nx
            and x.is_Rational
            and x is not _ONE
            and x is not _ZERO
            and (b.is_Symbol or (b.is_Function and not isinstance(b, sp.exp)))
        ):
            return raw_pow(b, x), False
        return _evaluated(sp.Pow(b, x), numeric)

    def _func(self, cls, se_args):
        pairs = [self._convert(a) for a in se_args]
        args = [p[0] for p in pairs]
        numeric = all(p[1] for p in pairs)
        if not numeric and _settled(cls, args[0]):
            return cls(*args, evaluate=False), False
        return _evaluated(cls(*args), numeric)


def _evaluated(r: sp.Basic, numeric: bool) -> tuple[sp.Basic, bool]:
    """A node SymPy evaluated: it may have collapsed to a number (exp(x) - exp(x))."""
    return r, numeric or r.is_Number


def _has_log_factor(term: sp.Basic) -> bool:
    if isinstance(term, sp.log):
        return True
    return term.is_Mul and any(isinstance(f, sp.log) for f in term.args)


def _settled(cls, a: sp.Basic) -> bool:
    """True when SymPy's ``cls(a)`` would leave the (non-numeric) argument as it is.

    ``exp`` rewrites only arguments holding a logarithm (SymEngine already
    dealt with numbers); the other functions may also pull out a sign or a
    multiple of pi from a sum, which SymEngine does by different rules, so sums
    are left to SymPy.
    """
    if isinstance(a, _INVERSE.get(cls, ())):
        return False
    if cls is sp.exp:
        if a.is_Add:
            return not any(_has_log_factor(t) for t in a.args)
        return not _has_log_factor(a)
    if a.is_Symbol or a.is_Pow or a.is_Function:
        return True
    if a.is_Mul:
        c = a.args[0]
        return not (c.is_Number and c.is_negative)
    return False


def engine_symbols(bridge: Bridge, variables: Sequence[sp.Symbol]) -> list[se.Basic]:
    """The SymEngine symbols of ``variables``, registered with ``bridge``."""
    out = []
    for v in variables:
        bridge._register(v)
        out.append(bridge.to_engine(v))
    return out
