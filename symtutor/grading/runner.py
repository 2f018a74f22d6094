"""Running units of grading work on local cores or a Dask cluster, resumably, each unit exactly once.

A :class:`Task` is a key (a hash of everything its result depends on), a
module-level function and its arguments.  :func:`run_tasks` runs the tasks
whose result is not yet in the :class:`Store`, on a local process pool (every
core by default) or on a Dask cluster given its scheduler's address.  Each
result is written to the store as soon as it arrives, atomically (a temporary
file renamed over the final one), so an interrupted run loses at most the
tasks in flight and a rerun skips every task already done.

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

__all__ = ["Task", "Store", "RunStats", "run_tasks", "local_workers"]



@dataclass(frozen=True, slots=True)
class Task:
    """A unit of work: ``fn(*args)`` returns a JSON-serialisable result, stored under ``key``.

    ``size`` is how many input rows it stands for (for the progress bar).
    """

    key: str
    fn: Callable
    args: tuple
    size: int = 1


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
) -> RunStats:
    """Run every task whose result is not in ``store`` and store its result.

    Locally on ``workers`` processes (default: every core), or on the Dask
    cluster whose scheduler is at ``cluster``.  A task that fails ``retries``
    times more (its worker died, or it raised) stops nothing else; when all
    the others are done a :class:`~symtutor.errors.GradingError` names it, and
    a rerun tries it again.  ``progress(rows_done, rows_total)`` follows the run.

    Examples:
        >>> import tempfile, math
        >>> s = Store(tempfile.mkdtemp())
        >>> stats = run_tasks([Task("a", math.factorial, (5,)), Task("b", math.factorial, (6,))], s, workers=1)
        >>> stats.ran, s.load("a"), s.load("b")
        (2, 120, 720)
        >>> run_tasks([Task("a", math.factorial, (5,))], s, workers=1).reused
        1
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
    todo = [t for t in tasks if not store.has(t.key)]
    done_rows = total - sum(t.size for t in todo)
    if progress is not None:
        progress(done_rows, total)
    # the largest tasks first, so the last ones to finish are small
    todo.sort(key=lambda t: -t.size)

    def finished(task: Task, result) -> None:
        nonlocal done_rows
        store.save(task.key, result)
        done_rows += task.size
        if progress is not None:
            progress(done_rows, total)

    if cluster is not None:
        failed, n = _run_dask(todo, cluster, retries, finished)
        where = f"Dask cluster {cluster}"
    else:
        n = workers or local_workers()
        failed = _run_local(todo, min(n, len(todo)), retries, finished) if todo else []  # no idle workers
        where = f"{n} local worker{'s' if n != 1 else ''}"
    if failed:
        task, why = failed[0]
        raise GradingError(
            f"{len(failed)} unit(s) of work failed after {retries} retries (first: {task.key[:12]}: {why}); "
            "the rest is saved, and running the same command again retries only what is missing"
        )
    return RunStats(len(todo), len(tasks) - len(todo), time.perf_counter() - start, n, where)


def _pool(n: int) -> cf.ProcessPoolExecutor:
    methods = mp.get_all_start_methods()
    # fork: the workers start in milliseconds with symtutor already imported
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    # each worker ends when the run's process ends, however it ends, so no idle worker outlives an interrupted run
    return cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),))


def _run_local(todo: list[Task], n: int, retries: int, finished) -> list:
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
                        fut = pool.submit(suspects[0].fn, *suspects[0].args)
                        running[fut] = suspects.pop(0)
                else:
                    # a few tasks per worker in flight, so that a restart resubmits little
                    while waiting and len(running) < 2 * n:
                        fut = pool.submit(waiting[0].fn, *waiting[0].args)
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


def _run_dask(todo: list[Task], address: str, retries: int, finished) -> tuple[list, int]:
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
            fut = client.submit(task.fn, *task.args, key=f"symtutor-grade-{task.key[:24]}-{run}", pure=False,
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
