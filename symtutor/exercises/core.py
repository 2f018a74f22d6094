"""Exercises: a frozen value per exercise, the registry of topics, and ``generate``.

Every topic has a generator ``fn(rng, difficulty) -> Draft`` registered with
:func:`topic`.  Randomness comes only from the ``random.Random`` handed in,
seeded from (topic, difficulty, seed) through SHA-256, so the same triple gives
the same exercise, byte for byte, on any machine and under any PYTHONHASHSEED.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from ..checking import Feedback, Inline, check
from ..sandbox import default_sandbox
from ..errors import InvalidArgumentError
from ..parsing import to_text

__all__ = ["Exercise", "Draft", "Topic", "generate", "topics", "topic", "TOPICS"]


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise: what to ask, the answer, how to check it, hints and a worked solution.

    ``answer`` is a SymPy expression, or a column matrix when the answer is
    several values.  ``options`` are the extra arguments of :func:`symtutor.check`
    (the differentiated function, the expansion point, a tolerance, ...), as
    (name, value) pairs sorted by name.
    """

    id: str
    topic: str
    difficulty: int
    seed: int | None
    prompt: str
    prompt_latex: str
    variables: tuple[str, ...]
    answer: object
    mode: str = "equivalent"
    hints: tuple[str, ...] = ()
    solution: tuple[str, ...] = ()
    options: tuple[tuple[str, object], ...] = field(default=())

    def check(self, text: str, *, timeout: float = 1.0, diagnose: bool = True) -> Feedback:
        """Check a learner's answer to this exercise.

        Examples:
            >>> ex = generate("power_rule", seed=1)
            >>> ex.check(to_text(ex.answer)).correct
            True
        """
        return check(
            text, self.answer, variables=self.variables, mode=self.mode, timeout=timeout, diagnose=diagnose,
            **dict(self.options),
        )

    @property
    def answer_text(self) -> str:
        """The answer in the syntax learners type."""
        return to_text(self.answer)

    def verify(self, *, timeout: float = 30.0) -> None:
        """Raise AssertionError unless the answer checks, the solution ends in it, and a wrong answer fails.

        The three checks run together in one sandboxed call.

        Examples:
            >>> generate("chain_rule", seed=3, difficulty=2).verify()
        """
        problems = default_sandbox().run(_problems, self, timeout=timeout)
        assert not problems, f"{self.id}: " + "; ".join(problems)


def _problems(ex: Exercise) -> list[str]:
    """What is wrong with an exercise (runs inside the sandbox)."""
    box = Inline()
    out = []
    fb = check(ex.answer_text, ex.answer, variables=ex.variables, mode=ex.mode, sandbox=box, **dict(ex.options))
    if not fb.correct:
        out.append(f"its own answer is marked {fb.status}: {fb.message}")
    if not ex.solution:
        out.append("no worked solution")
    elif not _ends_in(ex.solution[-1], ex, box):
        out.append("the solution does not end in the answer")
    wrong = check(to_text(_perturb(ex.answer)), ex.answer, variables=ex.variables, mode=ex.mode, sandbox=box,
                  diagnose=False, **dict(ex.options))
    if wrong.correct:
        out.append("a perturbed answer is marked correct")
    return out


def _ends_in(line: str, ex: Exercise, box) -> bool:
    """The last solution line (worked out apart from the answer) has the answer's value."""
    text = line.split("Answer:", 1)[1] if line.startswith("Answer:") else line.rsplit("=", 1)[-1]
    text = text.strip().rstrip(".")
    mode = "numeric" if ex.mode == "numeric" else "equivalent"
    tolerance = dict(ex.options).get("tolerance", 1e-9) if mode == "numeric" else None
    return check(text, ex.answer, variables=ex.variables, mode=mode, tolerance=tolerance, sandbox=box).correct


def _perturb(answer):
    if isinstance(answer, sp.MatrixBase):
        m = sp.Matrix(answer)
        m[0, 0] = m[0, 0] + 1
        return sp.ImmutableMatrix(m)
    return answer + 1


@dataclass(frozen=True, slots=True)
class Draft:
    """What a generator returns; :func:`generate` adds the identity."""

    prompt: str
    prompt_latex: str
    variables: tuple[str, ...]
    answer: object
    mode: str = "equivalent"
    hints: tuple[str, ...] = ()
    solution: tuple[str, ...] = ()
    options: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    """A registered topic: its id, course week, one-line description and difficulty levels."""

    id: str
    week: int
    description: str
    levels: tuple[str, str, str]
    generator: Callable[[random.Random, int], Draft]


TOPICS: dict[str, Topic] = {}
"""The registry of topics, by id, in course order."""


def topic(id: str, week: int, description: str, levels: tuple[str, str, str]):
    """Register a generator ``fn(rng, difficulty) -> Draft`` for a topic."""

    def register(fn):
        TOPICS[id] = Topic(id, week, description, levels, fn)
        return fn

    return register


def _rng(topic_id: str, difficulty: int, seed: int) -> random.Random:
    digest = hashlib.sha256(f"symtutor/{topic_id}/{difficulty}/{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def generate(topic: str, *, seed: int, difficulty: int = 1) -> Exercise:
    """A fresh exercise on ``topic`` at ``difficulty`` (1, 2 or 3); the same seed gives the same exercise.

    Examples:
        >>> ex = generate("power_rule", seed=7, difficulty=1)
        >>> ex.id
        'power_rule-1-7'
        >>> ex == generate("power_rule", seed=7, difficulty=1)
        True
    """
    _load()
    if topic not in TOPICS:
        import difflib

        close = difflib.get_close_matches(topic, TOPICS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else " See symtutor.topics()."
        raise InvalidArgumentError(f"unknown topic {topic!r}.{hint}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidArgumentError(f"seed must be a whole number >= 0, not {seed!r}")
    if difficulty not in (1, 2, 3):
        raise InvalidArgumentError(f"difficulty must be 1, 2 or 3, not {difficulty!r}")
    d = TOPICS[topic].generator(_rng(topic, difficulty, seed), difficulty)
    answer = sp.ImmutableMatrix(d.answer) if isinstance(d.answer, sp.MatrixBase) else d.answer
    return Exercise(
        id=f"{topic}-{difficulty}-{seed}",
        topic=topic,
        difficulty=difficulty,
        seed=seed,
        prompt=d.prompt,
        prompt_latex=d.prompt_latex,
        variables=tuple(d.variables),
        answer=answer,
        mode=d.mode,
        hints=tuple(d.hints),
        solution=tuple(d.solution),
        options=tuple(sorted(d.options, key=lambda kv: kv[0])),
    )


def topics() -> dict[str, str]:
    """The topic ids, in course order, each with a one-line description.

    Examples:
        >>> list(topics())[:3]
        ['rise_over_run', 'power_rule', 'product_rule']
    """
    _load()
    return {t.id: t.description for t in TOPICS.values()}


def _load() -> None:
    from . import week1, week2, week3, week4, week5, week6  # noqa: F401  (they register their topics)
