"""Grading: a submitted assignment notebook, run sandboxed and marked function by function on hidden cases."""

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

__all__ = [
    "ASSIGNMENTS",
    "MISTAKES",
    "SCHEMA_VERSION",
    "FunctionGrade",
    "Incident",
    "NotebookGrade",
    "grade_notebook",
    "grade_notebooks",
    "grade_source",
    "schema",
]
