"""Grading a folder of submitted notebooks on local cores or a Dask cluster, one notebook a unit of work.

Each notebook is marked by :func:`symtutor.grading.grade_notebook` (sandboxed, on
hidden cases); :func:`~symtutor.grading.runner.run_tasks` spreads them over the
workers, keys each by a hash of the notebook's bytes and the grading options,
and stores each grade as it arrives, so a rerun grades only the notebooks not
yet graded.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from ..errors import InvalidArgumentError
from .attempts import write_csv
from .runner import Store, Task, run_tasks

__all__ = ["grade_notebook_files", "notebook_files"]


def notebook_files(paths: Iterable) -> list[Path]:
    """The notebooks named by ``paths``: a folder stands for the ``*.ipynb`` files in it (sorted).

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("b.ipynb", "a.ipynb", "notes.txt"):
        ...     _ = (d / name).write_text("{}")
        >>> [p.name for p in notebook_files([d])]
        ['a.ipynb', 'b.ipynb']
    """
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(q for q in p.glob("*.ipynb") if q.is_file()) if p.is_dir() else [p])
    return files


def _grade_bytes(name: str, data: bytes, assignment: str, timeout: float, memory: int, seed: int) -> dict:
    """Grade one notebook from its bytes, in a scratch folder of its own (runs in a worker)."""
    from .notebook import grade_notebook

    with tempfile.TemporaryDirectory(prefix="symtutor-nb-") as scratch:
        path = Path(scratch) / (Path(name).name or "submission.ipynb")
        path.write_bytes(data)
        g = grade_notebook(path, assignment, timeout=timeout, memory=memory, seed=seed)
    g = replace(g, notebook=name)
    return {"grade": g.to_dict(), "text": g.text()}


def grade_notebook_files(paths: Iterable, assignment: str, out=None, *, workers: int | None = None,
                         cluster: str | None = None, timeout: float = 60.0, memory: int = 1024, seed: int = 20_24,
                         retries: int = 3, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Grade every notebook in ``paths`` on the runner; each result is ``{"grade": dict, "text": str}``.

    With ``out``, the grades are kept there (``partitions/``, ``grades.json``,
    ``gradebook.csv``) and a rerun grades only what is missing.
    """
    files = notebook_files(paths)
    if not files:
        raise InvalidArgumentError("no notebooks (*.ipynb) found in " + ", ".join(map(str, paths)))
    tasks = []
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as exc:
            raise InvalidArgumentError(f"cannot read {f}: {exc.strerror}") from None
        h = hashlib.sha256(json.dumps([1, assignment, timeout, memory, seed, str(f)]).encode())
        h.update(data)
        tasks.append(Task(h.hexdigest()[:40], _grade_bytes, (str(f), data, assignment, timeout, memory, seed)))
    if len({t.key for t in tasks}) != len(tasks):
        raise InvalidArgumentError("the same notebook is named twice")
    with tempfile.TemporaryDirectory(prefix="symtutor-grades-") as tmp:
        folder = Path(out) if out is not None else Path(tmp)
        store = Store(folder / "partitions")
        run_tasks(tasks, store, workers=workers, cluster=cluster, retries=retries, progress=progress)
        results = [store.load(t.key) for t in tasks]
    if out is not None:
        out = Path(out)
        tmp_json = out / ".grades.json.tmp"
        tmp_json.write_text(json.dumps([r["grade"] for r in results], indent=2, ensure_ascii=False), encoding="utf-8")
        tmp_json.replace(out / "grades.json")
        names = list(dict.fromkeys(fn["name"] for r in results for fn in r["grade"]["functions"]))
        rows = []
        for r in results:
            g = r["grade"]
            marks = {fn["name"]: fn["score"] for fn in g["functions"]}
            rows.append([g["notebook"], g["status"], *(marks.get(n, "") for n in names), g["score"], g["max_score"]])
        write_csv(out / "gradebook.csv", ["notebook", "status", *names, "total", "out_of"], rows)
    return results
