"""Running a learner's own function: its value as an array, or what went wrong, never an exception."""

from __future__ import annotations

import numpy as np


def learner_value(fn, *args) -> tuple[np.ndarray | None, str | None]:
    """(the result as a float array, None), or (None, a message) when it is unwritten or raised.

    Examples:
        >>> learner_value(lambda: ...)
        (None, 'not written yet: replace the ... with your code')
        >>> learner_value(lambda: 1 / 0)[1]
        'raised ZeroDivisionError: division by zero'
    """
    try:
        value = fn(*args)
        if value is None or value is Ellipsis:
            return None, "not written yet: replace the ... with your code"
        return np.asarray(value, dtype=float), None
    except Exception as exc:  # a learner's function: report, never crash
        return None, f"raised {type(exc).__name__}: {exc}"
