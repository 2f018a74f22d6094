"""What each API route computes: one library call each, formatted as JSON-ready dicts.

The functions named ``*_in_worker`` run inside a pool worker (a sandbox with
time and memory bounds): they take and return plain, picklable values.  The
others run in the server process and hand the heavy part to a sandbox.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import lru_cache

from ..checking import Feedback, Inline, check
from ..errors import InvalidArgumentError
from ..exercises.core import TOPICS, Exercise, generate, topics
from ..render import expr_latex, expr_text, render_steps
from ..steps import StepMatrix, derivative_steps, gradient_steps, hessian_steps, jacobian_steps

__all__ = [
    "EXERCISE_ID",
    "parse_exercise_id",
    "exercise_json",
    "feedback_json",
    "check_exercise",
    "check_exercise_in_worker",
    "check_in_worker",
    "undecided",
    "ExerciseCache",
    "validate_in_worker",
    "steps_in_worker",
    "generate_in_worker",
]

EXERCISE_ID = r"^[a-z][a-z0-9_]*-[123]-[0-9]{1,9}$"
"""An exercise id is ``topic-difficulty-seed``: the exercise is generated again from it, nothing is stored."""


def parse_exercise_id(eid: str) -> tuple[str, int, int]:
    """(topic, difficulty, seed) of an exercise id, as :func:`symtutor.generate` names them.

    Examples:
        >>> parse_exercise_id("chain_rule-2-17")
        ('chain_rule', 2, 17)
    """
    if not re.match(EXERCISE_ID, eid):
        raise InvalidArgumentError(f"an exercise id is topic-difficulty-seed, e.g. chain_rule-2-17, not {eid!r}")
    topic, difficulty, seed = eid.rsplit("-", 2)
    if topic not in topics():
        raise InvalidArgumentError(f"unknown topic {topic!r} in exercise id {eid!r}; see /api/v1/topics")
    return topic, int(difficulty), int(seed)


def generate_in_worker(topic: str, difficulty: int, seed: int) -> Exercise:
    """:func:`symtutor.generate`, run in a worker."""
    return generate(topic, seed=seed, difficulty=difficulty)


class ExerciseCache:
    """The exercises generated lately, by id (generation runs in a worker, once per id).

    Examples:
        >>> cache = ExerciseCache(2)
        >>> cache.get("power_rule-1-7") is None
        True
        >>> cache.put(generate("power_rule", seed=7))
        >>> cache.get("power_rule-1-7").topic
        'power_rule'
    """

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[str, Exercise] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, eid: str) -> Exercise | None:
        with self._lock:
            ex = self._items.get(eid)
            if ex is not None:
                self._items.move_to_end(eid)
            return ex

    def put(self, ex: Exercise) -> None:
        with self._lock:
            self._items[ex.id] = ex
            self._items.move_to_end(ex.id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _maths(value) -> dict:
    return {"text": expr_text(value), "latex": expr_latex(value)}


def exercise_json(ex: Exercise, *, answer: bool = True) -> dict:
    """An exercise as JSON: the prompt (text and LaTeX), variables, mode, hints; the answer and solution if asked.

    Examples:
        >>> d = exercise_json(generate("power_rule", seed=7), answer=False)
        >>> d["id"], "answer" in d
        ('power_rule-1-7', False)
    """
    out = {
        "id": ex.id,
        "topic": ex.topic,
        "topic_description": topics()[ex.topic],
        "week": TOPICS[ex.topic].week,
        "difficulty": ex.difficulty,
        "seed": ex.seed,
        "prompt": ex.prompt,
        "prompt_latex": ex.prompt_latex,
        "variables": list(ex.variables),
        "mode": ex.mode,
        "hint_count": len(ex.hints),
    }
    function = dict(ex.options).get("function")
    if function is not None:
        out["function"] = _maths(function)
    if answer:
        out["hints"] = list(ex.hints)
        out["solution"] = list(ex.solution)
        out["answer"] = _maths(ex.answer)
        out["answer"]["text"] = ex.answer_text
    return out


def feedback_json(fb: Feedback) -> dict:
    """A :class:`symtutor.Feedback` as JSON.

    Examples:
        >>> feedback_json(check("2x", "2*x"))["status"]
        'correct'
    """
    return {
        "status": fb.status,
        "correct": fb.correct,
        "score": fb.score,
        "message": fb.message,
        "diagnosis": fb.diagnosis,
        "understood": fb.understood,
        "understood_latex": fb.parsed,
        "wrong_entries": [list(e) for e in fb.wrong_entries],
    }


def check_exercise(ex: Exercise, text: str, box, *, timeout: float = 1.0) -> Feedback:
    """``ex.check(text)``, with the check run in the given sandbox (a slot of the server's pool).

    Examples:
        >>> from symtutor.sandbox import default_sandbox
        >>> ex = generate("power_rule", seed=7)
        >>> check_exercise(ex, ex.answer_text, default_sandbox()).correct
        True
    """
    return check(text, ex.answer, variables=ex.variables, mode=ex.mode, timeout=timeout, sandbox=box,
                 **dict(ex.options))


def undecided(timeout: float) -> dict:
    """The answer to a check that ran out of time: undecided, as :func:`symtutor.check` says it."""
    return feedback_json(Feedback("undecided", False, 0.0, f"Checking this answer took longer than {timeout:g} s, "
                                  "so it was stopped. Try writing it more simply."))


@lru_cache(maxsize=256)
def _exercise(eid: str) -> Exercise:
    topic, difficulty, seed = parse_exercise_id(eid)
    return generate(topic, seed=seed, difficulty=difficulty)


def check_exercise_in_worker(eid: str, answer: str) -> dict:
    """The Feedback on an answer to the exercise of that id (generated once per worker), as JSON.

    The check runs here, in the worker that called this: its bounds are the worker's.

    Examples:
        >>> check_exercise_in_worker("power_rule-1-7", "-18x^5")["correct"]
        True
    """
    ex = _exercise(eid)
    return feedback_json(check(answer, ex.answer, variables=ex.variables, mode=ex.mode, sandbox=Inline(),
                               **dict(ex.options)))


def check_in_worker(answer: str, expected: str, options: dict) -> dict:
    """The Feedback on an answer to a given expected answer, as JSON (the check runs in this worker).

    Examples:
        >>> check_in_worker("cos(x^2)", "2x cos(x^2)", {"function": "sin(x^2)", "wrt": "x"})["diagnosis"]
        'chain_rule_inner_missing'
    """
    return feedback_json(check(answer, expected, sandbox=Inline(), **options))


def validate_in_worker(answer: str, variables, functions) -> dict:
    """What was understood of an answer: its reading(s) as text and LaTeX, never a verdict."""
    try:
        from .. import validate  # the parser's own validation (ambiguous readings included)
    except ImportError:  # pragma: no cover - a symtutor without it
        return _read_only(answer, variables, functions)
    v = validate(answer, variables=variables, functions=tuple(functions))
    return {
        "status": v.status,
        "text": v.text,
        "latex": v.latex,
        "readings": [{"text": t, "latex": tex} for t, tex in v.readings],
        "message": v.message,
    }


def _read_only(answer: str, variables, functions) -> dict:
    from ..errors import ParseError
    from ..parsing import read

    try:
        r = read(answer, variables=variables, functions=functions)
    except ParseError as exc:
        where = f" (at character {exc.position + 1})" if exc.position is not None else ""
        return {"status": "invalid", "text": "", "latex": "", "readings": [], "message": f"{exc.message}{where}"}
    return {"status": "ok", "text": r.text, "latex": r.latex, "readings": [{"text": r.text, "latex": r.latex}],
            "message": ""}


_STEPS = {"derivative": derivative_steps, "gradient": gradient_steps, "jacobian": jacobian_steps,
          "hessian": hessian_steps}


def _node(step) -> dict:
    return {
        "rule": step.rule,
        "formula": step.formula,
        "formula_latex": step.formula_latex,
        "expr": _maths(step.expr),
        "var": str(step.var),
        "result": _maths(step.result),
        "children": [_node(c) for c in step.children],
    }


def steps_in_worker(kind: str, expr: str, variables) -> dict:
    """A derivation as data (a tree of rules, or a matrix of trees), with its text and LaTeX renderings.

    Examples:
        >>> d = steps_in_worker("derivative", "x^2 sin(x)", "x")
        >>> d["tree"]["rule"], [c["rule"] for c in d["tree"]["children"]]
        ('product rule', ['power rule', 'trigonometric rule'])
    """
    if kind not in _STEPS:
        raise InvalidArgumentError(f"kind must be one of {', '.join(_STEPS)}, not {kind!r}")
    tree = _STEPS[kind](expr, variables)
    out = {"kind": kind, "text": render_steps(tree), "latex": render_steps(tree, fmt="latex"),
           "result": _maths(tree.result)}
    if isinstance(tree, StepMatrix):
        out["variables"] = [str(v) for v in tree.variables]
        out["entries"] = [[_node(s) for s in row] for row in tree.entries]
        out["mirrored"] = sorted([list(p) for p in tree.mirrored])
    else:
        out["variables"] = [str(tree.var)]
        out["tree"] = _node(tree)
    return out
