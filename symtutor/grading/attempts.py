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
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidArgumentError
from ..exercises.core import Exercise, generate
from ..exercises.sets import ExerciseSet, load_spec

__all__ = ["Attempt", "RowError", "Attempts", "read_attempts", "read_rows", "resolve_items", "load_set", "FORMATS"]

FORMATS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
           ".pq": "parquet"}
"""The attempt file formats, by file suffix."""

_MAX_FIELD = 100_000  # characters in a learner or item field; a longer one is a malformed row
_MAX_ANSWER = 100_000  # characters in an answer: a longer one is a malformed row (so that every field of the
# results stays within the field size that CSV readers take by default, 131072)
_SURROGATE = re.compile("[\ud800-\udfff]")
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
            f"{path.name}: an attempts file ends in .csv, .tsv, .jsonl or .parquet, not {path.suffix or 'nothing'!r}"
        )
    return fmt


def read_attempts(path) -> Attempts:
    """Read a class's attempts from a CSV (or TSV), JSONL or Parquet file.

    Columns ``learner``, ``item`` and ``answer`` are needed (or ``topic``,
    ``difficulty`` and ``seed`` in place of ``item``; ``student``, ``question``,
    ``response`` and other usual spellings are read as the same, in any case).
    A CSV file's fields may be separated by commas, semicolons or tabs.  A row
    with a missing field, an empty learner or item, a field too long, a quote
    that is never closed, bytes that are not UTF-8 or JSON that does not read
    is returned among ``errors`` with its line; an empty answer is an attempt
    (it is graded as unreadable).

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
    attempts: list[Attempt] = []
    errors: list[RowError] = []
    for row in read_rows(path):
        if type(row) is tuple:
            attempts.append(Attempt(*row))
        else:
            errors.append(row)
    return Attempts(str(Path(path)), tuple(attempts), tuple(errors))


def read_rows(path) -> Iterator[tuple[int, str, str, str] | RowError]:
    """The rows of an attempts file in file order, read once: ``(line, learner, item, answer)`` tuples for the
    gradable ones (what :class:`Attempt` holds, without an object per row), :class:`RowError` for the others.

    Examples:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp(), "a.csv")
        >>> _ = path.write_text("learner,item,answer\\nann,power_rule-1-7,3x^2\\n")
        >>> list(read_rows(path))
        [(2, 'ann', 'power_rule-1-7', '3x^2')]
    """
    path = Path(path)
    fmt = _format_of(path)
    if not path.is_file():
        raise InvalidArgumentError(f"no such attempts file: {path}")
    return {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[fmt](path)


def _row(line: int, fields: Mapping, raw: str) -> tuple[int, str, str, str] | RowError:
    """A row's ``(line, learner, item, answer)`` from its fields (str values, or None where missing), or the reason
    it is malformed."""
    for name, value in fields.items():
        most = _MAX_ANSWER if name == "answer" else _MAX_FIELD
        if value is not None and len(value) > most:
            return RowError(line, f"the {name} is longer than {most} characters", _printable(raw[:200]))
        if value is not None and _SURROGATE.search(value):  # JSON's "\ud800": no character, not text
            return RowError(line, f"the {name} holds a lone surrogate, which is not text", _printable(raw[:200]))
    learner = fields.get("learner")
    if learner is None or not learner.strip():
        return RowError(line, "the learner is empty" if learner is not None else "the learner is missing", raw[:200])
    item = fields.get("item")
    if item is None or not item.strip():
        parts = [fields.get(k) for k in ("topic", "difficulty", "seed")]
        if all(p is not None and p.strip() for p in parts):
            # "power_rule", "1.0", "7.0" (a spreadsheet's numbers) names power_rule-1-7
            item = "-".join(re.sub(r"^(\d+)\.0*$", r"\1", p.strip()) for p in parts)
        else:
            return RowError(line, "the item is empty" if item is not None else "the item is missing", raw[:200])
    answer = fields.get("answer")
    if answer is None:
        return RowError(line, "the answer is missing", raw[:200])
    return line, learner.strip(), item.strip(), answer


_ALIASES = {
    "learner": ("student", "learner_id", "student_id", "user", "user_id", "username", "user_name", "learner_name",
                "student_name", "email"),
    "item": ("question", "exercise", "item_id", "question_id", "exercise_id", "problem", "problem_id"),
    "answer": ("response", "answer_text", "typed_answer", "submission", "learner_answer", "student_answer"),
}
_FIELDS = ("learner", "item", "answer", "topic", "difficulty", "seed")


def _name(header: str) -> str:
    """A column name as compared: "Learner ID" and "learner-id" are "learner_id"."""
    return re.sub(r"[\s\-.]+", "_", header.lstrip("\ufeff").strip().lower())


def _fields_of(names: list[str]) -> dict[str, int]:
    """The fields (learner, item, answer, topic, difficulty, seed) found among column names, by position."""
    normal = [_name(h) for h in names]
    cols = {n: i for i, n in reversed(list(enumerate(normal))) if n}  # the first column of a name
    found = {f: cols[f] for f in _FIELDS if f in cols}
    for field, aliases in _ALIASES.items():
        if field not in found:
            alias = next((a for a in aliases if a in cols), None)
            if alias is not None:
                found[field] = cols[alias]
    return found


def _missing(found: Mapping[str, int]) -> list[str]:
    missing = [c for c in ("learner", "answer") if c not in found]
    if "item" not in found and not all(k in found for k in ("topic", "difficulty", "seed")):
        missing.insert(1 if "learner" in missing else 0, "item")
    return missing


def _columns(header: list[str], where: str) -> dict[str, int]:
    found = _fields_of(header)
    missing = _missing(found)
    if missing:
        names = [h.lstrip("\ufeff").strip() for h in header]
        raise InvalidArgumentError(
            f"{where}: the columns must include learner, item and answer; missing {', '.join(missing)} "
            f"(found {', '.join(names[:20]) or 'none'})"[:400]
        )
    return found


def _decoded_lines(path: Path, bad: set[int]) -> list[str]:
    """The file's lines as text; a line that is not UTF-8 (or holds NUL) is replaced and its number noted.

    A file that starts with a UTF-16 byte order mark (a spreadsheet's "Unicode text") is read as UTF-16.
    """
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return io.StringIO(data.decode("utf-16"), newline="").readlines()
        except UnicodeDecodeError:
            pass  # read line by line below: the lines that are not UTF-8 are reported
    if b"\0" not in data:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:  # the usual case: the whole file is clean text
            return io.StringIO(text, newline="").readlines()
    out = []
    for n, raw in enumerate(io.BytesIO(data), 1):
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
        out.append(text)
    return out


def _one_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return []


def _delimiter(first: str, path: Path) -> str:
    """The separator of a CSV file: the first of comma, semicolon, tab and bar that gives the header its columns."""
    for d in (",", ";", "\t", "|") if path.suffix.lower() != ".tsv" else ("\t", ",", ";", "|"):
        if not _missing(_fields_of(_one_line(first, d))):
            return d
    return "\t" if path.suffix.lower() == ".tsv" else ","


def _read_csv(path: Path) -> Iterator[tuple[int, str, str, str] | RowError]:
    bad: set[int] = set()
    lines = _decoded_lines(path, bad)
    if not lines:
        raise InvalidArgumentError(f"{path.name} is empty: it needs a header row learner,item,answer")
    first = next((k for k, line in enumerate(lines) if line.strip()), len(lines))  # blank lines before the header
    if first == len(lines):
        raise InvalidArgumentError(f"{path.name} is empty: it needs a header row learner,item,answer")
    sep = re.fullmatch(r"sep=(.)", lines[first].rstrip("\r\n"))  # a spreadsheet's "sep=;" line
    if sep:
        first += 1
    delimiter = sep[1] if sep else _delimiter(lines[first] if first < len(lines) else "", path)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 100 * _MAX_ANSWER))  # a longer field is read, then reported

    def reader_from(at: int):
        """A CSV reader of the lines from index ``at`` on (its line_num counts the lines it has taken)."""
        feed = iter(lines)
        feed.__setstate__(at)  # a list iterator moved in place: reading on after a bad row costs nothing
        return csv.reader(feed, delimiter=delimiter, strict=False)

    try:
        reader = reader_from(first)
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            raise InvalidArgumentError(f"{path.name} has no readable header row learner,item,answer") from None
        cols = _columns(header, path.name)
        width = len(header)
        simple = "item" in cols and not bad
        li, ii, ai = cols["learner"], cols.get("item"), cols["answer"]
        base = first  # lines[base + reader.line_num] is the next line the reader takes
        begin = base + reader.line_num  # the index of the next row's first line; its line number is begin + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowError(begin + 1, f"the row could not be read as CSV: {exc}", lines[begin][:200])
                base, reader = begin + 1, reader_from(begin + 1)  # read on from the next line
                begin = base
                continue
            start, end = begin + 1, base + reader.line_num  # the row's first and last line numbers
            if end == start and simple and len(record) == width and end < len(lines):
                # the usual row, on one line: learner, item and answer present and short enough
                learner, item, answer = record[li].strip(), record[ii].strip(), record[ai]
                if learner and item and len(learner) + len(item) <= _MAX_FIELD and len(answer) <= _MAX_ANSWER:
                    begin = end
                    yield start, learner, item, answer
                    continue
            if not record:
                begin = end
                continue  # a blank line
            if (end > start or end == len(lines)) and _unclosed(lines, start - 1, end, delimiter, width, cols):
                yield RowError(start, "a quote in the row is never closed (the row runs into the next ones)",
                               lines[start - 1].rstrip("\r\n")[:200])
                base, reader = start, reader_from(start)  # the lines it swallowed are rows of their own
                begin = base
                continue
            begin = end
            raw = delimiter.join(record)
            if any(n in bad for n in range(start, end + 1)):
                yield RowError(start, "the row holds bytes that are not UTF-8 text", raw[:200])
            elif len(record) != width:
                yield RowError(start, f"the row has {len(record)} fields, the header {width}", raw[:200])
            else:
                yield _row(start, {k: record[i] for k, i in cols.items()}, raw)
    finally:
        csv.field_size_limit(old_limit)


def _unclosed(lines: list[str], begin: int, end: int, delimiter: str, width: int, cols: Mapping[str, int]) -> bool:
    """Whether the row on lines ``begin`` (an index) to ``end`` (a line number) opens a quote it never closes.

    A quoted field may hold line breaks; but a field that runs to the end of the file still open, or that
    swallows a line which is a row of its own, is a quote left open.
    """
    if end == len(lines):
        text = "".join(lines[begin:end])
        if not text.endswith(("\n", "\r")):
            text += "\n"
        probe = list(csv.reader(io.StringIO(text + "x" + delimiter + "y\n", newline=""), delimiter=delimiter,
                                strict=False))
        if len(probe) < 2 or probe[-1] != ["x", "y"]:
            return True  # the sentinel row was swallowed: the quote is still open at the end of the file
    for line in lines[begin + 1:end]:
        fields = _one_line(line, delimiter)
        if len(fields) == width and all(fields[i].strip() for k, i in cols.items() if k in ("learner", "item")):
            return True
    return False


def _printable(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _text_value(value, key: str = "answer") -> str | None:
    """A JSON or Parquet field as text: strings as they are, numbers written out (a whole float as a whole
    number, except in an answer); None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        whole = key != "answer" and value.is_integer() and abs(value) < 2**53
        return str(int(value)) if whole else repr(value)
    return None


def _read_jsonl(path: Path) -> Iterator[Attempt | RowError]:
    bad: set[int] = set()
    keys_of: dict[tuple, dict[str, str]] = {}
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
        names = tuple(obj)
        keys = keys_of.get(names)
        if keys is None:  # the fields by their spellings in this object (most lines spell them alike)
            keys = {f: names[i] for f, i in _fields_of(list(names)).items()}
            if len(keys_of) < 1000:
                keys_of[names] = keys
        fields = {}
        for key, name in keys.items():
            value = obj[name]
            text = _text_value(value, key)
            if text is None and value is not None:
                yield RowError(n, f"the {key} is a JSON {type(value).__name__}, not text", raw[:200])
                break
            if value is None and key == "answer":
                text = ""  # null: the learner gave no answer
            fields[key] = text
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
        raise InvalidArgumentError(f"{path.name} is not a readable Parquet file: {_first(exc)}") from None
    names = pf.schema_arrow.names
    cols = _columns(list(names), path.name)
    wanted = list(dict.fromkeys(names[i] for i in cols.values()))
    n = 1  # rows are numbered from 2, as if the column names were line 1
    try:
        batches = pf.iter_batches(columns=wanted, batch_size=65_536)
        for batch in batches:
            data = batch.to_pydict()
            keys = {k: names[i] for k, i in cols.items()}
            for r in range(batch.num_rows):
                n += 1
                fields, reason = {}, None
                for key, col in keys.items():
                    value = data[col][r]
                    text = _text_value(value, key)
                    if text is None and value is not None:
                        if isinstance(value, float) and math.isnan(value):
                            text = None  # a missing value, as pandas writes one
                        else:
                            reason = f"the {key} is a {type(value).__name__}, not text"
                    if text is None and key == "answer":
                        text = ""  # null: the learner gave no answer
                    fields[key] = text
                raw = json.dumps({k: v for k, v in fields.items()}, ensure_ascii=False)
                yield RowError(n, reason, raw[:200]) if reason else _row(n, fields, raw)
    except Exception as exc:  # a damaged page partway through the file
        if isinstance(exc, InvalidArgumentError):
            raise
        raise InvalidArgumentError(f"{path.name}: row {n} onwards could not be read from the Parquet file: "
                                   f"{_first(exc)}") from None


def _first(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def load_set(name) -> ExerciseSet:
    """An exercise set from a YAML spec file, a JSON set written by ``symtutor generate --format json``, or one
    of the course's sets by name ("week1" ... "week6").

    Examples:
        >>> load_set("week1").title
        'Week 1: derivatives and their rules'
        >>> import tempfile, pathlib
        >>> from symtutor.export.jsonfile import dump
        >>> path = pathlib.Path(tempfile.mkdtemp(), "set.json")
        >>> _ = path.write_text(dump(load_set("week1")), encoding="utf-8")
        >>> load_set(path) == load_set("week1")
        True
    """
    path = Path(name)
    if not path.is_file():
        packaged = Path(__file__).resolve().parent.parent / "data" / "exercises" / f"{name}.yaml"
        if packaged.is_file():
            path = packaged
        elif path.is_dir():
            raise InvalidArgumentError(f"--set {name} is a folder: give a YAML spec or a JSON exercise set file")
        else:
            raise InvalidArgumentError(
                f"no such exercise set: {name} (a YAML spec, a JSON set from 'symtutor generate --format json', "
                "or week1 ... week6)")
    if path.suffix.lower() not in (".yaml", ".yml", ".json", ""):
        raise InvalidArgumentError(
            f"--set {path.name}: an exercise set is a YAML spec (.yaml) or a JSON set written by "
            f"'symtutor generate --format json', not a {path.suffix} file")
    if path.suffix.lower() == ".json":
        from ..export.jsonfile import MAX_JSON, load

        if path.stat().st_size > 4 * MAX_JSON:
            raise InvalidArgumentError(f"{path.name}: the file is larger than {MAX_JSON // 2**20} MB")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidArgumentError(f"{path.name} is not UTF-8 text") from None
        return load(text, source=path.name)
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
    by_id: dict[str, Exercise] = {}
    twice: dict[str, list[int]] = {}
    for k, ex in enumerate(exercise_set.items if exercise_set is not None else (), 1):
        if ex.id in by_id and by_id[ex.id] != ex:
            twice.setdefault(ex.id, [next(j for j, e in enumerate(exercise_set.items, 1) if e.id == ex.id)])
            twice[ex.id].append(k)
        by_id.setdefault(ex.id, ex)
    found: dict[str, Exercise] = {}
    unknown: dict[str, str] = {}
    for name in dict.fromkeys(names):
        if name in twice:
            unknown[name] = (f"item {name!r} is ambiguous: the set has exercises {', '.join(map(str, twice[name]))} "
                             "with that id (name them by position, or give each its own id)")
            continue
        if name in by_id:
            found[name] = by_id[name]
            continue
        if exercise_set is not None and name.isdigit() and 1 <= int(name) <= len(exercise_set.items):
            found[name] = exercise_set.items[int(name) - 1]  # the set's n-th exercise
            continue
        m = _GENERATED_ID.match(name) or _GENERATED_ID.match(name.lower())
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
    _write_atomic(path, header, lambda fh: csv.writer(fh).writerows(rows))


def write_lines(path, header: list[str], lines: Iterable[str]) -> None:
    """Write a CSV file atomically from its rows already written as CSV text (each ending in "\\r\\n")."""
    _write_atomic(path, header, lambda fh: fh.writelines(lines))


def _write_atomic(path, header: list[str], write) -> None:
    import os

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(header)
        write(fh)
    os.replace(tmp, path)
