"""Grading one submitted assignment notebook: run it sandboxed, pull out its functions, test them on hidden cases.

The notebook is untrusted code.  Its code cells run in a separate ``python -I`` process (see ``_child.py``)
with a wall-clock bound, a CPU bound, an address-space bound (``RLIMIT_AS``), a cap on its output and on the
size of the files it writes, no new processes (``RLIMIT_NPROC`` and an audit hook), no network (a network
namespace of its own where the system allows one, and the audit hook everywhere), and a scratch working
folder that is removed afterwards; the audit hook refuses every file operation outside that folder.
A cell that ends the process, or outlives its time with the alarm shut out, is left out and the notebook run
again; a graded function that does so is marked for it and not called again.

The graded functions are then called, still in the child, on hidden cases drawn from a seed of their own
(other parameters, sizes and data than the notebook's), with the notebook's given helpers swapped for
reference ones, so each function is judged on its own.  The values come back to this process, which
compares them with the engine's derivation (the assignment modules) and names the mistake.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..assignments._learner import MISTAKES
from ..errors import InvalidArgumentError

__all__ = [
    "SCHEMA_VERSION",
    "ASSIGNMENTS",
    "MISTAKES",
    "FunctionGrade",
    "Incident",
    "NotebookGrade",
    "grade_notebook",
    "grade_notebooks",
    "grade_source",
    "schema",
]

SCHEMA_VERSION = 1
"""The version of the result's JSON form (``NotebookGrade.to_dict()``); see ``schema()``."""

ASSIGNMENTS = ("backprop", "heights")
"""The assignments the grader knows."""

_OUTPUT_CHARS = 1_000_000
_PIPE_BYTES = 64 * 1024
_RESULT_BYTES = 16 * 2**20


@dataclass(frozen=True, slots=True)
class FunctionGrade:
    """The mark of one graded function: ``score`` out of ``max_score``, the named mistake and a message.

    ``mistake`` is ``None`` when the function is right, else one of the tags of ``MISTAKES`` (``"sign"``, ``"transpose"``, ``"shape"``, ``"constant_factor"``,
    ``"missing_sigma_prime"``, ``"missing_chain_factor"``, ``"wrong_parameter"``, ``"hard_coded"``,
    ``"not_written"``, ``"missing"``, ``"raised"``, ...).
    """

    name: str
    score: float
    max_score: float
    mistake: str | None
    message: str
    cases_passed: int
    cases: int


@dataclass(frozen=True, slots=True)
class Incident:
    """Something the notebook tried or suffered that the sandbox contained.

    ``kind`` is one of ``"file"``, ``"network"``, ``"process"``, ``"native"``, ``"sandbox"``, ``"output"``,
    ``"numpy"``, ``"timeout"``, ``"memory"``, ``"cpu"``, ``"crash"``.
    """

    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class NotebookGrade:
    """The grade of one notebook: a score per function and in total, what the sandbox contained, and why.

    ``status`` is ``"graded"`` (the notebook ran and every function was tested), ``"timed_out"``,
    ``"out_of_memory"``, ``"crashed"`` (the process died before every function was tested) or
    ``"unreadable"`` (not a notebook); functions that could not be tested score 0.

    Examples:
        >>> g = NotebookGrade("n.ipynb", "heights", 1.0, 3.0, (), "1 of 3", "graded", (), (), 0.5)
        >>> g.to_dict()["schema_version"], g.to_dict()["score"]
        (1, 1.0)
    """

    notebook: str
    assignment: str
    score: float
    max_score: float
    functions: tuple[FunctionGrade, ...]
    message: str
    status: str
    incidents: tuple[Incident, ...] = ()
    cell_errors: tuple[tuple[int, str], ...] = ()
    seconds: float = 0.0
    schema_version: int = field(default=SCHEMA_VERSION)

    def to_dict(self) -> dict:
        """The JSON form, as ``schema()`` describes it."""
        d = asdict(self)
        d["functions"] = [asdict(f) for f in self.functions]
        d["incidents"] = [asdict(i) for i in self.incidents]
        d["cell_errors"] = [{"cell": i, "error": e} for i, e in self.cell_errors]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> NotebookGrade:
        """The grade back from its JSON form (``from_dict(g.to_dict()) == g``).

        Examples:
            >>> g = NotebookGrade("n.ipynb", "heights", 0.0, 1.0, (FunctionGrade("dfdmu", 0.0, 1.0, "sign", "m", 3, 4),),
            ...                   "0 of 1", "graded", (Incident("file", "x"),), ((2, "boom"),), 1.5)
            >>> NotebookGrade.from_dict(g.to_dict()) == g
            True
        """
        if d.get("schema_version") != SCHEMA_VERSION:
            raise InvalidArgumentError(f"schema_version {d.get('schema_version')!r} is not {SCHEMA_VERSION}")
        return cls(
            d["notebook"], d["assignment"], float(d["score"]), float(d["max_score"]),
            tuple(FunctionGrade(**f) for f in d["functions"]), d["message"], d["status"],
            tuple(Incident(**i) for i in d["incidents"]),
            tuple((int(c["cell"]), str(c["error"])) for c in d["cell_errors"]), float(d["seconds"]),
        )

    def text(self) -> str:
        """The grade as plain sentences, one function a line."""
        lines = [f"{self.notebook}: {_fmt(self.score)}/{_fmt(self.max_score)} ({self.assignment}) - {self.message}"]
        for f in self.functions:
            lines.append(f"  {f.name}: {_fmt(f.score)}/{_fmt(f.max_score)}  {f.message}")
        for i in self.incidents:
            lines.append(f"  contained: {i.detail}")
        for index, error in self.cell_errors[:10]:
            lines.append(f"  cell {index}: {error}")
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:g}"


@lru_cache(maxsize=1)
def schema() -> dict:
    """The JSON Schema of ``NotebookGrade.to_dict()`` (shipped as ``notebook-grade.schema.json``).

    Examples:
        >>> schema()["properties"]["schema_version"]["const"]
        1
    """
    text = resources.files("symtutor.grading").joinpath("notebook-grade.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


# ---- reading the notebook ------------------------------------------------------------------------


def _code_cells(path: Path) -> list[tuple[int, str]]:
    """(index, source) of every code cell; raises ValueError for what is not a notebook."""
    size = path.stat().st_size
    if size > 20 * 2**20:
        raise ValueError(f"the file is {size / 2**20:.0f} MB; a notebook to grade may be at most 20 MB")
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("worksheets"), list):  # nbformat 3
        data = {"cells": [c for w in data["worksheets"] if isinstance(w, dict) for c in w.get("cells", [])]}
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("not a Jupyter notebook: there is no list of cells")
    cells = []
    for i, cell in enumerate(data["cells"]):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", cell.get("input", ""))
            src = "".join(src) if isinstance(src, list) else src
            if not isinstance(src, str):
                raise ValueError(f"cell {i} has no text")
            cells.append((i, src))
    return cells


# ---- the sandboxed run ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _network_namespace() -> tuple[str, ...]:
    """A prefix that gives the child a network namespace of its own, where the system allows it."""
    unshare = shutil.which("unshare")
    if unshare is None or sys.platform != "linux":
        return ()
    try:
        ok = subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return (unshare, "-n", "--") if ok else ()


def _drain(stream, keep: int, out: list) -> None:
    """Read a pipe to its end, keeping at most ``keep`` bytes (the rest is counted and dropped)."""
    kept, total = bytearray(), 0
    with stream:
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            total += len(chunk)
            if len(kept) < keep:
                kept += chunk[: keep - len(kept)]
    out.append((bytes(kept), total))


_GRACE = 2.0
"""Seconds a cell or a call may outlive its budget (and a tenth of it more, for a busy machine) before the parent
stops the process: its alarm was shut out."""


def _drain_messages(stream, keep: int, out: list, running: list) -> None:
    """Read the child's result pipe like ``_drain``, and keep ``running`` = [(what started, its budget, when)]."""
    kept, total, line = bytearray(), 0, b""
    with stream:
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            total += len(chunk)
            if len(kept) < keep:
                kept += chunk[: keep - len(kept)]
            line += chunk
            *done, line = line.split(b"\n")
            line = line[:4096]  # a long line (a result) is not read here: its head says what it is
            for raw in done:
                if len(raw) > 200 or not raw.startswith(b'{"kind": '):
                    running[:] = [] if raw.startswith(b'{"kind": "result"') else running
                    continue
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if msg.get("kind") in ("start", "call") and isinstance(msg.get("budget"), (int, float)):
                    running[:] = [(msg, float(msg["budget"]), time.monotonic())]
                else:
                    running[:] = []
    out.append((bytes(kept), total))


@dataclass(frozen=True, slots=True)
class _Run:
    messages: tuple
    status: str  # finished | timed_out | killed | stalled (a cell or call outlived its budget and was stopped)
    returncode: int | None
    stray_bytes: int
    seconds: float
    stray_head: bytes = b""

    @property
    def out_of_memory(self) -> bool:
        rc = self.returncode
        return rc == 86 or rc == -9 or b"Memory allocation" in self.stray_head or b"MemoryError" in self.stray_head


def _run_child(job: dict, *, timeout: float) -> _Run:
    scratch = tempfile.mkdtemp(prefix="symtutor-grade-")
    try:
        with open(os.path.join(scratch, "job.json"), "w", encoding="utf-8") as fh:
            json.dump(job, fh)
        read_fd, write_fd = os.pipe()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": scratch,
            "TMPDIR": scratch,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": job.get("mpl_dir") or scratch,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "SYMTUTOR_RESULT_FD": str(write_fd),
            "SYMTUTOR_GRADING": "1",
            "SYMTUTOR_ITERATIONS": str(job.get("iterations", 200)),
        }
        child = str(Path(__file__).with_name("_child.py"))
        argv = [*_network_namespace(), sys.executable, "-I", child]
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(argv, cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, pass_fds=(write_fd,), start_new_session=True)
        finally:
            os.close(write_fd)
        results: list = []
        stray: list = []
        running: list = []
        readers = [
            threading.Thread(target=_drain_messages, args=(os.fdopen(read_fd, "rb"), _RESULT_BYTES, results, running),
                             daemon=True),
            threading.Thread(target=_drain, args=(proc.stdout, _PIPE_BYTES, stray), daemon=True),
        ]
        for r in readers:
            r.start()
        status = "finished"
        try:
            while True:
                try:
                    proc.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    pass
                now = time.monotonic()
                if now - t0 > timeout:
                    status = "timed_out"
                    break
                current = list(running)
                if current and now - current[0][2] > current[0][1] * 1.1 + _GRACE:
                    status = "stalled"
                    break
        finally:
            try:
                os.killpg(proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        for r in readers:
            r.join(timeout=5)
        seconds = time.monotonic() - t0
        messages = []
        data = results[0][0] if results else b""
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict):
                messages.append(msg)
        stray_bytes = stray[0][1] if stray else 0
        if any(m.get("kind") == "done" for m in messages):
            status = "finished"
        elif status == "finished":
            status = "killed"
        return _Run(tuple(messages), status, proc.returncode, stray_bytes, seconds, stray[0][0] if stray else b"")
    finally:
        _remove(scratch)


def _remove(folder: str) -> None:
    """Remove the scratch folder, whatever modes the notebook left on what it made there."""
    for root, dirs, _files in os.walk(folder):
        for d in dirs:
            try:
                os.chmod(os.path.join(root, d), 0o700, follow_symlinks=False)
            except OSError:
                pass
    shutil.rmtree(folder, ignore_errors=True)


# ---- the assignments -----------------------------------------------------------------------------


def _assignment(name: str):
    if name == "backprop":
        from ..assignments import backprop as module
    elif name == "heights":
        from ..assignments import heights as module
    else:
        raise InvalidArgumentError(f"unknown assignment {name!r}; choose one of {', '.join(ASSIGNMENTS)}")
    return module


@lru_cache(maxsize=1)
def _mpl_dir() -> str | None:
    """A folder of its own for Matplotlib's font cache, kept between runs (written before the audit hook only)."""
    try:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("symtutor")) / "grading-matplotlib"
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return str(path)
    except OSError:
        return None


def _preload(cells) -> list[str]:
    """The modules to import before the audit hook is on, for those the notebook names (their setup reads files)."""
    text = "\n".join(s for _, s in cells)
    names = []
    if "matplotlib" in text or "symtutor" in text:
        names += ["matplotlib", "matplotlib.pyplot"]
    if "symtutor" in text:
        names += ["symtutor.plotting", "symtutor.assignments.backprop", "symtutor.assignments.heights"]
    if "scipy" in text:
        names += ["scipy", "scipy.optimize"]
    return names


def grade_source(cells: list[tuple[int, str]], assignment: str, *, notebook: str = "<cells>", timeout: float = 60.0,
                 memory: int = 1024, seed: int = 20_24, iterations: int = 200) -> NotebookGrade:
    """Grade code cells ``[(index, source), ...]`` as a notebook (``grade_notebook`` after reading the file).

    Examples:
        >>> g = grade_source([(0, "def dfdmu(x, mu, sig):\\n    return 0 * x")], "heights", timeout=30)
        >>> [(f.name, f.score, f.mistake) for f in g.functions]
        [('dfdmu', 0.0, 'wrong'), ('dfdsig', 0.0, 'missing'), ('steepest_step', 0.0, 'missing')]
    """
    module = _assignment(assignment)
    if not timeout > 0:
        raise InvalidArgumentError(f"timeout must be positive, not {timeout!r}")
    if not 256 <= memory <= 65536:
        raise InvalidArgumentError(f"memory is in MB, from 256 to 65536, not {memory!r}")
    cases = module.hidden_cases(seed)
    calls = [c.call for c in cases]
    job = {
        "assignment": assignment,
        "cells": [[i, s] for i, s in cells],
        "calls": calls,
        "memory_bytes": memory * 2**20,
        "cpu_seconds": int(timeout) + 2,
        "file_bytes": 8 * 2**20,
        "output_chars": _OUTPUT_CHARS,
        "notebook_seconds": timeout * 0.7,
        "calls_seconds": timeout * 0.92,
        "call_seconds": max(0.5, timeout * 0.05),
        "iterations": iterations,
        "preload": _preload(cells),
    }
    if any(name.startswith("matplotlib") for name in job["preload"]):
        job["mpl_dir"] = _mpl_dir()
    t0 = time.monotonic()
    run = _run_child(job, timeout=timeout)
    skipped: list[tuple[int, str]] = []
    stopped: dict[str, list] = {}
    # a cell that ends the process (os._exit, a crash in native code) or outlives its time with the alarm shut out
    # is skipped, and the notebook run again; a graded function that does so is marked for it and left out
    while run.status in ("killed", "stalled") and len(skipped) + len(stopped) < 4 and \
            (run.status == "stalled" or not run.out_of_memory):
        last = [m for m in run.messages if _announces(m, len(calls))]
        left = timeout - (time.monotonic() - t0)
        if not last or left < 2:
            break
        why = (f"did not stop when its {last[-1]['budget']:.3g} s were up" if run.status == "stalled" else
               f"ended the notebook's process (exit status {run.returncode})")
        if last[-1]["kind"] == "call":
            name = calls[int(last[-1]["call"])]["function"]
            stopped[name] = ["Stopped", why]
        else:
            bad = last[-1].get("index")
            skipped.append((bad, f"{why}; the notebook was run again without it"))
        job = dict(job, cells=[[i, s] for i, s in job["cells"] if i not in {b for b, _ in skipped}],
                   skip_functions=stopped, notebook_seconds=left * 0.7, calls_seconds=left * 0.92,
                   cpu_seconds=int(left) + 2)
        again = _run_child(job, timeout=left)
        run = _Run(tuple(m for m in run.messages if m.get("kind") == "incident") + again.messages, again.status,
                   again.returncode, run.stray_bytes + again.stray_bytes, time.monotonic() - t0, again.stray_head)
    grade = _assemble(module, assignment, notebook, cases, run, timeout=timeout, memory=memory)
    grade = _why_missing(grade, cells)
    if stopped:
        grade = replace(grade, incidents=tuple(Incident("crash" if "ended" in why else "timeout", f"{name} {why}; "
                                                        "the notebook was run again without calling it")
                                               for name, (_, why) in stopped.items()) + grade.incidents)
    if skipped:
        crash = [Incident("crash" if "ended" in why else "timeout", f"cell {i} {why}") for i, why in skipped]
        grade = replace(grade, incidents=tuple(crash) + grade.incidents,
                        cell_errors=tuple(sorted(grade.cell_errors + tuple(skipped))))
    return grade


def _announces(m: dict, calls: int) -> bool:
    """Whether ``m`` is a well-formed "a cell starts" or "a call starts" message (the notebook can forge them)."""
    if not isinstance(m.get("budget"), (int, float)) or isinstance(m.get("budget"), bool):
        return False
    if m.get("kind") == "start":
        return type(m.get("index")) is int
    return m.get("kind") == "call" and type(m.get("call")) is int and 0 <= m["call"] < calls


def _assemble(module, assignment, notebook, cases, run: _Run, *, timeout, memory) -> NotebookGrade:
    incidents: list[Incident] = []
    cell_errors: list[tuple[int, str]] = []
    results: dict[int, dict] = {}
    for m in run.messages:
        kind = m.get("kind")
        if kind == "incident":
            incidents.append(Incident(str(m.get("type")), str(m.get("detail"))[:300]))
        elif kind == "cell" and type(m.get("index")) is int:
            cell_errors.append((m["index"], str(m.get("error"))[:300]))
        elif kind == "result" and isinstance(m.get("call"), int):
            results[m["call"]] = m
    status = "graded"
    started = [m.get("index") for m in run.messages if m.get("kind") == "start"]
    testing = any(m.get("kind") == "calls" for m in run.messages)
    if run.status in ("timed_out", "stalled"):
        status = "timed_out"
        where = " (testing the functions)" if testing else f" (in cell {started[-1]})" if started else ""
        incidents.append(Incident("timeout", f"the notebook was stopped after {timeout:g} s{where}"))
    elif run.status == "killed":
        rc = run.returncode
        if rc is not None and rc < 0 and -rc == 24:
            status = "timed_out"
            incidents.append(Incident("cpu", "the notebook used up its CPU time and was stopped"))
        elif run.out_of_memory:
            status = "out_of_memory"
            incidents.append(Incident("memory", f"the notebook was stopped: it needed more than {memory} MB"))
        else:
            status = "crashed"
            incidents.append(Incident("crash", f"the notebook's process ended early (exit status {rc})"))
    if run.stray_bytes > _PIPE_BYTES:
        incidents.append(Incident("output", f"the notebook wrote {run.stray_bytes:,} bytes straight to its output; "
                                  "they were dropped"))
    functions = module.judge(cases, results)
    if status != "graded":
        functions = tuple(_untested(f, status) if f.mistake == "untested" else f for f in functions)
    score = float(sum(f.score for f in functions))
    top = float(sum(f.max_score for f in functions))
    right = sum(1 for f in functions if f.mistake is None)
    message = f"{right} of {len(functions)} functions right"
    if status == "timed_out":
        message += "; the notebook ran out of time"
    elif status == "out_of_memory":
        message += "; the notebook ran out of memory"
    elif status == "crashed":
        message += "; the notebook's process crashed"
    return NotebookGrade(notebook, assignment, score, top, functions, message, status, tuple(incidents),
                         tuple(cell_errors), round(run.seconds, 3))


def _why_missing(grade: NotebookGrade, cells) -> NotebookGrade:
    """A function that is missing because the cell that defines it stopped with an error: say so, with the error."""
    errors = dict(grade.cell_errors)
    functions = []
    for f in grade.functions:
        if f.mistake == "missing":
            defines = re.compile(rf"^\s*(?:def\s+{re.escape(f.name)}\s*\(|{re.escape(f.name)}\s*=[^=])", re.M)
            where = [i for i, src in cells if i in errors and defines.search(src)]
            if where:
                f = replace(f, message=f"{f.name} is not defined: the cell where it is written (cell {where[-1]}) "
                            f"stopped with {errors[where[-1]]}; fix that and run the cell again")
        functions.append(f)
    return replace(grade, functions=tuple(functions))


def _untested(f: FunctionGrade, status: str) -> FunctionGrade:
    why = {"timed_out": "the notebook ran out of time", "out_of_memory": "the notebook ran out of memory",
           "crashed": "the notebook's process crashed"}[status]
    return FunctionGrade(f.name, 0.0, f.max_score, "untested", f"not tested: {why} before it could be", 0, f.cases)


def grade_notebook(path, assignment: str, *, timeout: float = 60.0, memory: int = 1024, seed: int = 20_24,
                   iterations: int = 200) -> NotebookGrade:
    """Grade a submitted notebook for ``assignment`` ("backprop" or "heights"), sandboxed, on hidden cases.

    ``timeout`` bounds the whole run in seconds (wall clock; the CPU bound follows it), ``memory`` the
    address space in MB.  ``seed`` chooses the hidden cases, ``iterations`` the training the notebook may do
    (it reads ``SYMTUTOR_ITERATIONS``).  A notebook that cannot be read grades 0 with status "unreadable".

    Examples:
        >>> import nbformat, tempfile, os
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def dfdmu(x, mu, sig):\\n    ...")])
        >>> path = os.path.join(tempfile.mkdtemp(), "n.ipynb"); nbformat.write(nb, path)
        >>> g = grade_notebook(path, "heights", timeout=30)
        >>> g.score, g.functions[0].message
        (0.0, 'dfdmu is not written yet: replace the ... with your code')
    """
    path = Path(path)
    module = _assignment(assignment)
    try:
        cells = _code_cells(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        functions = tuple(FunctionGrade(n, 0.0, 1.0, "untested", "not tested: the notebook could not be read", 0, 0)
                          for n in module.GRADED)
        return NotebookGrade(str(path), assignment, 0.0, float(len(functions)), functions,
                             f"the notebook could not be read: {exc}", "unreadable")
    return grade_source(cells, assignment, notebook=str(path), timeout=timeout, memory=memory, seed=seed,
                        iterations=iterations)


def grade_notebooks(paths: Iterable, assignment: str, *, timeout: float = 60.0, memory: int = 1024,
                    seed: int = 20_24, iterations: int = 200,
                    progress: Callable[[int, int, NotebookGrade], None] | None = None) -> tuple[NotebookGrade, ...]:
    """Grade several notebooks one after another; ``progress(done, total, grade)`` after each.

    A folder among ``paths`` stands for the ``*.ipynb`` files in it (sorted).
    """
    _assignment(assignment)
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(q for q in p.glob("*.ipynb") if q.is_file()) if p.is_dir() else [p])
    grades = []
    for k, f in enumerate(files, 1):
        g = grade_notebook(f, assignment, timeout=timeout, memory=memory, seed=seed, iterations=iterations)
        grades.append(g)
        if progress is not None:
            progress(k, len(files), g)
    return tuple(grades)
