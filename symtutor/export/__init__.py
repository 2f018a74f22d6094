"""Exports of exercise sets: JSON, Markdown, LaTeX/PDF, Moodle XML and Jupyter notebooks.

Each export is a pure function of the set (the same set gives the same text).
"""

from .jsonfile import SCHEMA_VERSION, dump, load, schema
from .moodle import to_maxima, to_moodle
from .notebook import Worksheet, to_notebook
from .text import latex_engine, to_latex, to_markdown, to_pdf

__all__ = [
    "SCHEMA_VERSION",
    "Worksheet",
    "dump",
    "latex_engine",
    "load",
    "schema",
    "to_latex",
    "to_markdown",
    "to_maxima",
    "to_moodle",
    "to_notebook",
    "to_pdf",
]
