"""A learner's own functions: running them, naming what is wrong with their values, and marking them.

Both assignments share this: a value the learner's function returned (or the error it raised) is turned
into a :class:`Diagnosis` (a named mistake and a plain sentence), and the diagnoses of one function over
the grader's hidden cases into its mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MISTAKES = {
    "not_written": "the function still holds the ... of the template",
    "missing": "there is no function of that name",
    "raised": "the function raised an error",
    "not_a_number": "the function gave something that is not an array of numbers, or NaN/inf",
    "shape": "the result has the wrong shape",
    "transpose": "a transpose is missing or extra",
    "sign": "a sign is wrong",
    "constant_factor": "the result is off by a constant factor",
    "missing_sigma_prime": "a factor σ'(z) of the chain rule is missing",
    "missing_chain_factor": "a factor of the chain rule is missing",
    "missing_term": "a term of the derivative is missing",
    "wrong_layer": "a factor is taken at the wrong layer",
    "wrong_parameter": "the derivative is taken with respect to another parameter",
    "hard_coded": "right for the notebook's own numbers only",
    "wrong": "not right, in a way the grader cannot name",
    "untested": "the function could not be tested",
}
"""The named mistakes: tag -> what it means."""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What is wrong with one value of a learner's function: ``mistake`` is None when it is right.

    Examples:
        >>> Diagnosis("J_b3", None, "J_b3 is right").ok
        True
    """

    function: str
    mistake: str | None
    message: str

    @property
    def ok(self) -> bool:
        return self.mistake is None

    def __str__(self) -> str:
        return self.message


def learner_value(fn, *args) -> tuple[np.ndarray | None, tuple[str, str] | None]:
    """(the result as a float array, None), or (None, (error type, message)) when it is unwritten or raised.

    Examples:
        >>> learner_value(lambda: ...)
        (None, ('NotWritten', ''))
        >>> learner_value(lambda: 1 / 0)[1]
        ('ZeroDivisionError', 'division by zero')
    """
    try:
        value = fn(*args)
    except Exception as exc:  # a learner's function: report, never crash
        return None, (type(exc).__name__, str(exc))
    if value is None or value is Ellipsis:
        return None, ("NotWritten", "")
    try:
        return np.asarray(value, dtype=float), None
    except (TypeError, ValueError) as exc:
        return None, ("BadValue", f"{type(value).__name__}: {exc}")


_BROADCAST = re.compile(r"operands could not be broadcast together with shapes? ((?:\([\d, ]*\),?\s*)+)")
_MATMUL = re.compile(r"matmul: .*size (\d+) is different from (\d+)")
_SHAPES = re.compile(r"\(([\d, ]*)\)")


def explain_error(name: str, kind: str, message: str) -> Diagnosis:
    """A plain sentence for an error raised by (or a non-value returned from) the learner's ``name``.

    Examples:
        >>> explain_error("J_W3", "ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0, "
        ...     "with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 7 is different from 100)").mistake
        'transpose'
        >>> print(explain_error("J_b2", "ValueError", "operands could not be broadcast together with shapes (2,100) (7,100) "))
        J_b2 multiplies arrays of shapes (2, 100) and (7, 100), which do not fit together: a factor of the chain rule is missing (going back a layer brings in that layer's weight matrix, W.T @ ...), or a factor is taken at another layer (each layer's z and a have that layer's size).
    """
    if kind == "NotWritten":
        return Diagnosis(name, "not_written", f"{name} is not written yet: replace the ... with your code")
    if kind == "Missing":
        return Diagnosis(name, "missing", f"there is no function {name}: keep the name and the arguments of the template")
    if kind == "BadValue":
        return Diagnosis(name, "not_a_number", f"{name} should give an array of numbers, but gave {message}")
    if kind == "Stopped":  # the grader stopped the process while the function ran
        if "did not stop" in message:
            return Diagnosis(name, "raised", f"{name} {message} and had to be stopped: is there a loop that never "
                             "ends?")
        return Diagnosis(name, "raised", f"{name} {message}: a graded function has to return its result")
    if kind == "Timeout":
        return Diagnosis(name, "raised", f"{name} {message}: is there a loop that never ends?")
    if "ellipsis" in message:
        return Diagnosis(name, "not_written", f"{name} is not finished: a line still holds the ... of the template")
    if kind == "NameError":
        return Diagnosis(name, "raised", f"{name} uses a name that is not defined ({message}): run the cells above "
                         "first, and check the spelling")
    m = _BROADCAST.search(message)
    if m:
        shapes = [tuple(int(n) for n in s.split(",") if n.strip()) for s in _SHAPES.findall(m.group(1))]
        if len(shapes) >= 2 and shapes[0] == shapes[1][::-1] and shapes[0] != shapes[1]:
            return Diagnosis(name, "transpose", f"{name} multiplies arrays of shapes {shapes[0]} and {shapes[1]}, "
                             "one the transpose of the other: did you forget a transpose (.T)?")
        if len(shapes) >= 2:
            return Diagnosis(name, "missing_chain_factor", f"{name} multiplies arrays of shapes {shapes[0]} and "
                             f"{shapes[1]}, which do not fit together: a factor of the chain rule is missing (going "
                             "back a layer brings in that layer's weight matrix, W.T @ ...), or a factor is taken at "
                             "another layer (each layer's z and a have that layer's size).")
    m = _MATMUL.search(message)
    if m or "core dimension" in message or "not aligned" in message:
        sizes = f" (sizes {m.group(1)} and {m.group(2)} do not line up)" if m else ""
        other = ", or use the weights of another layer" if name.startswith("J_") else ""
        return Diagnosis(name, "transpose", f"a matrix product in {name} does not fit{sizes}: did you forget a "
                         f"transpose (.T){other}?")
    return Diagnosis(name, "raised", f"{name} raised {kind}: {message}" if message else f"{name} raised {kind}")


def close(got: np.ndarray, want: np.ndarray) -> bool:
    """Equal shapes and values to 1e-7 relative to the size of ``want`` (never of ``got``)."""
    if got.shape != want.shape:
        return False
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    return bool(np.all(np.isfinite(got)) and np.allclose(got, want, rtol=1e-7, atol=1e-10 * max(scale, 1e-300)))


def constant_ratio(got: np.ndarray, want: np.ndarray) -> float | None:
    """r when got = r · want (r ≠ 0, 1) over every entry, else None.

    Examples:
        >>> want = np.array([1.0, 1e-9, 0.0])
        >>> constant_ratio(2 * want, want), constant_ratio(want + [0, 1e-6, 0], want)
        (2.0, None)
    """
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return None
    top = float(np.max(np.abs(want))) if want.size else 0.0
    big = np.abs(want) > 1e-6 * top
    if not np.any(big):
        return None
    r = got[big] / want[big]
    r0 = float(np.median(r))
    if r0 == 0 or not np.allclose(r, r0, rtol=1e-6):
        return None
    # the small entries (a Gaussian's tails) scale by the same r: judged against r·want, to the size of r·want
    if not np.allclose(got[~big], r0 * want[~big], rtol=1e-6, atol=1e-9 * abs(r0) * top):
        return None
    return None if abs(r0 - 1) < 1e-6 else r0


@dataclass(frozen=True, slots=True)
class Case:
    """One hidden test of a graded function: what the grader's child process calls, and what it is compared with.

    ``call`` is the JSON the child reads: {"function", "globals", "args", "swap"}; ``data`` is what the
    judge needs (kept in this process); ``own`` marks the case with the notebook's own numbers.
    """

    function: str
    call: dict
    data: tuple
    own: bool = False


def encode(a) -> dict:
    """An array as JSON the child decodes exactly (floats keep every bit through repr)."""
    a = np.asarray(a, dtype=float)
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


def decode(obj) -> np.ndarray:
    return np.array(obj["data"], dtype=float).reshape(obj["shape"])


def mark(names, cases, results, judge_one):
    """One FunctionGrade per name from the child's ``results`` {call index: message} and ``judge_one``.

    ``judge_one(case, value)`` gives the Diagnosis of one returned array.  A function is right only when
    every hidden case is right; right on the notebook's own case alone is named "hard_coded".
    """
    from ..grading.notebook import FunctionGrade

    out = []
    for name in names:
        mine = [(k, c) for k, c in enumerate(cases) if c.function == name]
        diagnoses: list[tuple[Case, Diagnosis | None]] = []
        values: list[np.ndarray] = []
        for k, c in mine:
            r = results.get(k)
            if r is None:
                diagnoses.append((c, None))
            elif r.get("missing"):
                diagnoses.append((c, explain_error(name, "Missing", "")))
            elif r.get("unwritten"):
                diagnoses.append((c, explain_error(name, "NotWritten", "")))
            elif "error" in r:
                kind, msg = (list(r["error"]) + ["", ""])[:2]
                diagnoses.append((c, explain_error(name, str(kind), str(msg))))
            else:
                try:
                    value = decode(r["value"])
                except (KeyError, TypeError, ValueError):
                    diagnoses.append((c, explain_error(name, "BadValue", "something unreadable")))
                    continue
                values.append(value)
                diagnoses.append((c, judge_one(c, value)))
        n = len(diagnoses)
        # the same numbers on every case, though every case has other parameters and data: written in by hand
        constant = n > 1 and len(values) == n and all(v.shape == values[0].shape and np.array_equal(v, values[0])
                                                        for v in values)
        passed = sum(1 for _, d in diagnoses if d is not None and d.ok)
        if any(d is None for _, d in diagnoses):
            out.append(FunctionGrade(name, 0.0, 1.0, "untested", f"{name} was not tested: the notebook stopped "
                                     "before it could be", passed, n))
        elif passed == n:
            out.append(FunctionGrade(name, 1.0, 1.0, None, diagnoses[0][1].message, n, n))
        else:
            own_ok = all(d.ok for c, d in diagnoses if c.own)
            hidden = [d for c, d in diagnoses if not c.own and not d.ok]
            others = [c for c, _ in diagnoses if not c.own]
            if constant:
                out.append(FunctionGrade(name, 0.0, 1.0, "hard_coded", f"{name} gives the same numbers whatever its "
                                         "arguments: is a result written in by hand? It has to work for any "
                                         "parameters and data.", passed, n))
            elif own_ok and any(c.own for c, _ in diagnoses) and len(hidden) == len(others):
                out.append(FunctionGrade(name, 0.0, 1.0, "hard_coded", f"{name} is right for the notebook's own "
                                         "numbers but not for others: is a result written in by hand? It has to "
                                         "work for any parameters and data.", passed, n))
            else:
                first = next(d for c, d in diagnoses if not d.ok and not c.own) if hidden else \
                    next(d for _, d in diagnoses if not d.ok)
                out.append(FunctionGrade(name, 0.0, 1.0, first.mistake, first.message, passed, n))
    return tuple(out)
