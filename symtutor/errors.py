"""The exceptions symtutor raises.

Each error subclasses the builtin exception it resembles, so callers can catch
either ``SymtutorError`` or, say, ``ValueError``.  A learner's wrong answer is
never an exception: exceptions are for malformed input and programmer errors.
"""

from __future__ import annotations

__all__ = [
    "SymtutorError",
    "ParseError",
    "AmbiguousInputError",
    "InvalidArgumentError",
    "UnknownSymbolError",
    "UnsupportedExpressionError",
]


class SymtutorError(Exception):
    """Base class of every error symtutor raises on purpose."""


class ParseError(SymtutorError, ValueError):
    """Typed text could not be read as mathematics.

    ``position`` is the 0-based index in ``text`` where the problem was found
    (or ``None`` when it concerns the whole input).

    Examples:
        >>> err = ParseError("Unknown name 'z'.", text="x + z", position=4)
        >>> print(err)
        Unknown name 'z'.
          x + z
              ^
        >>> err.position
        4
    """

    def __init__(self, message: str, *, text: str | None = None, position: int | None = None):
        self.message = message
        self.text = text
        self.position = position
        super().__init__(message)

    def __str__(self) -> str:
        if self.text is None or self.position is None or len(self.text) > 200:
            return self.message
        shown = self.text.replace("\n", " ")
        return f"{self.message}\n  {shown}\n  {' ' * self.position}^"


class AmbiguousInputError(ParseError):
    """Typed text has two common readings, so it is not guessed.

    ``readings`` holds each reading as a ``(text, latex)`` pair: the text in
    symtutor's typed syntax with explicit brackets, and its LaTeX.

    Examples:
        >>> err = AmbiguousInputError(
        ...     "`e^2x` could mean e^(2x) or e^2·x: add brackets to say which.",
        ...     readings=(("e^(2*x)", "e^{2 x}"), ("e^2*x", "e^{2} x")),
        ... )
        >>> isinstance(err, ParseError), isinstance(err, ValueError)
        (True, True)
        >>> [text for text, _ in err.readings]
        ['e^(2*x)', 'e^2*x']
    """

    def __init__(
        self,
        message: str,
        *,
        readings: tuple[tuple[str, str], ...],
        text: str | None = None,
        position: int | None = None,
    ):
        super().__init__(message, text=text, position=position)
        self.readings = tuple((str(t), str(tex)) for t, tex in readings)


class InvalidArgumentError(SymtutorError, ValueError):
    """An argument has the wrong value; the message names it and the fix."""


class UnknownSymbolError(SymtutorError, ValueError):
    """An expression uses a symbol that was not declared where one must be."""


class UnsupportedExpressionError(SymtutorError, TypeError):
    """An expression contains something symtutor cannot work with."""
