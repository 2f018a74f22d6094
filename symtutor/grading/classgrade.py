"""Grading a class's typed answers: partitioned by item, each distinct answer checked once, fanned back out.

The attempts are grouped by item, and within an item identical typed answers
are checked once (in a large class most learners who are right, and most who
make the same mistake, type the same text).  Each item's distinct answers form
one or more partitions; a partition is one unit of work for
:func:`~symtutor.grading.runner.run_tasks`, on local cores or a Dask cluster,
keyed by a hash of the exercise and its answers so that a rerun skips it.

Every answer is marked by the exercise's own check (``Exercise.check``, which
is :func:`symtutor.check` in its sandbox, with its time and memory bound), so
a verdict here is the verdict ``symtutor.check`` gives that answer.  A wrong
answer no diagnosis explains is also evaluated at a few fixed points, so the
report can group the answers that are the same wrong thing written differently.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing as mp
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import sympy as sp

from .. import __version__
from ..errors import GradingError, InvalidArgumentError
from ..exercises.core import Exercise
from ..exercises.sets import ExerciseSet
from ..numeric import to_numpy
from ..parsing import parse
from ..sandbox import default_sandbox
from .attempts import Attempt, RowError, read_attempts, resolve_items, write_csv
from .runner import RunStats, Store, Task, run_tasks

__all__ = ["Graded", "ClassGrade", "grade_class", "grade_answers", "answer_values", "check_points"]

SCHEMA_VERSION = 1
_TIMED_OUT = "Checking this answer took longer than"  # symtutor.check's message when its time bound stops it
_N_POINTS = 4


@dataclass(frozen=True, slots=True)
class Graded:
    """One attempt with its verdict; ``values`` are the answer's values at the item's check points
    (only for a wrong answer no diagnosis explains; None where it could not be evaluated)."""

    line: int
    learner: str
    item: str
    answer: str
    status: str
    score: float
    diagnosis: str | None
    message: str
    understood: str
    values: tuple | None


@dataclass(frozen=True, slots=True)
class ClassGrade:
    """What grading a class produced: counts, where the files are, and how the work ran."""

    rows: int
    graded: int
    errors: int
    distinct: int
    partitions: int
    ran: int
    reused: int
    seconds: float
    where: str
    out: str
    learners: int
    items: int
    report: bool = True
    phases: tuple[tuple[str, float], ...] = ()
    """Seconds spent reading, grading, writing the results and writing the report."""

    def summary(self) -> str:
        """A few lines for the teacher."""
        lines = [
            f"{self.rows} rows: {self.graded} attempts graded, {self.errors} malformed row(s)"
            + (f" (see {Path(self.out) / 'errors.csv'})" if self.errors else ""),
            f"{self.learners} learners, {self.items} items; {self.distinct} distinct answers checked in "
            f"{self.partitions} partitions ({self.ran} run now, {self.reused} already done) on {self.where} "
            f"in {self.seconds:.1f} s",
            f"written to {self.out}: attempts.csv, gradebook.csv"
            + (", report.html, items.csv, wrong_answers.csv, topics.csv, learners/" if self.report else ""),
        ]
        if self.rows and not self.graded:
            lines.append("no row could be graded: errors.csv says why (items named by an exercise set's ids "
                         "need --set)")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# the unit of work (runs in a worker process)


def check_points(exercise: Exercise) -> tuple[tuple[float, ...], ...]:
    """The fixed points where wrong answers to ``exercise`` are evaluated to group them (positive coordinates).

    Examples:
        >>> from symtutor import generate
        >>> pts = check_points(generate("power_rule", seed=7))
        >>> len(pts), all(0 < v < 2 for p in pts for v in p)
        (4, True)
    """
    digest = hashlib.sha256(f"symtutor/check-points/{exercise.id}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    return tuple(tuple(round(rng.uniform(0.2, 1.8), 3) for _ in exercise.variables) for _ in range(_N_POINTS))


def _values(text: str, variables: tuple, points: tuple) -> tuple | None:
    """The answer's values at the points, to 6 significant figures (None where undefined); runs sandboxed."""
    e = parse(text, variables=variables)
    if isinstance(e, sp.MatrixBase) and e.shape == (1, 1):
        e = e[0, 0]
    f = to_numpy(e, variables)
    out = []
    with np.errstate(all="ignore"):
        for p in points:
            for v in np.asarray(f(*p), dtype=float).ravel():
                out.append(float(f"{v:.6g}") if math.isfinite(v) and abs(v) < 1e100 else None)
    return tuple(out)


def answer_values(exercise: Exercise, text: str, *, timeout: float = 1.0) -> tuple | None:
    """A typed answer's values at the exercise's :func:`check_points`, read by symtutor's parser and evaluated
    numerically in the sandbox; None when it cannot be evaluated.

    Examples:
        >>> from symtutor import generate
        >>> ex = generate("power_rule", seed=7)
        >>> answer_values(ex, "2x + 1") == answer_values(ex, "1 + x + x")
        True
        >>> answer_values(ex, "2x +") is None
        True
    """
    try:
        return default_sandbox().run(_values, text, tuple(exercise.variables), check_points(exercise),
                                     timeout=timeout)
    except Exception:  # unreadable, not compilable, too slow or too big: not grouped by value
        return None


def _require_children() -> None:
    if mp.current_process().daemon:
        raise GradingError(
            "the grading workers are daemonic processes, which cannot start the sandbox that bounds each check; "
            "start Dask workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )


def grade_answers(exercise: Exercise, answers, *, timeout: float = 1.0) -> list[list]:
    """Check each answer with the exercise's own check; one verdict row per answer.

    A row is ``[status, score, diagnosis, message, understood, values]``, where
    ``values`` (see :func:`answer_values`) is given for a wrong answer without a diagnosis.

    Examples:
        >>> from symtutor import generate
        >>> ex = generate("power_rule", seed=7)
        >>> [row[0] for row in grade_answers(ex, [ex.answer_text, "x", "2x +"])]
        ['correct', 'incorrect', 'invalid']
    """
    _require_children()
    out = []
    for text in answers:
        fb = exercise.check(text, timeout=timeout)
        if fb.status == "undecided" and fb.message.startswith(_TIMED_OUT):
            fb = exercise.check(text, timeout=timeout)  # once more: the machine may only have been busy
        values = None
        if fb.status == "incorrect" and fb.diagnosis is None:
            values = answer_values(exercise, text, timeout=timeout)
        out.append([fb.status, fb.score, fb.diagnosis, fb.message, fb.understood,
                    None if values is None else list(values)])
    return out


def _partition(exercise: Exercise, answers: tuple, timeout: float) -> dict:
    """One partition's results: the answers with their verdicts (runs in a worker)."""
    verdicts = grade_answers(exercise, answers, timeout=timeout)
    return {"item": exercise.id, "answers": list(answers), "verdicts": verdicts}


# ---------------------------------------------------------------------------
# planning, running and fanning out


def _fingerprint(exercise: Exercise) -> str:
    options = [(k, sp.srepr(v) if isinstance(v, sp.Basic) else repr(v)) for k, v in exercise.options]
    return json.dumps([exercise.id, sp.srepr(exercise.answer), list(exercise.variables), exercise.mode, options])


def _key(exercise: Exercise, answers, timeout: float) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([SCHEMA_VERSION, __version__, _fingerprint(exercise), timeout]).encode())
    for a in answers:
        h.update(b"\x1e")
        h.update(a.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def plan(attempts, exercises: dict[str, Exercise], *, timeout: float = 1.0, chunk: int = 2000) -> list[Task]:
    """The partitions: per item, its distinct answers (sorted), in chunks of at most ``chunk``.

    Examples:
        >>> from symtutor import generate
        >>> from symtutor.grading.attempts import Attempt
        >>> ex = {"p": generate("power_rule", seed=1)}
        >>> rows = [Attempt(2, "a", "p", "x"), Attempt(3, "b", "p", "x"), Attempt(4, "c", "p", "2x")]
        >>> [(len(t.args[1]), t.size) for t in plan(rows, ex)]
        [(2, 3)]
    """
    return [task for _, task in _plan(attempts, exercises, timeout=timeout, chunk=chunk)]


def _plan(attempts, exercises: dict[str, Exercise], *, timeout: float, chunk: int) -> list[tuple[str, Task]]:
    """The partitions, each with the item (a key of ``exercises``) whose answers it holds."""
    distinct: dict[str, dict[str, int]] = defaultdict(dict)
    for a in attempts:
        seen = distinct[a.item]
        seen[a.answer] = seen.get(a.answer, 0) + 1
    tasks = []
    for item, counts in distinct.items():
        answers = sorted(counts)
        ex = exercises[item]
        for i in range(0, len(answers), chunk):
            part = tuple(answers[i:i + chunk])
            tasks.append((item, Task(_key(ex, part, timeout), _partition, (ex, part, timeout),
                                     size=sum(counts[a] for a in part))))
    return tasks


def _same_items(exercises: dict[str, Exercise]) -> dict[str, str]:
    """The name each item is graded and reported under: its exercise's id (so that "2", "power_rule-1-07" and
    "power_rule-1-7" naming one exercise are one item), or the name itself where different exercises share
    that id."""
    by_id: dict[str, list[tuple[Exercise, str]]] = defaultdict(list)
    for name, ex in exercises.items():
        if all(ex != other for other, _ in by_id[ex.id]):
            by_id[ex.id].append((ex, name))
    return {name: ex.id if len(by_id[ex.id]) == 1 else next(first for other, first in by_id[ex.id] if other == ex)
            for name, ex in exercises.items()}


def grade_class(
    path,
    out,
    *,
    exercise_set: ExerciseSet | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    timeout: float = 1.0,
    retries: int = 3,
    chunk: int = 2000,
    report: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ClassGrade:
    """Grade every attempt in a CSV, JSONL or Parquet file and write the results to the folder ``out``.

    ``out`` receives ``attempts.csv`` (each row's verdict), ``gradebook.csv``
    (learner by item: the best score, and totals), ``errors.csv`` (malformed
    rows with their lines), the class report (``report.html``, ``items.csv``,
    ``wrong_answers.csv``, ``topics.csv``, ``learners/``) and ``partitions/``,
    the per-partition results that let a rerun resume.  Work runs on
    ``workers`` local processes (default: every core) or on the Dask cluster at
    ``cluster``.  Each answer is checked within ``timeout`` seconds.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> src = d / "a.csv"
        >>> _ = src.write_text("learner,item,answer\\nann,power_rule-1-7,7x^6\\nbob,power_rule-1-7,7x^6\\n"
        ...                          "cy,power_rule-1-7,x^7\\n")
        >>> g = grade_class(src, d / "out", workers=1, report=False)
        >>> g.graded, g.distinct, g.errors
        (3, 2, 0)
    """
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise InvalidArgumentError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if not isinstance(chunk, int) or chunk < 1:
        raise InvalidArgumentError(f"chunk must be a whole number >= 1, not {chunk!r}")
    clock = [("start", time.perf_counter())]
    data = read_attempts(path)
    named, unknown = resolve_items((a.item for a in data.attempts), exercise_set)
    same = _same_items(named)
    exercises = {same[name]: ex for name, ex in named.items()}
    errors = list(data.errors)
    attempts: list[Attempt] = []
    for a in data.attempts:
        if a.item in unknown:
            errors.append(RowError(a.line, unknown[a.item], f"{a.learner},{a.item},{a.answer}"[:200]))
        else:
            attempts.append(a if same[a.item] == a.item else replace(a, item=same[a.item]))
    errors.sort(key=lambda e: e.line)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "partitions")
    planned = _plan(attempts, exercises, timeout=timeout, chunk=chunk)
    tasks = [task for _, task in planned]
    clock.append(("read", time.perf_counter()))
    stats: RunStats = run_tasks(tasks, store, workers=workers, cluster=cluster, retries=retries, progress=progress)
    parts, damaged = _load_parts(planned, store)
    if damaged:  # a partition file that does not read, or holds other answers: graded again
        for t in damaged:
            store.discard(t.key)
        again = run_tasks(damaged, store, workers=workers, cluster=cluster, retries=retries)
        stats = replace(stats, ran=stats.ran + again.ran, reused=stats.reused - again.ran,
                        seconds=stats.seconds + again.seconds)
        parts, damaged = _load_parts(planned, store)
        if damaged:  # pragma: no cover - a store that does not keep what is written to it
            raise GradingError(f"the results in {store.folder} do not read back: delete it and grade again")

    clock.append(("grade", time.perf_counter()))
    verdicts: dict[tuple[str, str], list] = {}
    for item, t in planned:
        for answer, v in zip(t.args[1], parts[t.key]["verdicts"]):
            verdicts[(item, answer)] = v
    graded = []
    for a in attempts:
        v = verdicts.get((a.item, a.answer))
        if v is None:  # pragma: no cover - a partition file that does not hold what its key says
            raise GradingError(f"no verdict for line {a.line}: delete {store.folder} and grade again")
        graded.append(Graded(a.line, a.learner, a.item, a.answer, v[0], float(v[1]), v[2], v[3], v[4],
                             None if v[5] is None else tuple(v[5])))
    _check_counts(data.rows, graded, errors)
    order = _item_order(exercises, exercise_set)
    if report:
        from .report import start_learner_pages, write_report

        pages_written = start_learner_pages(graded, exercises, out, order=order)  # beside the writing below
    _write_attempts(out / "attempts.csv", graded, exercises)
    write_csv(out / "errors.csv", ["line", "reason", "text"], ((e.line, e.reason, e.text) for e in errors))
    book = gradebook(graded, order)
    write_csv(out / "gradebook.csv", ["learner", *order, "total", "out_of", "percent"], book)
    clock.append(("write", time.perf_counter()))
    if report:
        write_report(graded, exercises, out, order=order, title=f"Class report: {Path(path).name}",
                     errors=errors, write_pages=False)
        pages_written()
    clock.append(("report", time.perf_counter()))
    result = ClassGrade(
        rows=data.rows, graded=len(graded), errors=len(errors), distinct=len(verdicts), partitions=len(tasks),
        ran=stats.ran, reused=stats.reused, seconds=stats.seconds, where=stats.where, out=str(out),
        learners=len(book), items=len(order), report=report,
        phases=tuple((name, round(t - clock[k][1], 3)) for k, (name, t) in enumerate(clock[1:])),
    )
    with open(out / ".summary.json.tmp", "w", encoding="utf-8") as fh:
        json.dump({"schema_version": SCHEMA_VERSION, **{k: getattr(result, k) for k in result.__slots__},
                   "phases": dict(result.phases)}, fh, indent=2)
    Path(out / ".summary.json.tmp").replace(out / "summary.json")
    return result


def _load_parts(planned, store: Store) -> tuple[dict[str, dict], list[Task]]:
    """The stored partitions by key, and the tasks whose file is damaged or holds other answers than its task."""
    parts, damaged = {}, []
    for _, t in planned:
        try:
            part = store.load(t.key)
            ok = (isinstance(part, dict) and part.get("answers") == list(t.args[1])
                  and isinstance(part.get("verdicts"), list) and len(part["verdicts"]) == len(t.args[1])
                  and all(isinstance(v, list) and len(v) == 6 for v in part["verdicts"]))
        except (OSError, ValueError, KeyError, TypeError):
            ok = False
        if ok:
            parts[t.key] = part
        else:
            damaged.append(t)
    return parts, damaged


def _check_counts(rows: int, graded: list[Graded], errors: list[RowError]) -> None:
    lines = [g.line for g in graded] + [e.line for e in errors]
    if len(lines) != rows or len(set(lines)) != rows:
        raise GradingError(f"the output has {len(lines)} rows ({len(set(lines))} distinct lines) for {rows} input rows")


def _item_order(exercises: dict[str, Exercise], exercise_set: ExerciseSet | None) -> list[str]:
    """The set's order, then the other items in the order the file first names them."""
    ids = [ex.id for ex in exercise_set.items] if exercise_set is not None else []
    rank = {name: i for i, name in enumerate(ids)}
    first = {name: i for i, name in enumerate(exercises)}
    return sorted(exercises, key=lambda n: (rank.get(n, len(rank)), first[n]))


def _write_attempts(path: Path, graded: list[Graded], exercises: dict[str, Exercise]) -> None:
    header = ["line", "learner", "item", "topic", "answer", "status", "score", "diagnosis", "message"]
    write_csv(path, header, ((g.line, g.learner, g.item, exercises[g.item].topic, g.answer, g.status,
                              _num(g.score), g.diagnosis or "", g.message) for g in graded))


def _num(x: float) -> str:
    """A score as text: short where that is exact ("1", "0.75"), else every digit, so that it reads back as the
    same float (a 3 x 3 matrix with one entry wrong scores 8/9).

    Examples:
        >>> _num(1.0), _num(0.75), _num(8 / 9), float(_num(8 / 9)) == 8 / 9
        ('1', '0.75', '0.8888888888888888', True)
    """
    return _score_text(float(x))


@lru_cache(maxsize=4096)
def _score_text(x: float) -> str:  # a class has few distinct scores
    short = f"{x:.12g}"
    return short if float(short) == x else repr(x)


def gradebook(graded, order: list[str]) -> list[list]:
    """Rows of learner, the best score on each item ("" where not attempted), total, out of, percent.

    Examples:
        >>> g = [Graded(2, "ann", "a", "1", "correct", 1.0, None, "", "", None),
        ...      Graded(3, "ann", "b", "1", "incorrect", 0.0, None, "", "", None)]
        >>> gradebook(g, ["a", "b"])
        [['ann', '1', '0', '1', 2, '50']]
    """
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for g in graded:
        mine = best[g.learner]
        mine[g.item] = max(mine.get(g.item, 0.0), g.score)
    rows = []
    for learner in sorted(best):
        mine = best[learner]
        total = math.fsum(mine.values())
        rows.append([learner, *(_num(mine[i]) if i in mine else "" for i in order), _num(total), len(order),
                     f"{100 * total / len(order):.0f}" if order else "0"])
    return rows
