"""symtutor: a symbolic-calculus tutor for the multivariate calculus behind machine learning.

The public API is flat: import what you need from ``symtutor``.

Examples:
    >>> import symtutor as st
    >>> st.gradient("x^2 y", "x, y").T
    Matrix([[2*x*y, x**2]])
"""

from .calculus import (
    ChainRule,
    RemainderBound,
    chain_rule,
    derivative,
    gradient,
    hessian,
    jacobian,
    linearize,
    taylor,
    taylor_remainder_bound,
)
from .errors import (
    InvalidArgumentError,
    ParseError,
    SymtutorError,
    UnknownSymbolError,
    UnsupportedExpressionError,
)
from .numeric import GradientCheck, NumpyFunction, check_gradient, to_numpy
from .parsing import parse

__version__ = "0.1.0"

__all__ = [
    "ChainRule",
    "GradientCheck",
    "InvalidArgumentError",
    "NumpyFunction",
    "ParseError",
    "RemainderBound",
    "SymtutorError",
    "UnknownSymbolError",
    "UnsupportedExpressionError",
    "chain_rule",
    "check_gradient",
    "derivative",
    "gradient",
    "hessian",
    "jacobian",
    "linearize",
    "parse",
    "taylor",
    "taylor_remainder_bound",
    "to_numpy",
]
