"""Compile SymPy results into vectorised NumPy functions, and check gradients.

:func:`to_numpy` turns an expression or matrix into a plain program of NumPy
calls, one per distinct subexpression (so shared subexpressions are computed
once).  It interprets a whitelist of node types; no source code is generated
and nothing is ``eval``-ed, so it is safe for expressions read from text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._coerce import as_expr, as_variables
from .errors import InvalidArgumentError, UnknownSymbolError, UnsupportedExpressionError
from .functions import FUNCTIONS as _REGISTRY

__all__ = ["to_numpy", "NumpyFunction", "check_gradient", "GradientCheck"]







def _sign(x):
    return np.sign(x)


_UNARY: dict[type, Callable] = {f.cls: f.numpy for f in _REGISTRY.values() if f.cls is not sp.log}
_UNARY[sp.sign] = _sign


def _log(*args):
    if len(args) == 1:
        return np.log(args[0])
    return np.log(args[0]) / np.log(args[1])


def _add(*args):
    out = args[0] + args[1]
    for a in args[2:]:
        out = out + a
    return out


def _mul(*args):
    out = args[0] * args[1]
    for a in args[2:]:
        out = out * a
    return out


def _reciprocal(x):
    return 1.0 / x


def _power(base, exponent):
    return np.power(base, exponent)


_POWERS = {2: np.square, -1: _reciprocal, 0.5: np.sqrt, 1: None}


@dataclass(frozen=True, slots=True)
class NumpyFunction:
    """A compiled expression: call it with one array per variable.

    Arrays broadcast together; a matrix result has shape
    ``(rows, cols, *broadcast_shape)``, a scalar result ``broadcast_shape``.
    """

    variables: tuple[sp.Symbol, ...]
    shape: tuple[int, int] | None
    program: tuple
    outputs: tuple[int, ...]
    n_slots: int

    def __call__(self, *args):
        if len(args) != len(self.variables):
            raise InvalidArgumentError(
                f"this function takes {len(self.variables)} argument(s) "
                f"({', '.join(map(str, self.variables))}), not {len(args)}."
            )
        slots: list = [None] * self.n_slots
        arrays = [np.asarray(a, dtype=float) for a in args]
        for i, a in enumerate(arrays):
            slots[i] = a
        for out, fn, ins, const in self.program:
            if fn is None:
                slots[out] = const
            else:
                slots[out] = fn(*[slots[i] for i in ins])
        shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
        values = [np.broadcast_to(np.asarray(slots[o], dtype=float), shape) for o in self.outputs]
        if self.shape is None:
            return np.array(values[0])
        rows, cols = self.shape
        return np.stack(values).reshape((rows, cols, *shape))

    @property
    def size(self) -> int:
        """How many NumPy operations one call performs."""
        return sum(1 for p in self.program if p[1] is not None)


class _Compiler:
    def __init__(self, variables: Sequence[sp.Symbol]):
        self.slot: dict[sp.Basic, int] = {v: i for i, v in enumerate(variables)}
        self.n = len(variables)
        self.program: list = []
        self.variables = tuple(variables)

    def new(self, fn, ins, const=None) -> int:
        k = self.n
        self.n += 1
        self.program.append((k, fn, tuple(ins), const))
        return k

    def compile(self, e: sp.Basic) -> int:
        # iterative post-order walk, so deep expressions do not hit the recursion limit
        stack = [(e, False)]
        while stack:
            node, ready = stack.pop()
            if node in self.slot:
                continue
            if not ready:
                stack.append((node, True))
                for a in self._operands(node):
                    if a not in self.slot:
                        stack.append((a, False))
                continue
            self.slot[node] = self._emit(node)
        return self.slot[e]

    def _operands(self, e):
        if e.is_Pow:
            return (e.base,) if e.exp.is_Number else e.args
        if e.is_Atom:
            return ()
        return e.args

    def _emit(self, e) -> int:
        if e.is_Symbol:
            raise UnknownSymbolError(
                f"the expression uses {e}, which is not among the variables "
                f"({', '.join(map(str, self.variables))}); "
                f"add it to the variables or substitute a value for it."
            )
        if e.is_Rational or e.is_Float or e.is_NumberSymbol:
            return self.new(None, (), np.float64(float(e)))
        if e.is_Number:
            raise UnsupportedExpressionError(f"the constant {e} is not a finite real number.")
        if e is sp.S.ImaginaryUnit:
            raise UnsupportedExpressionError("complex numbers are not supported by to_numpy().")
        if e.is_Add:
            return self.new(_add, [self.slot[a] for a in e.args])
        if e.is_Mul:
            return self.new(_mul, [self.slot[a] for a in e.args])
        if e.is_Pow:
            if e.exp.is_Number:
                p = float(e.exp)
                fn = _POWERS.get(p)
                if p == -0.5:
                    return self.new(lambda x: 1.0 / np.sqrt(x), [self.slot[e.base]])
                if fn is not None:
                    return self.new(fn, [self.slot[e.base]])
                exponent = np.float64(p) if not e.exp.is_Integer else int(e.exp)
                return self.new(lambda x, k=exponent: np.power(x, k), [self.slot[e.base]])
            return self.new(_power, [self.slot[e.base], self.slot[e.exp]])
        fn = _UNARY.get(type(e))
        if fn is not None:
            return self.new(fn, [self.slot[e.args[0]]])
        if isinstance(e, sp.log):
            return self.new(_log, [self.slot[a] for a in e.args])
        raise UnsupportedExpressionError(
            f"to_numpy() cannot compile {type(e).__name__} ({e}); "
            "substitute values or rewrite it with elementary functions."
        )


def to_numpy(expr_or_matrix, variables) -> NumpyFunction:
    """Compile an expression or matrix into a vectorised NumPy function.

    Common subexpressions are computed once.  A symbol outside ``variables``
    is refused with :class:`~symtutor.errors.UnknownSymbolError`.

    Examples:
        >>> import numpy as np
        >>> f = to_numpy("x^2 sin(y)", ["x", "y"])
        >>> f(np.array([1.0, 2.0]), np.pi / 2)
        array([1., 4.])
        >>> from symtutor import jacobian
        >>> J = to_numpy(jacobian("(x y, x + y)", "x, y"), ["x", "y"])
        >>> J(2.0, 3.0)
        array([[3., 2.],
               [1., 1.]])
        >>> to_numpy("a x", ["x"])
        Traceback (most recent call last):
        ...
        symtutor.errors.UnknownSymbolError: the expression uses a, which is not among the variables (x); add it to the variables or substitute a value for it.
    """
    expr = as_expr(expr_or_matrix, name="expr_or_matrix", allow_matrix=True)
    variables = as_variables(variables, expr)
    return compile_expr(expr, variables)


def compile_expr(expr, variables: tuple) -> NumpyFunction:
    """:func:`to_numpy` for a SymPy object and a tuple of Symbols, already checked."""
    comp = _Compiler(variables)
    if isinstance(expr, sp.MatrixBase):
        outs = tuple(comp.compile(e) for e in expr)
        shape = (expr.rows, expr.cols)
    else:
        outs = (comp.compile(expr),)
        shape = None
    return NumpyFunction(tuple(variables), shape, tuple(comp.program), outs, comp.n)


@dataclass(frozen=True, slots=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`; true when the gradient passed."""

    ok: bool
    analytic: np.ndarray
    numeric: np.ndarray
    max_abs_error: float
    max_rel_error: float
    worst_index: int

    def __bool__(self) -> bool:
        return self.ok


def check_gradient(f, grad, x, *, eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-7):
    """Compare ``grad(x)`` with central differences of ``f`` at ``x``.

    ``f`` maps a 1-D array to a number; ``grad`` maps it to an array of the
    same length.  Each component must satisfy
    ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Examples:
        >>> import numpy as np
        >>> f = lambda v: v[0] ** 2 * np.sin(v[1])
        >>> g = lambda v: np.array([2 * v[0] * np.sin(v[1]), v[0] ** 2 * np.cos(v[1])])
        >>> bool(check_gradient(f, g, [1.0, 0.5]))
        True
        >>> bool(check_gradient(f, lambda v: 1.01 * g(v), [1.0, 0.5]))
        False
    """
    x = np.array(x, dtype=float).ravel()
    if x.size == 0:
        raise InvalidArgumentError("x must have at least one coordinate.")
    if not eps > 0:
        raise InvalidArgumentError(f"eps must be positive, not {eps!r}.")
    analytic = np.asarray(grad(x.copy()), dtype=float).ravel()
    if analytic.shape != x.shape:
        raise InvalidArgumentError(
            f"grad(x) has {analytic.size} component(s) but x has {x.size}; "
            "the gradient needs one component per coordinate."
        )
    numeric = np.empty_like(x)
    for i in range(x.size):
        h = eps * max(1.0, abs(x[i]))
        up = x.copy()
        down = x.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (float(f(up)) - float(f(down))) / (2 * h)
    err = np.abs(analytic - numeric)
    rel = err / np.maximum(np.abs(numeric), 1e-300)
    ok = bool(np.all(err <= atol + rtol * np.abs(numeric)))
    worst = int(np.argmax(err - rtol * np.abs(numeric)))
    return GradientCheck(ok, analytic, numeric, float(err.max()), float(rel.max()), worst)


def node_values(expr, variables: tuple, args) -> dict:
    """The value of every distinct subexpression of ``expr`` at ``args``, by node.

    One pass computes them all; the answer checker uses it to compare parts of
    an answer (its terms) without evaluating them again.
    """
    comp = _Compiler(variables)
    comp.compile(expr)
    slots: list = [None] * comp.n
    for i, a in enumerate(args):
        slots[i] = np.asarray(a, dtype=float)
    for out, fn, ins, const in comp.program:
        slots[out] = const if fn is None else fn(*[slots[i] for i in ins])
    return {node: slots[k] for node, k in comp.slot.items()}
