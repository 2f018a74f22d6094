"""Grading a class's typed answers: partitioned by item, each distinct answer checked once, fanned back out.

The attempts are grouped by item, and within an item identical typed answers
are checked once (in a large class most learners who are right, and most who
make the same mistake, type the same text).  Each item's distinct answers form
one or more partitions; a partition is one unit of work for
:func:`~symtutor.grading.runner.run_tasks`, on local cores or a Dask cluster,
keyed by a hash of the exercise and its answers so that a rerun skips it.
The worker that grades a partition also fans its verdicts out to the
partition's attempts (on a rerun, from the stored verdicts): it writes their
rows of ``attempts.csv`` and sums them up for the report
(:mod:`symtutor.grading.summary`), so that the driver, which reads the file
once and merges what the workers return, does little that grows with the rows.

Every answer is marked by the exercise's own check (``Exercise.check``, which
is :func:`symtutor.check` in its sandbox, with its time and memory bound), so
a verdict here is the verdict ``symtutor.check`` gives that answer.  A wrong
answer no diagnosis explains is also evaluated at a few fixed points, so the
report can group the answers that are the same wrong thing written differently.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import multiprocessing as mp
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
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
from .attempts import RowError, read_rows, resolve_items, write_csv, write_lines
from .runner import RunStats, StaleResult, Store, Task, local_workers, run_tasks
from .summary import ClassSummary, PartSummary, merge, summarize

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


def _verdicts_of(result, answers: tuple) -> list[list]:
    """The verdicts of a partition's results, if they are the results of these answers (else StaleResult)."""
    ok = (isinstance(result, dict) and result.get("answers") == list(answers)
          and isinstance(result.get("verdicts"), list) and len(result["verdicts"]) == len(answers)
          and all(isinstance(v, list) and len(v) == 6 for v in result["verdicts"]))
    if not ok:
        raise StaleResult("the stored results are not this partition's")
    return result["verdicts"]


class _Echo:
    """A file whose ``write`` hands the text back: ``csv.writer(_Echo()).writerow(row)`` is the row as CSV."""

    @staticmethod
    def write(text: str) -> str:
        return text


_CSV = csv.writer(_Echo())  # the dialect of write_csv (commas, minimal quoting, "\r\n")


def _fan_out(result, item: str, topic: str, answers: tuple, lines: list[int], learners: list[str],
             which: list[int]) -> tuple[PartSummary, list[str]]:
    """A partition's verdicts fanned out to its attempts (runs in a worker, on new or stored results): each
    attempt's row of attempts.csv, in the order of ``lines``, and the partition summed up for the report."""
    verdicts = _verdicts_of(result, answers)
    # the columns after line and learner, written once per distinct answer
    tails = [_CSV.writerow([item, topic, text, v[0], _num(v[1]), v[2] or "", v[3]])
             for text, v in zip(answers, verdicts)]
    quoted: dict[str, str] = {}
    rows = []
    for line, learner, a in zip(lines, learners, which):
        q = quoted.get(learner)
        if q is None:
            q = quoted[learner] = _CSV.writerow([learner]).removesuffix("\r\n")
        rows.append(f"{line},{q},{tails[a]}")
    return summarize(item, answers, verdicts, lines, learners, which), rows


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


def plan(rows: Mapping[str, Sequence[tuple]], exercises: dict[str, Exercise], *, timeout: float = 1.0,
         chunk: int = 2000) -> list[Task]:
    """The partitions: per item, its distinct answers (sorted), in chunks of at most ``chunk``, each with the
    attempts (``(line, learner, item, answer)`` rows, in file order) that gave them.

    Examples:
        >>> from symtutor import generate
        >>> ex = {"p": generate("power_rule", seed=1)}
        >>> rows = [(2, "a", "p", "x"), (3, "b", "p", "x"), (4, "c", "p", "2x")]
        >>> [(t.args[1], t.size, t.then_args[3:]) for t in plan({"p": rows}, ex)]
        [(('2x', 'x'), 3, ([2, 3, 4], ['a', 'b', 'c'], [1, 1, 0]))]
    """
    tasks = []
    for item, attempts in rows.items():
        ex = exercises[item]
        lines, learners, texts = (list(map(itemgetter(k), attempts)) for k in (0, 1, 3))
        answers = sorted(set(texts))
        parts = [tuple(answers[i:i + chunk]) for i in range(0, len(answers), chunk)]
        if len(parts) == 1:
            index = {a: k for k, a in enumerate(answers)}
            columns = [(lines, learners, list(map(index.__getitem__, texts)))]
        else:  # each attempt to the chunk that holds its answer
            where = {a: (c, k) for c, part in enumerate(parts) for k, a in enumerate(part)}
            split: list[tuple[list, list, list]] = [([], [], []) for _ in parts]
            for line, learner, text in zip(lines, learners, texts):
                c, k = where[text]
                split[c][0].append(line)
                split[c][1].append(learner)
                split[c][2].append(k)
            columns = split
        for part, (ls, who, which) in zip(parts, columns):
            tasks.append(Task(_key(ex, part, timeout), _partition, (ex, part, timeout), size=len(ls), work=len(part),
                              then=_fan_out, then_args=(item, ex.topic, part, ls, who, which)))
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
    ``cluster``.  Each answer is checked within ``timeout`` seconds.  The
    workers also fan the verdicts out to the attempts and sum them up
    partition by partition; the driver merges what they return.

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
    by_name: dict[str, list[tuple]] = defaultdict(list)  # the rows by the item name they give, in file order
    errors: list[RowError] = []
    n_rows = 0
    for row in read_rows(path):
        n_rows += 1
        if type(row) is tuple:
            by_name[row[2]].append(row)
        else:
            errors.append(row)
    named, unknown = resolve_items(by_name, exercise_set)
    same = _same_items(named)
    exercises = {same[name]: ex for name, ex in named.items()}
    by_item: dict[str, list[tuple]] = {}
    for name, rows in by_name.items():
        if name in unknown:
            errors.extend(RowError(r[0], unknown[name], f"{r[1]},{r[2]},{r[3]}"[:200]) for r in rows)
        elif same[name] in by_item:  # another name of the same exercise: its rows join in file order
            by_item[same[name]] = sorted(by_item[same[name]] + rows)
        else:
            by_item[same[name]] = rows
    errors.sort(key=lambda e: e.line)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "partitions")
    tasks = plan(by_item, exercises, timeout=timeout, chunk=chunk)
    del by_name, by_item
    clock.append(("read", time.perf_counter()))
    done: dict[str, tuple[PartSummary, list[str]]] = {}
    stats: RunStats = run_tasks(tasks, store, workers=workers, cluster=cluster, retries=retries, progress=progress,
                                collect=lambda task, output: done.__setitem__(task.key, output))
    clock.append(("grade", time.perf_counter()))
    order = _item_order(exercises, exercise_set)
    summary = merge((done[t.key][0] for t in tasks), order)
    if report:
        from .report import start_learner_pages, write_report

        pages = 1 if cluster is not None else (workers or local_workers())
        pages_written = start_learner_pages(summary, exercises, out, order=order, processes=pages)  # beside the rest
    lines = np.fromiter(chain.from_iterable(t.then_args[3] for t in tasks), dtype=np.int64)
    rows = list(chain.from_iterable(done[t.key][1] for t in tasks))
    write_lines(out / "attempts.csv", _ATTEMPT_COLUMNS, _in_order(n_rows, lines, rows, errors))
    write_csv(out / "errors.csv", ["line", "reason", "text"], ((e.line, e.reason, e.text) for e in errors))
    book = gradebook(summary)
    write_csv(out / "gradebook.csv", ["learner", *order, "total", "out_of", "percent"], book)
    clock.append(("write", time.perf_counter()))
    if report:
        write_report(summary, exercises, out, order=order, title=f"Class report: {Path(path).name}",
                     errors=errors, write_pages=False)
        pages_written()
    clock.append(("report", time.perf_counter()))
    result = ClassGrade(
        rows=n_rows, graded=len(rows), errors=len(errors), distinct=sum(len(t.args[1]) for t in tasks),
        partitions=len(tasks), ran=stats.ran, reused=stats.reused, seconds=stats.seconds, where=stats.where,
        out=str(out), learners=len(book), items=len(order), report=report,
        phases=tuple((name, round(t - clock[k][1], 3)) for k, (name, t) in enumerate(clock[1:])),
    )
    with open(out / ".summary.json.tmp", "w", encoding="utf-8") as fh:
        json.dump({"schema_version": SCHEMA_VERSION, **{k: getattr(result, k) for k in result.__slots__},
                   "phases": dict(result.phases)}, fh, indent=2)
    Path(out / ".summary.json.tmp").replace(out / "summary.json")
    return result


_ATTEMPT_COLUMNS = ["line", "learner", "item", "topic", "answer", "status", "score", "diagnosis", "message"]


def _in_order(n_rows: int, lines: np.ndarray, rows: list[str], errors: list[RowError]) -> list[str]:
    """The rows of attempts.csv (one per graded line) in file order, once every input row is checked to be in
    the output exactly once: graded or reported."""
    order = np.argsort(lines, kind="stable")
    every = np.sort(np.concatenate([lines, np.array([e.line for e in errors], dtype=np.int64)]))
    distinct = len(every) - int(np.count_nonzero(every[1:] == every[:-1]))
    if len(rows) != len(lines) or len(every) != n_rows or distinct != n_rows:
        raise GradingError(f"the output has {len(rows) + len(errors)} rows ({distinct} distinct lines) "
                           f"for {n_rows} input rows")
    return [rows[k] for k in order.tolist()]


def _item_order(exercises: dict[str, Exercise], exercise_set: ExerciseSet | None) -> list[str]:
    """The set's order, then the other items in the order the file first names them."""
    ids = [ex.id for ex in exercise_set.items] if exercise_set is not None else []
    rank = {name: i for i, name in enumerate(ids)}
    first = {name: i for i, name in enumerate(exercises)}
    return sorted(exercises, key=lambda n: (rank.get(n, len(rank)), first[n]))


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


def gradebook(summary: ClassSummary) -> list[list]:
    """Rows of learner, the best score on each item ("" where not attempted), total, out of, percent.

    Examples:
        >>> from symtutor.grading.summary import summarize_graded
        >>> g = [Graded(2, "ann", "a", "1", "correct", 1.0, None, "", "", None),
        ...      Graded(3, "ann", "b", "1", "incorrect", 0.0, None, "", "", None)]
        >>> gradebook(summarize_graded(g, ["a", "b"]))
        [['ann', '1', '0', '1', 2, '50']]
    """
    n = len(summary.items)
    best = summary.best
    taken = ~np.isnan(best)
    values = np.unique(best[taken])  # a class has few distinct scores: each written once
    texts = np.array([_num(v) for v in values.tolist()] + [""], dtype=object)
    cells = texts[np.where(taken, np.searchsorted(values, best), len(values))].tolist()
    rows = []
    for learner, scores, row in zip(summary.learners, best.tolist(), cells):
        total = math.fsum(x for x in scores if x == x)  # NaN: not attempted
        rows.append([learner, *row, _num(total), n, f"{100 * total / n:.0f}" if n else "0"])
    return rows
