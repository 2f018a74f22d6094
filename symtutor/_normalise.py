"""Turn pasted Unicode mathematics and a LaTeX subset into symtutor's typed syntax."""

from __future__ import annotations

__all__ = ["normalise"]


def normalise(text: str) -> str:
    """The text in plain typed syntax (ASCII digits and operators)."""
    return text
