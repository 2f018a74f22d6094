"""A class's attempts: reading CSV, JSONL and Parquet files, and naming the exercise each attempt answers.

Each row is one attempt: who answered (``learner``), which exercise
(``item``) and the typed ``answer``.  An item is named by the id of an
exercise in an exercise set, or as ``topic-difficulty-seed`` (or by columns
``topic``, ``difficulty``, ``seed``), which regenerates the exercise exactly.
A row that cannot be graded is kept as a :class:`RowError` with its line
number, never dropped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidArgumentError
from ..exercises.core import Exercise, generate
from ..exercises.sets import ExerciseSet, load_spec

__all__ = ["Attempt", "RowError", "Attempts", "read_attempts", "resolve_items", "load_set", "FORMATS"]

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
"""The attempt file formats, by file suffix."""

_MAX_FIELD = 100_000  # characters in one field; a longer one is a malformed row
_GENERATED_ID = re.compile(r"^([a-z][a-z0-9_]*)-([123])-(\d{1,9})$")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One row of a class's attempts: ``line`` is where it starts in the file (1-based, the header is line 1)."""

    line: int
    learner: str
    item: str
    answer: str


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be graded, with its line and what is wrong with it."""

    line: int
    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Attempts:
    """The rows of an attempts file: the gradable ones and the malformed ones, each with its line."""

    path: str
    attempts: tuple[Attempt, ...]
    errors: tuple[RowError, ...]

    @property
    def rows(self) -> int:
        """How many rows the file holds (gradable plus malformed)."""
        return len(self.attempts) + len(self.errors)


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidArgumentError(
            f"{path.name}: an attempts file ends in .csv, .jsonl or .parquet, not {path.suffix or 'nothing'!r}"
        )
    return fmt


def read_attempts(path) -> Attempts:
    """Read a class's attempts from a CSV, JSONL or Parquet file.

    Columns ``learner``, ``item`` and ``answer`` are needed (or ``topic``,
    ``difficulty`` and ``seed`` in place of ``item``; ``student``, ``question``
    and ``response`` are read as the same).  A row with a missing or
    empty field, a field too long, bytes that are not UTF-8 or JSON that does
    not read is returned among ``errors`` with its line.

    Examples:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp(), "a.csv")
        >>> _ = path.write_text("learner,item,answer\\nann,power_rule-1-7,3x^2\\nbob,,2x\\n")
        >>> a = read_attempts(path)
        >>> a.attempts[0]
        Attempt(line=2, learner='ann', item='power_rule-1-7', answer='3x^2')
        >>> a.errors[0].line, a.errors[0].reason
        (3, 'the item is empty')
    """
    path = Path(path)
    fmt = _format_of(path)
    if not path.is_file():
        raise InvalidArgumentError(f"no such attempts file: {path}")
    reader = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[fmt]
    attempts: list[Attempt] = []
    errors: list[RowError] = []
    for row in reader(path):
        (attempts if isinstance(row, Attempt) else errors).append(row)
    return Attempts(str(path), tuple(attempts), tuple(errors))


def _row(line: int, fields: Mapping, raw: str) -> Attempt | RowError:
    """An Attempt from a row's fields (str values, or None where missing), or the reason it is malformed."""
    for name, value in fields.items():
        if value is not None and len(value) > _MAX_FIELD:
            return RowError(line, f"the {name} is longer than {_MAX_FIELD} characters", raw[:200])
    learner = fields.get("learner")
    if learner is None or not learner.strip():
        return RowError(line, "the learner is empty" if learner is not None else "the learner is missing", raw[:200])
    item = fields.get("item")
    if item is None or not item.strip():
        parts = [fields.get(k) for k in ("topic", "difficulty", "seed")]
        if all(p is not None and p.strip() for p in parts):
            item = "-".join(p.strip() for p in parts)
        else:
            return RowError(line, "the item is empty" if item is not None else "the item is missing", raw[:200])
    answer = fields.get("answer")
    if answer is None:
        return RowError(line, "the answer is missing", raw[:200])
    return Attempt(line, learner.strip(), item.strip(), answer)


_ALIASES = {"student": "learner", "learner_id": "learner", "user": "learner", "user_id": "learner",
            "question": "item", "exercise": "item", "item_id": "item", "response": "answer"}


def _columns(header: list[str], where: str) -> dict[str, int]:
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    cols = {n: i for i, n in enumerate(names) if n}
    for alias, name in _ALIASES.items():
        if alias in cols and name not in cols:
            cols[name] = cols[alias]
    missing = [c for c in ("learner", "answer") if c not in cols]
    if "item" not in cols and not all(k in cols for k in ("topic", "difficulty", "seed")):
        missing.insert(1, "item")
    if missing:
        raise InvalidArgumentError(
            f"{where}: the columns must include learner, item and answer; missing {', '.join(missing)} "
            f"(found {', '.join(names) or 'none'})"
        )
    return cols


def _decoded_lines(path: Path, bad: set[int]) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 (or holds NUL) is replaced and its number noted."""
    data = path.read_bytes()
    if b"\0" not in data:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:  # the usual case: the whole file is clean text
            yield from io.StringIO(text, newline="")
            return
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                bad.add(n)
                text = raw.decode("utf-8", "replace")
            if "\0" in text:
                bad.add(n)
                text = text.replace("\0", "")
            yield text


def _read_csv(path: Path) -> Iterator[Attempt | RowError]:
    bad: set[int] = set()
    lines = _decoded_lines(path, bad)
    reader = csv.reader(lines, strict=False)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2 * _MAX_FIELD + 10))
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidArgumentError(f"{path.name} is empty: it needs a header row learner,item,answer") from None
        cols = _columns(header, path.name)
        width = len(header)
        simple = "item" in cols
        li, ii, ai = cols["learner"], cols.get("item"), cols["answer"]
        end = reader.line_num
        while True:
            start = end + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                yield RowError(start, f"the row could not be read as CSV: {exc}")
                continue
            end = reader.line_num
            if not record:
                continue  # a blank line
            if simple and len(record) == width and not bad and end == start:
                # the usual row: learner, item and answer present and short enough
                learner, item, answer = record[li].strip(), record[ii].strip(), record[ai]
                if learner and item and len(learner) + len(item) + len(answer) <= _MAX_FIELD:
                    yield Attempt(start, learner, item, answer)
                    continue
            raw = ",".join(record)
            if any(n in bad for n in range(start, end + 1)):
                yield RowError(start, "the row holds bytes that are not UTF-8 text", raw[:200])
            elif len(record) != width:
                yield RowError(start, f"the row has {len(record)} fields, the header {width}", raw[:200])
            else:
                yield _row(start, {k: record[i] for k, i in cols.items()}, raw)
    finally:
        csv.field_size_limit(old_limit)


def _text_value(value) -> str | None:
    """A JSON or Parquet field as text: strings as they are, whole numbers written out; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _read_jsonl(path: Path) -> Iterator[Attempt | RowError]:
    bad: set[int] = set()
    for n, line in enumerate(_decoded_lines(path, bad), 1):
        if not line.strip():
            continue
        raw = line.rstrip("\r\n")
        if n in bad:
            yield RowError(n, "the line holds bytes that are not UTF-8 text", raw[:200])
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield RowError(n, f"the line is not JSON: {getattr(exc, 'msg', 'nested too deeply')}", raw[:200])
            continue
        if not isinstance(obj, dict):
            yield RowError(n, f"the line is a JSON {type(obj).__name__}, not an object", raw[:200])
            continue
        fields = {}
        for key in ("learner", "item", "answer", "topic", "difficulty", "seed"):
            if key in obj:
                value = _text_value(obj[key])
                if value is None and obj[key] is not None:
                    yield RowError(n, f"the {key} is a JSON {type(obj[key]).__name__}, not text", raw[:200])
                    break
                fields[key] = value
        else:
            yield _row(n, fields, raw)


def _read_parquet(path: Path) -> Iterator[Attempt | RowError]:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - the optional extra
        raise InvalidArgumentError(
            "reading Parquet needs pyarrow: pip install 'symtutor[class]'"
        ) from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types for a damaged file
        raise InvalidArgumentError(f"{path.name} is not a readable Parquet file: {exc}") from None
    names = pf.schema_arrow.names
    cols = _columns(list(names), path.name)
    wanted = [names[i] for k, i in cols.items() if k in ("learner", "item", "answer", "topic", "difficulty", "seed")]
    n = 1  # rows are numbered from 2, as if the column names were line 1
    for batch in pf.iter_batches(columns=wanted, batch_size=65_536):
        data = batch.to_pydict()
        keys = {k: names[i] for k, i in cols.items() if names[i] in data}
        for r in range(batch.num_rows):
            n += 1
            fields, reason = {}, None
            for key, col in keys.items():
                value = data[col][r]
                text = _text_value(value)
                if text is None and value is not None:
                    reason = f"the {key} is a {type(value).__name__}, not text"
                fields[key] = text
            raw = json.dumps({k: v for k, v in fields.items()}, ensure_ascii=False)
            yield RowError(n, reason, raw[:200]) if reason else _row(n, fields, raw)


def load_set(name) -> ExerciseSet:
    """An exercise set from a YAML spec file, or one of the course's sets by name ("week1" ... "week6").

    Examples:
        >>> load_set("week1").title
        'Week 1: derivatives and their rules'
    """
    path = Path(name)
    if not path.is_file():
        packaged = Path(__file__).resolve().parent.parent / "data" / "exercises" / f"{name}.yaml"
        if packaged.is_file():
            path = packaged
        else:
            raise InvalidArgumentError(f"no such exercise set: {name} (a YAML spec file, or week1 ... week6)")
    return load_spec(path)


def resolve_items(names: Iterable[str],
                  exercise_set: ExerciseSet | None = None) -> tuple[dict[str, Exercise], dict[str, str]]:
    """The exercise each item name stands for, and why the others stand for none.

    A name is the id of an exercise in ``exercise_set`` (or its position, from 1), or ``topic-difficulty-seed``.

    Examples:
        >>> found, unknown = resolve_items(["power_rule-1-7", "nothing"])
        >>> found["power_rule-1-7"].topic, unknown["nothing"]
        ('power_rule', "unknown item 'nothing': not topic-difficulty-seed, and no exercise set names it")
    """
    by_id = {ex.id: ex for ex in exercise_set.items} if exercise_set is not None else {}
    found: dict[str, Exercise] = {}
    unknown: dict[str, str] = {}
    for name in dict.fromkeys(names):
        if name in by_id:
            found[name] = by_id[name]
            continue
        if exercise_set is not None and name.isdigit() and 1 <= int(name) <= len(exercise_set.items):
            found[name] = exercise_set.items[int(name) - 1]  # the set's n-th exercise
            continue
        m = _GENERATED_ID.match(name)
        if m:
            try:
                found[name] = generate(m[1], seed=int(m[3]), difficulty=int(m[2]))
                continue
            except InvalidArgumentError as exc:
                unknown[name] = f"unknown item {name!r}: {exc}"
                continue
        unknown[name] = f"unknown item {name!r}: not topic-difficulty-seed, and no exercise set names it"
    return found, unknown


def write_csv(path, header: list[str], rows: Iterable[Iterable]) -> None:
    """Write rows to a CSV file atomically (a temporary file, then renamed)."""
    import os

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)
