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
from .checking import MODES, Feedback, check
from .errors import (
    AmbiguousInputError,
    InvalidArgumentError,
    ParseError,
    SymtutorError,
    UnknownSymbolError,
    UnsupportedExpressionError,
)
from .exercises.core import Exercise, generate, topics
from .exercises.sets import ExerciseSet, from_spec, load_spec
from .numeric import GradientCheck, NumpyFunction, check_gradient, to_numpy
from .parsing import parse, to_text
from .validation import Validation, validate
from .render import expr_latex, expr_pretty, expr_text, render_steps
from .steps import (
    Step,
    StepMatrix,
    derivative_steps,
    gradient_steps,
    hessian_steps,
    jacobian_steps,
)

__version__ = "0.1.0"

__all__ = [
    "AmbiguousInputError",
    "ChainRule",
    "Exercise",
    "ExerciseSet",
    "Feedback",
    "MODES",
    "GradientCheck",
    "InvalidArgumentError",
    "NumpyFunction",
    "ParseError",
    "RemainderBound",
    "Step",
    "StepMatrix",
    "SymtutorError",
    "UnknownSymbolError",
    "UnsupportedExpressionError",
    "Validation",
    "chain_rule",
    "check",
    "check_gradient",
    "derivative",
    "derivative_steps",
    "expr_latex",
    "expr_pretty",
    "expr_text",
    "from_spec",
    "generate",
    "gradient",
    "gradient_steps",
    "hessian",
    "hessian_steps",
    "jacobian",
    "jacobian_steps",
    "linearize",
    "load_spec",
    "parse",
    "render_steps",
    "taylor",
    "taylor_remainder_bound",
    "to_numpy",
    "to_text",
    "topics",
    "validate",
]
