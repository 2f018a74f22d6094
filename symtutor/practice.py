"""The practice drill: adaptive choice of topic and difficulty, and a session that records attempts.

The rule (:func:`topic_states`, :func:`choose_next`):

* Every topic has a level, 1 to 3, starting at 1.  Three correct answers in a
  row at a level promote the topic one level; two failures in a row (a wrong
  answer, or asking for the worked solution) demote it one level.  Skipping
  changes nothing.
* Mastery is the mean score of the topic's attempts, weighted 0.7^k for the
  k-th most recent, so recent work counts most (0 for a topic never tried).
* The next topic is the one with the highest priority
  ``(1 - mastery) + 0.5 * min(1, days since last seen / 7)``, a topic never
  seen counting as mastery 0 and seen long ago; topics practised in the last
  two exercises of this session lose 0.6, so that practice interleaves.  Ties
  go to the earlier topic of the course.  The difficulty is the topic's level,
  unless the learner fixed one.

Scores: a correct answer scores the checker's score, less a quarter for each
hint taken and halved after a wrong try on the same exercise; asking for the
worked solution scores 0 for that exercise.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .checking import Feedback
from .errors import InvalidArgumentError
from .exercises.core import TOPICS, Exercise, generate
from .exercises.core import topics as course_topics
from .progress import Attempt, ProgressStore, now

__all__ = ["TopicState", "topic_states", "choose_next", "Practice", "Turn", "Summary", "plain"]

PROMOTE_AFTER = 3
DEMOTE_AFTER = 2
HINT_PENALTY = 0.25
RETRY_FACTOR = 0.5
RECENT_PENALTY = 0.6


@dataclass(frozen=True, slots=True)
class TopicState:
    """Where a learner stands on a topic."""

    topic: str
    level: int = 1
    mastery: float = 0.0
    attempts: int = 0
    last_seen: str | None = None


def topic_states(history: Sequence[Attempt], candidates: Sequence[str]) -> dict[str, TopicState]:
    """Level and mastery of each candidate topic, from the attempts so far (oldest first).

    Examples:
        >>> a = [Attempt("e", "chain_rule", 1, "", "correct", 1.0, 0, 1.0, "2026-01-01T00:00:00+00:00")] * 3
        >>> topic_states(a, ["chain_rule"])["chain_rule"].level
        2
    """
    states = {}
    for t in candidates:
        mine = [a for a in history if a.topic == t]
        level, streak = 1, 0
        for a in mine:
            if a.status == "correct":
                streak = streak + 1 if streak > 0 else 1
            elif a.status in ("incorrect", "revealed"):
                streak = streak - 1 if streak < 0 else -1
            if streak >= PROMOTE_AFTER:
                level, streak = min(3, level + 1), 0
            elif streak <= -DEMOTE_AFTER:
                level, streak = max(1, level - 1), 0
        scored = [a.score for a in mine if a.status != "skipped"]
        weights = [0.7**k for k in range(len(scored))][::-1]
        mastery = sum(w * s for w, s in zip(weights, scored)) / sum(weights) if scored else 0.0
        states[t] = TopicState(t, level, mastery, len(mine), mine[-1].at if mine else None)
    return states


def _days_since(at: str | None, when: datetime) -> float:
    if at is None:
        return float("inf")
    return (when - datetime.fromisoformat(at)).total_seconds() / 86400


def choose_next(states: dict[str, TopicState], recent: Sequence[str] = (), *, when: datetime | None = None):
    """(topic, difficulty) to practise next, by the rule of the module docstring.

    ``recent`` lists the topics of this session's exercises, latest last.

    Examples:
        >>> s = {"power_rule": TopicState("power_rule", 2, 0.9, 5, "2026-11-20T00:00:00+00:00"),
        ...      "chain_rule": TopicState("chain_rule", 1, 0.3, 4, "2026-11-20T00:00:00+00:00")}
        >>> choose_next(s, when=datetime(2026, 11, 21, tzinfo=timezone.utc))
        ('chain_rule', 1)
    """
    when = when or datetime.now(timezone.utc)
    order = {t: i for i, t in enumerate(TOPICS)}
    last_two = set(recent[-2:])

    def priority(s: TopicState) -> float:
        p = (1 - s.mastery) + 0.5 * min(1.0, _days_since(s.last_seen, when) / 7)
        return p - (RECENT_PENALTY if s.topic in last_two else 0.0)

    best = max(states.values(), key=lambda s: (round(priority(s), 9), -order.get(s.topic, 0)))
    return best.topic, best.level


def _number_ends_at(text: str, i: int) -> bool:
    """text[i] is the last character of a coefficient (not of a name such as x1, nor an exponent)."""
    j = i
    while j >= 0 and (text[j].isdigit() or text[j] == "."):
        j -= 1
    return j < i and (j < 0 or not (text[j].isalnum() or text[j] in "_^"))


def _divided_before(text: str, i: int) -> bool:
    """The factor before text[i] is part of a quotient (a/b*c), where a star is clearer kept."""
    depth = 0
    for j in range(i - 1, -1, -1):
        c = text[j]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth < 0:
                return False
        elif depth == 0:
            if c == "/":
                return True
            if c in " +-,=":
                return False
    return False


def plain(text: str) -> str:
    """``text`` (a prompt or hint in typed syntax) without the multiplication stars a reader does not need.

    ``4*x^2*y`` reads ``4x^2 y``, as it is typed.  A star stays between two
    numbers and after a quotient (``2/x*y``).  symtutor's parser reads
    juxtaposition exactly as ``*``, so the text still reads back the same.

    Examples:
        >>> plain("Find df/dx for f = -4*x^(3/2) + 2*sqrt(x) + 2/x^2.")
        'Find df/dx for f = -4x^(3/2) + 2sqrt(x) + 2/x^2.'
        >>> plain("f = 3*x^2*y - 2*3 + 6/x*y + x1*x2 + (x + 1)*(x - 1)")
        'f = 3x^2 y - 2*3 + 6/x*y + x1 x2 + (x + 1)(x - 1)'
    """
    out = []
    for i, c in enumerate(text):
        if c != "*" or i == 0 or i == len(text) - 1:
            out.append(c)
            continue
        left, right = text[i - 1], text[i + 1]
        if not (left.isalnum() or left in "_)") or not (right.isalnum() or right in "_("):
            out.append(c)
        elif _divided_before(text, i) or (left.isdigit() and right.isdigit()):
            out.append(c)
        elif left == ")" and right == "(":
            pass
        elif _number_ends_at(text, i - 1) and (right == "(" or (right.isalpha() and right not in "eE")):
            pass
        else:
            out.append(" ")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Turn:
    """What happened to one line the learner typed."""

    kind: str  # "answer", "invalid", "undecided", "hint", "steps", "skip", "help", "quit"
    feedback: Feedback | None = None
    attempt: Attempt | None = None
    text: str = ""
    done: bool = False  # the exercise is over


@dataclass(frozen=True, slots=True)
class Summary:
    """The end of a session: score per topic, time taken, what to practise next."""

    exercises: int
    scores: dict = field(default_factory=dict)  # topic -> (total score, exercises)
    seconds: float = 0.0
    suggestion: str = ""


class Practice:
    """A practice session over a store: pick exercises, take answers and commands, record attempts.

    Examples:
        >>> import tempfile, os
        >>> store = ProgressStore(os.path.join(tempfile.mkdtemp(), "p.sqlite3"))
        >>> p = Practice(store, topics=["power_rule"], difficulty=1, count=1, seed=3)
        >>> ex = p.next()
        >>> p.handle(ex.answer_text).feedback.correct
        True
        >>> [a.status for a in store.attempts()]
        ['correct']
    """

    def __init__(
        self,
        store: ProgressStore,
        *,
        topics: Sequence[str] | None = None,
        difficulty: int | None = None,
        count: int = 10,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        all_topics = list(course_topics())
        self.topics = list(topics) if topics else all_topics
        unknown = [t for t in self.topics if t not in all_topics]
        if unknown:
            raise InvalidArgumentError(f"unknown topic(s): {', '.join(unknown)}; see 'symtutor topics'")
        self.store = store
        self.difficulty = difficulty
        self.count = count
        self.seed = seed if seed is not None else len(store.attempts())
        self.clock = clock
        self.session = uuid.uuid4().hex[:12]
        self.started = clock()
        self.shown: list[Exercise] = []
        self.current: Exercise | None = None
        self.hints_used = 0
        self.wrong_tries = 0
        self.exercise_started = 0.0
        self.results: list[tuple[str, float]] = []

    def next(self) -> Exercise | None:
        """The next exercise, or None when the session has had its count."""
        if len(self.shown) >= self.count:
            self.current = None
            return None
        states = topic_states(self.store.attempts(), self.topics)
        topic, level = choose_next(states, [e.topic for e in self.shown])
        ex = generate(topic, seed=self.seed + len(self.shown), difficulty=self.difficulty or level)
        self.shown.append(ex)
        self.current = ex
        self.hints_used = 0
        self.wrong_tries = 0
        self.exercise_started = self.clock()
        return ex

    def _record(self, answer: str, status: str, score: float) -> Attempt:
        ex = self.current
        attempt = Attempt(ex.id, ex.topic, ex.difficulty, answer, status, round(score, 4), self.hints_used,
                          round(self.clock() - self.exercise_started, 3), now(), self.session)
        self.store.record(attempt)
        return attempt

    def _finish(self, score: float) -> None:
        self.results.append((self.current.topic, score))

    def handle(self, line: str) -> Turn:
        """Take one line: an answer, or hint / steps / skip / quit / help."""
        text = line.strip()
        command = text.lower()
        if command in ("quit", "exit", "q"):
            return Turn("quit")
        if command in ("help", "?"):
            return Turn("help")
        if self.current is None:
            return Turn("quit")
        ex = self.current
        if command == "hint":
            if self.hints_used >= len(ex.hints):
                return Turn("hint", text="No more hints: type 'steps' to see the worked solution.")
            self.hints_used += 1
            return Turn("hint", text=ex.hints[self.hints_used - 1])
        if command == "steps":
            attempt = self._record("", "revealed", 0.0)
            self._finish(0.0)
            return Turn("steps", attempt=attempt, text="\n".join(ex.solution), done=True)
        if command == "skip":
            attempt = self._record("", "skipped", 0.0)
            self._finish(0.0)
            return Turn("skip", attempt=attempt, text=f"The answer was {ex.answer_text}.", done=True)
        fb = ex.check(text)
        if fb.status == "invalid":
            return Turn("invalid", feedback=fb)
        if fb.status == "undecided":
            return Turn("undecided", feedback=fb)
        if fb.correct:
            score = fb.score * max(0.0, 1 - HINT_PENALTY * self.hints_used) * (RETRY_FACTOR if self.wrong_tries else 1.0)
            attempt = self._record(text, "correct", score)
            self._finish(score)
            return Turn("answer", feedback=fb, attempt=attempt, done=True)
        self.wrong_tries += 1
        attempt = self._record(text, "incorrect", 0.0)
        return Turn("answer", feedback=fb, attempt=attempt)

    def summary(self) -> Summary:
        """Scores per topic, time taken, and the topic to practise next."""
        scores: dict[str, tuple[float, int]] = {}
        for topic, score in self.results:
            total, n = scores.get(topic, (0.0, 0))
            scores[topic] = (total + score, n + 1)
        states = topic_states(self.store.attempts(), self.topics)
        weakest = min(states.values(), key=lambda s: (s.mastery, list(TOPICS).index(s.topic)))
        suggestion = f"{weakest.topic} (mastery {weakest.mastery:.0%}, level {weakest.level})"
        return Summary(len(self.results), scores, self.clock() - self.started, suggestion)

