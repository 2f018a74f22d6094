"""Exercise sets as JSON, with a JSON Schema shipped beside this module."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import sympy as sp

from ..checking import MODES
from ..errors import InvalidArgumentError, SpecError
from ..exercises.core import Exercise
from ..exercises.sets import ExerciseSet
from ..exercises.spec import MAX_EXERCISES
from ..parsing import MAX_LENGTH, to_text

__all__ = ["SCHEMA_VERSION", "SCHEMA_PATH", "MAX_JSON", "MAX_ITEMS", "schema", "to_dict", "from_dict", "dump", "load"]

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


MAX_ITEMS = MAX_EXERCISES
"""The most exercises a set read back may hold (as many as one spec may make)."""
MAX_JSON = 32 * 2**20
"""The largest exported set read back (characters)."""
_KEYS = {"id", "topic", "difficulty", "seed", "prompt", "prompt_latex", "variables", "answer", "mode", "hints",
         "solution", "options"}
_OPTIONS = {"function", "wrt", "point", "order", "tolerance"}


def _regenerated(d: dict) -> Exercise | None:
    """The exercise ``d`` describes, regenerated from (topic, difficulty, seed), if it is exactly that one."""
    from ..exercises.core import TOPICS, generate, topics

    topics()
    topic, difficulty, seed = d.get("topic"), d.get("difficulty"), d.get("seed")
    if not (isinstance(topic, str) and topic in TOPICS and difficulty in (1, 2, 3) and not isinstance(difficulty, bool)
            and isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= 10**12):
        return None
    ex = generate(topic, seed=seed, difficulty=difficulty)
    return ex if _exercise_to_dict(ex) == d else None


def _exercise_from_dict(d, index: int, source: str) -> Exercise:
    from .._texsafe import UnsafeLatex, safe_latex
    from ..exercises.spec import _expression, _no_control, _texts, _tolerance, _variables, _Where

    if not isinstance(d, dict):
        raise SpecError(f"{source}: item {index + 1}: must be an object, not {type(d).__name__}")
    same = _regenerated(d)
    if same is not None:  # a generated exercise, unchanged: the generator's own values, exactly
        return same
    where = _Where(source, index, d.get("id") if isinstance(d.get("id"), str) else None)
    missing = sorted(_KEYS - set(d))
    if missing:
        raise where.error(missing[0], "is missing")
    extra = sorted(map(str, set(d) - _KEYS))
    if extra:
        raise where.error(extra[0], "is an unknown field")
    for key, most in (("id", 100), ("topic", 100), ("prompt", 4000), ("prompt_latex", 4000)):
        if not isinstance(d[key], str) or not (key not in ("id",) or 1 <= len(d[key])) or len(d[key]) > most:
            raise where.error(key, f"must be text of at most {most} characters")
        _no_control(where, key, d[key])
    for key, lo, hi, nullable in (("difficulty", 0, 3, False), ("seed", 0, 10**12, True)):
        v = d[key]
        if not (v is None and nullable) and (isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi):
            raise where.error(key, f"must be an integer from {lo} to {hi}, not {v!r}"[:120])
    try:
        safe_latex(d["prompt_latex"])
    except UnsafeLatex as exc:
        raise where.error("prompt_latex", str(exc)) from None
    names = _variables(where, d)
    if d["mode"] not in MODES:
        raise where.error("mode", f"must be one of {', '.join(MODES)}")
    answer = _expression(where, "answer", d["answer"], names, longest=MAX_LENGTH)
    hints = _texts(where, d, "hints", most=20, maximum=20_000)
    solution = _texts(where, d, "solution", most=5000, maximum=20_000)
    opts = d["options"]
    if not isinstance(opts, dict) or set(opts) - _OPTIONS:
        raise where.error("options", f"must be an object with some of {', '.join(sorted(_OPTIONS))}")
    options = []
    for key, value in opts.items():
        if key == "function":
            value = _expression(where, "function", value, names, allow_matrix=False, longest=MAX_LENGTH)
        elif key == "point":
            if not isinstance(value, list) or not 1 <= len(value) <= 10:
                raise where.error("point", "must be a list of 1 to 10 numbers")
            value = tuple(_expression(where, "point", p, (), allow_matrix=False, constant=True) for p in value)
        elif key == "wrt":
            if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]{0,19}", value):
                raise where.error("wrt", "must be a variable name")
        elif key == "order":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                raise where.error("order", "must be an integer from 0 to 10")
        elif key == "tolerance":
            value = _tolerance(where, value)
        options.append((key, value))
    if d["mode"] == "taylor" and not {"point", "order"} <= set(opts):
        raise where.error("options", "mode 'taylor' needs a point and an order")
    return Exercise(
        id=d["id"], topic=d["topic"], difficulty=d["difficulty"], seed=d["seed"], prompt=d["prompt"],
        prompt_latex=d["prompt_latex"], variables=names, answer=answer, mode=d["mode"], hints=hints,
        solution=solution, options=tuple(sorted(options, key=lambda kv: kv[0])),
    )


def from_dict(data: dict, *, source: str = "exercise set") -> ExerciseSet:
    """An ExerciseSet from data written by :func:`to_dict`, every field checked (the rules of :func:`schema`).

    Errors are :class:`~symtutor.errors.SpecError` naming the item and field.
    """
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        raise InvalidArgumentError(
            f"this file has schema_version {version!r}; this symtutor reads version {SCHEMA_VERSION}"
        )
    extra = sorted(map(str, set(data) - {"schema_version", "title", "description", "items"}))
    if extra:
        raise SpecError(f"{source}: not a valid exercise set: unknown field '{extra[0]}'")
    for key in ("title", "description"):
        if not isinstance(data.get(key), str) or len(data[key]) > 4000:
            raise SpecError(f"{source}: not a valid exercise set: field '{key}' must be text of at most 4000 characters")
    items = data.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:  # as many as a spec may make: reading stays bounded
        raise SpecError(f"{source}: not a valid exercise set: field 'items' must be a list of at most "
                        f"{MAX_ITEMS} items")
    exercises, seen = [], {}
    for i, d in enumerate(items):
        ex = _exercise_from_dict(d, i, source)
        first = seen.setdefault(ex.id, (i, ex))
        if first[1] != ex:  # grading finds an exercise by its id: one id, one exercise
            raise SpecError(f"{source}: item {i + 1}, field 'id': {ex.id!r} is also the id of item {first[0] + 1}, "
                            "a different exercise")
        exercises.append(ex)
    return ExerciseSet(data["title"], tuple(exercises), data["description"])


def dump(s: ExerciseSet) -> str:
    """The set as JSON text (stable: the same set gives the same bytes).

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> s = from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 3}]})
        >>> load(dump(s)) == s
        True
    """
    return json.dumps(to_dict(s), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def load(text: str, *, source: str = "exercise set") -> ExerciseSet:
    """Read a set written by :func:`dump` (at most :data:`MAX_JSON` characters); errors name the item and field."""
    if not isinstance(text, str):
        raise TypeError(f"load() reads JSON text, not {type(text).__name__}")
    if len(text) > MAX_JSON:
        raise SpecError(f"{source}: the file is larger than {MAX_JSON // 2**20} MB")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SpecError(f"{source}: not valid JSON: {str(exc).splitlines()[0][:200]}") from None
    return from_dict(data, source=source)
