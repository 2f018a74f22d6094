"""The class path of ``symtutor grade``: a CSV, JSONL or Parquet file of attempts in, a folder of results out."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..errors import InvalidArgumentError
from .attempts import FORMATS

__all__ = ["add_arguments", "is_class_file", "run"]

OUTPUTS = ("attempts.csv", "gradebook.csv", "errors.csv", "items.csv", "wrong_answers.csv", "topics.csv",
           "report.html", "summary.json")
"""The files grading writes in its output folder."""


def add_arguments(p) -> None:
    """The options of the class path, on the ``grade`` parser."""
    g = p.add_argument_group("grading at scale (a class's attempts file, or a folder of notebooks)")
    g.add_argument("--set", metavar="SET", dest="exercise_set",
                   help="the exercise set the items come from: a YAML spec, or week1 ... week6 "
                        "(items may also be named topic-difficulty-seed)")
    g.add_argument("-o", "--out", metavar="OUT", help="the folder for the results (default: NAME-graded/)")
    g.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: every core)")
    g.add_argument("--cluster", metavar="ADDRESS", help="run on the Dask cluster whose scheduler is at ADDRESS, "
                                                         "e.g. tcp://10.0.0.5:8786")
    g.add_argument("--retries", type=int, default=3, help="retries of a unit of work whose worker died (default 3)")
    g.add_argument("--no-report", action="store_true", help="skip the class report")


def is_class_file(path: str) -> bool:
    """Whether ``path`` names an attempts file (by its suffix) rather than a notebook or a folder.

    Examples:
        >>> is_class_file("answers.csv"), is_class_file("subs/"), is_class_file("a.ipynb"), is_class_file("a.xlsx")
        (True, False, False, True)
    """
    return Path(path).suffix.lower() in FORMATS or Path(path).suffix.lower() in _TABLES


_TABLES = (".xlsx", ".xls", ".ods", ".json", ".txt", ".tab")  # read no further than a one-line error


class Bar:
    """A progress bar on a stream: redrawn in place on a terminal, a line per quarter otherwise."""

    def __init__(self, stream, label: str = "grading"):
        self.stream, self.label = stream, label
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown = -1
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        frac = done / total if total else 1.0
        now = time.monotonic()
        if self.tty:
            if done < total and now - self.last < 0.1:
                return
            self.last = now
            width = 30
            filled = int(width * frac)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} answers")
            if done >= total:
                self.stream.write("\n")
        else:
            quarter = int(frac * 4)
            if quarter == self.shown:
                return
            self.shown = quarter
            self.stream.write(f"{self.label}: {done:,}/{total:,} answers ({100 * frac:.0f}%)\n")
        self.stream.flush()


def run(args) -> int:
    """Grade the attempts file ``args.inputs[0]`` and print a summary; exit status 0 (low marks are not errors)."""
    from .attempts import load_set
    from .classgrade import grade_class

    if len(args.inputs) != 1:
        raise InvalidArgumentError("give one attempts file (.csv, .jsonl or .parquet) at a time")
    src = Path(args.inputs[0])
    if src.suffix.lower() in _TABLES:
        save = "save it as CSV (or JSONL or Parquet)" if src.suffix.lower() != ".txt" else "name it .csv or .tsv"
        raise InvalidArgumentError(f"{src.name}: an attempts file is .csv, .tsv, .jsonl or .parquet; {save}")
    if not src.is_file():
        raise InvalidArgumentError(f"no such attempts file: {src}")
    if args.workers is not None and args.workers < 1:
        raise InvalidArgumentError(f"--workers must be at least 1, not {args.workers}")
    if args.cluster is not None and args.workers is not None:
        raise InvalidArgumentError("give --workers or --cluster, not both")
    if args.retries < 0:
        raise InvalidArgumentError(f"--retries must be at least 0, not {args.retries}")
    timeout = 1.0 if args.timeout is None else args.timeout
    if not timeout > 0:
        raise InvalidArgumentError(f"--timeout must be positive, not {timeout}")
    exercise_set = load_set(args.exercise_set) if args.exercise_set else None
    out = Path(args.out) if args.out else src.with_name(src.stem + "-graded")
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"-o {out} is a file: give a folder for the results (it is made if missing)")
    if out.is_dir() and src.resolve().parent == out.resolve() and src.name in OUTPUTS:
        raise InvalidArgumentError(f"-o {out} would overwrite the attempts file {src.name}: give another folder")
    result = grade_class(src, out, exercise_set=exercise_set, workers=args.workers, cluster=args.cluster,
                         timeout=timeout, retries=args.retries, report=not args.no_report,
                         progress=Bar(sys.stderr))
    print(result.summary())
    return 0
