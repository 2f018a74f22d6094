"""A synthetic class, for trying the class grader and for measuring it.

Each learner has an ability; on each item they type the right answer (in one
of several forms), one of the typical mistakes (the chain rule's inner factor
dropped, the product rule as a product, a sign, a factor of 2, an added
constant, the function itself, and one mistake no diagnosis names), or noise
(a stray term, a typo that does not parse).  Seeded: the same arguments give
the same rows.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import sympy as sp

from ..diagnosis import BUGS, buggy_derivative
from ..exercises.core import Exercise, generate, topics
from ..parsing import to_text

__all__ = ["synthetic_items", "synthetic_class", "answer_forms"]


def synthetic_items(n: int = 40, *, seed: int = 0) -> tuple[Exercise, ...]:
    """``n`` exercises cycling through the course's topics (difficulty 1 and 2).

    Examples:
        >>> [ex.id for ex in synthetic_items(3)]
        ['rise_over_run-1-0', 'power_rule-1-0', 'product_rule-1-0']
    """
    names = list(topics())
    out = []
    for k in range(n):
        t = names[k % len(names)]
        lap = k // len(names)
        out.append(generate(t, seed=seed + lap, difficulty=1 + lap % 2))
    return tuple(out)


def _map(e, fn):
    if isinstance(e, sp.MatrixBase):
        return sp.ImmutableMatrix(e.applyfunc(fn))
    return fn(e)


def answer_forms(ex: Exercise) -> dict[str, list[str]]:
    """Typed answers to ``ex``: right ones in several forms, typical mistakes, and one undiagnosed mistake.

    Examples:
        >>> forms = answer_forms(generate("chain_rule", seed=1))
        >>> sorted(forms)
        ['mistakes', 'right', 'undiagnosed']
        >>> generate("chain_rule", seed=1).check(forms["right"][1]).correct
        True
    """
    a = ex.answer
    right = [to_text(a), re.sub(r"\s*\*\s*", " ", to_text(a))]
    for f in (sp.expand, sp.factor):
        try:
            right.append(to_text(_map(a, f)))
        except (TypeError, ValueError, sp.PolynomialError):
            pass
    right.append(to_text(a).replace(" ", ""))
    mistakes = [to_text(_map(a, lambda e: -e)), to_text(_map(a, lambda e: 2 * e)), to_text(_map(a, lambda e: e + 1))]
    opts = dict(ex.options)
    f, wrt = opts.get("function"), opts.get("wrt")
    if f is not None and wrt is not None and ex.mode == "equivalent":
        x = sp.Symbol(str(wrt))
        for bug in BUGS:
            wrong = to_text(buggy_derivative(f, x, bug))
            if not ex.check(wrong).correct:
                mistakes.append(wrong)
        mistakes.append(to_text(f))
    xs = [sp.Symbol(v) for v in ex.variables]
    odd = _map(a, lambda e: e * xs[0] + 3) if xs else _map(a, lambda e: e * 3 + sp.Rational(1, 2))
    return {"right": list(dict.fromkeys(right)), "mistakes": list(dict.fromkeys(mistakes)),
            "undiagnosed": [to_text(odd)]}


def synthetic_class(n_attempts: int = 100_000, items: Sequence[Exercise] | None = None, *,
                    seed: int = 0) -> list[tuple[str, str, str]]:
    """Rows (learner, item, answer): every learner answers every item once, ``n_attempts`` rows in all.

    Examples:
        >>> rows = synthetic_class(80, synthetic_items(4), seed=1)
        >>> len(rows), len({r[0] for r in rows}), rows == synthetic_class(80, synthetic_items(4), seed=1)
        (80, 20, True)
    """
    items = tuple(items) if items is not None else synthetic_items()
    rng = random.Random(seed)
    forms = {ex.id: answer_forms(ex) for ex in items}
    n_learners = max(1, n_attempts // len(items))
    rows = []
    for k in range(n_learners):
        learner = f"learner{k:06d}"
        ability = rng.betavariate(4, 2)
        for ex in items:
            if len(rows) == n_attempts:
                break
            fm = forms[ex.id]
            r = rng.random()
            if r < ability:
                text = fm["right"][min(int(rng.expovariate(1.0)), len(fm["right"]) - 1)]
            elif r < ability + (1 - ability) * 0.6:
                text = rng.choice(fm["mistakes"])
            elif r < ability + (1 - ability) * 0.85:
                text = fm["undiagnosed"][0]
            else:
                text = _noise(rng, fm["right"][0], ex)
            rows.append((learner, ex.id, text))
    return rows


def _noise(rng: random.Random, right: str, ex: Exercise) -> str:
    v = ex.variables[0] if ex.variables else ""
    kind = rng.random()
    if kind < 0.4:
        return right[: max(1, len(right) - rng.randint(1, 3))]  # cut short: usually unreadable
    if kind < 0.8 and v and not right.startswith(("(", "[")):
        return f"{right} + {rng.randint(2, 99)}*{v}^{rng.randint(2, 9)}"  # a stray term
    return f"{right})" if rng.random() < 0.5 else f"({right}"  # unbalanced brackets
