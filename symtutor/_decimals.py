"""The decimal policy: when a typed decimal counts as the exact value.

A decimal the learner typed is read as exactly what was typed (1.41 is
141/100).  It stands for an exact number of the question only when it is
that number correctly rounded to the digits typed (or truncated, where the
question allows it), and when it has at least the minimum number of
significant figures; each decimal is judged on its own, entry by entry in a
vector and coefficient by coefficient in an expression.  The numbers a decimal
may stand for are the exact constants of the expected answer (its
coefficients, written and after expansion, the numbers inside it, and its
value when it is a number).  No tolerance is ever taken from the answer: a
decimal that is no such rounding stays exactly what was typed, and is compared
exactly.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy as sp

from ._modes import small_expansion

__all__ = ["Typed", "typed_decimals", "readings_of", "MIN_SIG", "DOUBLE_SIG", "sig_digits", "fits", "as_typed"]

MIN_SIG = 3
"""The fewest significant figures a rounded decimal may have."""

DOUBLE_SIG = 17
"""A decimal of at most this many significant figures may also be what double-precision arithmetic prints.

Such a decimal is right when it is within two units of a double's last
place of the exact value (``0.6666666666666666`` for 2/3), though not its
correct rounding; that allowance is far below a unit in the last place of
any shorter decimal, so ``1.414213563`` is not √2 (its correct rounding is
``1.414213562``).  A decimal longer than a double must be the correct rounding.
"""

_MAX_COMBOS = 32

_NUMBER = re.compile(r"(?<![A-Za-z_0-9.])(\d+\.\d*|\.\d+|\d+)(?:[eE]([+-]?\d+))?")


@dataclass(frozen=True, slots=True)
class Typed:
    """One decimal as typed: its exact value, its last place and its significant figures."""

    text: str
    exact: sp.Rational
    places: int  # digits after the point, less the exponent: the unit is 10^-places
    sig: int


def sig_digits(mantissa: str) -> int:
    """Significant figures of a typed mantissa ("0.0120" has 3).

    Examples:
        >>> sig_digits("0.0120"), sig_digits("9."), sig_digits("1.00")
        (3, 1, 3)
    """
    digits = mantissa.replace(".", "").lstrip("0")
    return max(len(digits), 1)


@lru_cache(maxsize=1024)
def typed_decimals(text: str) -> dict:
    """The decimals in ``text`` by the Float the parser reads for each (its absolute value).

    Examples:
        >>> d = typed_decimals("1.41 x + 2")
        >>> [(t.exact, t.places, t.sig) for t in d.values()]
        [(141/100, 2, 3)]
    """
    out: dict = {}
    for m in _NUMBER.finditer(text):
        mantissa, exp = m.group(1), m.group(2)
        if "." not in mantissa and not (exp and int(exp) < 0):
            continue  # an integer (1e3 is 1000)
        try:
            e = int(exp or 0)
        except ValueError:
            continue
        if abs(e) > 400 or len(mantissa) > 120:
            continue
        digits = len(re.sub(r"[^0-9]", "", mantissa).lstrip("0")) or 1
        key = sp.Float(m.group(0), 15 if digits <= 17 else digits)
        frac = mantissa.split(".")[1] if "." in mantissa else ""
        exact = sp.Rational(mantissa if mantissa != "." else "0") * sp.Integer(10) ** e
        typed = Typed(m.group(0), exact, len(frac) - e, sig_digits(mantissa))
        key = abs(key)
        old = out.get(key)
        if old is None or typed.places > old.places:  # the narrower reading where two texts give one value
            out[key] = typed
    return out


def _mp(c, dps: int):
    with mpmath.workdps(dps):
        try:
            v = sp.N(c, dps)
        except (TypeError, ValueError, RecursionError):
            return None
        if not v.is_Float:
            return None
        return mpmath.mpf(v._mpf_)


def fits(typed: Typed, sign: int, c, truncate: bool = False) -> bool:
    """Whether sign*typed is the exact number c rounded (or truncated) to the digits typed.

    Examples:
        >>> t = typed_decimals("1.41")[sp.Float("1.41")]
        >>> fits(t, 1, sp.sqrt(2)), fits(t, 1, sp.Rational(142, 100))
        (True, False)
    """
    if c.is_Rational:
        scaled = sp.Rational(c) * sp.Integer(10) ** typed.places
        typed_scaled = sign * typed.exact * sp.Integer(10) ** typed.places
        if not typed_scaled.is_Integer:
            return False
        lo, hi = sp.floor(scaled), sp.ceiling(scaled)
        nearest = lo if scaled - lo < hi - scaled else hi
        if scaled - lo == hi - scaled:
            nearest = hi if scaled > 0 else lo  # half away from zero
        ok = {int(nearest)}
        if truncate:
            ok.add(int(lo if scaled >= 0 else hi))
        if int(typed_scaled) in ok:
            return True
        if typed.sig > DOUBLE_SIG:
            return False
        with mpmath.workdps(30 + abs(typed.places) + typed.sig):
            return _within_doubles(sign * mpmath.mpf(int(typed.exact.p)) / int(typed.exact.q),
                                   mpmath.mpf(int(c.p)) / int(c.q))
    dps = 30 + abs(typed.places) + typed.sig
    v = _mp(c, dps)
    if v is None:
        return False
    with mpmath.workdps(dps):
        unit = mpmath.mpf(10) ** -typed.places
        t = sign * mpmath.mpf(int(typed.exact.p)) / int(typed.exact.q)
        scaled = v / unit
        ok = [mpmath.nint(scaled)]
        if truncate:
            ok.append(mpmath.floor(scaled) if v >= 0 else mpmath.ceil(scaled))
        if any(abs(t / unit - k) < mpmath.mpf(10) ** -6 for k in ok):
            return True
        return typed.sig <= DOUBLE_SIG and _within_doubles(t, v)


_DOUBLE_ULPS = 2


def _within_doubles(t, v) -> bool:
    """Whether t is within two units of a double's last place of v (mpmath values, at the working precision)."""
    if not v:
        return False
    _, _, exp, bc = v._mpf_  # 2^(exp + bc - 1) <= |v| < 2^(exp + bc)
    return abs(t - v) <= _DOUBLE_ULPS * mpmath.mpf(2) ** (exp + bc - 1 - 52)


@lru_cache(maxsize=1024)
def _constants(b, variables: tuple) -> tuple:
    """The exact numbers a decimal in an answer to b may stand for."""
    found: list = []

    def add(c):
        if c is None or not c.is_number or c.has(sp.Float) or c in found:
            return
        if c.is_zero or sp.count_ops(c) > 40:
            return
        found.append(c)

    if b.is_number:
        add(b)
    for node in sp.preorder_traversal(b):
        if node.is_number and not node.is_Float:
            add(node)
    forms = [b]
    if sp.count_ops(b) < 150 and small_expansion(b):
        try:
            forms.append(sp.expand(b))
        except (TypeError, ValueError, RecursionError):
            pass
    for form in forms:
        for term in sp.Add.make_args(form):
            coeff = term.as_independent(*variables, as_Add=False)[0] if variables else term
            add(coeff)
            for factor in sp.Mul.make_args(term):
                if factor.is_Pow:
                    add(factor.exp if factor.exp.is_number else None)
    if b.has(sp.Float):
        # a decimal question: its own decimals, as written (0.15, not the double just below it)
        written = {f: _exact_float(f) for f in b.atoms(sp.Float)}
        for f in written.values():
            if f not in found:
                found.append(f)
        if b.is_number:
            found.append(sp.Float(sp.N(b.xreplace(written), 30), 30))
    # and their negatives: a sign slip is then named as one, not as a rounding
    return tuple(found) + tuple(-c for c in found if -c not in found)


@dataclass(frozen=True, slots=True)
class Reading:
    """One exact reading of an answer with decimals: the value, and the decimals rounded to too few figures."""

    value: object
    short: tuple  # Typed decimals that are roundings with fewer than MIN_SIG figures


def _exact_float(f) -> sp.Rational:
    return sp.Rational(mpmath.nstr(mpmath.mpf(f._mpf_), max(1, int(f._prec * 0.30103)), strip_zeros=True))


def as_typed(a, text: str):
    """a with each decimal replaced by the exact number typed for it (or, where none was typed, its own value).

    Examples:
        >>> as_typed(sp.Float("1.41") * sp.Symbol("x"), "1.41 x")
        141*x/100
    """
    typed = typed_decimals(text)
    swap = {}
    for f in a.atoms(sp.Float):
        t = typed.get(abs(f))
        swap[f] = (t.exact if f > 0 else -t.exact) if t is not None else _exact_float(f)
    return a.xreplace(swap)


def readings_of(a, b, text: str, variables: tuple, *, truncate: bool = False, min_sig: int = MIN_SIG) -> list:
    """The exact readings of answer a (an expression) against b, the plainest last.

    Each reading replaces every decimal of a either by a constant of b it is a
    rounding of, or by exactly what was typed.  The last reading is always the
    one that takes every decimal as typed.
    """
    floats = sorted(a.atoms(sp.Float), key=lambda f: (abs(f), bool(f < 0)))  # 2.5 and -2.5 both: a plain bool
    if not floats:
        return [Reading(a, ())]
    typed = typed_decimals(text)
    consts = _constants(b, variables)
    # the question's own decimals, typed as written in an expression (0.5x): the very number, not a rounding
    # (a number answer needs its figures, as the exported STACK question does)
    own = {_exact_float(f) for f in b.atoms(sp.Float)} if b.free_symbols else set()
    options = []
    for f in floats:
        t = typed.get(abs(f))
        exact = (t.exact if f > 0 else -t.exact) if t is not None else _exact_float(f)
        exact_opts = [(exact, None)]
        mine = []
        if t is not None:
            sign = 1 if f > 0 else -1
            for c in consts if exact not in own else ():
                if c == exact:
                    continue
                if fits(t, sign, c, truncate):
                    mine.append((c, t if t.sig < min_sig else None))
        options.append(mine + exact_opts)
    out = []
    for combo in itertools.islice(itertools.product(*options), _MAX_COMBOS):
        value = a.xreplace({f: c for f, (c, _) in zip(floats, combo)})
        short = tuple(t for _, t in combo if t is not None)
        out.append(Reading(value, short))
    plain = a.xreplace({f: opts[-1][0] for f, opts in zip(floats, options)})
    if not out or out[-1].value != plain:
        out.append(Reading(plain, ()))
    return out
