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

from ..checking import Feedback, check
from ..errors import InvalidArgumentError
from ..parsing import to_text

__all__ = ["Exercise", "Draft", "Topic", "generate", "topics", "topic", "TOPICS"]


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise: what to ask, the answer, how to check it, hints and a worked solution.

    ``answer`` is a SymPy expression, or a column matrix when the answer is
    several values.  ``options`` are the extra arguments of :func:`symtutor.check`
    (the differentiated function, the expansion point, a tolerance, ...).
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

    def check(self, text: str, *, timeout: float = 1.0) -> Feedback:
        """Check a learner's answer to this exercise.

        Examples:
            >>> ex = generate("power_rule", seed=1)
            >>> ex.check(to_text(ex.answer)).correct
            True
        """
        return check(
            text, self.answer, variables=self.variables, mode=self.mode, timeout=timeout, **dict(self.options)
        )

    @property
    def answer_text(self) -> str:
        """The answer in the syntax learners type."""
        return to_text(self.answer)

    def verify(self) -> None:
        """Raise AssertionError unless the answer checks, the solution ends in it, and a wrong answer fails.

        Examples:
            >>> generate("chain_rule", seed=3, difficulty=2).verify()
        """
        fb = self.check(self.answer_text, timeout=10)
        assert fb.correct, f"{self.id}: its own answer is marked {fb.status}: {fb.message}"
        assert self.solution, f"{self.id}: no worked solution"
        last = self.solution[-1]
        assert _ends_in(last, self), f"{self.id}: the solution does not end in the answer"
        wrong = self.check(to_text(_perturb(self.answer)), timeout=10)
        assert not wrong.correct, f"{self.id}: a perturbed answer is marked correct"


def _ends_in(line: str, ex: Exercise) -> bool:
    """The last solution line (worked out apart from the answer) has the answer's value."""
    text = line.split("Answer:", 1)[1] if line.startswith("Answer:") else line.rsplit("=", 1)[-1]
    text = text.strip().rstrip(".")
    mode = "numeric" if ex.mode == "numeric" else "equivalent"
    return check(text, ex.answer, variables=ex.variables, mode=mode, timeout=10, tolerance=1e-9 if mode == "numeric" else None).correct


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
        options=tuple(d.options),
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
