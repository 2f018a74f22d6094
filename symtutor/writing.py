"""Writing expressions back in the syntax :func:`symtutor.parse` reads."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from mpmath.libmp import prec_to_dps, to_str as mlib_to_str
from sympy.printing.str import StrPrinter

from .functions import FUNCTIONS

__all__ = ["to_text"]

# --------------------------------------------------------------------------
# writing expressions back in the same syntax

_NAMES = {cls: f.name for cls, f in FUNCTIONS.items()}


class _TextPrinter(StrPrinter):
    """SymPy's str printer, in the syntax :func:`parse` reads."""

    def _print_Pow(self, expr, rational=False):
        text = super()._print_Pow(expr, rational)
        return text.replace("**", "^")

    def _print_Exp1(self, expr):
        return "e"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "-∞"

    def _print_Float(self, expr):
        if expr._prec == 53:  # a double: the shortest text that reads back the same
            return repr(float(expr))
        return mlib_to_str(expr._mpf_, prec_to_dps(expr._prec))

    def _print_Function(self, expr):
        name = _NAMES.get(expr.func, expr.func.__name__)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    _print_Abs = _print_Function

    def _unwritable(self, expr):
        raise ValueError(f"to_text() cannot write {type(expr).__name__} objects")

    _print_Derivative = _print_Subs = _print_Integral = _unwritable

    def _print_MatrixBase(self, expr):
        rows = [[_text_of(v) for v in row] for row in expr.tolist()]
        if expr.cols == 1:
            return "(" + ", ".join(r[0] for r in rows) + ")" if expr.rows > 1 else "[" + rows[0][0] + "]"
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"

    _print_MutableDenseMatrix = _print_MatrixBase
    _print_ImmutableDenseMatrix = _print_MatrixBase


def to_text(obj) -> str:
    """Write an expression or matrix in the syntax :func:`parse` reads.

    ``parse(to_text(e)) == e`` for the expressions symtutor works with.

    Examples:
        >>> from symtutor import parse
        >>> to_text(parse("2x cos(x^2) + e^(-x)"))
        '2*x*cos(x^2) + exp(-x)'
        >>> to_text(parse("[[2, 0], [0, 6y]]"))
        '[[2, 0], [0, 6*y]]'
        >>> to_text(parse("(a, b)"))
        '(a, b)'
    """
    if isinstance(obj, bool):
        raise TypeError("to_text() writes SymPy expressions and matrices, not bool")
    if isinstance(obj, int):
        obj = sp.Integer(obj)
    elif isinstance(obj, float):
        obj = sp.Float(obj)
    if isinstance(obj, sp.MatrixBase):
        return _TextPrinter({"order": None}).doprint(obj)
    if not isinstance(obj, sp.Basic):
        raise TypeError(f"to_text() writes SymPy expressions and matrices, not {type(obj).__name__}")
    return _text_of(obj)


@lru_cache(maxsize=4096)
def _text_of(e: sp.Basic) -> str:
    # derivations print the same subexpressions again and again: remember them
    return _TextPrinter({"order": None}).doprint(e)
