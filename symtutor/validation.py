"""Validate-then-check: how an answer was read, before it is marked.

:func:`validate` tells a learner what symtutor understood, or that a reading
could have been meant two ways (``e^2x``, ``x/2y``, ``sin x/2``), or why the
text cannot be read at all; no attempt is spent on any of these (as STACK
validates an answer before it marks it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sympy as sp

from .errors import AmbiguousInputError, ParseError
from .parsing import _as_name_map, read

__all__ = ["Validation", "validate"]


@dataclass(frozen=True, slots=True)
class Validation:
    """How a typed answer was read.

    ``status`` is ``"ok"`` (read as ``text`` / ``latex``), ``"ambiguous"``
    (``readings`` holds each reading as a ``(text, latex)`` pair) or
    ``"invalid"``; ``message`` is one plain sentence for the learner.
    """

    status: Literal["ok", "ambiguous", "invalid"]
    text: str = ""
    latex: str = ""
    readings: tuple[tuple[str, str], ...] = ()
    message: str = ""


def validate(
    answer: str,
    *,
    variables: Iterable[sp.Symbol | str] | None = None,
    functions: Iterable[str] = (),
) -> Validation:
    r"""Say how ``answer`` is read, never raising for any text.

    Examples:
        >>> v = validate("sin 2x")
        >>> v.status, v.text, v.latex
        ('ok', 'sin(2*x)', '\\sin\\left(2 x\\right)')
        >>> v = validate("e^2x")
        >>> v.status
        'ambiguous'
        >>> [text for text, _ in v.readings]
        ['e^(2*x)', 'e^2*x']
        >>> print(v.message)
        `e^2x` could mean e^(2x) or e^2·x: add brackets to say which.
        >>> validate("x +").status
        'invalid'
    """
    _as_name_map(variables)  # a programmer's mistake in the arguments raises
    functions = tuple(functions)
    if not isinstance(answer, str):
        return Validation("invalid", message=f"The answer must be text, not {type(answer).__name__}.")
    try:
        r = read(answer, variables=variables, functions=functions)
    except AmbiguousInputError as err:
        return Validation("ambiguous", readings=err.readings, message=_sentence(err.message))
    except ParseError as err:
        return Validation("invalid", message=_sentence(err.message))
    except Exception:  # a bound was hit somewhere below: still a reply, never a crash
        return Validation("invalid", message="This answer cannot be read: write it more simply.")
    return Validation("ok", text=r.text, latex=r.latex, message=f"Read as {r.text}.")


def _sentence(message: str) -> str:
    return " ".join(message.split())
