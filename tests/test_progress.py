"""The progress store: refused stores left byte for byte as they were, and every failure a clear StoreError."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from symtutor.cli import main
from symtutor.progress import SCHEMA_VERSION, Attempt, ProgressStore, StoreError, now


def _attempt(status="correct", **kw):
    values = dict(exercise_id="power_rule-1-0", topic="power_rule", difficulty=1, answer="2x", status=status,
                  score=1.0 if status == "correct" else 0.0, hints=0, seconds=1.5, at=now())
    values.update(kw)
    return Attempt(**values)


def _snapshot(folder):
    """Every file in the folder with its bytes' digest."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _store(path, n=3):
    with ProgressStore(path) as store:
        for _ in range(n):
            store.record(_attempt())
    return path


def _refused(path, match, capsys):
    """The store at path is refused by the library and by both commands, and nothing beside it changes."""
    before = _snapshot(path.parent)
    with pytest.raises(StoreError, match=match):
        ProgressStore(path)
    assert _snapshot(path.parent) == before
    for argv in (["progress", "--db", str(path)], ["practice", "--db", str(path), "--count", "1"]):
        assert main(argv) == 3
        err = capsys.readouterr().err
        assert err.startswith("symtutor: error: ") and err.count("\n") == 1 and "Traceback" not in err
        assert _snapshot(path.parent) == before


def test_a_newer_store_is_refused_before_anything_is_written(tmp_path, capsys):
    db = _store(tmp_path / "p.sqlite3")
    con = sqlite3.connect(str(db))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.execute("PRAGMA journal_mode = DELETE")  # so that a WAL switch would change the header
    con.close()
    assert db.read_bytes()[18:20] == b"\x01\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.sqlite3"]
    _refused(db, "written by a newer symtutor", capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.sqlite3"]  # no -wal, no -shm


def test_a_file_that_is_not_a_store_is_refused(tmp_path, capsys):
    for name, data in (("notes.txt", b"my notes\n" * 50), ("short.db", b"SQLite format 3\x00\x10"),
                       ("zeros.db", bytes(4096))):
        path = tmp_path / name
        path.write_bytes(data)
        _refused(path, "not a progress store", capsys)


def test_a_damaged_store_is_refused(tmp_path, capsys):
    db = _store(tmp_path / "p.sqlite3", n=200)
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page + 8: 3 * page] = os.urandom(2 * page - 8)  # pages 2 and 3: the tables
    db.write_bytes(bytes(data))
    _refused(db, "damaged", capsys)


@pytest.mark.parametrize("version", ["two", "-5"])
def test_an_unreadable_or_negative_schema_version_is_refused(tmp_path, capsys, version):
    db = _store(tmp_path / "p.sqlite3")
    con = sqlite3.connect(str(db))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    con.commit()
    con.close()
    _refused(db, "unreadable schema version", capsys)


@pytest.mark.parametrize("column, value", [("score", "'high'"), ("score", "7.5"), ("status", "'won'"),
                                           ("at", "'yesterday'"), ("at", "'2026-01-01T00:00:00'"),
                                           ("difficulty", "'hard'"), ("seconds", "-1")])
def test_a_bad_value_in_a_row_is_a_clear_error(tmp_path, capsys, column, value):
    db = _store(tmp_path / "p.sqlite3")
    con = sqlite3.connect(str(db))
    con.execute(f"UPDATE attempts SET {column} = {value} WHERE id = 2")
    con.commit()
    con.close()
    with ProgressStore(db) as store, pytest.raises(StoreError, match=f"bad value in attempt 2: {column} ="):
        store.attempts()
    assert main(["progress", "--db", str(db)]) == 3
    assert "bad value in attempt 2" in capsys.readouterr().err


@pytest.mark.parametrize("change", [dict(status="won"), dict(score=float("nan")), dict(score=2.0),
                                    dict(hints=-1), dict(at="now"), dict(difficulty=True), dict(answer=None)])
def test_bad_values_are_never_recorded(tmp_path, change):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        with pytest.raises(StoreError, match="cannot record an attempt with"):
            store.record(_attempt(**change))
        assert store.attempts() == []


def test_a_full_disk_mid_session_keeps_what_was_recorded(tmp_path):
    db = tmp_path / "p.sqlite3"
    with ProgressStore(db) as store:
        store.record(_attempt())
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on
        with pytest.raises(StoreError, match="the disk is full"):
            for _ in range(50):
                store.record(_attempt(answer="x" * 3000))
        kept = store.attempts()
    with ProgressStore(db) as store:
        assert store.integrity() == "ok"
        assert store.attempts() == kept and len(kept) >= 1


_LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()
""")


def test_a_store_locked_by_another_program_is_a_clear_error(tmp_path):
    db = _store(tmp_path / "p.sqlite3")
    store = ProgressStore(db, timeout=0.2)
    locker = subprocess.Popen([sys.executable, "-c", _LOCKER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match=r"in use by another program \(waited 0.2 s\)"):
            store.record(_attempt())
        assert len(store.attempts()) == 3  # reading goes on while another program writes
    finally:
        locker.communicate("\n", timeout=10)
        store.close()
    with ProgressStore(db) as store:
        assert len(store.attempts()) == 3


def test_paths_that_cannot_be_a_store(tmp_path, capsys):
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    with pytest.raises(StoreError, match="a.txt is a file, not a folder"):
        ProgressStore(afile / "sub" / "p.sqlite3")
    with pytest.raises(StoreError, match="is a folder, not a progress store"):
        ProgressStore(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        ProgressStore(tmp_path / "missing" / "p.sqlite3")
    with pytest.raises(StoreError, match="there is no progress store"):
        ProgressStore(tmp_path / "p.sqlite3", create=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # nothing was created
    assert main(["progress", "--db", str(tmp_path / "missing" / "p.sqlite3")]) == 3
    assert main(["practice", "--db", str(tmp_path / "missing" / "p.sqlite3")]) == 3
    assert not (tmp_path / "missing").exists()


def test_the_default_store_folder_is_created_only_when_practising(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYMTUTOR_DB", str(tmp_path / "data" / "symtutor" / "progress.sqlite3"))
    assert main(["progress"]) == 0  # nothing practised yet: a table of zeros, and nothing created
    assert "0 attempt(s)" in capsys.readouterr().out
    assert not (tmp_path / "data").exists()
    with ProgressStore() as store:
        assert store.path == tmp_path / "data" / "symtutor" / "progress.sqlite3"
    assert store.path.exists()


def test_a_read_only_store_is_a_clear_error(tmp_path, monkeypatch):
    db = _store(tmp_path / "p.sqlite3")
    with ProgressStore(db) as store:
        store.db.execute("PRAGMA query_only = ON")  # what SQLite says of a file it may not write
        with pytest.raises(StoreError, match="is read-only: make it writable"):
            store.record(_attempt())
    before = _snapshot(tmp_path)
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK)
    with pytest.raises(StoreError, match="is read-only"):
        ProgressStore(db)
    assert _snapshot(tmp_path) == before


def test_a_read_only_file_as_an_ordinary_user(tmp_path):
    db = _store(tmp_path / "p.sqlite3")
    os.chmod(tmp_path, 0o755)
    os.chmod(db, 0o444)
    code = textwrap.dedent(f"""
        import sys
        from symtutor.progress import ProgressStore, StoreError
        try:
            ProgressStore({str(db)!r})
        except StoreError as exc:
            print(exc)
    """)
    user = {"user": 65534} if os.geteuid() == 0 else {}  # root may write anything: open it as nobody
    try:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, **user)
    except PermissionError:  # pragma: no cover - cannot change user here
        pytest.skip("cannot run as another user")
    if "ModuleNotFoundError" in res.stderr or "PermissionError" in res.stderr:  # pragma: no cover
        pytest.skip("this checkout is not readable by another user")
    assert "is read-only" in res.stdout, res.stderr


def test_a_read_only_file_is_refused_even_for_root(tmp_path, capsys):
    db = _store(tmp_path / "p.sqlite3")
    os.chmod(db, 0o444)  # root may write it, but its owner made it read-only: it is not written
    try:
        _refused(db, "is read-only", capsys)
    finally:
        os.chmod(db, 0o644)


def test_an_sqlite_file_of_another_program_is_refused_unchanged(tmp_path, capsys):
    for name, table in (("other.db", "CREATE TABLE notes (x)"), ("lookalike.db", "CREATE TABLE attempts (x)")):
        db = tmp_path / name
        con = sqlite3.connect(str(db))
        con.execute(table)
        con.commit()
        con.close()
        _refused(db, "an SQLite database but not a progress store", capsys)


def test_a_device_or_a_pipe_is_never_opened(tmp_path, capsys):
    fifo = tmp_path / "p.sqlite3"
    os.mkfifo(fifo)  # reading it would block for ever
    with pytest.raises(StoreError, match="not a regular file"):
        ProgressStore(fifo)
    assert main(["progress", "--db", str(fifo)]) == 3
    assert "not a regular file" in capsys.readouterr().err
    with pytest.raises(StoreError, match="not a regular file"):
        ProgressStore(os.devnull)  # and no journal is made beside it
    assert not os.path.exists(os.devnull + "-journal")
