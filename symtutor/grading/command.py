"""``symtutor grade``: mark submitted assignment notebooks (one, several, or a folder) sandboxed, as text or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InvalidArgumentError

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> None:
    """Register ``grade`` on the ``symtutor`` command's subparsers."""
    p = subparsers.add_parser(
        "grade", help="mark submitted assignment notebooks, sandboxed, on hidden cases",
        description="Run each submitted notebook in a sandbox (time, memory and output bounds, no network, no "
        "files outside its scratch folder), pull out the graded functions and test them on hidden cases. "
        "A score per function and in total, each with the named mistake.",
        epilog="examples:\n  symtutor grade submission.ipynb --assignment backprop\n"
        "  symtutor grade submissions/ --assignment heights --json > grades.json",
    )
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="a notebook, or a folder of them")
    p.add_argument("--assignment", required=True, choices=("backprop", "heights"), help="which assignment")
    p.add_argument("--json", action="store_true", help="print JSON (schema: symtutor/grading/notebook-grade.schema.json)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds each notebook may run (default 60)")
    p.add_argument("--memory", type=int, default=1024, help="MB of memory each notebook may use (default 1024)")
    p.add_argument("--seed", type=int, default=20_24, help="seed of the hidden cases")


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

    for p in args.notebooks:
        if not Path(p).exists():
            raise InvalidArgumentError(f"no such notebook or folder: {p}")
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
