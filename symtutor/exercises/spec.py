"""Exercise-set specs: a bounded YAML reader and a schema checked before anything is generated.

A spec is a mapping::

    title: "Week 2"                  # text, 1 to 200 characters
    description: "..."               # optional, at most 2000 characters
    items:                           # 1 to 500 items, making at most 1000 exercises
      - {topic: gradient, difficulty: 2, count: 3, seed: 1}     # generated
      - prompt: "Differentiate x^3."                            # written
        answer: "3x^2"
        variables: [x]

A generated item has ``topic`` (a registered topic), and optionally
``difficulty`` (1, 2 or 3), ``count`` (1 to 1000), ``seed`` (0 to 10^12) and
``title``.  A written item has ``prompt`` and ``answer`` and optionally
``title``, ``id``, ``prompt_latex`` (maths commands only: see
:mod:`symtutor._texsafe`), ``variables``, ``mode``, ``hints``, ``solution``,
``tolerance`` (a positive number, or one of ``{rel: r}``, ``{abs: a}``,
``{sig: n}``), ``point`` and ``order`` (required in mode ``taylor``),
``function`` and ``wrt`` (a declared variable).  Every expression is read by
symtutor's parser and must be defined (``log(0)`` is refused).

The YAML reader accepts only plain YAML: no anchors or aliases (so no
"billion laughs"), no tags such as ``!!python/object``, no duplicate keys, at
most :data:`MAX_BYTES` bytes and :data:`MAX_DEPTH` levels of nesting.

Every error is a :class:`~symtutor.errors.SpecError` whose one-line message
names the file, the item (its number and title) and the field.

The structure and limits are also shipped as a JSON Schema for editors,
:data:`SCHEMA_PATH` (``symtutor/export/spec.schema.json``); :func:`validate`
checks more (expressions read and defined, safe LaTeX, the total count).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from .._texsafe import UnsafeLatex, safe_latex
from ..checking import MODES
from ..errors import InvalidArgumentError, ParseError, SpecError
from ..parsing import parse

__all__ = [
    "SCHEMA_PATH", "MAX_BYTES", "MAX_DEPTH", "MAX_ITEMS", "MAX_COUNT", "MAX_EXERCISES", "MAX_SEED",
    "Generated", "Written", "read_yaml", "read_spec_file", "validate",
]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "export" / "spec.schema.json"
"""A JSON Schema of specs (structure and limits), for editors that check YAML against one."""

MAX_BYTES = 256 * 1024
"""The largest spec file read (bytes)."""
MAX_DEPTH = 12
"""The deepest nesting of lists and mappings in a spec."""
MAX_ITEMS = 500
MAX_COUNT = 1000
MAX_EXERCISES = 1000
"""The most exercises one spec may make (all items' counts together)."""
MAX_SEED = 10**12
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]{0,19}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_TOP = {"title", "description", "items"}
_GENERATED = {"topic", "difficulty", "count", "seed", "title"}
_WRITTEN = {"title", "id", "prompt", "prompt_latex", "answer", "variables", "mode", "hints", "solution",
            "tolerance", "point", "order", "function", "wrt"}


@dataclass(frozen=True, slots=True)
class Generated:
    """A validated generated item: ``count`` exercises on ``topic`` from ``seed`` on."""

    topic: str
    difficulty: int
    count: int
    seed: int


@dataclass(frozen=True, slots=True)
class Written:
    """A validated hand-written item, its expressions already parsed."""

    index: int
    id: str | None
    prompt: str
    prompt_latex: str | None
    variables: tuple[str, ...]
    answer: object
    mode: str
    hints: tuple[str, ...]
    solution: tuple[str, ...]
    options: tuple[tuple[str, object], ...]


# --------------------------------------------------------------------------
# YAML


def _loader_class():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader without anchors, aliases, tags or duplicate keys, and with a nesting bound."""

        depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise _YamlRefusal("aliases (*name) are not allowed in specs", event.start_mark)
            if getattr(event, "anchor", None) is not None:
                raise _YamlRefusal("anchors (&name) are not allowed in specs", event.start_mark)
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _PLAIN_TAGS:
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                raise _YamlRefusal(f"tags such as {shown[:40]} are not allowed in specs", event.start_mark)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise _YamlRefusal(f"lists and mappings are nested more than {MAX_DEPTH} deep", event.start_mark)
                try:
                    return super().compose_node(parent, index)
                finally:
                    self.depth -= 1
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise _YamlRefusal("a mapping key must be plain text", key_node.start_mark) from None
                if key in seen:
                    raise _YamlRefusal(f"the key {key!r} appears twice", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


_PLAIN_TAGS = frozenset(["!"] + [f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")])


class _YamlRefusal(Exception):
    def __init__(self, message, mark):
        super().__init__(message)
        self.message, self.mark = message, mark


def read_yaml(text: str, *, source: str = "spec") -> object:
    """Read plain YAML (no anchors, aliases, tags or duplicate keys) or raise SpecError naming ``source``.

    Examples:
        >>> read_yaml("title: T\\nitems: []")
        {'title': 'T', 'items': []}
        >>> read_yaml("a: &x [1]\\nb: *x", source="w.yaml")
        Traceback (most recent call last):
        ...
        symtutor.errors.SpecError: w.yaml: line 1, column 4: anchors (&name) are not allowed in specs
    """
    import yaml

    if len(text) > MAX_BYTES:
        raise SpecError(f"{source}: the spec is {len(text)} characters long; at most {MAX_BYTES}")
    loader = None
    try:
        loader = _loader_class()(text)  # its reader refuses control characters at once
        return loader.get_single_data()
    except _YamlRefusal as exc:
        raise SpecError(f"{source}: {_where(exc.mark)}{exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "not valid YAML"
        raise SpecError(f"{source}: {_where(mark)}{_oneline(what)}") from None
    except yaml.reader.ReaderError as exc:
        raise SpecError(f"{source}: character {exc.position + 1}: the character #x{exc.character:04x} is not allowed "
                        "in YAML (control characters are not)") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: not valid YAML: {_oneline(str(exc))}") from None
    except RecursionError:
        raise SpecError(f"{source}: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def _oneline(text: str) -> str:
    return " ".join(str(text).split())[:200]


def read_spec_file(path) -> tuple[object, str]:
    """The data of a YAML spec file and the name to use in messages (its file name).

    Reads at most :data:`MAX_BYTES` bytes; a bigger file is refused unread.
    """
    p = Path(path)
    source = p.name or str(p)
    try:
        if p.exists() and not p.is_dir() and not p.is_file():  # a pipe or device: reading it may never end
            raise SpecError(f"{source}: is not a regular file, so it is not read as a spec")
        with open(p, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError(f"{source}: no such spec file") from None
    except IsADirectoryError:
        raise SpecError(f"{source}: is a folder, not a spec file") from None
    except OSError as exc:
        raise SpecError(f"{source}: cannot read it ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise SpecError(f"{source}: the spec is larger than {MAX_BYTES // 1024} KB; split it into several files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{source}: not UTF-8 text (byte {exc.start + 1})") from None
    return read_yaml(text, source=source), source


# --------------------------------------------------------------------------
# the schema


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Where:
    def __init__(self, source: str, index: int | None = None, title: str | None = None):
        self.source, self.index, self.title = source, index, title

    def error(self, field: str, message: str) -> SpecError:
        item = ""
        if self.index is not None:
            label = f" ({_show(self.title) if len(self.title) <= 40 else _show(self.title[:30] + '...')})" if self.title else ""
            item = f"item {self.index + 1}{label}, "
        return SpecError(f"{self.source}: {item}field '{field}': {message}")


def _text(where: _Where, item: Mapping, field: str, *, maximum: int, required: bool = False, minimum: int = 0):
    if field not in item:
        if required:
            raise where.error(field, "is missing")
        return None
    value = item[field]
    if value is None and not required:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and field not in ("prompt", "title"):
        value = str(value)
    if not isinstance(value, str):
        raise where.error(field, f"must be text, not {_show(value)}")
    if not minimum <= len(value) <= maximum:
        raise where.error(field, f"must be text of {minimum} to {maximum} characters, not {len(value)}")
    _no_control(where, field, value)
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(where: _Where, field: str, value: str, entry: str = "") -> None:
    bad = _CONTROL.search(value)
    if bad:
        raise where.error(field, f"{entry}has the control character {bad.group()!r} at character {bad.start() + 1}")


def _integer(where: _Where, item: Mapping, field: str, lo: int, hi: int, default: int) -> int:
    value = item.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise where.error(field, f"must be an integer from {lo} to {hi}, not {_show(value)}")
    return value


def _texts(where: _Where, item: Mapping, field: str, *, most: int, maximum: int) -> tuple[str, ...]:
    value = item.get(field)
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > most:
        raise where.error(field, f"must be a list of at most {most} texts, not {_show(value)}")
    out = []
    for k, v in enumerate(value):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str) or len(v) > maximum:
            raise where.error(field, f"entry {k + 1} must be text of at most {maximum} characters, not {_show(v)}")
        _no_control(where, field, v, f"entry {k + 1} ")
        out.append(v)
    return tuple(out)


def _undefined(value) -> bool:
    parts = list(value) if isinstance(value, sp.MatrixBase) else [value]
    return any(
        not isinstance(p, sp.Basic) or p.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or (p.is_number and p.is_finite is False)
        for p in parts
    )


def _expression(where: _Where, field: str, text, variables, *, allow_matrix: bool = True, constant: bool = False,
                longest: int = 2000):
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise where.error(field, f"must be an expression typed as text, not {_show(text)}")
    if isinstance(text, float) and not math.isfinite(text):
        raise where.error(field, f"must be a finite number, not {_show(text)}")
    text = str(text)
    if not 1 <= len(text) <= longest:
        raise where.error(field, f"must be an expression of 1 to {longest} characters, not {len(text)}")
    try:
        value = parse(text, variables=variables or None)
    except ParseError as exc:
        raise where.error(field, f"cannot be read: {_oneline(exc.message)}") from None
    except (InvalidArgumentError, ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        raise where.error(field, f"cannot be read: {_oneline(exc)}") from None
    if isinstance(value, sp.MatrixBase):
        if not allow_matrix:
            raise where.error(field, f"must be one expression, not a matrix: {_show(text)}")
        value = sp.ImmutableMatrix(value)
    if _undefined(value):
        raise where.error(field, f"is undefined or infinite ({_show(text)})")
    if constant and value.free_symbols:
        names = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise where.error(field, f"must be a number, but it uses {names}")
    return value


def _tolerance(where: _Where, value):
    forms = "a positive number (relative), or {rel: r}, {abs: a} or {sig: n}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and 0 < value <= 1:
            return value
        raise where.error("tolerance", f"a relative tolerance must be above 0 and at most 1, not {_show(value)}")
    if isinstance(value, Mapping) and len(value) == 1:
        (k, v), = value.items()
        if k == "sig":
            if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 15:
                return {"sig": v}
            raise where.error("tolerance", f"'sig' must be an integer from 1 to 15, not {_show(v)}")
        if k in ("rel", "abs"):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0 \
                    and (k == "abs" or v <= 1):
                return {k: v}
            raise where.error("tolerance", f"'{k}' must be a positive number{' at most 1' if k == 'rel' else ''}, "
                                           f"not {_show(v)}")
    raise where.error("tolerance", f"must be {forms}, not {_show(value)}")


def _variables(where: _Where, item: Mapping) -> tuple[str, ...]:
    value = item.get("variables")
    if value is None:
        value = []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\s,]+", value) if v]
    if not isinstance(value, list) or len(value) > 10:
        raise where.error("variables", f"must be a list of at most 10 variable names, not {_show(value)}")
    out = []
    for v in value:
        if not isinstance(v, str) or not _NAME.fullmatch(v):
            raise where.error("variables", f"{_show(v)} is not a variable name (letters, digits, _)")
        if v in out:
            raise where.error("variables", f"names {v} twice")
        out.append(v)
    return tuple(out)


def _written(where: _Where, item: Mapping, index: int) -> Written:
    unknown = sorted(map(str, set(item) - _WRITTEN))
    if unknown:
        raise where.error(unknown[0], f"is an unknown field of a written item (the fields are: {', '.join(sorted(_WRITTEN))})")
    prompt = _text(where, item, "prompt", maximum=2000, minimum=1, required=True)
    if "answer" not in item:
        raise where.error("answer", "is missing: a written item needs 'answer'")
    ident = _text(where, item, "id", maximum=100)
    if ident is not None and not _ID.fullmatch(ident):
        raise where.error("id", f"must be letters, digits, '-', '_' or '.', not {_show(ident)}")
    prompt_latex = _text(where, item, "prompt_latex", maximum=2000)
    if prompt_latex is not None:
        try:
            safe_latex(prompt_latex)
        except UnsafeLatex as exc:
            raise where.error("prompt_latex", str(exc)) from None
    variables = _variables(where, item)
    mode = item.get("mode", "equivalent")
    if mode not in MODES:
        raise where.error("mode", f"must be one of {', '.join(MODES)}, not {_show(mode)}")
    answer = _expression(where, "answer", item["answer"], variables, constant=mode == "numeric")
    if not variables and answer.free_symbols:  # a learner could type none of them
        names = sorted(str(v) for v in answer.free_symbols)
        raise where.error("variables", f"is missing: the answer uses {', '.join(names)}; name the variables, "
                                       f"e.g. variables: [{', '.join(names)}]")
    hints = _texts(where, item, "hints", most=10, maximum=1000)
    solution = _texts(where, item, "solution", most=50, maximum=1000)
    options: list[tuple[str, object]] = []
    if "function" in item:
        options.append(("function", _expression(where, "function", item["function"], variables, allow_matrix=False)))
    if "wrt" in item:
        wrt = item["wrt"]
        if not isinstance(wrt, str) or not _NAME.fullmatch(wrt):
            raise where.error("wrt", f"must be a variable name such as 'x', not {_show(wrt)}")
        if variables and wrt not in variables:
            raise where.error("wrt", f"must be one of the variables ({', '.join(variables)}), not {_show(wrt)}")
        if "function" not in item:
            raise where.error("wrt", "needs a 'function' to differentiate")
        options.append(("wrt", wrt))
    if "point" in item:
        raw = item["point"] if isinstance(item["point"], list) else [item["point"]]
        if not 1 <= len(raw) <= 10:
            raise where.error("point", f"must be a number or a list of 1 to 10 numbers, not {_show(item['point'])}")
        if variables and len(raw) != len(variables):
            raise where.error("point", f"must give one value for each variable ({', '.join(variables)}), "
                                       f"not {len(raw)}")
        options.append(("point", tuple(_expression(where, "point", p, (), allow_matrix=False, constant=True)
                                       for p in raw)))
    if "order" in item:
        options.append(("order", _integer(where, item, "order", 0, 10, 0)))
    if mode == "taylor":
        for need in ("point", "order"):
            if need not in item:
                raise where.error(need, f"is missing: mode 'taylor' needs a 'point' and an 'order'")
        if not variables:
            raise where.error("variables", "mode 'taylor' needs the variables named, e.g. [x]")
    if "tolerance" in item:
        if mode != "numeric":
            raise where.error("tolerance", f"applies only to mode 'numeric', not {_show(mode)}")
        options.append(("tolerance", _tolerance(where, item["tolerance"])))
    return Written(index, ident, prompt, prompt_latex, variables, answer, mode, hints, solution,
                   tuple(sorted(options, key=lambda kv: kv[0])))


def _generated(where: _Where, item: Mapping) -> Generated:
    from .core import TOPICS, topics

    unknown = sorted(map(str, set(item) - _GENERATED))
    if unknown:
        raise where.error(unknown[0], f"is an unknown field of a generated item (the fields are: {', '.join(sorted(_GENERATED))})")
    _text(where, item, "title", maximum=200)
    name = item["topic"]
    topics()
    if not isinstance(name, str) or name not in TOPICS:
        import difflib

        close = difflib.get_close_matches(name, TOPICS, n=1) if isinstance(name, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else " (symtutor topics lists them)"
        raise where.error("topic", f"is not a topic: {_show(name)}{hint}")
    return Generated(
        name,
        _integer(where, item, "difficulty", 1, 3, 1),
        _integer(where, item, "count", 1, MAX_COUNT, 1),
        _integer(where, item, "seed", 0, MAX_SEED, 0),
    )


def _topic_ids():
    from .core import TOPICS, topics

    topics()
    return TOPICS


def _item_title(item: Mapping) -> str:
    for key in ("title", "prompt", "topic", "id"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def validate(spec, *, source: str = "spec") -> tuple[str, str, tuple[Generated | Written, ...]]:
    """(title, description, items) of a spec, every field checked; raises SpecError naming file, item and field.

    Examples:
        >>> title, _, items = validate({"title": "T", "items": [{"topic": "gradient", "count": 2}]})
        >>> items
        (Generated(topic='gradient', difficulty=1, count=2, seed=0),)
        >>> validate({"title": "T", "items": [{"topic": "gradient", "count": "many"}]}, source="week2.yaml")
        Traceback (most recent call last):
        ...
        symtutor.errors.SpecError: week2.yaml: item 1 ('gradient'), field 'count': must be an integer from 1 to 1000, not 'many'
    """
    top = _Where(source)
    if not isinstance(spec, Mapping):
        raise SpecError(f"{source}: a spec is a mapping with a 'title' and a list of 'items', not {type(spec).__name__}")
    if "schema_version" in spec and "items" in spec:
        raise SpecError(f"{source}: this is an exported exercise set (JSON), not a spec: read it with "
                        "symtutor.export.load")
    unknown = sorted(map(str, set(spec) - _TOP))
    if unknown:
        raise top.error(unknown[0], f"is an unknown field of a spec (the fields are: {', '.join(sorted(_TOP))})")
    title = _text(top, spec, "title", maximum=200, minimum=1, required=True)
    description = _text(top, spec, "description", maximum=2000) or ""
    items = spec.get("items")
    if "items" not in spec:
        raise top.error("items", "is missing: a spec needs a list of 'items'")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        shown = f"{len(items)} items" if isinstance(items, list) else _show(items)
        raise top.error("items", f"must be a list of 1 to {MAX_ITEMS} items, not {shown}")
    out: list[Generated | Written] = []
    ids: dict[str, int] = {}
    total = 0
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise SpecError(f"{source}: item {i + 1}: must be a mapping of fields, not {_show(item)}")
        where = _Where(source, i, _item_title(item))
        v = _generated(where, item) if "topic" in item else _written(where, item, i)
        if isinstance(v, Written) and v.id is not None:  # an id names one exercise (grading finds answers by it)
            if v.id in ids:
                raise where.error("id", f"{_show(v.id)} is also the id of item {ids[v.id] + 1}; give each its own")
            generated_like = re.fullmatch(r"([a-z][a-z0-9_]*)-[123]-\d+", v.id)
            if generated_like and generated_like.group(1) in _topic_ids():
                raise where.error("id", f"{_show(v.id)} is how a generated exercise is named (topic-difficulty-seed); "
                                        "choose another")
            ids[v.id] = i
        total += v.count if isinstance(v, Generated) else 1
        if total > MAX_EXERCISES:
            raise where.error("count" if isinstance(v, Generated) else "items",
                              f"the spec would make more than {MAX_EXERCISES} exercises; split it into several sets")
        out.append(v)
    return title, description, tuple(out)
