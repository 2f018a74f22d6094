r"""The safe parser of typed mathematics.

Text is read by a tokenizer and a recursive-descent parser that only knows a
whitelist of numbers, names, operators and functions (the registry in
:mod:`symtutor.functions`); it builds SymPy objects through SymPy's
constructors and never hands text to ``eval``, ``exec``, ``sympify`` or
``parse_expr``.  Pasted Unicode and LaTeX are first mapped to the typed syntax
(:mod:`symtutor._normalise`), then input size, nesting depth and the size of
numbers and exponents are capped, so hostile input fails fast with a
``ParseError``.

How answers are read (paper notation, read as written):

1. Implied multiplication: ``2x``, ``x y``, ``2(x+1)``, ``(x+1)(x-1)``,
   ``x sin(x)`` and ``2 pi r`` are products.
2. A function followed by a bracket takes what is in the bracket:
   ``sin(x) y`` is ``sin(x)*y`` and ``sin(2)x`` is ``sin(2)*x``.
3. A function without a bracket takes the product of the factors that follow
   it, up to the next ``+``, ``-``, ``,``, closing bracket or function name:
   ``sin 2x`` is ``sin(2x)``, ``4cos 4x`` is ``4cos(4x)``, ``sin x cos x`` is
   ``sin(x)cos(x)``, ``sin x^2`` is ``sin(x^2)``, ``ln 2x + 1`` is
   ``ln(2x) + 1``.  Written against its argument it is the same (``sinx``,
   ``sin2x``).  (WeBWorK reads ``sin 2t`` as ``sin(2)t``; on paper it means
   ``sin(2t)``, and that is what is read here.)
4. A power on a function name is a power of its value, ``sin^2 x`` is
   ``sin(x)^2``, except ``^-1``, the inverse: ``sin^-1(x)``, ``cos^{-1} x``,
   ``tan⁻¹ x`` are ``asin``, ``acos``, ``atan``.
5. ``log_2(x)``, ``log_{10} x``, ``log₂ x`` and ``log_b(x)`` are logarithms to
   a base; ``ln`` and ``log`` are natural logarithms.
6. An exponent without brackets is one factor (``x^-2``, ``e^x y`` is
   ``e^x*y``; a space ends it, and so does a bracket after a letter:
   ``e^x(x+1)`` is ``e^x*(x+1)``).
7. Readings that are common both ways on paper are never guessed: they raise
   :class:`~symtutor.errors.AmbiguousInputError` with both readings, and an
   answer written with brackets is never ambiguous:

   * an exponent run into another factor: ``e^2x``, ``x^2y``, ``e^-2x``,
     ``e^2(x+1)`` (``e^(2x)`` or ``e^2*x``);
   * a divisor run into a following factor: ``x/2y``, ``1/2x``, ``a/bc``,
     ``(x+1)/2(x-1)`` (``x/(2y)`` or ``(x/2)y``); a space or a bracketed divisor
     ends it (``x/2 y`` is ``(x/2)y``, ``1/(x+1) x`` is ``x/(x+1)``);
   * a bracketless function argument followed by ``*`` or ``/`` and a factor
     that is not a function: ``sin x/2``, ``sin 2*x`` (``sin x/cos x`` is
     ``sin(x)/cos(x)``).

   Explicit operators follow the usual precedence: ``x/2*y`` is ``(x/2)*y``.

Names: a declared variable or a known function is read as such; ``pi`` and
``e`` are the constants unless declared as variables.  When ``variables`` is
given, any other run of letters is split into declared names and constants
when that can be done (``xy`` is ``x*y`` when x and y are declared) and is an
error otherwise.  When ``variables`` is ``None`` every other name is a symbol.
Greek letters (``θ`` or ``\theta``) are the names ``theta`` and so on.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import mpmath
import sympy as sp

from ._normalise import GREEK, normalise
from .errors import AmbiguousInputError, ParseError
from .functions import FUNCTIONS as _FUNCTION_CLASSES, NAMES as _REGISTRY
from .writing import to_text

__all__ = ["parse", "read", "Reading", "to_text", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH"]

MAX_LENGTH = 5000
"""Longest text accepted, in characters."""
MAX_TOKENS = 2000
"""Most tokens accepted."""
MAX_DEPTH = 100
"""Deepest nesting of brackets and operators accepted."""
MAX_DIGITS = 100
"""Most digits in a written number."""
MAX_EXPONENT = 10000
"""Largest exponent applied to a symbolic base."""
MAX_RESULT_DIGITS = 1000
"""Most digits an exact numeric power may produce."""


FUNCTIONS: dict[str, tuple[object, int, int]] = {
    name: (f.sympy, *f.arity) for name, f in _REGISTRY.items()
}
"""The functions the parser knows, by every name they are typed as: (constructor, min args, max args)."""

_CONSTANTS = {"pi": sp.pi, "e": sp.E}

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*|[""" + "".join(GREEK) + r"""∞])
  | (?P<pow>\*\*|\^)
  | (?P<op>[-+*/(),\[\]|])
    """,
    re.VERBOSE,
)


class _Token(NamedTuple):
    kind: str  # "num", "name", "pow", "op", "end"
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = ""
            if ch in "{}":
                hint = " Use ( ) or [ ] for brackets."
            elif ch == "=":
                hint = " Type only the expression, without '='."
            raise ParseError(f"Unexpected character {ch!r}.{hint}", text=text, position=pos)
        kind = m.lastgroup
        if kind != "ws":
            tokens.append(_Token(kind, m.group(), pos))
            if len(tokens) > MAX_TOKENS:
                raise ParseError(
                    f"The input is too long: more than {MAX_TOKENS} symbols.", text=text, position=pos
                )
        pos = m.end()
    tokens.append(_Token("end", "", n))
    return tokens


def _check_power(base: sp.Basic, exponent: sp.Basic, text: str, pos: int) -> None:
    """Refuse powers whose value would be too large to hold."""
    if exponent.is_Number and not base.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            raise ParseError(
                f"The exponent {_short(exponent)} is too large (at most {MAX_EXPONENT}).",
                text=text,
                position=pos,
            )
    if base.is_Number and exponent.is_Number:
        b = abs(float(base)) if abs(base) < 10**300 else math.inf
        if b in (0.0, 1.0):
            return
        e = abs(exponent)
        size = float(e) * abs(math.log10(b)) if b != math.inf else math.inf
        if size > MAX_RESULT_DIGITS:
            raise ParseError(
                f"The number {_short(base)}^{_short(exponent)} is too large to work with.",
                text=text,
                position=pos,
            )


def _short(value: sp.Basic) -> str:
    s = str(value)
    return s if len(s) <= 20 else s[:8] + "…" + f"({len(s)} digits)"


# precedence of what a node shows, for deciding brackets in the echo
_P_ADD, _P_NEG, _P_MUL, _P_POW, _P_ATOM = 1, 1.5, 2, 3, 4

_TEX_FUNC = {name: f.latex for name, f in _REGISTRY.items()}


class _N(NamedTuple):
    """A parsed piece: its value, and how it was read (LaTeX and plain text) at a precedence."""

    v: object
    tex: str
    txt: str
    p: float
    entries: tuple = ()  # the entries of a vector written as a list


def _wrap_tex(n: _N, p: float) -> str:
    return rf"\left({n.tex}\right)" if n.p < p else n.tex


def _wrap_txt(n: _N, p: float) -> str:
    return f"({n.txt})" if n.p < p else n.txt


@lru_cache(maxsize=256)
def _symbol_tex(sym: sp.Symbol) -> str:
    return sp.latex(sym)


def _matrix_tex(rows: list[list[_N]]) -> str:
    body = r" \\ ".join(" & ".join(n.tex for n in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


class _Parser:
    def __init__(
        self,
        text: str,
        variables: dict[str, sp.Symbol] | None,
        functions: dict[str, sp.FunctionClass],
        strict: bool = True,
    ):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.tok = self.tokens[0]
        self.depth = 0
        self.variables = variables
        self.functions = functions
        self.symbols: dict[str, sp.Symbol] = dict(variables or {})
        self.strict = strict  # refuse readings that could have been meant otherwise
        self.bars = 0  # inside |...|
        self.exact = False  # read each decimal as the exact rational it spells
        self.hold = False  # keep a number times a sum as written (2(x+1) is not 2x + 2), for judging forms

    # --- token helpers -------------------------------------------------
    # self.tok is the current token: kept as an attribute, as it is read very often
    def advance(self) -> _Token:
        t = self.tok
        self.i += 1
        self.tok = self.tokens[self.i]
        return t

    def rewind(self, i: int) -> None:
        self.i = i
        self.tok = self.tokens[i]

    def error(self, message: str, pos: int | None = None) -> ParseError:
        return ParseError(message, text=self.text, position=self.tok.pos if pos is None else pos)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"The input is nested too deeply (more than {MAX_DEPTH} levels).")

    def leave(self) -> None:
        self.depth -= 1

    # --- grammar -------------------------------------------------------
    def parse(self) -> _N:
        if self.tok.kind == "end":
            raise ParseError("The answer is empty: type an expression.", text=self.text, position=0)
        node = self.expression()
        if self.tok.kind != "end":
            t = self.tok
            if t.text in ")]":
                raise self.error(f"Unbalanced brackets: {t.text!r} has no matching opening bracket.")
            if t.text == ",":
                raise self.error("Unexpected ','. Put a list of values in brackets: (a, b) or [a, b].")
            raise self.error(f"Unexpected {t.text!r}.")
        return node

    def expression(self) -> _N:
        try:
            return self._expression()
        except ParseError:
            raise
        except (ArithmeticError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            # SymPy's evaluation met a value it cannot hold (cosh(cosh(2.0e102)))
            raise self.error(
                "This expression cannot be worked with: a value in it is too large or undefined.", 0
            ) from exc

    def _expression(self) -> _N:
        self.enter()
        parts = [self.term()]
        ops: list[_Token] = []
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            if self.tok.kind == "end" or (self.tok.kind == "op" and self.tok.text in ")],"):
                raise self.error(f"The {op.text!r} has nothing after it.", op.pos)
            ops.append(op)
            parts.append(self.term())
        self.leave()
        return self.chain(parts, ops)

    def chain(self, parts: list[_N], ops: list[_Token]) -> _N:
        """Combine a run of terms (or of factors) left to right.

        Without vectors or matrices the value is built in one go (one flattening
        of the sum or product rather than one per operator); the echo is the same.
        """
        if not ops:
            return parts[0]
        if any(isinstance(p.v, sp.MatrixBase) for p in parts):
            left = parts[0]
            for op, right in zip(ops, parts[1:]):
                left = self.combine(left, right, op)
            return left
        left = parts[0]
        for op, right in zip(ops, parts[1:]):
            left = self.combine(left, right, op, value=False)
        if ops[0].text in "+-":
            value = sp.Add(parts[0].v, *[p.v if op.text == "+" else -p.v for op, p in zip(ops, parts[1:])])
        else:
            for op, p in zip(ops, parts[1:]):
                if op.text == "/" and p.v == 0:
                    raise self.error("Division by zero.", op.pos)
            factors = [parts[0].v, *[p.v if op.text == "*" else sp.Pow(p.v, -1) for op, p in zip(ops, parts[1:])]]
            held = self.hold and any(f.is_Add for f in factors) and any(f.is_Number for f in factors)
            value = sp.Mul(*factors, evaluate=not held)
        return left._replace(v=value)

    def starts_factor(self) -> bool:
        t = self.tok
        return t.kind in ("num", "name") or (t.kind == "op" and (t.text in "([" or (t.text == "|" and not self.bars)))

    def term(self) -> _N:
        self.enter()
        start = self.tok.pos
        parts = [self.unary()]
        ops: list[_Token] = []
        while True:
            t = self.tok
            if t.kind == "op" and t.text in "*/":
                self.advance()
                if self.tok.kind == "end" or (self.tok.kind == "op" and self.tok.text in ")],*/"):
                    raise self.error(f"The {t.text!r} has nothing after it.", t.pos)
                ops.append(t)
                divisor_start = self.tok.pos
                parts.append(self.unary())
                end = self.prev_end()
                delimited = self.tokens[self.i - 1].text in ")]"
                if t.text == "/" and self.strict and not delimited and self.starts_factor() and self.tok.pos == end:
                    # x/2y: (x/2)*y or x/(2y)?  (x/2 y and 1/(x+1) x are not in doubt)
                    stop = self.factor_end()
                    text = self.text
                    self.ambiguous(
                        start,
                        stop,
                        text[start:divisor_start] + "(" + text[divisor_start:stop] + ")",
                        "(" + text[start:end] + ")" + text[end:stop],
                    )
            elif self.starts_factor():
                ops.append(_Token("op", "*", t.pos))
                parts.append(self.power())
            else:
                break
        self.leave()
        return self.chain(parts, ops)

    def unary(self) -> _N:
        t = self.tok
        if t.kind == "op" and t.text in "+-":
            self.advance()
            self.enter()
            if self.tok.kind == "end":
                raise self.error(f"The {t.text!r} has nothing after it.", t.pos)
            operand = self.unary()
            self.leave()
            if t.text == "-":
                return self.negate(operand)
            return operand
        return self.power()

    def exponent_or_factor(self, start: int, exponent_at: int, end: int, stop: int) -> None:
        """The power from ``start`` is read two ways: the exponent runs to ``stop``, or ends at ``end``."""
        text = self.text
        self.ambiguous(start, stop, text[start:exponent_at] + "(" + text[exponent_at:stop] + ")",
                       "(" + text[start:end] + ")" + text[end:stop])

    def power(self) -> _N:
        self.enter()
        start = self.tok.pos
        base = self.atom()
        if self.tok.kind == "pow":
            op = self.advance()
            if self.tok.kind == "end" or (self.tok.kind == "op" and self.tok.text in ")],*/"):
                raise self.error("The '^' has no exponent after it.", op.pos)
            first = self.tok
            exponent = self.unary()  # right-associative, allows x^-2
            end = self.prev_end()
            bracketed = first.text in "([" and self.tokens[self.i - 1].text in ")]"
            last = self.tokens[self.i - 1]
            # e^x(x+1) reads as e^x*(x+1): a bracket after a letter is no exponent on paper
            letter_then_bracket = last.kind == "name" and self.tok.text in "(["
            if (self.strict and not bracketed and not letter_then_bracket and self.starts_factor()
                    and self.tok.pos == end):
                # e^2x: e^(2x) or e^2*x?
                self.exponent_or_factor(start, first.pos, end, self.factor_end())
            signed = first.kind == "op" and first.text == "-"
            if (self.strict and not bracketed and self.tok.kind == "op" and self.tok.text == "/"
                    and (signed or first.text == "1") and self.tok.pos == end):
                # x^1/2, x^-1/2, e^-x/2: is the quotient the exponent?
                self.advance()
                if self.starts_factor():
                    self.exponent_or_factor(start, first.pos, end, self.factor_end())
                self.rewind(self.i - 1)
            base = self.make_power(base, exponent, op.pos)
        self.leave()
        return base

    # --- readings that could have been meant otherwise ---------------------
    def prev_end(self) -> int:
        t = self.tokens[self.i - 1]
        return t.pos + len(t.text)

    def factor_end(self) -> int:
        """Where the factor starting at the current token ends (read leniently)."""
        self.strict = False
        try:
            self.power()
        except ParseError:
            return len(self.text)
        finally:
            self.strict = True
        return self.prev_end()

    def ambiguous(self, start: int, stop: int, first: str, second: str) -> None:
        """Refuse to guess between two readings of ``text[start:stop]``."""
        text = self.text
        readings = []
        shown = []
        for alt in (first, second):
            whole = text[:start] + alt + text[stop:]
            try:
                node = _Parser(whole, self.variables, self.functions, strict=False).parse()
                local = _Parser(alt, self.variables, self.functions, strict=False).parse()
            except ParseError:
                # another part of the text cannot be read at all: say that first
                _Parser(text, self.variables, self.functions, strict=False).parse()
                raise
            readings.append((node.txt, node.tex))
            shown.append(_plain(local.txt))
        written = " ".join(text[start:stop].split())
        message = f"`{written}` could mean {' or '.join(shown)}: add brackets to say which."
        raise AmbiguousInputError(message, readings=tuple(readings), text=text, position=start)

    def atom(self) -> _N:
        t = self.tok
        if t.kind == "num":
            self.advance()
            return self.number(t)
        if t.kind == "name":
            return self.name()
        if t.kind == "op" and t.text == "(":
            return self.group("(", ")")
        if t.kind == "op" and t.text == "[":
            return self.group("[", "]")
        if t.kind == "op" and t.text == "|":
            return self.bars_group()
        if t.kind == "end":
            raise self.error("The expression ends too early.")
        if t.kind == "pow":
            raise self.error("The '^' has no base before it.")
        if t.text in ")]":
            raise self.error(f"Unbalanced brackets: {t.text!r} has no matching opening bracket.")
        if t.text in "*/":
            raise self.error(f"The {t.text!r} has nothing before it.")
        raise self.error(f"Unexpected {t.text!r}.")

    def bars_group(self) -> _N:
        """|x| is abs(x); bars do not nest (write abs(...) inside)."""
        start = self.advance()
        if self.bars:
            raise self.error("Bars inside bars cannot be read: write abs(...) inside.", start.pos)
        self.enter()
        self.bars += 1
        if self.tok.kind == "op" and self.tok.text == "|":
            raise self.error("Empty bars ||.", start.pos)
        inner = self.expression()
        if not (self.tok.kind == "op" and self.tok.text == "|"):
            raise self.error(f"The '|' at position {start.pos} is never closed.", start.pos)
        self.advance()
        self.bars -= 1
        self.leave()
        if isinstance(inner.v, sp.MatrixBase):
            raise self.error("|...| of a vector or matrix is not read here.", start.pos)
        return _N(sp.Abs(inner.v), rf"\left|{inner.tex}\right|", f"abs({inner.txt})", _P_ATOM)

    def group(self, open_: str, close: str) -> _N:
        start = self.advance()
        self.enter()
        if self.tok.kind == "op" and self.tok.text == close:
            raise self.error(f"Empty brackets {open_}{close}.", start.pos)
        items = [self.expression()]
        while self.tok.kind == "op" and self.tok.text == ",":
            self.advance()
            items.append(self.expression())
        t = self.tok
        if not (t.kind == "op" and t.text == close):
            if t.kind == "end":
                raise self.error(
                    f"Unbalanced brackets: {open_!r} at position {start.pos} is never closed.", start.pos
                )
            if t.text in ")]":
                raise self.error(f"Unbalanced brackets: {open_!r} is closed by {t.text!r}.")
            raise self.error(f"Expected {close!r} or ',' here.")
        self.advance()
        self.leave()
        if len(items) == 1:
            only = items[0]
            if open_ == "[":
                if isinstance(only.v, sp.MatrixBase):
                    if only.v.cols != 1 or not only.entries:
                        raise self.error("Write a matrix as [[a, b], [c, d]].", start.pos)
                    row = list(only.entries)  # [[a, b]] is one row
                    txt = "[[" + ", ".join(e.txt for e in row) + "]]"
                    return _N(sp.Matrix([list(only.v)]), _matrix_tex([row]), txt, _P_ATOM)
                return _N(sp.Matrix([only.v]), _matrix_tex([[only]]), f"[{only.txt}]", _P_ATOM, (only,))
            return only
        return self.build_matrix(items, start.pos)

    def build_matrix(self, items: list[_N], pos) -> _N:
        if all(isinstance(it.v, sp.MatrixBase) for it in items):
            rows = []
            for it in items:
                if it.v.cols != 1 or not it.entries:
                    raise self.error("A matrix row must be a list of numbers or expressions.", pos)
                rows.append(list(it.entries))
            width = len(rows[0])
            if any(len(r) != width for r in rows):
                raise self.error("The rows of this matrix have different lengths.", pos)
            txt = "[" + ", ".join("[" + ", ".join(e.txt for e in r) + "]" for r in rows) + "]"
            value = sp.Matrix([[e.v for e in r] for r in rows])
            return _N(value, _matrix_tex(rows), txt, _P_ATOM)
        if any(isinstance(it.v, sp.MatrixBase) for it in items):
            raise self.error("A list mixes numbers and lists; write a matrix as [[a, b], [c, d]].", pos)
        txt = "(" + ", ".join(it.txt for it in items) + ")"
        return _N(sp.Matrix([it.v for it in items]), _matrix_tex([[it] for it in items]), txt, _P_ATOM,
                  tuple(items))

    def number(self, t: _Token) -> _N:
        s = t.text
        digits = len(re.sub(r"[^0-9]", "", s.lower().split("e")[0]).lstrip("0")) or 1
        if digits > MAX_DIGITS:
            raise self.error(f"The number has too many digits (at most {MAX_DIGITS}).", t.pos)
        mantissa, _, exp = s.lower().partition("e")
        if exp and abs(int(exp)) > 400:
            raise self.error(f"The number {s} is out of range.", t.pos)
        tex = rf"{mantissa} \times 10^{{{int(exp)}}}" if exp else s
        if "." in mantissa or exp:
            if "." not in mantissa and exp and int(exp) >= 0:
                return _N(sp.Integer(int(mantissa) * 10 ** int(exp)), tex, s, _P_ATOM if not exp else _P_MUL)
            if self.exact:
                value = sp.Rational(mantissa) * sp.Integer(10) ** int(exp or 0)
                return _N(value, tex, s, _P_ATOM if not exp else _P_MUL)
            # up to 17 digits is a double's precision, as Python reads floats
            value = sp.Float(s, 15 if digits <= 17 else digits)
            return _N(value, tex, s, _P_ATOM if not exp else _P_MUL)
        return _N(sp.Integer(int(s)), s, s, _P_ATOM)

    def name(self) -> _N:
        t = self.advance()
        name = t.text
        if not name.isascii():
            return self.letter(t)
        if name not in self.symbols and self.variables is not None:
            name = _subscript_twin(name, self.symbols)
        nxt = self.tok
        follows_call = nxt.kind == "op" and nxt.text == "("
        if name in self.symbols and not (name in self.functions and follows_call):
            sym = self.symbols[name]
            return _N(sym, _symbol_tex(sym), name, _P_ATOM)
        if name in self.functions:
            if follows_call:
                args = self.call_args(name)
                if len(args) != 1:
                    raise self.error(f"{name}() takes one argument.", t.pos)
                return _N(self.functions[name](args[0].v), rf"{name}\left({args[0].tex}\right)",
                          f"{name}({args[0].txt})", _P_ATOM)
            raise self.error(f"Write the function {name} with brackets: {name}(...).", t.pos)
        if name in FUNCTIONS:
            return self.apply(name, t)
        based = self.log_base(name, t)
        if based is not None:
            return based
        if name in _CONSTANTS:
            return _N(_CONSTANTS[name], r"\pi" if name == "pi" else "e", name, _P_ATOM)
        glued = self.glued_function(name, t)
        if glued is not None:
            return glued
        if name.lower() in FUNCTIONS and follows_call:
            raise self.error(f"Unknown function {name!r}; did you mean {name.lower()!r}?", t.pos)
        if self.variables is None:
            if follows_call and len(name) > 1 and name.isalpha() and name.lower() not in _CONSTANTS:
                raise self.error(
                    f"Unknown function {name!r}. Known functions: {', '.join(sorted(set(FUNCTIONS)))}.",
                    t.pos,
                )
            sym = self.symbols.get(name)
            if sym is None:
                sym = self.symbols[name] = sp.Symbol(name)
            return _N(sym, _symbol_tex(sym), name, _P_ATOM)
        split = self.split_name(name)
        if split is not None:
            # read "xy^2" as the tokens x y^2, so a power binds to the last name
            pieces, offset = [], t.pos
            for piece in split:
                pieces.append(_Token("name", piece, offset))
                offset += len(piece)
            self.tokens[self.i - 1 : self.i] = pieces
            self.rewind(self.i - 1)
            return self.name()
        return self.unknown_name(name, t, follows_call)

    def glued_function(self, name: str, t: _Token) -> _N | None:
        """sinx, sin2x, cosxy, lnx: a known function written against its argument."""
        if name in self.functions:
            return None
        for k in range(min(len(name) - 1, 6), 1, -1):
            head, rest = name[:k], name[k:]
            if head in FUNCTIONS:
                break
        else:
            return None
        m = re.fullmatch(r"([0-9]*)([A-Za-z]*)", rest)
        if m is None:
            return None
        digits, letters = m.groups()
        if digits and head == "log" and name not in self.symbols:
            nxt = self.tok
            if not letters and nxt.kind == "op" and nxt.text == "(":
                # log2(x), log10(x): the base-2 and base-10 logarithms, as in NumPy
                self.tokens[self.i - 1] = _Token("name", "log_" + digits, t.pos)
                self.rewind(self.i - 1)
                return self.name()
            if self.strict:
                # log2x, log2 x: log_2(x) or log(2x)?
                after = t.pos + len(name)
                stop = after if letters else self.factor_end()
                arg = letters + self.text[after:stop]
                self.ambiguous(t.pos, stop, f"log_{digits}({arg.strip()})", f"log({digits}{arg})")
        if letters:
            if self.variables is None:
                if not (len(letters) == 1 or letters in _CONSTANTS):
                    return None
            elif not (letters in self.symbols or letters in _CONSTANTS or self.split_name(letters)):
                return None
        pieces = [_Token("name", head, t.pos)]
        offset = t.pos + len(head)
        if digits:
            pieces.append(_Token("num", digits, offset))
            offset += len(digits)
        if letters:
            pieces.append(_Token("name", letters, offset))
        self.tokens[self.i - 1 : self.i] = pieces
        self.rewind(self.i - 1)
        return self.name()

    def letter(self, t: _Token) -> _N:
        """A Greek letter typed as itself (a name, never split), or ∞."""
        if t.text == "∞":
            return _N(sp.oo, r"\infty", "oo", _P_ATOM)
        name = GREEK[t.text]
        if name in self.symbols:
            sym = self.symbols[name]
        elif name == "pi":
            return _N(sp.pi, r"\pi", "pi", _P_ATOM)
        elif self.variables is None:
            sym = self.symbols.setdefault(name, sp.Symbol(name))
        else:
            return self.unknown_name(name, t, False)
        return _N(sym, _symbol_tex(sym), name, _P_ATOM)

    def unknown_name(self, name: str, t: _Token, follows_call: bool):
        if len(name) > 30:
            raise self.error(f"Unknown name {name[:20] + '…'!r} ({len(name)} letters).", t.pos)
        known = sorted(set(self.symbols) | set(FUNCTIONS) | set(self.functions))
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        allowed = ", ".join(sorted(self.symbols)) or "none"
        if follows_call and len(name) > 1:
            raise self.error(f"Unknown function {name!r}.{hint}", t.pos)
        raise self.error(f"Unknown name {name!r}.{hint} The variables here are: {allowed}.", t.pos)

    def split_name(self, name: str) -> list[str] | None:
        """Split a run of letters into declared names, constants and a final function name."""
        pieces = set(self.symbols) | {c for c in _CONSTANTS if c not in self.symbols}
        funcs = set(FUNCTIONS) | set(self.functions)
        nxt = self.tok
        call_follows = nxt.kind == "op" and nxt.text == "("
        n = len(name)
        longest = max(map(len, pieces | funcs), default=0)
        # nxt[i]: where the piece starting at i ends (0: no split from i); O(n * longest)
        nxt_at = [0] * (n + 1)
        ok = [False] * (n + 1)
        ok[n] = True
        for i in range(n - 1, -1, -1):
            for j in range(min(n, i + longest), i, -1):
                piece = name[i:j]
                if piece in pieces and ok[j]:
                    ok[i], nxt_at[i] = True, j
                    break
                if j == n and piece in funcs and i > 0:
                    ok[i], nxt_at[i] = True, n
                    break
        if not ok[0]:
            return None
        result, i = [], 0
        while i < n:
            result.append(name[i : nxt_at[i]])
            i = nxt_at[i]
        if len(result) < 2:
            return None
        if result[-1] in funcs and result[-1] not in pieces and not call_follows:
            return None
        return result

    def call_args(self, name: str) -> list[_N]:
        start = self.advance()  # "("
        self.enter()
        if self.tok.kind == "op" and self.tok.text == ")":
            raise self.error(f"{name}() needs an argument inside the brackets.", start.pos)
        args = [self.expression()]
        while self.tok.kind == "op" and self.tok.text == ",":
            self.advance()
            args.append(self.expression())
        if not (self.tok.kind == "op" and self.tok.text == ")"):
            if self.tok.kind == "end":
                raise self.error(
                    f"Unbalanced brackets: '(' at position {start.pos} is never closed.", start.pos
                )
            raise self.error("Expected ')' or ',' here.")
        self.advance()
        self.leave()
        return args

    def apply(self, name: str, t: _Token) -> _N:
        nxt = self.tok
        if nxt.kind == "pow":
            # sin^2(x) means sin(x)^2; sin^-1(x) is arcsin(x)
            op = self.advance()
            self.enter()
            exponent = self.unary_exponent()
            self.leave()
            if exponent.v == -1:
                inverse = _REGISTRY[name].inverse
                if inverse is None:
                    raise self.error(
                        f"{name}^-1 is unclear here: write 1/{name}(...) for the reciprocal.", t.pos
                    )
                return self.apply(inverse, t)
            inner = self.apply(name, t)
            return self.make_power(inner, exponent, op.pos)
        args = self.arguments(name, t)
        return self.build_call(name, args, t)

    def arguments(self, name: str, t: _Token) -> list[_N]:
        """The arguments of a known function: in brackets, or the factors that follow it."""
        nxt = self.tok
        if nxt.kind == "op" and nxt.text == "(":
            return self.call_args(name)
        if not (self.starts_factor() or (nxt.kind == "op" and nxt.text in "+-")):
            raise self.error(f"The function {name} needs an argument: write {name}(...).", t.pos)
        arg_start = self.tok.pos
        arg = self.bare_argument()
        nxt = self.tok
        if self.strict and nxt.kind == "op" and nxt.text in "*/":
            # sin x/2: sin(x/2) or sin(x)/2?  (sin x/cos x is sin(x)/cos(x): no argument
            # reaches over a function name)
            end = self.prev_end()
            self.advance()
            if self.at_function():
                self.rewind(self.i - 1)
                return [arg]
            self.strict = False
            try:
                self.unary()
                stop = self.prev_end()
            except ParseError:
                stop = len(self.text)
            finally:
                self.strict = True
            text = self.text
            self.ambiguous(
                t.pos,
                stop,
                text[t.pos:arg_start].rstrip() + "(" + text[arg_start:stop] + ")",
                text[t.pos:arg_start].rstrip() + "(" + text[arg_start:end] + ")" + text[end:stop],
            )
        return [arg]

    def bare_argument(self) -> _N:
        """A bracketless argument: the product of the factors up to an operator or the next function."""
        self.enter()
        t = self.tok
        if t.kind == "op" and t.text in "+-":
            self.advance()
            if self.tok.kind == "end":
                raise self.error(f"The {t.text!r} has nothing after it.", t.pos)
            inner = self.bare_argument()
            self.leave()
            return self.negate(inner) if t.text == "-" else inner
        parts = [self.power()]
        ops: list[_Token] = []
        while self.starts_factor() and not self.at_function():
            ops.append(_Token("op", "*", self.tok.pos))
            parts.append(self.power())
        self.leave()
        return self.chain(parts, ops)

    def at_function(self) -> bool:
        t = self.tok
        if t.kind != "name" or t.text in self.symbols:
            return False
        return t.text in _REGISTRY or t.text in self.functions or _log_base_name(t.text) is not None

    def build_call(self, name: str, args: list[_N], t: _Token) -> _N:
        func, lo, hi = FUNCTIONS[name]
        if not lo <= len(args) <= hi:
            want = "one argument" if hi == 1 else f"{lo} to {hi} arguments"
            raise self.error(f"{name}() takes {want}, not {len(args)}.", t.pos)
        if any(isinstance(a.v, sp.MatrixBase) for a in args):
            raise self.error(f"{name}() cannot be applied to a vector or matrix.", t.pos)
        values = [a.v for a in args]
        for v in values:
            if v.is_number and not v.is_Rational:
                _check_size(v, self.text, t.pos, f"inside {name}(...)")
        if all(v.is_number for v in values) and any(_has_function(v) for v in values):
            # a function of a function of a number: SymPy's evaluation of such towers
            # (exp(2exp(2exp(2)))) can take unbounded time, so it is left as written
            value = _unevaluated(func, values)
        else:
            value = func(*values)
        a0 = args[0]
        txt = f"{name}({', '.join(a.txt for a in args)})"
        if name == "sqrt":
            tex = rf"\sqrt{{{a0.tex}}}"
        elif name == "cbrt":
            tex = rf"\sqrt[3]{{{a0.tex}}}"
        elif name == "abs":
            tex = rf"\left|{a0.tex}\right|"
        elif name == "log" and len(args) == 2:
            tex = rf"\log_{{{args[1].tex}}}\left({a0.tex}\right)"
        else:
            head = r"\ln" if name == "ln" else _TEX_FUNC.get(name, "\\" + name)
            tex = rf"{head}\left({a0.tex}\right)"
        return _N(value, tex, txt, _P_ATOM)

    def log_base(self, name: str, t: _Token) -> _N | None:
        """log_2(x), log_10 x, log_b(x), log_(b+1)(x): a logarithm to a base."""
        rest = _log_base_name(name)
        if rest is None or name in self.symbols:
            return None
        if rest == "":
            if not (self.tok.kind == "op" and self.tok.text == "("):
                raise self.error("Write the base after log_: log_2(x) or log_(b)(x).", t.pos)
            base_args = self.call_args("log_")
            if len(base_args) != 1:
                raise self.error("A logarithm has one base: log_(b)(x).", t.pos)
            base = base_args[0]
        else:
            m = re.match(r"\d+", rest)
            if m:
                piece = m.group()
            elif rest in self.symbols or rest in _CONSTANTS or len(rest) == 1:
                piece = rest
            elif self.variables is not None and rest[0] in self.symbols:
                piece = rest[0]  # log_bx with b and x declared
            else:
                raise self.error(f"Write the base of {name} in brackets: log_(b)(x) or log_b(x).", t.pos)
            remainder = rest[len(piece):]
            base_pos = t.pos + 4
            if remainder:
                self.tokens.insert(self.i, _Token("name" if remainder[0].isalpha() or remainder[0] == "_" else "num",
                                                  remainder, base_pos + len(piece)))
                self.rewind(self.i)
            if piece.isdigit():
                base = self.number(_Token("num", piece, base_pos))
            elif piece in self.symbols:
                sym = self.symbols[piece]
                base = _N(sym, _symbol_tex(sym), piece, _P_ATOM)
            elif piece in _CONSTANTS and piece not in self.symbols:
                base = _N(_CONSTANTS[piece], r"\pi" if piece == "pi" else "e", piece, _P_ATOM)
            elif self.variables is None:
                sym = self.symbols.get(piece) or self.symbols.setdefault(piece, sp.Symbol(piece))
                base = _N(sym, _symbol_tex(sym), piece, _P_ATOM)
            else:
                return self.unknown_name(piece, t, False)
        if isinstance(base.v, sp.MatrixBase):
            raise self.error("The base of a logarithm cannot be a vector or matrix.", t.pos)
        if base.v.is_number and (base.v == 1 or base.v.is_nonpositive):
            raise self.error(f"The base of a logarithm must be positive and not 1, not {base.txt}.", t.pos)
        args = self.arguments("log", t)
        return self.build_call("log", [args[0], base], t)

    def unary_exponent(self) -> _N:
        t = self.tok
        if t.kind == "op" and t.text == "-":
            self.advance()
            return self.negate(self.atom())
        return self.atom()

    # --- building values ------------------------------------------------
    def negate(self, n: _N) -> _N:
        return _N(-n.v, "-" + _wrap_tex(n, _P_MUL), "-" + _wrap_txt(n, _P_MUL), _P_NEG)

    def make_power(self, base: _N, exponent: _N, pos: int) -> _N:
        if isinstance(exponent.v, sp.MatrixBase):
            raise self.error("An exponent cannot be a vector or matrix.", pos)
        b = base.v
        if isinstance(b, sp.MatrixBase):
            if b.shape == (1, 1):
                b = b[0, 0]
            else:
                raise self.error("Powers of vectors or matrices are not supported here.", pos)
        _check_power(b, exponent.v, self.text, pos)
        if getattr(b, "is_number", False) and exponent.v.is_number and not (b.is_Number and exponent.v.is_Number):
            _check_size(sp.Pow(b, exponent.v, evaluate=False), self.text, pos)
        tex = f"{_wrap_tex(base, _P_ATOM)}^{{{exponent.tex}}}"
        # x^(1)/2 is echoed with its brackets: x^1/2 could be read as x^(1/2)
        exp_txt = "(1)" if exponent.txt == "1" else _wrap_txt(exponent, _P_ATOM)
        txt = f"{_wrap_txt(base, _P_ATOM)}^{exp_txt}"
        return _N(sp.Pow(b, exponent.v), tex, txt, _P_POW)

    @staticmethod
    def _echo(left: _N, right: _N, op: _Token) -> _N:
        if op.text in "+-":
            tex = f"{left.tex} {op.text} {_wrap_tex(right, _P_MUL)}"
            txt = f"{left.txt} {op.text} {_wrap_txt(right, _P_MUL)}"
            return _N(None, tex, txt, _P_ADD)
        if op.text == "*":
            juxtapose = left.txt.replace(".", "").isdigit() and not right.txt[:1].isdigit()
            sep = " " if juxtapose else r" \cdot "
            tex = f"{_wrap_tex(left, _P_NEG)}{sep}{_wrap_tex(right, _P_MUL)}"
            txt = f"{_wrap_txt(left, _P_NEG)}*{_wrap_txt(right, _P_MUL)}"
            return _N(None, tex, txt, _P_MUL)
        tex = rf"\frac{{{left.tex}}}{{{right.tex}}}"
        txt = f"{_wrap_txt(left, _P_NEG)}/{_wrap_txt(right, _P_POW)}"
        return _N(None, tex, txt, _P_MUL)

    def combine(self, left: _N, right: _N, op: _Token, value: bool = True) -> _N:
        """left op right; with value=False only the echo is built (chain builds the value)."""
        echo = self._echo(left, right, op)
        if not value:
            return echo
        lv, rv = left.v, right.v
        lm = isinstance(lv, sp.MatrixBase)
        rm = isinstance(rv, sp.MatrixBase)
        try:
            if op.text == "+":
                return echo._replace(v=lv + rv)
            if op.text == "-":
                return echo._replace(v=lv - rv)
            if op.text == "*":
                if lm and rm and lv.cols != rv.rows:
                    raise ValueError
                return echo._replace(v=lv * rv)
            if rm:
                raise self.error("Cannot divide by a vector or matrix.", op.pos)
            if rv == 0:
                raise self.error("Division by zero.", op.pos)
            return echo._replace(v=lv / rv)
        except (TypeError, ValueError, sp.ShapeError) as exc:
            if isinstance(exc, ParseError):
                raise
            if lm or rm:
                raise self.error(
                    f"The shapes do not fit for {op.text!r}: "
                    f"{_shape(lv)} and {_shape(rv)}.",
                    op.pos,
                ) from None
            raise self.error(f"Cannot compute {op.text!r} here.", op.pos) from None


def _subscript_twin(name: str, symbols) -> str:
    """x_1 for a declared x1 and x1 for a declared x_1 (LaTeX writes both as x_{1})."""
    m = re.fullmatch(r"([A-Za-z]+)_?([0-9]+)", name)
    if m:
        for twin in (m.group(1) + m.group(2), m.group(1) + "_" + m.group(2)):
            if twin in symbols:
                return twin
    return name


_HUGE_BITS = 333  # 2^333 ~ 1e100: the largest number a function is applied to
_ABORT_BITS = 3400  # 2^3400 ~ 1e1000: where an estimate stops


class _Huge(Exception):
    pass


def _approx(e, memo: dict):
    """A 15-digit complex estimate of a number, None where undefined; _Huge beyond 1e1000."""
    r = memo.get(e)
    if r is not None or e in memo:
        return r
    try:
        if e.is_Integer or e.is_Rational:
            r = mpmath.mpf(int(e.p)) / int(e.q)
        elif e.is_Float:
            r = mpmath.mpf(e._mpf_)
        elif e is sp.pi:
            r = +mpmath.pi
        elif e is sp.E:
            r = +mpmath.e
        elif e is sp.I:
            r = mpmath.mpc(0, 1)
        else:
            args = [_approx(a, memo) for a in e.args]
            if any(a is None for a in args):
                r = None
            elif e.is_Add:
                r = mpmath.fsum(args)
            elif e.is_Mul:
                r = mpmath.fprod(args)
            elif e.is_Pow:
                b, x = args
                if b != 0 and abs(x) * max(abs(mpmath.log(abs(b), 2)), 1) > _ABORT_BITS:
                    raise _Huge
                r = mpmath.power(b, x)
            else:
                f = _FUNCTION_CLASSES.get(type(e))
                if f is None or f.mpmath is None:
                    r = None
                elif type(e) in (sp.exp, sp.sinh, sp.cosh) and abs(mpmath.re(args[0])) > _ABORT_BITS:
                    raise _Huge
                else:
                    r = f.mpmath(*args)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        r = None
    if r is not None and mpmath.isfinite(r) and r != 0 and mpmath.mag(r) > _ABORT_BITS:
        raise _Huge
    if r is not None and not mpmath.isfinite(r):
        r = None
    memo[e] = r
    return r


def _check_size(v, text: str, pos: int, where: str = "") -> None:
    """Refuse a number of more than 100 digits inside a function (or beyond 1000 in a power)."""
    with mpmath.workdps(15):
        try:
            r = _approx(v, {})
            huge = r is not None and r != 0 and mpmath.mag(r) > (_HUGE_BITS if where else _ABORT_BITS)
        except _Huge:
            huge = True
    if huge:
        place = f" {where}" if where else ""
        raise ParseError(f"A number{place} is too large to work with.", text=text, position=pos)


def _has_function(e: sp.Basic) -> bool:
    return any(isinstance(a, sp.Function) for a in sp.preorder_traversal(e))


def _unevaluated(func, values):
    if func is sp.sqrt:
        return sp.Pow(values[0], sp.S.Half, evaluate=False)
    if func is sp.cbrt:
        return sp.Pow(values[0], sp.Rational(1, 3), evaluate=False)
    if len(values) == 2:  # log(x, b)
        return sp.Mul(sp.log(values[0], evaluate=False), sp.Pow(sp.log(values[1], evaluate=False), -1), evaluate=False)
    cls = func if isinstance(func, type) else _REGISTRY["log"].cls
    return cls(*values, evaluate=False)


def _log_base_name(name: str) -> str | None:
    """The base part of a name written log_<base>, or None."""
    return name[4:] if name.startswith("log_") else None


def _plain(txt: str) -> str:
    """A reading as a learner writes it: 2x rather than 2*x, and a dot for other products."""
    txt = re.sub(r"(?<![\w.^/])(\d+(?:\.\d+)?)\*(?=[A-Za-z(])", r"\1", txt)
    return txt.replace("*", "·")


def _shape(value) -> str:
    if isinstance(value, sp.MatrixBase):
        return f"{value.rows}x{value.cols}"
    return "a number"


def _as_name_map(variables: Iterable[sp.Symbol | str] | None) -> dict[str, sp.Symbol] | None:
    if variables is None:
        return None
    if isinstance(variables, str):
        variables = [v for v in re.split(r"[\s,]+", variables) if v]
    elif isinstance(variables, sp.Symbol):
        variables = [variables]
    out: dict[str, sp.Symbol] = {}
    for v in variables:
        if isinstance(v, str):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", v):
                raise ParseError(f"{v!r} is not a valid variable name.")
            out[v] = sp.Symbol(v)
        elif isinstance(v, sp.Symbol):
            out[v.name] = v
        else:
            raise TypeError(f"variables must be symbols or names, not {type(v).__name__}")
    return out


@dataclass(frozen=True, slots=True)
class Reading:
    """What :func:`read` understood: the value, and the input written back (LaTeX and text).

    The echo keeps the learner's order of terms and factors and makes every
    product and grouping explicit, so a misreading such as x y^2 for (x y)^2
    shows at once.
    """

    value: object
    latex: str
    text: str


def read(
    text: str,
    *,
    variables: Iterable[sp.Symbol | str] | None = None,
    functions: Iterable[str] = (),
) -> Reading:
    r"""Parse ``text`` like :func:`parse`, and also echo how it was read.

    Examples:
        >>> r = read("2x cos(x^2)")
        >>> r.value
        2*x*cos(x**2)
        >>> r.latex
        '2 x \\cdot \\cos\\left(x^{2}\\right)'
        >>> r.text
        '2*x*cos(x^2)'
        >>> read("xy^2", variables="x y").text
        'x*y^2'
    """
    node = _parser(text, variables, functions).parse()
    return Reading(node.v, node.tex, node.txt)


def read_exact(text: str, *, variables=None, hold: bool = False):
    """The value of ``text`` with every decimal read as the exact rational it spells (1.41 is 141/100).

    SymPy does arithmetic on decimals as it builds an expression (``0.5 + 1e-20``
    is the decimal 0.5), so the checker compares this reading with the decimals
    it found, to tell when a decimal typed has been lost.  With ``hold=True``
    a number times a sum stays as written (SymPy makes ``2(x+1)`` into
    ``2x + 2``), for judging whether an answer is expanded or factored.

    Examples:
        >>> read_exact("0.5 + 1e-20")
        50000000000000000001/100000000000000000000
        >>> read_exact("2(x + 1)", hold=True).args
        (2, x + 1)
    """
    p = _parser(text, variables, ())
    p.exact = True
    p.hold = hold
    return p.parse().v


def _parser(text, variables, functions) -> _Parser:
    if not isinstance(text, str):
        raise TypeError(f"parse() reads text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"The input is too long ({len(text)} characters; at most {MAX_LENGTH}).")
    text = normalise(text)
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"The input is too long once its symbols are spelled out ({len(text)} characters; at most {MAX_LENGTH})."
        )
    names = _as_name_map(variables)
    funcs: dict[str, sp.FunctionClass] = {}
    for f in functions:
        if not re.fullmatch(r"[A-Za-z][A-Za-z_0-9]*", f):
            raise ParseError(f"{f!r} is not a valid function name.")
        funcs[f] = sp.Function(f)
    return _Parser(text, names, funcs)


def parse(
    text: str,
    *,
    variables: Iterable[sp.Symbol | str] | None = None,
    functions: Iterable[str] = (),
):
    """Read typed mathematics into a SymPy ``Expr`` or column/2-D ``Matrix``.

    ``variables`` are the names the text may use (symbols or strings); with
    ``None`` any name is a symbol.  ``functions`` are names to read as
    undefined functions, such as ``f`` in ``f(x) g(x)``.

    Examples:
        >>> parse("2x cos(x^2)")
        2*x*cos(x**2)
        >>> parse("xy + 2 pi r", variables=["x", "y", "r"])
        2*pi*r + x*y
        >>> parse("[[2, 0], [0, 6y]]")
        Matrix([
        [2,   0],
        [0, 6*y]])
        >>> parse("x + z", variables=["x", "y"])
        Traceback (most recent call last):
        ...
        symtutor.errors.ParseError: Unknown name 'z'. The variables here are: x, y.
          x + z
              ^
    """
    return _parser(text, variables, functions).parse().v
