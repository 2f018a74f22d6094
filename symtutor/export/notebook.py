"""A Jupyter notebook worksheet whose answer cells are checked by symtutor."""

from __future__ import annotations

import json

from ..checking import Feedback
from ..exercises.sets import ExerciseSet
from .jsonfile import dump, load

__all__ = ["to_notebook", "Worksheet"]


class Worksheet:
    """The checker a worksheet notebook creates: ``ws.check(n, "answer")`` for exercise n (from 1).

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> ws = Worksheet(dump(from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 1}]})))
        >>> ws.check(1, "0").status
        'incorrect'
    """

    def __init__(self, data: str):
        self.set = load(data)

    def check(self, n: int, answer: str) -> Feedback:
        """Check the answer to exercise ``n`` and show the verdict."""
        if not 1 <= n <= len(self.set.items):
            raise IndexError(f"there are exercises 1 to {len(self.set.items)}, not {n}")
        return self.set.items[n - 1].check(answer)

    def hint(self, n: int, k: int = 1) -> str:
        """The k-th hint to exercise n."""
        hints = self.set.items[n - 1].hints
        return hints[min(k, len(hints)) - 1] if hints else "No hint for this one."


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def to_notebook(s: ExerciseSet) -> str:
    """The set as a notebook (nbformat 4): a prompt and an answer cell per exercise.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> nb = json.loads(to_notebook(from_spec({"title": "T", "items": [{"topic": "chain_rule", "seed": 1}]})))
        >>> nb["nbformat"], len(nb["cells"])
        (4, 4)
    """
    data = dump(s)
    cells = [
        _cell("markdown", f"# {s.title}\n\n{s.description}\n\nType each answer between the quotes and run the cell."),
        _cell("code", "from symtutor.export.notebook import Worksheet\n\nws = Worksheet(" + repr(data) + ")"),
    ]
    for n, ex in enumerate(s.items, 1):
        cells.append(_cell("markdown", f"**{n}.** {ex.prompt_latex}"))
        cells.append(_cell("code", f'answer = ""\nws.check({n}, answer)'))
    cells[1]["metadata"]["jupyter"] = {"source_hidden": True}
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"cell-{i}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
