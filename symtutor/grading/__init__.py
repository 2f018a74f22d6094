"""Grading: submitted assignment notebooks run sandboxed and marked function by function on hidden cases,
and a class's typed answers at scale (local cores or a Dask cluster), with a class report."""

from .attempts import Attempt, Attempts, RowError, load_set, read_attempts
from .classgrade import ClassGrade, Graded, grade_answers, grade_class
from .notebook import (
    ASSIGNMENTS,
    MISTAKES,
    SCHEMA_VERSION,
    FunctionGrade,
    Incident,
    NotebookGrade,
    grade_notebook,
    grade_notebooks,
    grade_source,
    schema,
)
from .report import write_report
from .runner import RunStats, Store, Task, run_tasks

__all__ = [
    "ASSIGNMENTS",
    "Attempt",
    "Attempts",
    "ClassGrade",
    "MISTAKES",
    "FunctionGrade",
    "Graded",
    "Incident",
    "NotebookGrade",
    "RowError",
    "RunStats",
    "SCHEMA_VERSION",
    "Store",
    "Task",
    "grade_answers",
    "grade_class",
    "grade_notebook",
    "grade_notebooks",
    "grade_source",
    "load_set",
    "read_attempts",
    "run_tasks",
    "schema",
    "write_report",
]
