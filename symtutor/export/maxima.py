"""Maxima, as STACK reads it: symtutor's expressions printed for STACK, and Maxima read back.

:func:`to_maxima` prints a SymPy expression or matrix in the Maxima that STACK's
question variables and answer tests take (``^`` for powers, ``%pi``, ``%e``,
``matrix([..],[..])``, floats without exponents).  :func:`from_maxima` rewrites
that Maxima in symtutor's own syntax, so ``symtutor.parse`` can read it back:
the round trip ``parse(from_maxima(to_maxima(e))) == e`` is what the tests hold.

The spelling map from Maxima to symtutor (:data:`SPELLINGS`) is small:
``%pi`` → ``pi``, ``%e`` → ``e``, ``%i`` → ``i``, and ``matrix([a, b], [c, d])``
→ ``[[a, b], [c, d]]``; everything else (``^``, ``*``, ``exp``, ``log``, ``sqrt``,
``abs``, the trigonometric and hyperbolic functions) is spelled the same in both.
"""

from __future__ import annotations

import re
from decimal import Decimal

import sympy as sp
from sympy.printing.str import StrPrinter

from ..errors import InvalidArgumentError

__all__ = ["to_maxima", "from_maxima", "SPELLINGS"]

SPELLINGS: tuple[tuple[str, str], ...] = (("%pi", "pi"), ("%e", "e"), ("%i", "i"))
"""Maxima constants and their symtutor spellings."""


class _MaximaPrinter(StrPrinter):
    """SymPy's str printer with Maxima's spellings."""

    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Exp1(self, expr):
        return "%e"

    def _print_Pi(self, expr):
        return "%pi"

    def _print_ImaginaryUnit(self, expr):
        return "%i"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Float(self, expr):
        value = float(expr)
        text = repr(value)
        if "e" in text or "E" in text:  # Maxima reads 1e-5, but STACK's e is %e: write the digits out
            text = format(Decimal(text), "f")
        return text

    def _print_MatrixBase(self, expr):
        rows = ("[" + ",".join(self._print(v) for v in row) + "]" for row in expr.tolist())
        return "matrix(" + ",".join(rows) + ")"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase


def to_maxima(e) -> str:
    """An expression or matrix in Maxima syntax, as STACK reads it.

    Examples:
        >>> x = sp.Symbol("x")
        >>> to_maxima(sp.exp(2 * x) * sp.pi)
        '%pi*exp(2*x)'
        >>> to_maxima(sp.Matrix([x, x**2]))
        'matrix([x],[x^2])'
        >>> to_maxima(sp.Float("0.00001") * x**-2)
        '0.00001/x^2'
    """
    if not isinstance(e, (sp.Basic, sp.MatrixBase)):
        raise InvalidArgumentError(f"to_maxima takes a SymPy expression or matrix, not {type(e).__name__}")
    return _MaximaPrinter().doprint(e)


_MATRIX = re.compile(r"matrix\(")


def from_maxima(text: str) -> str:
    """Maxima text (as :func:`to_maxima` writes it) in symtutor's syntax, for ``symtutor.parse``.

    Examples:
        >>> from_maxima("%pi*exp(2*x)")
        'pi*exp(2*x)'
        >>> from_maxima("matrix([x],[x^2])")
        '[[x],[x^2]]'
    """
    out = text
    for maxima, ours in SPELLINGS:
        out = re.sub(re.escape(maxima) + r"(?![A-Za-z0-9_])", ours, out)
    while True:
        m = _MATRIX.search(out)
        if m is None:
            return out
        depth, end = 0, None
        for k in range(m.end() - 1, len(out)):
            if out[k] == "(":
                depth += 1
            elif out[k] == ")":
                depth -= 1
                if depth == 0:
                    end = k
                    break
        if end is None:
            raise InvalidArgumentError(f"unbalanced matrix(...) in {text!r}")
        out = out[: m.start()] + "[" + out[m.end(): end] + "]" + out[end + 1:]
