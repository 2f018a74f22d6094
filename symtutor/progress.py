"""The progress store: every attempt a learner makes, in SQLite.

Each attempt is committed the moment it is recorded, in WAL mode, so a killed
session loses at most the answer being typed, and several sessions can write
to one store at once.  The schema is versioned and migrated on open; a store
written by a newer symtutor is refused, never changed.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import SymtutorError

__all__ = ["SCHEMA_VERSION", "Attempt", "ProgressStore", "StoreError", "default_path"]

SCHEMA_VERSION = 1
"""The version of the store's tables that this symtutor writes."""

_MIGRATIONS = {
    # version: statements that bring a store from version - 1 to version
    1: [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session TEXT NOT NULL,
            exercise_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            difficulty INTEGER NOT NULL,
            answer TEXT NOT NULL,
            status TEXT NOT NULL,
            score REAL NOT NULL,
            hints INTEGER NOT NULL,
            seconds REAL NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS attempts_topic ON attempts (topic, id)",
    ],
}


class StoreError(SymtutorError, RuntimeError):
    """The progress store cannot be used (a newer schema, a damaged file, ...)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One recorded attempt at an exercise.

    ``status`` is "correct", "incorrect", "revealed" (the learner asked for the
    worked solution) or "skipped"; ``at`` is an ISO 8601 UTC timestamp.
    """

    exercise_id: str
    topic: str
    difficulty: int
    answer: str
    status: str
    score: float
    hints: int
    seconds: float
    at: str
    session: str = ""


def default_path() -> Path:
    """Where the store lives: ``$SYMTUTOR_DB``, else the per-user data directory.

    Examples:
        >>> default_path().name
        'progress.sqlite3'
    """
    env = os.environ.get("SYMTUTOR_DB")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("symtutor", appauthor=False)) / "progress.sqlite3"


def now() -> str:
    """The current UTC time as ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ProgressStore:
    """A learner's attempts, in a SQLite file.

    Examples:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "p.sqlite3")
        >>> with ProgressStore(path) as store:
        ...     store.record(Attempt("power_rule-1-0", "power_rule", 1, "2x", "correct", 1.0, 0, 3.5, now()))
        ...     [a.status for a in store.attempts()]
        ['correct']
    """

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 30000")
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self.db.execute("PRAGMA synchronous = NORMAL" if mode == "wal" else "PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the progress store {self.path}: {exc}") from None

    def _version(self) -> int:
        has_meta = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not has_meta:
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the progress store {self.path} was written by a newer symtutor (schema {version}; "
                    f"this one knows up to {SCHEMA_VERSION}). Upgrade symtutor, or use another store with --db."
                )
            for v in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[v]:
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (str(v),),
                )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def record(self, attempt: Attempt) -> None:
        """Store an attempt, committed at once."""
        self.db.execute(
            "INSERT INTO attempts (session, exercise_id, topic, difficulty, answer, status, score, hints, seconds, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (attempt.session, attempt.exercise_id, attempt.topic, attempt.difficulty, attempt.answer,
             attempt.status, float(attempt.score), int(attempt.hints), float(attempt.seconds), attempt.at),
        )

    def attempts(self, topic: str | None = None) -> list[Attempt]:
        """Every attempt, oldest first (of one topic, when given)."""
        sql = ("SELECT exercise_id, topic, difficulty, answer, status, score, hints, seconds, at, session "
               "FROM attempts")
        rows = (self.db.execute(sql + " WHERE topic = ? ORDER BY id", (topic,)) if topic
                else self.db.execute(sql + " ORDER BY id"))
        return [Attempt(*row[:9], session=row[9]) for row in rows]

    def integrity(self) -> str:
        """SQLite's own integrity check: "ok" when the file is sound."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
