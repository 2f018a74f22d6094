"""The practice drill over HTTP: :class:`symtutor.practice.Practice` sessions, one per browser tab.

A session is the terminal's drill (the same adaptive choice, hints, steps,
skip and scores), recorded in the same progress store.  Attempts of a named
learner carry the session name ``learner/<id>``; the terminal's drill (no
name) writes bare ids.  :class:`LearnerStore` is the store seen by one
learner, so the adaptive choice reads that learner's history only.

Sessions live in this server process (at most ``limit``, the least recently
used dropped first); everything they record is in the store at once, so a
dropped session loses nothing but its running score.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict

from ..errors import InvalidArgumentError
from ..exercises.core import TOPICS
from ..practice import Practice, Summary, Turn, topic_states
from ..progress import Attempt, ProgressStore
from .work import check_exercise, exercise_json, feedback_json

__all__ = ["LEARNER", "learner_of", "Stores", "LearnerStore", "Drill", "Drills", "progress_json"]

LEARNER = r"^[A-Za-z0-9][A-Za-z0-9 _.@-]{0,39}$"
"""A learner's name: letters, digits, space and _ . @ -, at most 40 characters."""


def learner_of(session: str) -> str:
    """The learner an attempt's session name belongs to ("" for the terminal's drill).

    Examples:
        >>> learner_of("ada/3f2a9c"), learner_of("3f2a9c")
        ('ada', '')
    """
    return session.split("/", 1)[0] if "/" in session else ""


def check_learner(name: str) -> str:
    """The name, checked.

    Examples:
        >>> check_learner("ada")
        'ada'
    """
    if name and not re.match(LEARNER, name):
        raise InvalidArgumentError("a learner's name has letters, digits, spaces and _ . @ -, at most 40 characters")
    return name


class Stores:
    """One :class:`ProgressStore` connection per thread (SQLite connections stay in their thread)."""

    def __init__(self, path):
        self.path = path
        self._local = threading.local()
        self._all: list[ProgressStore] = []
        self._lock = threading.Lock()

    def get(self) -> ProgressStore:
        store = getattr(self._local, "store", None)
        if store is None:
            store = ProgressStore(self.path)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for s in self._all:
                try:
                    s.close()
                except Exception:  # a connection of a thread that has gone: nothing to keep
                    pass
            self._all.clear()


class LearnerStore:
    """The progress store as one learner sees it: their attempts only; records go to the shared store."""

    def __init__(self, stores: Stores, learner: str):
        self.stores = stores
        self.learner = learner
        self.path = stores.path

    def attempts(self, topic: str | None = None) -> list[Attempt]:
        return [a for a in self.stores.get().attempts(topic) if learner_of(a.session) == self.learner]

    def record(self, attempt: Attempt) -> None:
        self.stores.get().record(attempt)


class _InPool:
    """The current exercise, checked in the sandbox the server lends for this turn."""

    def __init__(self, exercise):
        self.exercise = exercise
        self.box = None

    def __getattr__(self, name):
        return getattr(self.exercise, name)

    def check(self, text: str, *, timeout: float = 1.0, diagnose: bool = True):
        return check_exercise(self.exercise, text, self.box, timeout=timeout)


def _summary_json(s: Summary) -> dict:
    return {"exercises": s.exercises, "seconds": round(s.seconds, 1), "suggestion": s.suggestion,
            "scores": {t: {"score": round(v[0], 4), "exercises": v[1]} for t, v in s.scores.items()}}


class Drill:
    """One browser practice session around :class:`Practice`."""

    def __init__(self, sid: str, practice: Practice, learner: str):
        self.sid = sid
        self.practice = practice
        self.learner = learner
        self.lock = None  # an asyncio.Lock, made by the server in its loop
        self.done = False  # the current exercise is over
        self.last: dict | None = None  # the last turn, to show again after a reload

    def next(self) -> None:
        """Move to the next exercise (or to the end of the session)."""
        ex = self.practice.next()
        if ex is not None:
            self.practice.current = _InPool(ex)
        self.done = False
        self.last = None

    def turn(self, line: str, box=None) -> dict:
        """Hand one answer or command to the session; what happened, as JSON."""
        current = self.practice.current
        if isinstance(current, _InPool):
            current.box = box
        t: Turn = self.practice.handle(line)
        out = {"kind": t.kind, "text": t.text, "done": t.done}
        if t.feedback is not None:
            out["feedback"] = feedback_json(t.feedback)
        if t.attempt is not None:
            out["recorded"] = {"status": t.attempt.status, "score": t.attempt.score}
        if t.done:
            self.done = True
            out["answer"] = current.answer_text
        self.last = out
        return out

    def state(self) -> dict:
        """Where the session stands: the exercise (without its answer), hints taken, the running score."""
        p = self.practice
        ex = p.current
        out = {
            "session": self.sid,
            "learner": self.learner,
            "index": len(p.shown),
            "count": p.count,
            "score": round(sum(s for _, s in p.results), 4),
            "finished_exercises": len(p.results),
            "exercise": None if ex is None else exercise_json(ex.exercise, answer=False),
            "hints_taken": list(ex.hints[: p.hints_used]) if ex is not None else [],
            "exercise_done": self.done,
            "last": self.last,
            "summary": None,
        }
        if ex is None:
            out["summary"] = _summary_json(p.summary())
        return out


class Drills:
    """The open sessions, by id, at most ``limit`` (the least recently used closed first)."""

    def __init__(self, stores: Stores, *, limit: int = 1000):
        self.stores = stores
        self.limit = limit
        self._items: OrderedDict[str, Drill] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, learner: str, *, topics=None, difficulty=None, count: int = 10, seed=None) -> Drill:
        learner = check_learner(learner)
        store = LearnerStore(self.stores, learner)
        practice = Practice(store, topics=topics, difficulty=difficulty, count=count, seed=seed)
        if learner:
            practice.session = f"{learner}/{practice.session}"
        drill = Drill(secrets.token_urlsafe(16), practice, learner)
        drill.next()
        with self._lock:
            self._items[drill.sid] = drill
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return drill

    def get(self, sid: str) -> Drill | None:
        with self._lock:
            d = self._items.get(sid)
            if d is not None:
                self._items.move_to_end(sid)
            return d


def progress_json(stores: Stores, learner: str, *, recent: int = 200) -> dict:
    """A learner's level and mastery per topic, and their latest attempts (oldest first)."""
    learner = check_learner(learner)
    history = LearnerStore(stores, learner).attempts()
    states = topic_states(history, list(TOPICS))
    return {
        "learner": learner,
        "attempts": len(history),
        "topics": [{"topic": t.id, "week": t.week, "level": states[t.id].level,
                    "mastery": round(states[t.id].mastery, 4), "attempts": states[t.id].attempts,
                    "last_seen": states[t.id].last_seen} for t in TOPICS.values()],
        "history": [{"at": a.at, "exercise_id": a.exercise_id, "topic": a.topic, "status": a.status,
                     "score": a.score, "hints": a.hints} for a in history[-recent:]],
    }
