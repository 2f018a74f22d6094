"""Exercise sets: titled lists of generated and hand-written exercises, built from YAML specs.

A spec is a mapping with a ``title`` and ``items``; each item either generates
(``topic``, ``difficulty``, ``count``, ``seed``) or is written out (``prompt``,
``answer``, ``variables``, ``mode`` and optionally ``prompt_latex``, ``hints``,
``solution``, ``tolerance``, ``point``, ``order``, ``function``, ``wrt``).
Answers are read by symtutor's safe parser; YAML is read with ``safe_load``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from ..checking import MODES
from ..errors import InvalidArgumentError
from ..parsing import parse, to_text
from .core import Exercise, generate

__all__ = ["ExerciseSet", "load_spec", "from_spec"]


@dataclass(frozen=True, slots=True)
class ExerciseSet:
    """A titled, ordered collection of exercises.

    Examples:
        >>> s = from_spec({"title": "Warm-up", "items": [{"topic": "power_rule", "count": 2, "seed": 1}]})
        >>> s.title, len(s.items), s.items[0].id
        ('Warm-up', 2, 'power_rule-1-1')
    """

    title: str
    items: tuple[Exercise, ...]
    description: str = ""


_GENERATED = {"topic", "difficulty", "count", "seed"}
_WRITTEN = {"prompt", "prompt_latex", "answer", "variables", "mode", "hints", "solution", "tolerance", "point",
            "order", "function", "wrt", "id"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "set"


def _written(item: Mapping, index: int, title: str) -> Exercise:
    unknown = set(item) - _WRITTEN
    if unknown:
        raise InvalidArgumentError(f"item {index + 1}: unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("prompt", "answer"):
        if key not in item:
            raise InvalidArgumentError(f"item {index + 1}: a written item needs '{key}'")
    variables = item.get("variables", [])
    if isinstance(variables, str):
        variables = [v for v in re.split(r"[\s,]+", variables) if v]
    variables = tuple(str(v) for v in variables)
    mode = item.get("mode", "equivalent")
    if mode not in MODES:
        raise InvalidArgumentError(f"item {index + 1}: mode must be one of {', '.join(MODES)}, not {mode!r}")
    answer = parse(str(item["answer"]), variables=variables or None)
    if isinstance(answer, sp.MatrixBase):
        answer = sp.ImmutableMatrix(answer)
    options = []
    if "function" in item:
        options.append(("function", parse(str(item["function"]), variables=variables or None)))
    if "wrt" in item:
        options.append(("wrt", str(item["wrt"])))
    if "point" in item:
        point = item["point"] if isinstance(item["point"], list) else [item["point"]]
        options.append(("point", tuple(parse(str(p)) for p in point)))
    if "order" in item:
        options.append(("order", int(item["order"])))
    if "tolerance" in item:
        options.append(("tolerance", item["tolerance"]))
    solution = tuple(str(s) for s in item.get("solution", ()))
    if not solution or not solution[-1].startswith("Answer:"):
        solution = (*solution, f"Answer: {to_text(answer)}")
    return Exercise(
        id=str(item.get("id", f"{_slug(title)}-{index + 1}")),
        topic="written",
        difficulty=0,
        seed=None,
        prompt=str(item["prompt"]),
        prompt_latex=str(item.get("prompt_latex", item["prompt"])),
        variables=variables,
        answer=answer,
        mode=mode,
        hints=tuple(str(h) for h in item.get("hints", ())),
        solution=solution,
        options=tuple(sorted(options, key=lambda kv: kv[0])),
    )


def from_spec(spec: Mapping, *, progress: Callable[[int, int], None] | None = None) -> ExerciseSet:
    """Build an ExerciseSet from a spec mapping (see the module docstring).

    ``progress(done, total)`` is called after each exercise, for a progress bar.

    Examples:
        >>> s = from_spec({"title": "Mixed", "items": [
        ...     {"topic": "hessian", "difficulty": 2, "count": 2, "seed": 5},
        ...     {"prompt": "Differentiate x^3.", "answer": "3x^2", "variables": ["x"]}]})
        >>> [ex.id for ex in s.items]
        ['hessian-2-5', 'hessian-2-6', 'mixed-2']
        >>> s.items[2].check("3 x x").correct
        True
    """
    if not isinstance(spec, Mapping) or "title" not in spec or "items" not in spec:
        raise InvalidArgumentError("a spec is a mapping with a 'title' and a list of 'items'")
    title = str(spec["title"])
    plan = []
    for i, item in enumerate(spec["items"]):
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(f"item {i + 1} must be a mapping, not {type(item).__name__}")
        if "topic" in item:
            unknown = set(item) - _GENERATED
            if unknown:
                raise InvalidArgumentError(f"item {i + 1}: unknown field(s) {', '.join(sorted(unknown))}")
            count, seed = int(item.get("count", 1)), int(item.get("seed", 0))
            for k in range(count):
                plan.append(("generate", item["topic"], int(item.get("difficulty", 1)), seed + k))
        else:
            plan.append(("written", item, i))
    items = []
    for n, step in enumerate(plan, 1):
        if step[0] == "generate":
            items.append(generate(step[1], seed=step[3], difficulty=step[2]))
        else:
            items.append(_written(step[1], step[2], title))
        if progress is not None:
            progress(n, len(plan))
    return ExerciseSet(title, tuple(items), str(spec.get("description", "")))


def load_spec(path, *, progress: Callable[[int, int], None] | None = None) -> ExerciseSet:
    """Read a YAML spec file and build its ExerciseSet.

    Examples:
        >>> from pathlib import Path
        >>> import symtutor
        >>> spec = Path(symtutor.__file__).parent / "data" / "exercises" / "week1.yaml"
        >>> load_spec(spec).title
        'Week 1: derivatives and their rules'
    """
    import yaml

    text = Path(path).read_text(encoding="utf-8")
    return from_spec(yaml.safe_load(text), progress=progress)
