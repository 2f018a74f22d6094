"""The one table of the functions symtutor knows.

Each entry gives a function's typed name (and the other names it is typed
as), its SymPy constructor and class, how many arguments it takes, its
derivative rule (for the step trees), and its spellings in NumPy, mpmath,
SymEngine and LaTeX.  The parser, the differentiation engine, the step
builder, the renderer, the NumPy compiler and the high-precision evaluator
all read this table, so a function added here is known everywhere at once.

Examples:
    >>> from symtutor.functions import FUNCTIONS, by_name
    >>> by_name("arcsin").name
    'asin'
    >>> by_name("coth").latex
    '\\\\coth'
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> FUNCTIONS[sp.tanh].derivative(x)
    1 - tanh(x)**2
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import mpmath
import numpy as np
import sympy as sp

__all__ = ["KnownFunction", "FUNCTIONS", "NAMES", "by_name", "TRIG", "INVERSE_TRIG", "HYPERBOLIC"]

TRIG = "trigonometric"
INVERSE_TRIG = "inverse trigonometric"
HYPERBOLIC = "hyperbolic"
ELEMENTARY = "elementary"


@dataclass(frozen=True, slots=True)
class KnownFunction:
    """One function symtutor knows, with every spelling of it.

    ``derivative`` maps the argument ``u`` to ``f'(u)`` (``None`` where the
    step builder has a rule of its own: exp, log, powers); ``rule`` and
    ``rule_latex`` state that derivative for the worked steps.  ``numpy`` is
    the vectorised function (``numpy_name`` its spelling in generated code),
    ``mpmath`` its high-precision twin, ``symengine`` the name of SymEngine's
    own function (``None`` where the fast path keeps it in SymPy), and
    ``inverse`` the typed name that ``f^-1`` stands for.

    Examples:
        >>> f = by_name("sin")
        >>> f.sympy, f.arity, f.inverse, f.numpy_name
        (sin, (1, 1), 'asin', 'np.sin')
    """

    name: str
    sympy: Callable
    cls: type
    family: str
    arity: tuple[int, int] = (1, 1)
    aliases: tuple[str, ...] = ()
    derivative: Callable | None = None
    rule: str = ""
    rule_latex: str = ""
    numpy: Callable | None = None
    numpy_name: str = ""
    mpmath: Callable | None = None
    symengine: str | None = None
    latex: str = ""
    inverse: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the function is typed as."""
        return (self.name, *self.aliases)


# ---- helpers with no direct NumPy / mpmath spelling --------------------------


def _np_sec(x):
    return 1.0 / np.cos(x)


def _np_csc(x):
    return 1.0 / np.sin(x)


def _np_cot(x):
    return 1.0 / np.tan(x)


def _np_acot(x):
    return np.arctan(1.0 / x)


def _np_coth(x):
    return 1.0 / np.tanh(x)


def _np_acoth(x):
    return np.arctanh(1.0 / x)


def _np_asec(x):
    return np.arccos(1.0 / x)


def _np_acsc(x):
    return np.arcsin(1.0 / x)


def _mp_sec(x):
    return 1 / mpmath.cos(x)


def _mp_csc(x):
    return 1 / mpmath.sin(x)


def _mp_cot(x):
    return 1 / mpmath.tan(x)


def _mp_acot(x):
    return mpmath.atan(1 / x)


def _log(*args):
    if len(args) == 2:
        return sp.log(args[0], args[1])
    return sp.log(args[0])


def _sec2(u):
    return sp.sec(u) ** 2


def _entries() -> list[KnownFunction]:
    d = "d/dx"
    D = r"\frac{d}{dx}"
    return [
        KnownFunction("sin", sp.sin, sp.sin, TRIG, derivative=sp.cos,
                      rule=f"{d} sin(x) = cos(x)", rule_latex=rf"{D}\sin x = \cos x",
                      numpy=np.sin, numpy_name="np.sin", mpmath=mpmath.sin, symengine="sin",
                      latex=r"\sin", inverse="asin"),
        KnownFunction("cos", sp.cos, sp.cos, TRIG, derivative=lambda u: -sp.sin(u),
                      rule=f"{d} cos(x) = -sin(x)", rule_latex=rf"{D}\cos x = -\sin x",
                      numpy=np.cos, numpy_name="np.cos", mpmath=mpmath.cos, symengine="cos",
                      latex=r"\cos", inverse="acos"),
        KnownFunction("tan", sp.tan, sp.tan, TRIG, derivative=_sec2,
                      rule=f"{d} tan(x) = sec(x)^2", rule_latex=rf"{D}\tan x = \sec^2 x",
                      numpy=np.tan, numpy_name="np.tan", mpmath=mpmath.tan, symengine="tan",
                      latex=r"\tan", inverse="atan"),
        KnownFunction("sec", sp.sec, sp.sec, TRIG, derivative=lambda u: sp.sec(u) * sp.tan(u),
                      rule=f"{d} sec(x) = sec(x) tan(x)", rule_latex=rf"{D}\sec x = \sec x \tan x",
                      numpy=_np_sec, numpy_name="1/np.cos", mpmath=_mp_sec, symengine="sec",
                      latex=r"\sec", inverse="asec"),
        KnownFunction("csc", sp.csc, sp.csc, TRIG, derivative=lambda u: -sp.csc(u) * sp.cot(u),
                      rule=f"{d} csc(x) = -csc(x) cot(x)", rule_latex=rf"{D}\csc x = -\csc x \cot x",
                      numpy=_np_csc, numpy_name="1/np.sin", mpmath=_mp_csc, symengine="csc",
                      latex=r"\csc", inverse="acsc"),
        KnownFunction("cot", sp.cot, sp.cot, TRIG, derivative=lambda u: -sp.csc(u) ** 2,
                      rule=f"{d} cot(x) = -csc(x)^2", rule_latex=rf"{D}\cot x = -\csc^2 x",
                      numpy=_np_cot, numpy_name="1/np.tan", mpmath=_mp_cot, symengine="cot",
                      latex=r"\cot", inverse="acot"),
        KnownFunction("asin", sp.asin, sp.asin, INVERSE_TRIG, aliases=("arcsin",),
                      derivative=lambda u: 1 / sp.sqrt(1 - u**2),
                      rule=f"{d} arcsin(x) = 1/sqrt(1 - x^2)",
                      rule_latex=rf"{D}\arcsin x = \frac{{1}}{{\sqrt{{1-x^2}}}}",
                      numpy=np.arcsin, numpy_name="np.arcsin", mpmath=mpmath.asin, symengine="asin",
                      latex=r"\arcsin"),
        KnownFunction("acos", sp.acos, sp.acos, INVERSE_TRIG, aliases=("arccos",),
                      derivative=lambda u: -1 / sp.sqrt(1 - u**2),
                      rule=f"{d} arccos(x) = -1/sqrt(1 - x^2)",
                      rule_latex=rf"{D}\arccos x = -\frac{{1}}{{\sqrt{{1-x^2}}}}",
                      numpy=np.arccos, numpy_name="np.arccos", mpmath=mpmath.acos, symengine="acos",
                      latex=r"\arccos"),
        KnownFunction("atan", sp.atan, sp.atan, INVERSE_TRIG, aliases=("arctan",),
                      derivative=lambda u: 1 / (1 + u**2),
                      rule=f"{d} arctan(x) = 1/(1 + x^2)", rule_latex=rf"{D}\arctan x = \frac{{1}}{{1+x^2}}",
                      numpy=np.arctan, numpy_name="np.arctan", mpmath=mpmath.atan, symengine="atan",
                      latex=r"\arctan"),
        KnownFunction("acot", sp.acot, sp.acot, INVERSE_TRIG, aliases=("arccot",),
                      derivative=lambda u: -1 / (1 + u**2),
                      rule=f"{d} arccot(x) = -1/(1 + x^2)",
                      rule_latex=rf"{D}\operatorname{{arccot}} x = -\frac{{1}}{{1+x^2}}",
                      numpy=_np_acot, numpy_name="np.arctan(1/x)", mpmath=_mp_acot, symengine="acot",
                      latex=r"\operatorname{arccot}"),
        KnownFunction("asec", sp.asec, sp.asec, INVERSE_TRIG, aliases=("arcsec",),
                      derivative=lambda u: 1 / (u**2 * sp.sqrt(1 - 1 / u**2)),
                      rule=f"{d} arcsec(x) = 1/(x^2 sqrt(1 - 1/x^2))",
                      rule_latex=rf"{D}\operatorname{{arcsec}} x = \frac{{1}}{{x^2\sqrt{{1-1/x^2}}}}",
                      numpy=_np_asec, numpy_name="np.arccos(1/x)", mpmath=mpmath.asec, symengine="asec",
                      latex=r"\operatorname{arcsec}"),
        KnownFunction("acsc", sp.acsc, sp.acsc, INVERSE_TRIG, aliases=("arccsc",),
                      derivative=lambda u: -1 / (u**2 * sp.sqrt(1 - 1 / u**2)),
                      rule=f"{d} arccsc(x) = -1/(x^2 sqrt(1 - 1/x^2))",
                      rule_latex=rf"{D}\operatorname{{arccsc}} x = -\frac{{1}}{{x^2\sqrt{{1-1/x^2}}}}",
                      numpy=_np_acsc, numpy_name="np.arcsin(1/x)", mpmath=mpmath.acsc, symengine="acsc",
                      latex=r"\operatorname{arccsc}"),
        KnownFunction("sinh", sp.sinh, sp.sinh, HYPERBOLIC, derivative=sp.cosh,
                      rule=f"{d} sinh(x) = cosh(x)", rule_latex=rf"{D}\sinh x = \cosh x",
                      numpy=np.sinh, numpy_name="np.sinh", mpmath=mpmath.sinh, symengine="sinh",
                      latex=r"\sinh", inverse="asinh"),
        KnownFunction("cosh", sp.cosh, sp.cosh, HYPERBOLIC, derivative=sp.sinh,
                      rule=f"{d} cosh(x) = sinh(x)", rule_latex=rf"{D}\cosh x = \sinh x",
                      numpy=np.cosh, numpy_name="np.cosh", mpmath=mpmath.cosh, symengine="cosh",
                      latex=r"\cosh", inverse="acosh"),
        KnownFunction("tanh", sp.tanh, sp.tanh, HYPERBOLIC, derivative=lambda u: 1 - sp.tanh(u) ** 2,
                      rule=f"{d} tanh(x) = 1 - tanh(x)^2", rule_latex=rf"{D}\tanh x = 1 - \tanh^2 x",
                      numpy=np.tanh, numpy_name="np.tanh", mpmath=mpmath.tanh, symengine="tanh",
                      latex=r"\tanh", inverse="atanh"),
        KnownFunction("coth", sp.coth, sp.coth, HYPERBOLIC, derivative=lambda u: 1 - sp.coth(u) ** 2,
                      rule=f"{d} coth(x) = 1 - coth(x)^2", rule_latex=rf"{D}\coth x = 1 - \coth^2 x",
                      numpy=_np_coth, numpy_name="1/np.tanh", mpmath=mpmath.coth, symengine="coth",
                      latex=r"\coth", inverse="acoth"),
        KnownFunction("asinh", sp.asinh, sp.asinh, HYPERBOLIC, aliases=("arsinh", "arcsinh"),
                      derivative=lambda u: 1 / sp.sqrt(u**2 + 1),
                      rule=f"{d} arsinh(x) = 1/sqrt(x^2 + 1)",
                      rule_latex=rf"{D}\operatorname{{arsinh}} x = \frac{{1}}{{\sqrt{{x^2+1}}}}",
                      numpy=np.arcsinh, numpy_name="np.arcsinh", mpmath=mpmath.asinh, symengine="asinh",
                      latex=r"\operatorname{arsinh}"),
        KnownFunction("acosh", sp.acosh, sp.acosh, HYPERBOLIC, aliases=("arcosh", "arccosh"),
                      derivative=lambda u: 1 / sp.sqrt(u**2 - 1),
                      rule=f"{d} arcosh(x) = 1/sqrt(x^2 - 1)",
                      rule_latex=rf"{D}\operatorname{{arcosh}} x = \frac{{1}}{{\sqrt{{x^2-1}}}}",
                      numpy=np.arccosh, numpy_name="np.arccosh", mpmath=mpmath.acosh, symengine="acosh",
                      latex=r"\operatorname{arcosh}"),
        KnownFunction("atanh", sp.atanh, sp.atanh, HYPERBOLIC, aliases=("artanh", "arctanh"),
                      derivative=lambda u: 1 / (1 - u**2),
                      rule=f"{d} artanh(x) = 1/(1 - x^2)",
                      rule_latex=rf"{D}\operatorname{{artanh}} x = \frac{{1}}{{1-x^2}}",
                      numpy=np.arctanh, numpy_name="np.arctanh", mpmath=mpmath.atanh, symengine="atanh",
                      latex=r"\operatorname{artanh}"),
        KnownFunction("acoth", sp.acoth, sp.acoth, HYPERBOLIC, aliases=("arcoth", "arccoth"),
                      derivative=lambda u: 1 / (1 - u**2),
                      rule=f"{d} arcoth(x) = 1/(1 - x^2)",
                      rule_latex=rf"{D}\operatorname{{arcoth}} x = \frac{{1}}{{1-x^2}}",
                      numpy=_np_acoth, numpy_name="np.arctanh(1/x)", mpmath=mpmath.acoth, symengine="acoth",
                      latex=r"\operatorname{arcoth}"),
        KnownFunction("exp", sp.exp, sp.exp, ELEMENTARY,
                      rule=f"{d} e^x = e^x", rule_latex=rf"{D} e^x = e^x",
                      numpy=np.exp, numpy_name="np.exp", mpmath=mpmath.exp, latex=r"\exp"),
        KnownFunction("log", _log, sp.log, ELEMENTARY, arity=(1, 2), aliases=("ln",),
                      rule=f"{d} ln(x) = 1/x", rule_latex=rf"{D}\ln x = \frac{{1}}{{x}}",
                      numpy=np.log, numpy_name="np.log", mpmath=mpmath.log, latex=r"\log"),
        KnownFunction("sqrt", sp.sqrt, sp.Pow, ELEMENTARY,
                      rule=f"{d} sqrt(x) = 1/(2 sqrt(x))", rule_latex=rf"{D}\sqrt{{x}} = \frac{{1}}{{2\sqrt{{x}}}}",
                      numpy=np.sqrt, numpy_name="np.sqrt", mpmath=mpmath.sqrt, latex=r"\sqrt"),
        KnownFunction("cbrt", sp.cbrt, sp.Pow, ELEMENTARY,
                      rule=f"{d} cbrt(x) = 1/(3 cbrt(x)^2)",
                      rule_latex=rf"{D}\sqrt[3]{{x}} = \frac{{1}}{{3\sqrt[3]{{x}}^2}}",
                      numpy=np.cbrt, numpy_name="np.cbrt", mpmath=mpmath.cbrt, latex=r"\sqrt[3]"),
        KnownFunction("abs", sp.Abs, sp.Abs, ELEMENTARY,
                      numpy=np.abs, numpy_name="np.abs", mpmath=abs, latex=r"\left|"),
    ]


_ALL = _entries()

FUNCTIONS: MappingProxyType = MappingProxyType({f.cls: f for f in _ALL if f.cls is not sp.Pow})
"""The functions built as their own SymPy node, by SymPy class (sqrt and cbrt build powers)."""

NAMES: MappingProxyType = MappingProxyType({n: f for f in _ALL for n in f.names})
"""Every function by every name it is typed as."""


def by_name(name: str) -> KnownFunction:
    """The function typed as ``name`` (``KeyError`` for a name symtutor does not know).

    Examples:
        >>> by_name("ln").name
        'log'
    """
    return NAMES[name]
