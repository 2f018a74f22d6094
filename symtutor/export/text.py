"""Markdown and LaTeX renderings of exercise sets (a worksheet and a separate answer key)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import sympy as sp

from ..errors import SymtutorError
from ..exercises.sets import ExerciseSet

__all__ = ["to_markdown", "to_latex", "to_pdf", "latex_engine"]

_UNICODE = {
    "∂": r"\partial ", "∇": r"\nabla ", "γ": r"\gamma ", "λ": r"\lambda ", "σ": r"\sigma ", "θ": r"\theta ",
    "χ": r"\chi ", "μ": r"\mu ", "Δ": r"\Delta ", "Σ": r"\sum ", "π": r"\pi ", "·": r"\cdot ", "→": r"\to ",
    "←": r"\leftarrow ", "≈": r"\approx ", "≤": r"\le ", "≥": r"\ge ", "½": r"\tfrac12 ", "²": "^{2}",
    "³": "^{3}", "⁻¹": "^{-1}", "ᵀ": "^{T}",
}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}


def _escape(text: str) -> str:
    """Plain text for LaTeX: special characters escaped, maths symbols typeset."""
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
        elif ord(ch) > 127:
            out.append("?")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _prompt_tex(ex) -> str:
    """The LaTeX prompt, with any stray non-ASCII symbol typeset (LaTeX engines read ASCII here)."""
    parts = re.split(r"(\$[^$]*\$)", ex.prompt_latex) if ex.prompt_latex != ex.prompt else [None]
    if parts == [None]:
        return _escape(ex.prompt)
    return "".join(p if p.startswith("$") else _escape(p) for p in parts)


def to_markdown(s: ExerciseSet, *, answers: bool = True) -> str:
    """A Markdown worksheet (maths as LaTeX between dollars), with the answers at the end.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> md = to_markdown(from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 1}]}))
        >>> md.splitlines()[0]
        '# T'
    """
    lines = [f"# {s.title}", ""]
    if s.description:
        lines += [s.description, ""]
    for n, ex in enumerate(s.items, 1):
        lines.append(f"{n}. {ex.prompt_latex}")
    if answers:
        lines += ["", "## Answers", ""]
        for n, ex in enumerate(s.items, 1):
            lines.append(f"{n}. ${sp.latex(ex.answer)}$")
    return "\n".join(lines) + "\n"


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\setlength{\parindent}{0pt}
\begin{document}
"""


def to_latex(s: ExerciseSet) -> tuple[str, str]:
    """(worksheet, answer key) as LaTeX documents.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> sheet, key = to_latex(from_spec({"title": "T", "items": [{"topic": "chain_rule", "seed": 2}]}))
        >>> sheet.startswith("\\\\documentclass") and "Answer key" in key
        True
    """
    title = _escape(s.title)
    sheet = [_PREAMBLE, rf"\section*{{{title}}}", _escape(s.description), "", r"\begin{enumerate}"]
    for ex in s.items:
        sheet += [rf"\item {_prompt_tex(ex)}", r"\vspace{4.5em}", ""]
    sheet += [r"\end{enumerate}", r"\end{document}", ""]
    key = [_PREAMBLE, rf"\section*{{{title} --- Answer key}}", r"\begin{enumerate}"]
    for ex in s.items:
        key.append(rf"\item {_prompt_tex(ex)}\\[0.4em]")
        key.append(rf"\textbf{{Answer:}} $\displaystyle {sp.latex(ex.answer)}$")
        if ex.hints:
            key.append(r"\\[0.3em] {\small \emph{Hint:} " + _escape(ex.hints[0]) + "}")
        key.append("")
    key += [r"\end{enumerate}", r"\end{document}", ""]
    return "\n".join(sheet), "\n".join(key)


def latex_engine() -> str | None:
    """The LaTeX engine found on this machine (pdflatex, lualatex, xelatex or tectonic), or None."""
    for name in ("pdflatex", "lualatex", "xelatex", "tectonic"):
        if shutil.which(name):
            return name
    return None


def _compile(tex: str, out: Path, engine: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.tex"
        src.write_text(tex, encoding="utf-8")
        cmd = [engine, "doc.tex"] if engine == "tectonic" else [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
        res = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=300)
        pdf = Path(tmp) / "doc.pdf"
        if res.returncode != 0 or not pdf.exists():
            log = (res.stdout + res.stderr)[-1500:]
            raise SymtutorError(f"{engine} could not compile the worksheet:\n{log}")
        out.write_bytes(pdf.read_bytes())


def to_pdf(s: ExerciseSet, path) -> tuple[Path, Path]:
    """Compile the worksheet to ``path`` and the answer key beside it (``*-key.pdf``)."""
    engine = latex_engine()
    if engine is None:
        raise SymtutorError(
            "no LaTeX engine found: install one (Debian: apt-get install texlive-latex-recommended) "
            "or export with --format tex"
        )
    path = Path(path)
    key_path = path.with_name(path.stem + "-key.pdf")
    sheet, key = to_latex(s)
    _compile(sheet, path, engine)
    _compile(key, key_path, engine)
    return path, key_path
