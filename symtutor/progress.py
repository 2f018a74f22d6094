"""The progress store: every attempt a learner makes, in SQLite.

Each attempt is committed the moment it is recorded, in WAL mode, so a killed
session loses at most the answer being typed, and several sessions can write
to one store at once.  The schema is versioned and migrated on open.

Nothing is written before the store has been found sound: a file that is not
a store, a damaged store, or a store written by a newer symtutor is refused
with a :class:`StoreError` and left byte for byte as it was (the version is
read without locking or journalling, so not even a ``-wal`` or ``-shm`` file
appears beside it).  Every other failure (a full disk, a store locked by
another program for longer than ``timeout``, a read-only file, a bad value in
a row) is a :class:`StoreError` too, whose message says what to do.
"""

from __future__ import annotations

import math
import os
import sqlite3
import stat
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from .errors import SymtutorError

__all__ = ["SCHEMA_VERSION", "STATUSES", "Attempt", "ProgressStore", "StoreError", "default_path"]

SCHEMA_VERSION = 1
"""The version of the store's tables that this symtutor writes."""

STATUSES = ("correct", "incorrect", "revealed", "skipped")
"""The statuses an attempt may have."""

_MAGIC = b"SQLite format 3\x00"

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
    """The progress store cannot be used (a newer schema, a damaged file, a full disk, ...)."""


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


def _problem(a: Attempt) -> str | None:
    """What is wrong with an attempt's values, or None."""
    for name in ("exercise_id", "topic", "answer", "session", "at"):
        if not isinstance(getattr(a, name), str):
            return f"{name} = {getattr(a, name)!r} (not text)"
    for name in ("difficulty", "hints"):
        v = getattr(a, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            return f"{name} = {v!r} (not a whole number >= 0)"
    if a.status not in STATUSES:
        return f"status = {a.status!r} (not one of {', '.join(STATUSES)})"
    for name, hi in (("score", 1.0), ("seconds", math.inf)):
        v = getattr(a, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= v <= hi) or math.isnan(v) or v == math.inf:
            return f"{name} = {v!r} (not a number from 0 to {hi:g})"
    try:
        when = datetime.fromisoformat(a.at)
    except ValueError:
        return f"at = {a.at!r} (not an ISO 8601 time)"
    if when.tzinfo is None:
        return f"at = {a.at!r} (a time without its time zone)"
    return None


class ProgressStore:
    """A learner's attempts, in a SQLite file.

    ``path`` defaults to :func:`default_path`, whose folder is created when
    missing; the folder of a path given explicitly must exist.  ``":memory:"``
    keeps the attempts in memory.  With ``create=False`` a missing file is an
    error instead of a new store.  ``timeout`` is how long to wait for a store
    that another program is writing to.

    Examples:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "p.sqlite3")
        >>> with ProgressStore(path) as store:
        ...     store.record(Attempt("power_rule-1-0", "power_rule", 1, "2x", "correct", 1.0, 0, 3.5, now()))
        ...     [a.status for a in store.attempts()]
        ['correct']
        >>> ProgressStore(os.path.join(path, "p.sqlite3"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        symtutor.progress.StoreError: cannot use .../p.sqlite3/p.sqlite3 as a progress store: .../p.sqlite3 is a file, not a folder
    """

    def __init__(self, path=None, *, create: bool = True, timeout: float = 10.0):
        memory = isinstance(path, str) and path == ":memory:"
        self.path = Path(path) if path is not None else default_path()
        self.timeout = float(timeout)
        self.db = None
        if not memory:
            self._prepare(create=create, make_folder=path is None)
            self._refuse_newer_without_opening()
        try:
            self.db = sqlite3.connect(":memory:" if memory else str(self.path), timeout=self.timeout,
                                      isolation_level=None)
            self._open(memory)
        except sqlite3.Error as exc:
            self.close()
            raise self._error("cannot open", exc) from None
        except BaseException:
            self.close()
            raise

    # ---- opening --------------------------------------------------------------------------

    def _prepare(self, *, create: bool, make_folder: bool) -> None:
        path, folder = self.path, self.path.parent
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a progress store: give a file path, e.g. {path / 'progress.sqlite3'}")
        if not folder.is_dir():
            existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
            if existing is not None and not existing.is_dir():
                raise StoreError(f"cannot use {path} as a progress store: {existing} is a file, not a folder")
            if not make_folder:
                raise StoreError(f"cannot use {path} as a progress store: the folder {folder} does not exist "
                                 "(create it first, or choose another path)")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {folder} for the progress store: {exc.strerror}") from None
        try:
            st = path.stat()
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise StoreError(f"cannot use {path} as a progress store: {exc.strerror}") from None
        if st is not None and not stat.S_ISREG(st.st_mode):  # a device or a pipe: never opened (a FIFO would block)
            raise StoreError(f"{path} is not a regular file, so it cannot be a progress store: give a file path, "
                             "e.g. progress.sqlite3")
        if st is None:
            if not create:
                raise StoreError(f"there is no progress store at {path} (check the path; practising creates one)")
            return
        try:
            with open(path, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise StoreError(f"cannot read the progress store {path}: {exc.strerror}") from None
        if head and (len(head) < 100 or not head.startswith(_MAGIC)):
            raise StoreError(f"{path} is not a progress store (it is not an SQLite database); "
                             "choose another path, or move that file aside")

    def _refuse_newer_without_opening(self) -> None:
        """Read the schema version with no lock, journal or write; refuse a newer store."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        try:
            con = sqlite3.connect(uri, uri=True)
        except sqlite3.Error:  # pragma: no cover - the ordinary open reports it
            return
        try:
            version = self._read_version(con)
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")]
        except sqlite3.Error:
            return  # the ordinary open finds it and reports it
        finally:
            con.close()
        self._refuse_if_newer(version)
        if version == 0 and tables:  # an SQLite file of another program: adding tables to it would change it
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(f"{self.path} is an SQLite database but not a progress store (it holds {shown}); "
                             "choose another path")

    def _refuse_if_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the progress store {self.path} was written by a newer symtutor (schema {version}; "
                f"this one knows up to {SCHEMA_VERSION}). Upgrade symtutor, or use another store with --db."
            )

    def _read_version(self, con) -> int:
        has_meta = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not has_meta:
            return 0
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            return 0
        try:
            version = int(row[0])
            if version < 1:
                raise ValueError(version)
            return version
        except (TypeError, ValueError):
            raise StoreError(f"the progress store {self.path} has an unreadable schema version {row[0]!r}; "
                             "move it aside to start a new one") from None

    def _open(self, memory: bool) -> None:
        db = self.db
        # first only read: the version, and whether the file is sound
        db.execute("BEGIN")
        try:
            version = self._read_version(db)
            sound = memory or db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            db.execute("COMMIT")
        self._refuse_if_newer(version)
        if not sound:
            raise sqlite3.DatabaseError("database disk image is malformed")
        if not memory and self.path.exists() and (not os.access(self.path, os.W_OK)
                                                  or not self.path.stat().st_mode & 0o222):
            raise StoreError(f"the progress store {self.path} is read-only: make it writable, or choose another path")
        # now the writes: WAL, then the migrations
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        db.execute("PRAGMA synchronous = NORMAL" if mode == "wal" else "PRAGMA synchronous = FULL")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self._read_version(self.db)  # again: another program may have migrated it meanwhile
            self._refuse_if_newer(version)
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

    def _error(self, doing: str, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        low = text.lower()
        where = f"the progress store {self.path}"
        if "locked" in low or "busy" in low:
            return StoreError(f"{where} is in use by another program (waited {self.timeout:g} s): "
                              "close the other program or session and try again")
        if "full" in low:
            return StoreError(f"{doing} {where}: the disk is full. Free some space and try again; "
                              "the attempts already recorded are kept")
        if "readonly" in low or "read-only" in low:
            return StoreError(f"{where} is read-only: make it writable, or choose another path")
        if "malformed" in low or "not a database" in low or "corrupt" in low:
            return StoreError(f"{where} is damaged ({text}): move it aside to start a new one, "
                              "or restore a copy")
        if "unable to open" in low:
            return StoreError(f"{doing} {where}: the file cannot be opened or created here (check the path "
                              "and its permissions)")
        return StoreError(f"{doing} {where}: {text}")

    # ---- use --------------------------------------------------------------------------------

    def record(self, attempt: Attempt) -> None:
        """Store an attempt, committed at once."""
        problem = _problem(attempt)
        if problem:
            raise StoreError(f"cannot record an attempt with {problem}")
        try:
            self.db.execute(
                "INSERT INTO attempts (session, exercise_id, topic, difficulty, answer, status, score, hints, "
                "seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt.session, attempt.exercise_id, attempt.topic, attempt.difficulty, attempt.answer,
                 attempt.status, float(attempt.score), int(attempt.hints), float(attempt.seconds), attempt.at),
            )
        except sqlite3.Error as exc:
            raise self._error("could not record the attempt in", exc) from None

    def attempts(self, topic: str | None = None) -> list[Attempt]:
        """Every attempt, oldest first (of one topic, when given)."""
        sql = ("SELECT id, exercise_id, topic, difficulty, answer, status, score, hints, seconds, at, session "
               "FROM attempts")
        try:
            rows = (self.db.execute(sql + " WHERE topic = ? ORDER BY id", (topic,)) if topic
                    else self.db.execute(sql + " ORDER BY id")).fetchall()
        except sqlite3.Error as exc:
            raise self._error("could not read", exc) from None
        out = []
        for row in rows:
            a = Attempt(*row[1:10], session=row[10])
            if type(a.score) is int or type(a.seconds) is int:  # SQLite may hand back 1 for 1.0
                a = replace(a, score=float(a.score) if type(a.score) is int else a.score,
                            seconds=float(a.seconds) if type(a.seconds) is int else a.seconds)
            problem = _problem(a)
            if problem:
                raise StoreError(f"the progress store {self.path} has a bad value in attempt {row[0]}: {problem}; "
                                 "correct or delete that row, or move the store aside to start a new one")
            out.append(a)
        return out

    def integrity(self) -> str:
        """SQLite's own integrity check: "ok" when the file is sound."""
        try:
            return self.db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.Error as exc:
            raise self._error("could not check", exc) from None

    def close(self) -> None:
        """Close the store (every attempt is already committed)."""
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:  # pragma: no cover
                pass
            self.db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
