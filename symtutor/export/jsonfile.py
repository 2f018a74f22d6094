"""Exercise sets as JSON, with a JSON Schema shipped beside this module."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import sympy as sp

from ..errors import InvalidArgumentError
from ..exercises.core import Exercise
from ..exercises.sets import ExerciseSet
from ..parsing import parse, to_text

__all__ = ["SCHEMA_VERSION", "SCHEMA_PATH", "schema", "to_dict", "from_dict", "dump", "load"]

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("exercise-set.schema.json")


@lru_cache(maxsize=1)
def schema() -> dict:
    """The JSON Schema that every exported exercise set satisfies."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _options_to_json(options) -> dict:
    out = {}
    for key, value in options:
        if key == "function":
            out[key] = to_text(value)
        elif key == "point":
            out[key] = [to_text(p) for p in value]
        else:
            out[key] = value if not isinstance(value, sp.Basic) else to_text(value)
    return out


def _exercise_to_dict(ex: Exercise) -> dict:
    return {
        "id": ex.id,
        "topic": ex.topic,
        "difficulty": ex.difficulty,
        "seed": ex.seed,
        "prompt": ex.prompt,
        "prompt_latex": ex.prompt_latex,
        "variables": list(ex.variables),
        "answer": to_text(ex.answer),
        "mode": ex.mode,
        "hints": list(ex.hints),
        "solution": list(ex.solution),
        "options": _options_to_json(ex.options),
    }


def to_dict(s: ExerciseSet) -> dict:
    """The set as plain JSON data, with ``schema_version``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "title": s.title,
        "description": s.description,
        "items": [_exercise_to_dict(ex) for ex in s.items],
    }


def _exercise_from_dict(d: dict) -> Exercise:
    names = tuple(d["variables"])
    answer = parse(d["answer"], variables=names)
    if isinstance(answer, sp.MatrixBase):
        answer = sp.ImmutableMatrix(answer)
    options = []
    for key, value in d.get("options", {}).items():
        if key == "function":
            value = parse(value, variables=names)
        elif key == "point":
            value = tuple(parse(p) for p in value)
        options.append((key, value))
    return Exercise(
        id=d["id"], topic=d["topic"], difficulty=d["difficulty"], seed=d["seed"], prompt=d["prompt"],
        prompt_latex=d["prompt_latex"], variables=names, answer=answer, mode=d["mode"], hints=tuple(d["hints"]),
        solution=tuple(d["solution"]), options=tuple(sorted(options, key=lambda kv: kv[0])),
    )


def from_dict(data: dict) -> ExerciseSet:
    """An ExerciseSet from data written by :func:`to_dict` (validated against the schema first)."""
    import jsonschema

    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        raise InvalidArgumentError(
            f"this file has schema_version {version!r}; this symtutor reads version {SCHEMA_VERSION}"
        )
    try:
        jsonschema.validate(data, schema())
    except jsonschema.ValidationError as exc:
        raise InvalidArgumentError(f"not a valid exercise set: {exc.message}") from None
    return ExerciseSet(data["title"], tuple(_exercise_from_dict(d) for d in data["items"]), data["description"])


def dump(s: ExerciseSet) -> str:
    """The set as JSON text (stable: the same set gives the same bytes).

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> s = from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 3}]})
        >>> load(dump(s)) == s
        True
    """
    return json.dumps(to_dict(s), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def load(text: str) -> ExerciseSet:
    """Read a set written by :func:`dump`."""
    return from_dict(json.loads(text))
