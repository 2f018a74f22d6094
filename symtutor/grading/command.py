"""``symtutor grade``: mark submitted assignment notebooks (one, several, or a folder) sandboxed, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InvalidArgumentError
from . import classcli

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> None:
    """Register ``grade`` on the ``symtutor`` command's subparsers."""
    p = subparsers.add_parser(
        "grade", help="mark a class's answers (CSV/JSONL/Parquet) or submitted notebooks, sandboxed",
        description="Run each submitted notebook in a sandbox (time, memory and output bounds, no network, no "
        "files outside its scratch folder), pull out the graded functions and test them on hidden cases. "
        "A score per function and in total, each with the named mistake. "
        "Or grade a class's typed answers (a CSV, JSONL or Parquet file of learner, item, answer) on every local "
        "core or a Dask cluster, with a gradebook and a class report.",
        epilog="examples:\n  symtutor grade submission.ipynb --assignment backprop\n"
        "  symtutor grade submissions/ --assignment heights --json > grades.json\n"
        "  symtutor grade answers.csv --set week1 -o graded/\n"
        "  symtutor grade answers.parquet --set course.yaml -o graded/ --cluster tcp://10.0.0.5:8786",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("notebooks", nargs="+", metavar="INPUT",
                   help="a notebook, a folder of them, or a class's attempts (.csv, .jsonl, .parquet)")
    p.add_argument("--assignment", choices=("backprop", "heights"), help="which assignment (for notebooks)")
    p.add_argument("--json", action="store_true", help="print JSON (schema: symtutor/grading/notebook-grade.schema.json)")
    p.add_argument("--timeout", type=float, help="seconds each notebook may run (default 60), "
                   "or each answer may take to check (default 1)")
    p.add_argument("--memory", type=int, default=1024, help="MB of memory each notebook may use (default 1024)")
    p.add_argument("--seed", type=int, default=20_24, help="seed of the hidden cases")
    classcli.add_arguments(p)
    p.set_defaults(handler=run)


class _Bar:
    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done: int, total: int, grade) -> None:
        if total < 2 or not self.stream.isatty():
            return
        width = 30
        filled = width * done // total
        self.stream.write(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def run(args) -> int:
    """Grade ``args.notebooks``; print the grades; exit status 0 (a low mark is not an error)."""
    from .notebook import grade_notebooks

    if len(args.notebooks) == 1 and classcli.is_class_file(args.notebooks[0]):
        args.inputs = args.notebooks
        return classcli.run(args)
    if args.assignment is None:
        raise InvalidArgumentError("grading notebooks needs --assignment backprop or --assignment heights")
    if args.timeout is None:
        args.timeout = 60.0
    for p in args.notebooks:
        if not Path(p).exists():
            raise InvalidArgumentError(f"no such notebook or folder: {p}")
    if args.out or args.cluster or args.workers or any(Path(p).is_dir() for p in args.notebooks):
        return _run_many(args)
    grades = grade_notebooks(args.notebooks, args.assignment, timeout=args.timeout, memory=args.memory,
                             seed=args.seed, progress=_Bar(sys.stderr))
    if not grades:
        raise InvalidArgumentError("no notebooks (*.ipynb) found in " + ", ".join(args.notebooks))
    if args.json:
        payload = grades[0].to_dict() if len(grades) == 1 and not Path(args.notebooks[0]).is_dir() else \
            [g.to_dict() for g in grades]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(g.text() for g in grades))
    return 0


def _run_many(args) -> int:
    """A folder (or several notebooks) on the runner: every local core, or a Dask cluster; resumable with -o."""
    from .notebooks import grade_notebook_files

    results = grade_notebook_files(args.notebooks, args.assignment, args.out, workers=args.workers,
                                   cluster=args.cluster, timeout=args.timeout, memory=args.memory, seed=args.seed,
                                   retries=args.retries, progress=classcli.Bar(sys.stderr, "grading notebooks"))
    if args.json:
        print(json.dumps([r["grade"] for r in results], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(r["text"] for r in results))
    return 0
