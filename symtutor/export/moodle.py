"""Moodle XML: ``numerical`` questions for numbers, STACK questions for everything else.

A STACK question is written in the shape STACK's own export gives, with what
Moodle's importer keeps: every PRT named by ``[[feedback:prt1]]`` in the specific
feedback, an answer note on every branch, ``<stackversion>``, inputs that read
symtutor's syntax (see :mod:`symtutor.export.stack` for the grading parts).  Text
an exercise holds goes in as text: HTML-escaped, with STACK's CAS delimiters
(``{@ @}``, ``{# #}``, ``[[ ]]``) broken up; the only CAS text is what this module
puts there from the parsed expressions (``{@ta@}`` for the answer).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import sympy as sp

from ..errors import InvalidArgumentError, SymtutorError
from ..exercises.sets import ExerciseSet
from .maxima import to_maxima
from .stack import FORBIDDEN_WORDS, PRT, StackPlan, stack_plan

__all__ = ["to_moodle", "to_maxima", "STACK_VERSION", "VARIANT_STRIDE", "numerical_answer"]

STACK_VERSION = "2025030700"
"""The ``<stackversion>`` written: the STACK release whose question format this follows."""

VARIANT_STRIDE = 1000
"""Variant k of a generated item with seed s uses seed s + k * VARIANT_STRIDE."""

_PENALTY = "0.1000000"
_CAS_DELIMITERS = (("[[", "[ ["), ("]]", "] ]"), ("{@", "{ @"), ("@}", "@ }"), ("{#", "{ #"), ("#}", "# }"))


def _escape(text: str) -> str:
    """Plain text as HTML that STACK's CAS text shows as it is."""
    out = html.escape(text, quote=False)
    for bad, good in _CAS_DELIMITERS:
        while bad in out:
            out = out.replace(bad, good)
    return out


def _with_maths(text: str) -> str:
    """Text with $...$ maths: escaped, the maths in MathJax's \\( \\) delimiters."""
    parts = text.split("$")
    if len(parts) % 2 == 0:  # an unpaired $ is a dollar sign
        parts[-2:] = [parts[-2] + "\0" + parts[-1]]
    out = []
    for k, part in enumerate(parts):
        piece = _escape(part).replace("\0", "&#36;")
        out.append(r"\(" + piece + r"\)" if k % 2 else piece)
    return "".join(out)


def _text(parent, tag: str, value: str, fmt: str | None = None):
    el = ET.SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    ET.SubElement(el, "text").text = value
    return el


def _plain(parent, tag: str, value: str):
    ET.SubElement(parent, tag).text = value
    return parent


def _decimal(value: float) -> str:
    return format(Decimal(repr(float(value))), "f")


def _score(value: float) -> str:
    return f"{value:.7f}"


def numerical_answer(ex) -> tuple[str, str, str]:
    """(answer, tolerance, instruction) for a Moodle ``numerical`` question on a number.

    Moodle accepts a response within ``tolerance`` of ``answer``.  For a tolerance of
    n significant figures the answer is the value rounded to n figures and the
    tolerance half a unit in its last place, so exactly the responses that round to
    it pass (symtutor's rule).  A value with a short exact decimal has tolerance 0;
    any other value without a tolerance is asked to 4 significant figures.

    Examples:
        >>> from symtutor.exercises.core import generate
        >>> numerical_answer(generate("newton_raphson", seed=5))
        ('-1.333', '0.0005', 'Give your answer as a decimal, to 4 significant figures.')
    """
    value = float(sp.N(ex.answer, 30))
    tol = dict(ex.options).get("tolerance")
    sig = None
    if isinstance(tol, dict) and "sig" in tol:
        sig = int(tol["sig"])
    elif isinstance(tol, dict) and "abs" in tol:
        return _decimal(value), _decimal(float(tol["abs"])), ""
    elif isinstance(tol, dict) and "rel" in tol:
        return _decimal(value), _decimal(abs(value) * float(tol["rel"])), ""
    elif isinstance(tol, (int, float)) and not isinstance(tol, bool):
        return _decimal(value), _decimal(abs(value) * float(tol)), ""
    elif len(repr(value).rstrip("0")) <= 12 and sp.nsimplify(value) == ex.answer:
        return _decimal(value), "0", ""
    else:
        sig = 4
    if value == 0:
        return "0", "0", ""
    place = Decimal(10) ** (Decimal(repr(abs(value))).adjusted() - sig + 1)
    rounded = Decimal(repr(value)).quantize(place, rounding="ROUND_HALF_UP")
    instruction = "" if tol is not None else f"Give your answer as a decimal, to {sig} significant figures."
    return format(rounded, "f"), format(place / 2, "f"), instruction


def _numerical(quiz, n: int, ex) -> None:
    q = ET.SubElement(quiz, "question", type="numerical")
    _text(q, "name", f"{n}. {ex.id}")
    answer, tolerance, instruction = numerical_answer(ex)
    text = f"<p>{_with_maths(ex.prompt_latex)}</p>" + (f"<p>{instruction}</p>" if instruction else "")
    _text(q, "questiontext", text, "html")
    _text(q, "generalfeedback", _solution_html(ex, answer), "html")
    for tag, value in (("defaultgrade", "1.0000000"), ("penalty", _PENALTY), ("hidden", "0"), ("idnumber", "")):
        _plain(q, tag, value)
    ans = ET.SubElement(q, "answer", fraction="100", format="moodle_auto_format")
    ET.SubElement(ans, "text").text = answer
    _text(ans, "feedback", "Correct.", "html")
    ET.SubElement(ans, "tolerance").text = tolerance
    for tag, value in (("unitgradingtype", "0"), ("unitpenalty", _PENALTY), ("showunits", "3"), ("unitsleft", "0")):
        _plain(q, tag, value)


def _solution_html(ex, answer_html: str) -> str:
    lines = [f"<p>{_escape(line)}</p>" for line in ex.solution if not line.startswith("Answer:")]
    return "".join(lines) + f"<p>Answer: {answer_html}</p>"


def _stack(quiz, n: int, ex) -> None:
    plan: StackPlan = stack_plan(ex)
    q = ET.SubElement(quiz, "question", type="stack")
    _text(q, "name", f"{n}. {ex.id}")
    boxes = []
    for name, kind, _, _ in plan.inputs:
        label = "" if len(plan.inputs) == 1 else f"Entry {name[3:]}: "
        boxes.append(f"<p>{label}[[input:{name}]] [[validation:{name}]]</p>")
    instruction = f"<p>{_escape(plan.instruction)}</p>" if plan.instruction else ""
    _text(q, "questiontext", f"<p>{_with_maths(ex.prompt_latex)}</p>" + instruction + "".join(boxes), "html")
    answer = ", ".join(f"{{@{tans}@}}" for _, _, tans, _ in plan.inputs)
    _text(q, "generalfeedback", _solution_html(ex, answer), "html")
    for tag, value in (("defaultgrade", "1.0000000"), ("penalty", _PENALTY), ("hidden", "0"), ("idnumber", "")):
        _plain(q, tag, value)
    _text(q, "stackversion", STACK_VERSION)
    _text(q, "questionvariables", "\n".join(f"{name}: {to_maxima(value)};" for name, value in plan.variables))
    _text(q, "specificfeedback", f"[[feedback:{PRT}]]", "html")
    _text(q, "questionnote", answer, "moodle_auto_format")
    _text(q, "questiondescription", "", "moodle_auto_format")
    for tag, value in (("questionsimplify", "1"), ("assumepositive", "0"), ("assumereal", "0")):
        _plain(q, tag, value)
    _text(q, "prtcorrect", '<span class="correct">Correct answer, well done.</span>', "html")
    _text(q, "prtpartiallycorrect", '<span class="partially">Your answer is partially correct.</span>', "html")
    _text(q, "prtincorrect", '<span class="incorrect">Incorrect answer.</span>', "html")
    for tag, value in (("decimals", "."), ("scientificnotation", "*10"), ("multiplicationsign", "dot"),
                       ("sqrtsign", "1"), ("complexno", "i"), ("inversetrig", "cos-1"), ("logicsymbol", "lang"),
                       ("matrixparens", "["), ("variantsselectionseed", "")):
        _plain(q, tag, value)
    for name, kind, tans, _ in plan.inputs:
        inp = ET.SubElement(q, "input")
        box = "10" if kind == "matrix" else "30"
        for tag, value in (("name", name), ("type", kind), ("tans", tans), ("boxsize", box),
                           ("strictsyntax", "1"), ("insertstars", str(plan.insertstars)), ("syntaxhint", ""),
                           ("syntaxattribute", "0"), ("forbidwords", ",".join(FORBIDDEN_WORDS)), ("allowwords", ""),
                           ("forbidfloat", "0"), ("requirelowestterms", "0"), ("checkanswertype", "0"),
                           ("mustverify", "1"), ("showvalidation", "1"), ("options", "")):
            _plain(inp, tag, value)
    prt = ET.SubElement(q, "prt")
    for tag, value in (("name", PRT), ("value", "1.0000000"), ("autosimplify", "1"), ("feedbackstyle", "1")):
        _plain(prt, tag, value)
    _text(prt, "feedbackvariables", "")
    for node in plan.nodes:
        el = ET.SubElement(prt, "node")
        for tag, value in (("name", str(node.name)), ("description", ""), ("answertest", node.test),
                           ("sans", node.sans), ("tans", node.tans), ("testoptions", node.options),
                           ("quiet", "1" if node.quiet else "0"),
                           ("truescoremode", node.true_mode), ("truescore", _score(node.true_score)),
                           ("truepenalty", ""), ("truenextnode", str(node.true_next)),
                           ("trueanswernote", node.true_note)):
            _plain(el, tag, value)
        _text(el, "truefeedback", f"<p>{_escape(node.true_feedback)}</p>" if node.true_feedback else "", "html")
        for tag, value in (("falsescoremode", node.false_mode), ("falsescore", _score(node.false_score)),
                           ("falsepenalty", ""), ("falsenextnode", str(node.false_next)),
                           ("falseanswernote", node.false_note)):
            _plain(el, tag, value)
        _text(el, "falsefeedback", f"<p>{_escape(node.false_feedback)}</p>" if node.false_feedback else "", "html")
    for k, (values, score, note) in enumerate(plan.cases, 1):
        case = ET.SubElement(q, "qtest")
        _plain(case, "testcase", str(k))
        _plain(case, "description", "")
        for name, value in values:
            ti = ET.SubElement(case, "testinput")
            _plain(ti, "name", name)
            _plain(ti, "value", value)
        exp = ET.SubElement(case, "expected")
        for tag, value in (("name", PRT), ("expectedscore", _score(score)),
                           ("expectedpenalty", _score(0.0) if score == 1 else _PENALTY),
                           ("expectedanswernote", note)):
            _plain(exp, tag, value)


def _is_numerical(ex) -> bool:
    return ex.mode == "numeric" and not isinstance(ex.answer, sp.MatrixBase) and not ex.answer.free_symbols


def _category(quiz, path: str) -> None:
    cat = ET.SubElement(quiz, "question", type="category")
    _text(cat, "category", path)


def _name(text: str) -> str:
    """A category name for Moodle's path syntax, where a literal / is written //."""
    return re.sub(r"\s+", " ", text).strip().replace("/", "//")


def _variants(ex, count: int) -> list:
    """``count`` verified seeds of a generated exercise (the first is ``ex`` itself)."""
    from ..exercises.core import generate

    out = []
    for k in range(3 * count):
        variant = ex if k == 0 else generate(ex.topic, seed=ex.seed + k * VARIANT_STRIDE, difficulty=ex.difficulty)
        try:
            variant.verify()
        except AssertionError:
            continue
        out.append(variant)
        if len(out) == count:
            return out
    raise SymtutorError(f"could not find {count} verified variants of {ex.id}")


def to_moodle(s: ExerciseSet, *, variants: int = 1) -> str:
    """A Moodle XML quiz: one question per exercise (a ``numerical`` one for a number, else STACK).

    With ``variants`` > 1 each item gets its own question category
    ``$course$/symtutor/<set>/<item>`` holding that many verified seeds of it (a written
    item holds itself), for Moodle's "random question from category".

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> xml = to_moodle(from_spec({"title": "T", "items": [{"topic": "newton_raphson", "seed": 1}]}))
        >>> '<question type="numerical">' in xml
        True
        >>> xml = to_moodle(from_spec({"title": "T", "items": [{"topic": "chain_rule", "seed": 1}]}), variants=2)
        >>> xml.count("<question type=\\"stack\\">"), "$course$/symtutor/T/chain_rule-1-1" in xml
        (2, True)
    """
    if isinstance(variants, bool) or not isinstance(variants, int) or variants < 1:
        raise InvalidArgumentError(f"variants must be a whole number >= 1, not {variants!r}")
    quiz = ET.Element("quiz")
    top = f"$course$/symtutor/{_name(s.title)}"
    if variants == 1:
        _category(quiz, top)
    n = 0
    for ex in s.items:
        group = [ex]
        if variants > 1:
            _category(quiz, f"{top}/{_name(ex.id)}")
            if ex.topic != "written" and ex.seed is not None:
                group = _variants(ex, variants)
        for variant in group:
            n += 1
            (_numerical if _is_numerical(variant) else _stack)(quiz, n, variant)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
