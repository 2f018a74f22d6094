"""Moodle XML: numerical questions for numbers, STACK questions (Maxima) for expressions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sympy as sp
from sympy.printing.str import StrPrinter

from ..exercises.sets import ExerciseSet

__all__ = ["to_moodle", "to_maxima"]


class _MaximaPrinter(StrPrinter):
    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Exp1(self, expr):
        return "%e"

    def _print_Pi(self, expr):
        return "%pi"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_MatrixBase(self, expr):
        return "matrix(" + ",".join("[" + ",".join(self._print(v) for v in row) + "]" for row in expr.tolist()) + ")"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase


def to_maxima(e) -> str:
    """An expression or matrix in Maxima syntax, as STACK reads it.

    Examples:
        >>> x = sp.Symbol("x")
        >>> to_maxima(sp.exp(2 * x) * sp.pi)
        '%pi*exp(2*x)'
        >>> to_maxima(sp.Matrix([x, x**2]))
        'matrix([x],[x^2])'
    """
    return _MaximaPrinter().doprint(e)


def _text(parent, tag: str, value: str, fmt: str | None = None):
    el = ET.SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    t = ET.SubElement(el, "text")
    t.text = value
    return el


def _tolerance(ex, value: float) -> float:
    tol = dict(ex.options).get("tolerance")
    if isinstance(tol, dict) and "abs" in tol:
        return float(tol["abs"])
    if isinstance(tol, dict) and "sig" in tol:
        return abs(value) * 0.5 * 10 ** (1 - int(tol["sig"]))
    if isinstance(tol, (int, float)) or (isinstance(tol, dict) and "rel" in tol):
        rel = tol if isinstance(tol, (int, float)) else tol["rel"]
        return abs(value) * float(rel)
    return max(abs(value) * 5e-4, 1e-9)


def to_moodle(s: ExerciseSet) -> str:
    """A Moodle XML quiz: one question per exercise.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> xml = to_moodle(from_spec({"title": "T", "items": [{"topic": "newton_raphson", "seed": 1}]}))
        >>> '<question type="numerical">' in xml
        True
    """
    quiz = ET.Element("quiz")
    cat = ET.SubElement(quiz, "question", type="category")
    _text(cat, "category", f"$course$/symtutor/{s.title}")
    for n, ex in enumerate(s.items, 1):
        numeric = ex.mode == "numeric" and not isinstance(ex.answer, sp.MatrixBase) and not ex.answer.free_symbols
        q = ET.SubElement(quiz, "question", type="numerical" if numeric else "stack")
        _text(q, "name", f"{n}. {ex.id}")
        if numeric:
            _text(q, "questiontext", f"<p>{_html(ex.prompt_latex)}</p>", "html")
            value = float(sp.N(ex.answer, 17))
            ans = ET.SubElement(q, "answer", fraction="100")
            ET.SubElement(ans, "text").text = repr(value)
            ET.SubElement(ans, "tolerance").text = repr(_tolerance(ex, value))
            _text(ans, "feedback", "Correct.", "html")
            if ex.hints:
                _text(q, "generalfeedback", _html(" ".join(ex.hints)), "html")
            continue
        _text(q, "questiontext", f"<p>{_html(ex.prompt_latex)}</p><p>[[input:ans1]] [[validation:ans1]]</p>", "html")
        _text(q, "questionvariables", f"ta: {to_maxima(ex.answer)};")
        _text(q, "generalfeedback", _html(" ".join(ex.solution[-1:])), "html")
        inp = ET.SubElement(q, "input")
        for tag, value in (("name", "ans1"), ("type", "matrix" if isinstance(ex.answer, sp.MatrixBase) else "algebraic"),
                           ("tans", "ta"), ("boxsize", "30"), ("forbidfloat", "0"), ("requirelowestterms", "0"),
                           ("checkanswertype", "0"), ("mustverify", "1"), ("showvalidation", "1")):
            ET.SubElement(inp, tag).text = value
        prt = ET.SubElement(q, "prt")
        ET.SubElement(prt, "name").text = "prt1"
        ET.SubElement(prt, "value").text = "1.0000000"
        node = ET.SubElement(prt, "node")
        for tag, value in (("name", "0"), ("answertest", "AlgEquiv"), ("sans", "ans1"), ("tans", "ta"),
                           ("truescoremode", "="), ("truescore", "1.0000000"), ("falsescoremode", "="),
                           ("falsescore", "0.0000000")):
            ET.SubElement(node, tag).text = value
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _html(text: str) -> str:
    # MathJax in Moodle reads \( \) for inline maths
    out, inside = [], False
    for part in text.split("$"):
        out.append((r"\(" + part + r"\)") if inside else part)
        inside = not inside
    return "".join(out)
