"""Grading: a class's typed answers at scale (local cores or a Dask cluster), with a class report."""

from .attempts import Attempt, Attempts, RowError, load_set, read_attempts
from .classgrade import ClassGrade, Graded, grade_answers, grade_class
from .report import write_report
from .runner import RunStats, Store, Task, run_tasks

__all__ = [
    "Attempt",
    "Attempts",
    "ClassGrade",
    "Graded",
    "RowError",
    "RunStats",
    "Store",
    "Task",
    "grade_answers",
    "grade_class",
    "load_set",
    "read_attempts",
    "run_tasks",
    "write_report",
]
