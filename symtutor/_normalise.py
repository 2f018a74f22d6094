r"""Turn pasted Unicode mathematics and a LaTeX subset into symtutor's typed syntax.

The parser reads ASCII typed syntax (and single Greek letters and ``∞`` as
names); everything else a learner may paste is mapped to it here, *before*
the parser's caps on length, digits and nesting apply:

* superscripts and subscripts (``x²``, ``x⁻¹``, ``e⁽ˣ⁺¹⁾``, ``log₂``) become
  ``^(...)`` and ``_...``;
* NFKC normalisation (fullwidth forms, ligatures, ``½``), then every Unicode
  decimal digit (Arabic-Indic, Devanagari, ...) becomes its ASCII digit;
* ``· ⋅ × ∙ ∗`` are ``*``, ``÷ ∕ ⁄`` are ``/``, the dashes and ``−`` (U+2212)
  are ``-``, ``√`` and ``∛`` are ``sqrt`` and ``cbrt``;
* a LaTeX subset: ``\frac{a}{b}`` (``\dfrac``, ``\tfrac``), ``\sqrt{x}``,
  ``\sqrt[n]{x}``, ``^{...}``, ``_{...}``, ``\cdot``, ``\times``, ``\div``,
  ``\left( \right)``, ``\left[ \right]``, ``\left| \right|``, ``\{ \}``, the
  named functions (``\sin`` ... ``\ln``, ``\operatorname{...}``), ``\pi``
  and the other Greek letters, ``\infty``, ``\mathrm{e}``, the matrix
  environments ``pmatrix``, ``bmatrix`` and ``matrix``, the spaces
  ``\, \; \: \! \quad`` and ``$...$`` delimiters.

Examples:
    >>> normalise("２x² − √x")
    '2x^(2) -  sqrt x'
    >>> normalise(r"$\frac{1}{x} + \sin^{2} \theta$")
    '((1)/(x)) +  sin ^(2) θ'
    >>> normalise(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}")
    '[[a, b], [c, d]]'
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ParseError

__all__ = ["normalise", "GREEK"]

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
"""The Greek letters read as names, by character."""

_TEX_GREEK = {name: ch for ch, name in GREEK.items() if ch not in "ϵϑϕ"}
_TEX_GREEK.update({"varepsilon": "ε", "vartheta": "θ", "varphi": "φ", "epsilon": "ϵ", "phi": "ϕ"})
_TEX_GREEK["epsilon"] = "ε"
_TEX_GREEK["phi"] = "φ"

_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni"))
_SUPER.update(zip("ᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", "abcdefghjklmoprstuvwxyz"))
_SUPER["˙"] = "."
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789+-=()aeoxhklmnpst"))

_SYMBOLS = {
    "·": "*", "⋅": "*", "×": "*", "∙": "*", "∗": "*", "•": "*", "✕": "*",
    "÷": "/", "∕": "/", "⁄": "/",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "⁃": "-",
    "√": " sqrt ", "∛": " cbrt ",
    "ˆ": "^",
    "\u200b": " ", "\u200c": " ", "\u200d": " ", "\u2060": " ", "\ufeff": " ",
    "ℯ": "e", "ⅇ": "e", "⟨": "(", "⟩": ")", "〈": "(", "〉": ")", "∣": "|", "｜": "|",
}

_NAMED = {
    "sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "coth",
    "arcsin", "arccos", "arctan", "exp", "ln", "log", "lg",
}
_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "infty": "∞", "pm": None}
_SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits"}
_MATRIX_ENVS = {"pmatrix", "bmatrix", "matrix", "Bmatrix", "smallmatrix"}

_LATEX_HINT = re.compile(r"[\\{}$&]")


def normalise(text: str) -> str:
    """The text in plain typed syntax: ASCII digits and operators, LaTeX read.

    Examples:
        >>> normalise("٣x⁻¹")
        '3x^(-1)'
    """
    if not text.isascii():
        text = _unicode(text)
    if _LATEX_HINT.search(text):
        text = _Tex(text).run()
    return text


def _unicode(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SUPER or c in _SUB:
            table = _SUPER if c in _SUPER else _SUB
            j = i
            while j < n and text[j] in table:
                j += 1
            run = "".join(table[ch] for ch in text[i:j])
            if table is _SUPER:
                out.append(f"^({run})")
            else:
                out.append("_" + run if run.isalnum() else f"_({run})")
            i = j
            continue
        if unicodedata.decomposition(c).startswith("<fraction>"):
            # ½x is (1/2)x, as printed
            out.append("(" + unicodedata.normalize("NFKC", c).replace("\u2044", "/") + ")")
        else:
            out.append(c)
        i += 1
    text = unicodedata.normalize("NFKC", "".join(out))
    if text.isascii():
        return text
    chars = []
    for c in text:
        if c.isascii():
            chars.append(c)
            continue
        d = unicodedata.decimal(c, None)
        if d is not None:
            chars.append(str(d))
        else:
            chars.append(_SYMBOLS.get(c, c))
    return "".join(chars)


class _Tex:
    """A single left-to-right pass over LaTeX, bounded by the input's length and nesting."""

    def __init__(self, text: str):
        from .parsing import MAX_DEPTH

        s = text.strip()
        for a, b in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
            if s.startswith(a) and s.endswith(b) and len(s) >= len(a) + len(b):
                s = s[len(a) : len(s) - len(b)]
                break
        self.s = s
        self.i = 0
        self.depth = 0
        self.max_depth = MAX_DEPTH
        self.original = text

    def error(self, message: str) -> ParseError:
        return ParseError(message, text=self.s, position=min(self.i, len(self.s)))

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.error(f"The input is nested too deeply (more than {self.max_depth} levels).")

    def run(self) -> str:
        out = self.until(None)
        return out

    # ---- reading ---------------------------------------------------------
    def until(self, closer: str | None, matrix: bool = False) -> str:
        """Translate up to ``closer`` ('}' or ']'), consumed; ``None`` reads to the end."""
        s, parts = self.s, []
        self.enter()
        while True:
            if self.i >= len(s):
                if closer is not None:
                    raise self.error(f"Unbalanced braces: a '{{' is never closed." if closer == "}"
                                     else "Unbalanced brackets in \\sqrt[...].")
                break
            c = s[self.i]
            if c == closer:
                self.i += 1
                break
            if c == "}":
                raise self.error("Unbalanced braces: '}' has no matching '{'.")
            if c == "{":
                self.i += 1
                parts.append("(" + self.until("}") + ")")
            elif c == "\\":
                if matrix and s.startswith("\\end", self.i):
                    break
                parts.append(self.command(matrix))
            elif c == "&":
                if not matrix:
                    raise self.error("'&' belongs inside a matrix environment.")
                parts.append("\x01")
                self.i += 1
            elif c == "_" and self.i + 1 < len(s) and s[self.i + 1] == "{":
                self.i += 2
                inner = self.until("}")
                parts.append("_" + inner if inner.isalnum() else f"_({inner})")
            elif c == "$":
                self.i += 1
                parts.append(" ")
            else:
                parts.append(c)
                self.i += 1
        self.depth -= 1
        return "".join(parts)

    def argument(self) -> str:
        """One argument of a command: a {group}, a command, or a single character."""
        s = self.s
        while self.i < len(s) and s[self.i] == " ":
            self.i += 1
        if self.i >= len(s):
            raise self.error("A LaTeX command is missing its argument.")
        c = s[self.i]
        if c == "{":
            self.i += 1
            return self.until("}")
        if c == "\\":
            return self.command(False)
        if c == "}":
            raise self.error("A LaTeX command is missing its argument.")
        self.i += 1
        return c

    def word(self) -> str:
        """The name of a command after its backslash."""
        s, j = self.s, self.i + 1
        if j < len(s) and s[j].isalpha():
            while j < len(s) and s[j].isalpha():
                j += 1
        else:
            j = min(j + 1, len(s))
        name = s[self.i + 1 : j]
        self.i = j
        return name

    def raw_name(self) -> str:
        """The letters inside \\operatorname{...} or \\mathrm{...}."""
        inner = self.argument()
        return inner.strip()

    def command(self, matrix: bool) -> str:
        self.enter()
        out = self._command(matrix)
        self.depth -= 1
        return out

    def _command(self, matrix: bool) -> str:
        start = self.i
        name = self.word()
        if name in _SPACES:
            return " "
        if name == "\\":
            if not matrix:
                self.i = start
                raise self.error("'\\\\' (a new row) belongs inside a matrix environment.")
            return "\x02"
        if name in ("{", "}"):
            return "(" if name == "{" else ")"
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            a = self.argument()
            b = self.argument()
            return f"(({a})/({b}))"
        if name == "sqrt":
            s = self.s
            while self.i < len(s) and s[self.i] == " ":
                self.i += 1
            if self.i < len(s) and s[self.i] == "[":
                self.i += 1
                n = self.until("]")
                a = self.argument()
                return f"(({a})^(1/({n})))"
            return f" sqrt({self.argument()})"
        if name in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "biggl", "biggr"):
            return self.delimiter(name)
        if name in ("lvert", "rvert", "vert", "lVert", "rVert"):
            return "abs(" if name.startswith("l") else ")" if name.startswith("r") else self._bar()
        if name in ("langle", "rangle"):
            return "(" if name == "langle" else ")"
        if name in ("lbrack", "rbrack"):
            return "[" if name == "lbrack" else "]"
        if name in ("lbrace", "rbrace"):
            return "(" if name == "lbrace" else ")"
        if name in _OPS:
            if _OPS[name] is None:
                raise self.error(f"\\{name} gives two answers: type one of them.")
            return _OPS[name]
        if name in _NAMED:
            spelled = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "lg": "log_10"}.get(name, name)
            if self.i < len(self.s) and self.s[self.i] == "_":
                return " " + spelled  # \log_{2}: the base follows the name
            return " " + spelled + " "
        if name in _TEX_GREEK:
            return _TEX_GREEK[name]
        if name in ("operatorname", "mathrm", "mathit", "text", "textrm", "mathbf", "boldsymbol", "mathsf"):
            inner = self.raw_name()
            if name == "operatorname":
                return " " + inner + " "
            return inner
        if name == "begin":
            return self.environment()
        if name == "end":
            self.i = start
            raise self.error("\\end without a matching \\begin.")
        self.i = start
        shown = name if len(name) <= 20 else name[:20] + "…"
        raise self.error(f"Unknown LaTeX command \\{shown}: type the expression instead.")

    def _bar(self) -> str:
        raise self.error("Write an absolute value as abs(...) or \\left| ... \\right|.")

    def delimiter(self, name: str) -> str:
        s = self.s
        while self.i < len(s) and s[self.i] == " ":
            self.i += 1
        if self.i >= len(s):
            raise self.error(f"\\{name} needs a bracket after it.")
        opening = name in ("left", "bigl", "Bigl", "biggl") or (name in ("big", "Big") and s[self.i] in "([{")
        c = s[self.i]
        if c == "\\":
            w = self.word()
            mapping = {"{": "(", "}": ")", "lbrace": "(", "rbrace": ")", "lvert": "abs(", "rvert": ")",
                       "langle": "(", "rangle": ")",
                       "vert": "abs(" if opening else ")", "lbrack": "[", "rbrack": "]"}
            if w not in mapping:
                raise self.error(f"\\{name}\\{w} is not a bracket symtutor reads.")
            return mapping[w]
        self.i += 1
        if c == ".":
            return ""
        if c == "|":
            return "abs(" if opening else ")"
        if c in "([":
            # \left[ \begin{matrix} ... \end{matrix} \right]: the brackets of the matrix itself
            rest = s[self.i :].lstrip()
            m = re.match(r"\\begin\{(\w+)\}", rest)
            if m and m.group(1) in _MATRIX_ENVS:
                self.i = len(s) - len(rest)
                body = self.argument()
                after = s[self.i :].lstrip()
                m2 = re.match(r"\\right\s*[)\]]", after)
                if m2 is None:
                    raise self.error("The matrix's \\left bracket is never closed by \\right.")
                self.i = len(s) - len(after) + m2.end()
                return body
            return "("
        if c in ")]":
            return ")"
        raise self.error(f"\\{name}{c} is not a bracket symtutor reads.")

    def environment(self) -> str:
        s = self.s
        m = re.match(r"\s*\{(\w+)\}", s[self.i :])
        if m is None:
            raise self.error("\\begin needs an environment name: \\begin{pmatrix}.")
        env = m.group(1)
        if env not in _MATRIX_ENVS:
            if env in ("vmatrix", "Vmatrix"):
                raise self.error("A determinant (vmatrix) is not read: type the value, or the matrix with pmatrix.")
            raise self.error(f"The environment {env!r} is not read: use pmatrix or bmatrix.")
        self.i += m.end()
        body = self.until(None, matrix=True)
        m2 = re.match(r"\\end\s*\{(\w+)\}", s[self.i :])
        if m2 is None:
            raise self.error(f"\\begin{{{env}}} is never closed by \\end{{{env}}}.")
        if m2.group(1) != env:
            raise self.error(f"\\begin{{{env}}} is closed by \\end{{{m2.group(1)}}}.")
        self.i += m2.end()
        rows = [r for r in body.split("\x02")]
        if rows and not rows[-1].strip():
            rows.pop()  # a trailing \\ ends the last row
        if not rows:
            raise self.error("The matrix is empty.")
        cells = [[c.strip() for c in r.split("\x01")] for r in rows]
        if any(not c for r in cells for c in r):
            raise self.error("A matrix entry is empty.")
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in cells) + "]"
