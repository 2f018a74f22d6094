"""Argument checking shared by the public functions: text, symbols, points."""

from __future__ import annotations

import numbers
import re
from functools import lru_cache
from collections.abc import Iterable, Mapping, Sequence

import sympy as sp

from .errors import InvalidArgumentError
from .parsing import parse

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def as_expr(value, *, name: str = "expr", allow_matrix: bool = False, functions: Iterable[str] = ()):
    """A SymPy Expr (or Matrix) from a SymPy object, a Python number or text."""
    if isinstance(value, str):
        value = parse(value, functions=functions)
    elif isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be an expression, not {value!r}.")
    elif isinstance(value, numbers.Integral):
        value = sp.Integer(int(value))
    elif isinstance(value, numbers.Rational):
        value = sp.Rational(int(value.numerator), int(value.denominator))
    elif isinstance(value, numbers.Real):
        value = sp.Float(float(value))
    elif isinstance(value, (list, tuple)) and allow_matrix:
        value = sp.Matrix([as_expr(v, name=name, functions=functions) for v in value])
    if isinstance(value, sp.MatrixBase):
        if not allow_matrix:
            raise InvalidArgumentError(
                f"{name} must be a scalar expression, not a {value.rows}x{value.cols} matrix; "
                "for a vector-valued function use jacobian()."
            )
        return sp.ImmutableMatrix(value)
    if not isinstance(value, sp.Expr):
        raise InvalidArgumentError(
            f"{name} must be a SymPy expression or text such as 'x^2 sin(x)', "
            f"not {type(value).__name__}."
        )
    return value


def free_symbols(value) -> set[sp.Symbol]:
    return set(value.free_symbols)


def _symbols_by_name(expr) -> dict[str, sp.Symbol]:
    """expr's symbols by name (a dict the caller must not change)."""
    if expr is None:
        return {}
    try:
        return _cached_symbols_by_name(expr)
    except TypeError:  # a mutable matrix
        return {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}


@lru_cache(maxsize=1024)
def _cached_symbols_by_name(expr) -> dict[str, sp.Symbol]:
    return {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}


def as_variable(value, expr=None, *, name: str = "var", known: dict | None = None) -> sp.Symbol:
    """A Symbol from a Symbol or a name, reusing the expression's own symbol of that name."""
    if isinstance(value, sp.Symbol):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _NAME_RE.fullmatch(text):
            raise InvalidArgumentError(f"{name} must be a variable name such as 'x', not {value!r}.")
        if known is None:
            known = _symbols_by_name(expr)
        return known.get(text) or sp.Symbol(text)
    raise InvalidArgumentError(
        f"{name} must be a symbol or a name such as 'x', not {type(value).__name__} {value!r}."
    )


def as_variables(values, expr=None, *, name: str = "variables", known: dict | None = None) -> tuple[sp.Symbol, ...]:
    """A tuple of distinct Symbols from symbols, names, or one string like 'x, y'.

    A name is the expression's own symbol of that name (``known`` gives them, else ``expr``'s).
    """
    if isinstance(values, str):
        parts = [p for p in re.split(r"[\s,]+", values.strip()) if p]
        if not parts:
            raise InvalidArgumentError(f"{name} is empty; name at least one variable, e.g. 'x, y'.")
        values = parts
    elif isinstance(values, sp.Symbol):
        values = [values]
    elif isinstance(values, sp.MatrixBase):
        values = list(values)
    if not isinstance(values, Iterable):
        raise InvalidArgumentError(
            f"{name} must be a list of symbols or names such as ['x', 'y'], not {type(values).__name__}."
        )
    if known is None:
        known = _symbols_by_name(expr) if any(isinstance(v, str) for v in values) else {}
    out = tuple(as_variable(v, name=name, known=known) for v in values)
    if not out:
        raise InvalidArgumentError(f"{name} is empty; name at least one variable, e.g. ['x', 'y'].")
    seen = set()
    for v in out:
        if v in seen:
            raise InvalidArgumentError(f"{name} names {v} twice; list each variable once.")
        seen.add(v)
    return out


def as_order(order, *, name: str = "order", minimum: int = 0) -> int:
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < minimum:
        raise InvalidArgumentError(f"{name} must be a whole number >= {minimum}, not {order!r}.")
    return int(order)


def as_point(point, variables: Sequence[sp.Symbol], *, name: str = "point") -> tuple[sp.Expr, ...]:
    """The coordinates of a point, one per variable, as SymPy numbers or expressions."""
    if isinstance(point, Mapping):
        keyed = {as_variable(k, name=name): v for k, v in point.items()}
        missing = [v for v in variables if v not in keyed]
        if missing:
            raise InvalidArgumentError(f"{name} gives no value for {', '.join(map(str, missing))}.")
        coords = [keyed[v] for v in variables]
    elif isinstance(point, str):
        coords = [c for c in point.split(",")]
    elif isinstance(point, (sp.Basic, numbers.Number)) and not isinstance(point, sp.MatrixBase):
        coords = [point]
    else:
        try:
            coords = list(point)
        except TypeError:
            raise InvalidArgumentError(
                f"{name} must be a number or a sequence of numbers, not {type(point).__name__}."
            ) from None
    if len(coords) != len(variables):
        raise InvalidArgumentError(
            f"{name} has {len(coords)} coordinate(s) but there are {len(variables)} variable(s) "
            f"({', '.join(map(str, variables))}); give one coordinate per variable."
        )
    out = []
    for c in coords:
        c = as_expr(c, name=name)
        bad = c.free_symbols & set(variables)
        if bad:
            raise InvalidArgumentError(f"{name} must not depend on the variables ({c}).")
        out.append(c)
    return tuple(out)
