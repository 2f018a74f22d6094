"""What each checking mode asks beyond equivalence: forms, explicit numeric tolerances, Taylor polynomials.

- "expand": no product of sums and no positive power (integer or float, as
  ``(x+1)^2.0``) of an expression holding a sum, even inside ``abs``;
- "factor": no factor that factors further over the rationals;
- "simplify": no more operations than the expected answer, give or take one;
- "numeric": a number (no names), checked against the question's tolerance
  when it has one;
- "taylor": a polynomial in the variables of at most the order asked for.

Every form is required of every entry of a vector or matrix.
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import sympy as sp

from ._numeval import HUGE, Evaluator

__all__ = ["form_slip", "tolerance_verdict", "taylor_shape_slip", "taylor_slips"]


def _has_sum(e) -> bool:
    return any(n.is_Add for n in sp.preorder_traversal(e))


def _expanded_here(factor) -> bool:
    if factor.is_Add:
        return False
    if factor.is_Pow and _has_sum(factor.base):
        n = factor.exp
        if (n.is_Integer and n > 1) or n.is_Float:
            return False  # (x+1)^2, and (x+1)^2.0, which is not a polynomial form
    if isinstance(factor, sp.Abs) and factor.args[0].is_Mul and any(f.is_Add for f in factor.args[0].args):
        return False
    return True


def is_expanded(e, deep: bool = True) -> bool:
    """No product of sums, no power of a sum (integer or float exponent, inside abs too).

    With ``deep`` the rule holds inside roots and functions as well
    (``sqrt((x+1)^4)`` is not expanded).

    Examples:
        >>> x = sp.Symbol("x")
        >>> is_expanded(x**2 + 2*x + 1), is_expanded((x + 1)**sp.Float(2)), is_expanded(sp.Abs(x + 1)**2)
        (True, False, False)
        >>> is_expanded(sp.sqrt((x + 1)**4))
        False
    """
    for term in sp.Add.make_args(e):
        if not all(_expanded_here(f) for f in sp.Mul.make_args(term)):
            return False
    if deep:
        for node in sp.preorder_traversal(e):
            if node.is_Mul and not all(_expanded_here(f) for f in node.args):
                return False
            if node.is_Pow and not _expanded_here(node):
                return False
    return True


def is_factored(e, variables) -> bool:
    """Every factor irreducible over the rationals, with no common number left in a sum.

    Examples:
        >>> x = sp.Symbol("x")
        >>> is_factored((x - 1) * (x + 1), (x,)), is_factored((2*x - 2) * (x + 1), (x,))
        (True, False)
    """
    if any(n.is_Float for n in sp.preorder_traversal(e)):
        return False
    for factor in sp.Mul.make_args(e):
        base = factor.base if factor.is_Pow and factor.exp.is_Integer else factor
        if not base.has(*variables) or base.is_Symbol:
            continue
        try:
            _, parts = sp.factor_list(base, *variables)
        except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError):
            continue
        if len(parts) > 1 or (parts and parts[0][1] > 1):
            return False
        if base.is_Add and abs(_content(base)) != 1:
            return False  # 2x - 2 is 2(x - 1)
    return True


def _content(e):
    """The rational content of a sum (the gcd of its coefficients): 2 for 2x - 2."""
    coeffs = [t.as_coeff_Mul()[0] for t in sp.Add.make_args(e)]
    if not all(c.is_Rational for c in coeffs):
        return sp.S.One
    return sp.gcd_list(coeffs) if len(coeffs) > 1 else abs(coeffs[0])


def form_slip(mode: str, a, b, variables) -> str | None:
    """The diagnosis tag when a (equal to b) is not in the form the mode asks for, else None."""
    if mode == "expand" and not is_expanded(a, deep=is_expanded(b)):
        return "not_expanded"
    if mode == "factor" and not is_factored(a, variables):
        return "not_factored"
    if mode == "simplify" and sp.count_ops(a) > sp.count_ops(b) + 1:
        return "not_simplified"
    return None


def _round_sig(v, n):
    if v == 0:
        return 0
    k = n - 1 - int(mpmath.floor(mpmath.log10(abs(v))))
    return mpmath.nint(v * mpmath.mpf(10) ** k)


def tolerance_verdict(a, b, tol, dps: int = 40) -> str:
    """ "equal", "close", "negated", "different" or "undefined" for numbers a and b under the question's tolerance."""
    va = Evaluator(a, (), dps)(())
    vb = Evaluator(b, (), dps)(())
    if va is None or vb is None or va is HUGE or vb is HUGE:
        return "undefined"

    def ok(v) -> bool:
        if isinstance(tol, dict) and "sig" in tol:
            return _round_sig(v, int(tol["sig"])) == _round_sig(vb, int(tol["sig"]))
        if isinstance(tol, dict) and "abs" in tol:
            return abs(v - vb) <= tol["abs"]
        rel = tol["rel"] if isinstance(tol, dict) else tol
        return abs(v - vb) <= rel * abs(vb)

    if ok(va):
        return "equal"
    if vb != 0 and ok(-va):
        return "negated"
    if abs(va - vb) <= abs(vb) * mpmath.mpf("0.05"):
        return "close"
    return "different"


def small_expansion(e, limit: int = 400) -> bool:
    """Whether expanding e gives at most about ``limit`` terms (an integer power of a sum multiplies them out).

    Examples:
        >>> x, a = sp.symbols("x a")
        >>> small_expansion((x + 1)**3 * (x - a)), small_expansion((x - a)**6000)
        (True, False)
    """
    for node in sp.preorder_traversal(e):
        if node.is_Pow and node.base.is_Add and node.exp.is_Integer and node.exp > 1:
            k, n = len(node.base.args), int(node.exp)
            if math.comb(n + k - 1, k - 1) > limit:
                return False
    return True


def taylor_shape_slip(a, variables, point, order):
    """(tag, fields) when a is not a polynomial of at most the order, else None.

    A power too large to multiply out ((x + 1)^9999) is left to the comparison of values.
    """
    shift = {v: v + p for v, p in zip(variables, point)}
    if not small_expansion(a.xreplace(shift)):
        return None
    try:
        poly = sp.Poly(sp.expand(a.xreplace(shift)), *variables)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return "not_a_polynomial", {"variables": ", ".join(map(str, variables))}
    if poly.total_degree() > order:
        return "taylor_wrong_degree", {"order": order}
    return None


def _terms_about(b, variables, point):
    shift = {v: v + p for v, p in zip(variables, point)}
    unshift = {v: v - p for v, p in zip(variables, point)}
    expected = sp.Poly(sp.expand(b.xreplace(shift)), *variables)
    return expected.terms(), unshift


@lru_cache(maxsize=256)
def taylor_slips(b, variables, point) -> tuple:
    """(tag, wrong polynomial) for the usual slips in writing the Taylor polynomial b about point."""
    terms, unshift = _terms_about(b, variables, point)

    def mono(m, shifted=True):
        return sp.Mul(*[(v - p if shifted else v) ** k for v, p, k in zip(variables, point, m)])

    out = []
    # the coefficients without their factorials, or divided by n instead of n!
    out.append(("taylor_missing_factorial", sp.Add(*[c * math.factorial(sum(m)) * mono(m) for m, c in terms])))
    out.append(("taylor_divided_by_n", sp.Add(
        *[c * math.factorial(sum(m)) / max(sum(m), 1) * mono(m) for m, c in terms])))
    if any(p != 0 for p in point):
        out.append(("taylor_powers_of_x", sp.Add(*[c * mono(m, shifted=False) for m, c in terms])))
        # powers of (x + a) for (x - a)
        out.append(("taylor_shift_sign", sp.Add(
            *[c * sp.Mul(*[(v + p) ** k for v, p, k in zip(variables, point, m)]) for m, c in terms])))
    if len(variables) > 1:
        # the mixed term without its 2 (half the coefficient of dx dy)
        out.append(("taylor_mixed_term", sp.Add(
            *[(c / 2 if sum(1 for k in m if k) > 1 else c) * mono(m) for m, c in terms])))
    return tuple(out)
