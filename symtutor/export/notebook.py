"""A Jupyter notebook worksheet whose answer cells are checked by symtutor, with no answer key inside.

The learner's notebook carries no answer, worked solution or answer LaTeX, in
any cell, output or metadata:

* a generated exercise is shipped as its (topic, difficulty, seed) only; the
  worksheet regenerates it with symtutor (generation is deterministic) and
  checks answers with the full checking ladder, hints and diagnosis;
* a hand-written exercise is shipped as its prompt, variables, mode, answer
  shape and a salted SHA-256 *fingerprint*: the answer's values at three
  points (derived from the salt), rounded to 10 significant figures (numeric
  answers: to the figures their tolerance asks for).  A learner's answer is
  marked correct when its fingerprint is the same; otherwise incorrect.  Hints
  that contain the answer are left out.

A fingerprint cannot be read as an answer; like any check it can be matched
by trying answers, so it protects a worksheet, not an exam.  The teacher's
copy, ``to_notebook(s, answers=True)``, carries the whole set instead.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re

import sympy as sp

from ..checking import Feedback
from ..errors import InvalidArgumentError, ParseError
from ..exercises.core import TOPICS, generate
from ..exercises.sets import ExerciseSet
from ..parsing import parse, to_text
from .jsonfile import dump, load

__all__ = ["to_notebook", "Worksheet", "fingerprint"]

_FORMAT = "symtutor-worksheet-1"


def _digits(ex_mode: str, options: dict) -> int:
    if ex_mode != "numeric":
        return 10
    tol = options.get("tolerance")
    if isinstance(tol, dict) and "sig" in tol:
        return int(tol["sig"])
    rel = tol if isinstance(tol, (int, float)) else (tol or {}).get("rel")
    if rel:
        return max(1, min(15, math.ceil(-math.log10(float(rel)))))
    return 4


def fingerprint(value, variables, *, salt: str, digits: int = 10) -> str:
    """A salted SHA-256 of an expression's (or matrix's) values at three points fixed by the salt.

    Examples:
        >>> x = sp.Symbol("x")
        >>> fingerprint(x * (x + 1), ["x"], salt="s") == fingerprint(x**2 + x, ["x"], salt="s")
        True
        >>> fingerprint(x**2, ["x"], salt="s") == fingerprint(x**2 + 1, ["x"], salt="s")
        False
    """
    rng = random.Random(int.from_bytes(hashlib.sha256(salt.encode()).digest()[:8], "big"))
    symbols = [sp.Symbol(v) for v in variables]
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    shape = f"{value.rows}x{value.cols}" if isinstance(value, sp.MatrixBase) else "1"
    parts = [shape]
    for _ in range(3):
        point = {s: sp.Rational(rng.randint(5_000, 300_000), 100_000) for s in symbols}
        for e in entries:
            e = e if isinstance(e, sp.Basic) else sp.Float(e)
            v = sp.N(e.subs(point), 30)
            if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                parts.append("undefined")
                continue
            re_, im_ = (sp.Float(c, 30) for c in v.as_real_imag())
            parts.append(";".join("0" if c == 0 else f"{float(c):.{digits - 1}e}" for c in (re_, im_)))
    return hashlib.sha256((salt + "\x1f" + "|".join(parts)).encode()).hexdigest()


def _public(ex, n: int) -> dict:
    """What the learner's notebook holds about an exercise."""
    if ex.topic in TOPICS and ex.seed is not None and generate(ex.topic, seed=ex.seed, difficulty=ex.difficulty) == ex:
        return {"topic": ex.topic, "difficulty": ex.difficulty, "seed": ex.seed}
    options = dict(ex.options)
    salt = hashlib.sha256(f"{ex.id}/{n}/{ex.prompt}".encode()).hexdigest()[:16]
    digits = _digits(ex.mode, options)
    secret = (to_text(ex.answer), sp.latex(ex.answer))
    return {
        "prompt": ex.prompt,
        "variables": list(ex.variables),
        "shape": [ex.answer.rows, ex.answer.cols] if isinstance(ex.answer, sp.MatrixBase) else None,
        "digits": digits,
        "salt": salt,
        "fingerprint": fingerprint(ex.answer, ex.variables, salt=salt, digits=digits),
        "hints": [h for h in ex.hints if not _gives_away(h, ex, secret, salt, digits)],
    }


def _gives_away(hint: str, ex, secret, salt: str, digits: int) -> bool:
    """Whether a hint contains the answer (its text, its LaTeX, or any piece of it that reads as the answer)."""
    if any(s in hint for s in secret):
        return True
    want = fingerprint(ex.answer, ex.variables, salt=salt, digits=digits)
    for piece in [hint, *re.split(r"[=:;]|, so | is ", hint)]:
        piece = piece.strip().rstrip(".")
        try:
            value = parse(piece, variables=ex.variables or None)
            if fingerprint(value, ex.variables, salt=salt, digits=digits) == want:
                return True
        except (ParseError, InvalidArgumentError, ValueError, TypeError, ArithmeticError, RecursionError):
            continue
    return False


class Worksheet:
    """The checker a worksheet notebook creates: ``ws.check(n, "answer")`` for exercise n (from 1).

    It reads the learner's payload (see the module docstring) or, for the
    teacher's copy, an exported set (:func:`symtutor.export.dump`).

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> s = from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 1},
        ...                {"prompt": "Differentiate x^3.", "answer": "3x^2", "variables": ["x"]}]})
        >>> ws = Worksheet(_payload(s))
        >>> ws.check(1, "0").status, ws.check(2, "3 x x").status, ws.check(2, "3x").status
        ('incorrect', 'correct', 'incorrect')
    """

    def __init__(self, data: str):
        obj = json.loads(data)
        if isinstance(obj, dict) and obj.get("format") == _FORMAT:
            self._items = tuple(obj["items"])
            self._exercises = {}
        else:
            s = load(data)
            self._items = tuple({"exercise": k} for k in range(len(s.items)))
            self._exercises = dict(enumerate(s.items))

    def __len__(self) -> int:
        return len(self._items)

    def _item(self, n: int):
        if not isinstance(n, int) or not 1 <= n <= len(self._items):
            raise IndexError(f"there are exercises 1 to {len(self._items)}, not {n!r}")
        item = self._items[n - 1]
        if "exercise" in item:
            return self._exercises[item["exercise"]]
        if "topic" in item:
            if n - 1 not in self._exercises:
                self._exercises[n - 1] = generate(item["topic"], seed=item["seed"], difficulty=item["difficulty"])
            return self._exercises[n - 1]
        return item

    def check(self, n: int, answer: str) -> Feedback:
        """Check the answer to exercise ``n`` and show the verdict."""
        item = self._item(n)
        if not isinstance(item, dict):
            return item.check(answer)
        if not isinstance(answer, str) or not answer.strip():
            return Feedback("invalid", False, 0.0, "Type your answer between the quotes first.")
        try:
            value = parse(answer, variables=item["variables"] or None)
        except ParseError as exc:
            return Feedback("invalid", False, 0.0, exc.message)
        except (InvalidArgumentError, ValueError, TypeError, ArithmeticError, RecursionError):
            return Feedback("invalid", False, 0.0, "This answer cannot be read.")
        shape = [value.rows, value.cols] if isinstance(value, sp.MatrixBase) else None
        if shape != item["shape"]:
            want = "a single value" if item["shape"] is None else f"a {item['shape'][0]}x{item['shape'][1]} answer"
            return Feedback("incorrect", False, 0.0, f"The answer should be {want}.", parsed=sp.latex(value))
        try:
            ok = fingerprint(value, item["variables"], salt=item["salt"], digits=item["digits"]) == item["fingerprint"]
        except (ValueError, TypeError, ArithmeticError, RecursionError):
            ok = False
        if ok:
            return Feedback("correct", True, 1.0, "Correct.", parsed=sp.latex(value))
        return Feedback("incorrect", False, 0.0, "Not the expected answer.", parsed=sp.latex(value))

    def hint(self, n: int, k: int = 1) -> str:
        """The k-th hint to exercise n."""
        item = self._item(n)
        hints = item["hints"] if isinstance(item, dict) else item.hints
        return hints[min(max(k, 1), len(hints)) - 1] if hints else "No hint for this one."


def _payload(s: ExerciseSet) -> str:
    return json.dumps({"format": _FORMAT, "items": [_public(ex, n) for n, ex in enumerate(s.items, 1)]},
                      ensure_ascii=False, sort_keys=True)


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def to_notebook(s: ExerciseSet, *, answers: bool = False) -> str:
    """The set as a notebook (nbformat 4): a prompt and an answer cell per exercise.

    The learner's notebook (the default) holds no answer key (see the module
    docstring); ``answers=True`` makes the teacher's copy, with the whole set.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> nb = json.loads(to_notebook(from_spec({"title": "T", "items": [{"topic": "chain_rule", "seed": 1}]})))
        >>> nb["nbformat"], len(nb["cells"])
        (4, 4)
    """
    from .text import _markdown_text, _prompt_markdown

    data = dump(s) if answers else _payload(s)
    cells = [
        _cell("markdown", f"# {_markdown_text(s.title, line=True)}\n\n{_markdown_text(s.description)}\n\n"
                          "Type each answer between the quotes and run the cell."),
        _cell("code", "from symtutor.export.notebook import Worksheet\n\nws = Worksheet(" + repr(data) + ")"),
    ]
    for n, ex in enumerate(s.items, 1):
        cells.append(_cell("markdown", f"**{n}.** {_prompt_markdown(ex)}"))
        cells.append(_cell("code", f'answer = ""\nws.check({n}, answer)'))
    cells[1]["metadata"]["jupyter"] = {"source_hidden": True}
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"cell-{i}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
