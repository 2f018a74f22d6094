"""LaTeX that cannot be turned against the machine that compiles it.

Two ways in, both producing LaTeX built only from pieces this module knows:

* :func:`typeset` reads a plain-text prompt ("Differentiate f(x) = x^3 sin(theta)."),
  finds the runs of mathematics in it, reads each with symtutor's parser and
  writes it back as LaTeX from the parse tree; everything else is escaped text.
* :func:`safe_latex` re-checks LaTeX written elsewhere (a generator's prompt, a
  teacher's ``prompt_latex``): text outside ``$...$`` is escaped, and inside
  maths only a fixed list of maths commands and environments is allowed, with
  no comment, parameter or ``^^`` characters, balanced braces and a bounded
  nesting depth.  Anything else raises :class:`UnsafeLatex`.

No control sequence that reads or writes files, defines macros, changes
category codes, loops or prints to the log can come out of either function.
"""

from __future__ import annotations

import re

from .errors import InvalidArgumentError, ParseError
from .parsing import FUNCTIONS, read

__all__ = ["UnsafeLatex", "escape_text", "safe_latex", "typeset", "MAX_LATEX"]

MAX_LATEX = 4000
"""The longest LaTeX prompt accepted (characters)."""

_MAX_BRACES = 12

_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho "
    "varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi "
    "Psi Omega"
).split()

ALLOWED_COMMANDS = frozenset(
    _GREEK
    + (
        "sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh coth log ln exp lim max min sup inf det "
        "operatorname frac dfrac tfrac sqrt left right begin end cdot cdots ldots dots vdots ddots times div pm mp "
        "le leq ge geq ne neq approx equiv sim to infty partial nabla sum prod int quad qquad mathrm mathbf "
        "mathit text hat bar vec dot ddot tilde prime top mid langle rangle lvert rvert lVert rVert displaystyle "
        "big Big bigl bigr Bigl Bigr in notin subset cup cap mapsto rightarrow leftarrow Rightarrow Leftarrow "
        "longrightarrow circ ell lbrace rbrace"
    ).split()
)
"""The control sequences allowed in maths (all are harmless typesetting)."""

ALLOWED_SYMBOLS = frozenset([",", ";", "!", ":", " ", "\\", "{", "}", "|", "_", "&", "%", "$", "#"])
r"""Control symbols allowed (``\,`` ``\\`` ``\{`` ...): spacing, line breaks and escaped characters."""

ALLOWED_ENVIRONMENTS = frozenset(["matrix", "pmatrix", "bmatrix", "vmatrix", "cases", "aligned"])

_MATH_CHARS = re.compile(r"[A-Za-z0-9 \t\n\r+\-*/=()\[\]{}<>|.,;:!'^_&\\]*")  # no control characters

_UNICODE = {
    "∂": r"\partial ", "∇": r"\nabla ", "γ": r"\gamma ", "λ": r"\lambda ", "σ": r"\sigma ", "θ": r"\theta ",
    "χ": r"\chi ", "μ": r"\mu ", "Δ": r"\Delta ", "Σ": r"\Sigma ", "π": r"\pi ", "·": r"\cdot ", "→": r"\to ",
    "←": r"\leftarrow ", "≈": r"\approx ", "≤": r"\le ", "≥": r"\ge ", "½": r"\tfrac12 ", "²": "^{2}",
    "³": "^{3}", "⁻¹": "^{-1}", "ᵀ": "^{T}", "α": r"\alpha ", "β": r"\beta ", "δ": r"\delta ", "ε": r"\varepsilon ",
    "η": r"\eta ", "φ": r"\varphi ", "ω": r"\omega ", "ρ": r"\rho ", "τ": r"\tau ", "×": r"\times ", "≠": r"\ne ",
    "−": "-", "⁰": "^{0}", "¹": "^{1}", "⁴": "^{4}", "−¹": "^{-1}",
}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
            "|": r"\textbar{}", "\n": " ", "\r": " ", "\t": " "}


class UnsafeLatex(InvalidArgumentError):
    """LaTeX that uses something outside the allowed maths subset."""


def escape_text(text: str) -> str:
    r"""Plain text for LaTeX: every special character escaped, maths symbols typeset, other characters dropped.

    Examples:
        >>> escape_text(r"50% of \input{/etc/passwd} ∂f")
        '50\\% of \\textbackslash{}input\\{/etc/passwd\\} $\\partial $f'
    """
    out = []
    i = 0
    while i < len(text):
        two = text[i:i + 2]
        if two in _UNICODE:
            out.append(f"${_UNICODE[two]}$")
            i += 2
            continue
        ch = text[i]
        if ch in _UNICODE:
            out.append(f"${_UNICODE[ch]}$")
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("?")
        i += 1
    return "".join(out)


_CS = re.compile(r"\\([A-Za-z]+|.)", re.S)


def _check_math(math: str) -> str:
    if not _MATH_CHARS.fullmatch(math):
        bad = next(ch for ch in math if not _MATH_CHARS.fullmatch(ch))
        raise UnsafeLatex(f"the character {bad!r} is not allowed in maths")
    if "^^" in math:
        raise UnsafeLatex("'^^' is not allowed in maths (it spells other characters)")
    aligned = "&" in _CS.sub(" ", math) or any(m.group(1) == "\\" for m in _CS.finditer(math))
    if aligned and "\\begin" not in math:  # an alignment outside an environment stops LaTeX
        raise UnsafeLatex("'&' and '\\\\' belong inside an environment such as \\begin{pmatrix} ... \\end{pmatrix}")
    depth = 0
    for ch in re.sub(r"\\[{}]", "", math):
        if ch == "{":
            depth += 1
            if depth > _MAX_BRACES:
                raise UnsafeLatex(f"braces are nested more than {_MAX_BRACES} deep")
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise UnsafeLatex("a '}' closes nothing")
    if depth:
        raise UnsafeLatex("a '{' is never closed")
    for m in _CS.finditer(math):
        name = m.group(1)
        if name.isalpha():
            if name not in ALLOWED_COMMANDS:
                raise UnsafeLatex(f"\\{name} is not allowed (only maths commands such as \\frac, \\sqrt, \\sin)")
            if name in ("begin", "end"):
                env = re.match(r"\{([A-Za-z*]+)\}", math[m.end():])
                if not env or env.group(1) not in ALLOWED_ENVIRONMENTS:
                    raise UnsafeLatex(f"\\{name} takes one of the environments {', '.join(sorted(ALLOWED_ENVIRONMENTS))}")
            if name == "operatorname" and not re.match(r"\{[A-Za-z]+\}", math[m.end():]):
                raise UnsafeLatex("\\operatorname takes a name in letters, e.g. \\operatorname{sign}")
        elif name not in ALLOWED_SYMBOLS:
            raise UnsafeLatex(f"\\{name} is not allowed")
    return math


def safe_latex(text: str) -> str:
    r"""LaTeX text with maths between dollars, checked against the allowed subset; raises UnsafeLatex.

    Text outside the dollars is escaped; the maths is kept when it uses only
    allowed commands.

    Examples:
        >>> safe_latex(r"Find $\frac{d f}{d x}$ for 50% of $x^3$.")
        'Find $\\frac{d f}{d x}$ for 50\\% of $x^3$.'
        >>> safe_latex(r"$\input{/etc/passwd}$")
        Traceback (most recent call last):
        ...
        symtutor._texsafe.UnsafeLatex: \input is not allowed (only maths commands such as \frac, \sqrt, \sin)
    """
    if not isinstance(text, str):
        raise UnsafeLatex(f"LaTeX must be text, not {type(text).__name__}")
    if len(text) > MAX_LATEX:
        raise UnsafeLatex(f"is {len(text)} characters long; at most {MAX_LATEX}")
    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:
        raise UnsafeLatex("has an odd number of '$': every maths part needs a closing '$'")
    out = []
    for k, part in enumerate(parts):
        if k % 2 == 0:  # text: \% \& \# \_ \{ \} \$ as a LaTeX writer types them, escaped again here
            out.append(escape_text(re.sub(r"\\([%&#_{}$])", r"\1", part)))
        elif part.strip():  # maths: a blank line inside it would end the paragraph (and the maths) in LaTeX
            out.append("$" + re.sub(r"[\r\n]", " ", _check_math(part)) + "$")
    return "".join(out)


# --------------------------------------------------------------------------
# plain text -> LaTeX, through the parser

_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<arrow>->)|(?P<op>[-+*/^=(),\[\]<>])"
    r"|(?P<space>[ \t]+)|(?P<other>.)",
    re.S,
)
_NAMES_AS_MATH = set(_GREEK) | {"e", "pi"}
_RELATIONS = {"=": "=", "->": r"\to", "<": "<", ">": ">"}


def _mathy(tokens, i) -> bool:
    kind, text = tokens[i]
    if kind != "name":
        return kind in ("num", "op", "arrow")
    nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
    if text in FUNCTIONS:
        return nxt in ("(", "^")
    if text in _NAMES_AS_MATH or re.fullmatch(r"[A-Za-z][0-9]*|[A-Za-z]_[A-Za-z0-9]+", text):
        if text in ("a", "A", "I"):  # also English words: maths only beside an operator or a number
            prev = next((t for t in reversed(tokens[:i]) if t[0] != "space"), ("", ""))
            after = next((t for t in tokens[i + 1:] if t[0] != "space"), ("", ""))
            return prev[0] in ("op", "num", "arrow") and prev[1] not in "()" or after[0] in ("op", "arrow") and after[1] not in "(),"
        return True
    return False


def _split_top(run: str, seps: tuple[str, ...]) -> list[str]:
    """Split at separators that are outside brackets (keeping the separators)."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(run):
        ch = run[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        else:
            for s in seps:
                if depth == 0 and run.startswith(s, i):
                    out += [run[start:i], s]
                    i += len(s)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    out.append(run[start:])
    return out


def _math_of(piece: str) -> str | None:
    text = piece.strip()
    if not text:
        return ""
    call = re.fullmatch(r"([A-Za-z])\(([^()]*)\)", text)
    if call and call.group(1) not in FUNCTIONS and "," in call.group(2):
        args = [_math_of(a) for a in call.group(2).split(",")]
        if all(args):
            return call.group(1) + r"\left(" + ", ".join(args) + r"\right)"
    for left, right in ("()", "[]"):  # a bracketed group keeps its brackets: (3), (1, 2), [0, 1]
        if text[:1] == left and text[-1:] == right and _balanced(text[1:-1]):
            parts = [_math_of(p) for p in _split_top(text[1:-1], (",",))[::2]]
            if all(parts):
                return rf"\left{left}" + ", ".join(parts) + rf"\right{right}"
    functions = sorted({m for m in re.findall(r"\b([A-Za-z])\(", text) if m not in FUNCTIONS})
    try:
        return read(text, functions=functions).latex
    except (ParseError, InvalidArgumentError, ValueError, TypeError, ZeroDivisionError, OverflowError,
            RecursionError, ArithmeticError):
        return None


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in "(["
        depth -= ch in ")]"
        if depth < 0:
            return False
    return depth == 0


def _plain(text: str) -> str:
    """Text for a LaTeX prompt outside the maths (only a dollar needs marking)."""
    return text.replace("$", "\\$")


def _typeset_run(run: str) -> str:
    pieces = _split_top(run, (",",))
    out = []
    for k, piece in enumerate(pieces):
        if k % 2:
            out.append(", ")
            continue
        sides = _split_top(piece, ("->", "=", "<", ">"))
        tex = []
        for j, side in enumerate(sides):
            if j % 2:
                tex.append(_RELATIONS[side])
                continue
            m = _math_of(side)
            if m is None:
                if tex:
                    out.append("$" + " ".join(tex) + "$ ")
                    tex = []
                out.append(_plain(side.strip()) + " ")
                continue
            tex.append(m)
        if tex and any(tex):
            out.append("$" + " ".join(t for t in tex if t) + "$")
    return "".join(out).rstrip()


def typeset(text: str) -> str:
    r"""A LaTeX prompt for a plain-text one: runs of maths read by symtutor's parser and typeset between dollars.

    The text around the maths is kept as it is (only ``$`` is marked), as in a
    ``prompt_latex``; :func:`safe_latex` escapes it for LaTeX.

    Examples:
        >>> typeset("Differentiate f(x) = x^3 sin(theta).")
        'Differentiate $f\\left(x\\right) = x^{3} \\cdot \\sin\\left(\\theta\\right)$.'
        >>> safe_latex(typeset(r"Say \input{/etc/passwd} & 50% of h."))
        'Say \\textbackslash{}input\\{/etc/passwd\\} \\& $50$\\% of $h$.'
    """
    if len(text) > MAX_LATEX:
        text = text[:MAX_LATEX]
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    out, i = [], 0
    while i < len(tokens):
        if tokens[i][0] == "space" or not _mathy(tokens, i):
            out.append(_plain(tokens[i][1]))
            i += 1
            continue
        j = i
        while j < len(tokens) and (tokens[j][0] == "space" or _mathy(tokens, j)):
            j += 1
        while j > i and tokens[j - 1][0] == "space":
            j -= 1
        if not any(k in ("num", "name") for k, _ in tokens[i:j]):  # only operators: text
            out.append(_plain("".join(t for _, t in tokens[i:j])))
            i = j
            continue
        run_tokens = tokens[i:j]
        # a run ends before a trailing comma, and keeps its brackets balanced
        while run_tokens and (run_tokens[-1][0] == "space"
                              or run_tokens[-1][1] in (",", "(", "[", "-", "+", "*", "/", "^", "=", "<", ">", "->")):
            run_tokens.pop()
            j -= 1
        while run_tokens and run_tokens[0][1] in (",", ")", "]", "*", "/", "^", "=", "<", ">", " "):
            out.append(_plain(run_tokens.pop(0)[1]))
            i += 1
        depth, cut = 0, None
        for k, (_, t) in enumerate(run_tokens):
            depth += t in ("(", "[")
            depth -= t in (")", "]")
            if depth < 0:
                cut = k
                break
        if cut is not None and cut < len(run_tokens) - 1:  # "sigma) = ...": the text up to the stray ")" is not maths
            out.append(_plain("".join(t for _, t in run_tokens[:cut + 1])))
            i += cut + 1
            continue
        depth = 0
        for _, t in run_tokens:
            depth += t in ("(", "[")
            depth -= t in (")", "]")
        while run_tokens and depth < 0 and run_tokens[-1][1] in ")]":
            run_tokens.pop()
            j -= 1
            depth += 1
        while run_tokens and depth > 0 and run_tokens[0][1] in "([":
            out.append(_plain(run_tokens[0][1]))
            run_tokens.pop(0)
            i += 1
            depth -= 1
        if not run_tokens:
            out.append(_plain(tokens[i][1]))
            i += 1
            continue
        run = "".join(t for _, t in run_tokens)
        if all(k in ("op",) for k, _ in run_tokens if k != "space"):
            out.append(_plain(run))
        else:
            if out and out[-1].endswith("\\"):
                out.append(" ")  # a backslash just before the maths would hide its opening dollar
            out.append(_typeset_run(run))
        i = j
    return "".join(out)
