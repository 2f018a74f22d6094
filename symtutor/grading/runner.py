"""Running units of grading work on local cores or a Dask cluster, resumably, each unit exactly once.

A :class:`Task` is a key (a hash of everything its result depends on), a
module-level function and its arguments.  :func:`run_tasks` runs the tasks
whose result is not yet in the :class:`Store`, on a local process pool (every
core by default) or on a Dask cluster given its scheduler's address.  Each
result is written to the store as soon as it is computed, atomically (a
temporary file renamed over the final one): by the local worker that computed
it, or by the driver for a cluster (whose workers may not share its disk).  An
interrupted run loses at most the tasks in flight and a rerun skips every task
already done.

A task may also say what to make of its result (``then``): that runs in the
worker too, on the new result or the stored one, and only its output (a
summary) comes back to the driver, so the driver's own work does not grow
with the rows behind a task.

A worker that dies (killed, out of memory, its node lost) costs a retry: the
local pool is restarted and the unfinished tasks resubmitted; on Dask the
scheduler reschedules them (and ``retries`` covers a task that raises).
"""

from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import json
import multiprocessing as mp
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import GradingError, InvalidArgumentError
from ..sandbox import _die_with_parent

__all__ = ["Task", "Store", "RunStats", "StaleResult", "run_tasks", "local_workers"]


class StaleResult(Exception):
    """Raised by a task's ``then`` when the stored result does not fit the task: the task is run again."""


@dataclass(frozen=True, slots=True)
class Task:
    """A unit of work: ``fn(*args)`` returns a JSON-serialisable result, stored under ``key``.

    ``size`` is how many input rows it stands for (for the progress bar), ``work`` how long it takes, in any unit
    (its number of checks, say: the longest tasks start first; by default its size).  With ``then``, the worker also
    computes ``then(result, *then_args)`` on the result, new or stored (a stored one that does not fit makes
    ``then`` raise :class:`StaleResult`, and ``fn`` runs again), and :func:`run_tasks` hands that to ``collect``.
    """

    key: str
    fn: Callable
    args: tuple
    size: int = 1
    work: float | None = None
    then: Callable | None = None
    then_args: tuple = ()


@dataclass(frozen=True, slots=True)
class RunStats:
    """What a run did: tasks run now, tasks found already done, and the seconds it took."""

    ran: int
    reused: int
    seconds: float
    workers: int
    where: str


class Store:
    """A folder of results, one JSON file per task key, each written atomically.

    Examples:
        >>> import tempfile
        >>> s = Store(tempfile.mkdtemp())
        >>> s.has("k"), s.save("k", [1, 2]), s.has("k"), s.load("k")
        (False, None, True, [1, 2])
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key or not all(c.isalnum() or c in "-_" for c in key):
            raise InvalidArgumentError(f"a task key is letters, digits, '-' and '_', not {key!r}")
        return self.folder / f"{key}.json"

    def has(self, key: str) -> bool:
        """Whether a complete result for ``key`` is stored."""
        return self._path(key).is_file()

    def load(self, key: str):
        """The stored result for ``key``."""
        with open(self._path(key), encoding="utf-8") as fh:
            return json.load(fh)["result"]

    def get(self, key: str, default=None):
        """The stored result for ``key``, or ``default`` where none is stored or it does not read back."""
        try:
            return self.load(key)
        except (OSError, ValueError, KeyError, TypeError):
            return default

    def discard(self, key: str) -> None:
        """Remove the result stored under ``key``, if any (a damaged one, to be computed again)."""
        self._path(key).unlink(missing_ok=True)

    def save(self, key: str, result) -> None:
        """Store ``result`` under ``key``: written to a temporary file, flushed, then renamed into place."""
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"schema_version": 1, "key": key, "result": result}, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def local_workers() -> int:
    """How many cores this process may use.

    Examples:
        >>> local_workers() >= 1
        True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(
    tasks: Sequence[Task],
    store: Store,
    *,
    workers: int | None = None,
    cluster: str | None = None,
    retries: int = 3,
    progress: Callable[[int, int], None] | None = None,
    collect: Callable[[Task, object], None] | None = None,
) -> RunStats:
    """Run every task whose result is not in ``store`` and store its result.

    Locally on ``workers`` processes (default: every core), or on the Dask
    cluster whose scheduler is at ``cluster``.  A task that fails ``retries``
    times more (its worker died, or it raised) stops nothing else; when all
    the others are done a :class:`~symtutor.errors.GradingError` names it, and
    a rerun tries it again.  ``progress(rows_done, rows_total)`` follows the run.
    A task with ``then`` runs even when its result is stored (only ``then``, on
    the stored result), and ``collect(task, output)`` receives its output in
    the driver as each task finishes.

    Examples:
        >>> import tempfile, math
        >>> s = Store(tempfile.mkdtemp())
        >>> stats = run_tasks([Task("a", math.factorial, (5,)), Task("b", math.factorial, (6,))], s, workers=1)
        >>> stats.ran, s.load("a"), s.load("b")
        (2, 120, 720)
        >>> run_tasks([Task("a", math.factorial, (5,))], s, workers=1).reused
        1
        >>> seen = {}
        >>> stats = run_tasks([Task("a", math.factorial, (5,), then=divmod, then_args=(7,))], s, workers=1,
        ...                   collect=lambda task, out: seen.update({task.key: out}))
        >>> stats.reused, seen
        (1, {'a': (17, 1)})
    """
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise InvalidArgumentError("two tasks have the same key")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidArgumentError(f"workers must be a whole number >= 1, not {workers!r}")
    if not isinstance(retries, int) or retries < 0:
        raise InvalidArgumentError(f"retries must be a whole number >= 0, not {retries!r}")
    start = time.perf_counter()
    total = sum(t.size for t in tasks)
    stored = {t.key for t in tasks if store.has(t.key)}
    todo = [t for t in tasks if t.key not in stored or t.then is not None]
    done_rows = total - sum(t.size for t in todo)
    ran = 0
    if progress is not None:
        progress(done_rows, total)
    # the longest tasks to compute first, so the last ones to finish are short (a stored one only runs its then)
    todo.sort(key=lambda t: (t.key in stored, -(t.size if t.work is None else t.work)))

    def finished(task: Task, outcome: tuple, *, save: bool) -> None:
        nonlocal done_rows, ran
        computed, result, output = outcome
        if computed and save:  # a cluster's worker hands its result back: stored here
            store.save(task.key, result)
        # run now: computed, or stored since the start by a worker whose reply was lost when the pool broke
        ran += computed or task.key not in stored
        if task.then is not None and collect is not None:
            collect(task, output)
        done_rows += task.size
        if progress is not None:
            progress(done_rows, total)

    if cluster is not None:
        def unit_args(task: Task) -> tuple:  # the cluster's workers may not see this disk: stored results go along
            found = store.get(task.key, _ABSENT) if task.key in stored else _ABSENT
            return task, None, () if found is _ABSENT else (found,)

        failed, n = _run_dask(todo, cluster, retries, unit_args, lambda t, o: finished(t, o, save=True))
        where = f"Dask cluster {cluster}"
    else:
        folder = str(store.folder)
        n = workers or local_workers()
        failed = _run_local(todo, min(n, len(todo)), retries, lambda t: (t, folder, ()),
                            lambda t, o: finished(t, o, save=False)) if todo else []  # no idle workers
        where = f"{n} local worker{'s' if n != 1 else ''}"
    if failed:
        task, why = failed[0]
        raise GradingError(
            f"{len(failed)} unit(s) of work failed after {retries} retries (first: {task.key[:12]}: {why}); "
            "the rest is saved, and running the same command again retries only what is missing"
        )
    return RunStats(ran, len(tasks) - ran, time.perf_counter() - start, n, where)


_ABSENT = object()


def _unit(task: Task, folder: str | None, stored: tuple) -> tuple[bool, object, object]:
    """One task in a worker: ``(computed, result, output)``.

    The result is the stored one (``stored`` holds it, or it is in ``folder``) if it fits the task, else
    computed, and then saved in ``folder`` if given (and not handed back); ``output`` is ``then``'s.
    """
    store = Store(folder) if folder is not None else None
    if store is not None and not stored:
        found = store.get(task.key, _ABSENT)
        stored = () if found is _ABSENT else (found,)
    if stored:
        if task.then is None:
            return False, None, None
        try:
            return False, None, task.then(stored[0], *task.then_args)
        except StaleResult:  # a damaged file, or one that holds another task's result: computed again
            pass
    result = task.fn(*task.args)
    if store is not None:
        store.save(task.key, result)
    output = None if task.then is None else task.then(result, *task.then_args)
    return True, None if store is not None else result, output


def _pool(n: int) -> cf.ProcessPoolExecutor:
    methods = mp.get_all_start_methods()
    # fork: the workers start in milliseconds with symtutor already imported
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    # each worker ends when the run's process ends, however it ends, so no idle worker outlives an interrupted run
    return cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),))


def _run_local(todo: list[Task], n: int, retries: int, unit_args, finished) -> list:
    """Run the tasks on a local pool; a task in flight when a worker died is run again alone, and blamed
    (its retries counted) only if its worker dies while it runs alone."""
    failures: dict[str, int] = {}
    failed: list = []
    waiting = list(todo)
    suspects: list[Task] = []
    pool = _pool(n)
    running: dict = {}

    def blame(task: Task, why: str) -> None:
        failures[task.key] = failures.get(task.key, 0) + 1
        if failures[task.key] > retries:
            failed.append((task, why))
        else:
            suspects.append(task)

    try:
        while waiting or suspects or running:
            try:
                if suspects:
                    if not running:
                        fut = pool.submit(_unit, *unit_args(suspects[0]))
                        running[fut] = suspects.pop(0)
                else:
                    # a few tasks per worker in flight, so that a restart resubmits little
                    while waiting and len(running) < 2 * n:
                        fut = pool.submit(_unit, *unit_args(waiting[0]))
                        running[fut] = waiting.pop(0)
            except BrokenProcessPool:  # a worker died before this submission: the pool cannot take it
                suspects.extend(running.values())
                running.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _pool(n)
                continue
            alone = len(running) == 1
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                task = running.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    if alone:
                        blame(task, "its worker process died")
                    else:
                        suspects.append(task)
                    continue
                except GradingError:
                    raise
                except Exception as exc:  # the task raised: retry it
                    failures[task.key] = failures.get(task.key, 0) + 1
                    if failures[task.key] > retries:
                        failed.append((task, f"{type(exc).__name__}: {exc}"))
                    else:
                        waiting.append(task)
                    continue
                finished(task, result)
            if broken:
                # a worker died: the tasks still in flight went with the pool; each runs again alone
                suspects.extend(running.values())
                running.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _pool(n)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return failed


def _check_address(address: str) -> None:
    """A scheduler address that Dask can dial (``tcp://host:8786`` or ``host:8786``), or a one-line error."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.comm.registry import backends

    why = None
    if not isinstance(address, str) or not address.strip():
        why = "it is empty"
    else:
        try:
            scheme, location = parse_address(address.strip())
            if scheme not in backends:
                why = f"Dask has no {scheme!r} connections (use {', '.join(sorted(backends))})"
            elif scheme != "inproc" and not parse_host_port(location)[0]:
                why = "it names no host"
        except (ValueError, TypeError) as exc:
            why = str(exc)
    if why:
        raise InvalidArgumentError(f"--cluster {address!r} is not a Dask scheduler address such as "
                                   f"tcp://10.0.0.5:8786: {why}")


def _run_dask(todo: list[Task], address: str, retries: int, unit_args, finished) -> tuple[list, int]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InvalidArgumentError(
            "running on a cluster needs Dask: pip install 'symtutor[class]'"
        ) from None
    _check_address(address)
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidArgumentError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    failed: list = []
    try:
        n = max(1, len(client.scheduler_info().get("workers", {})))
        if not todo:
            return failed, n
        run = uuid.uuid4().hex[:8]
        by_future = {}
        for task in todo:
            fut = client.submit(_unit, *unit_args(task), key=f"symtutor-grade-{task.key[:24]}-{run}", pure=False,
                                retries=retries)
            by_future[fut] = task
        with client.as_current():
            for fut in as_completed(list(by_future)):
                task = by_future.pop(fut)
                try:
                    result = fut.result()
                except GradingError:
                    raise
                except Exception as exc:  # KilledWorker after the scheduler's own retries, or the task raised
                    failed.append((task, f"{type(exc).__name__}: {exc}"))
                    continue
                finished(task, result)
                fut.release()
    finally:
        client.close()
    return failed, n
