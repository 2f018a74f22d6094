"""The practice drill: a real terminal session, the store's promises, and the adaptive rule."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pexpect
import pytest
from hypothesis import given

from symtutor.cli import main
from symtutor.exercises import generate
from symtutor.parsing import parse, to_text
from symtutor.practice import Practice, TopicState, choose_next, plain, topic_states
from symtutor.progress import SCHEMA_VERSION, Attempt, ProgressStore, StoreError

from .conftest import expressions

SCRIPT = [sys.executable, "-m", "symtutor"]


def _attempt(topic, status, score=None, at="2026-11-20T00:00:00+00:00"):
    score = (1.0 if status == "correct" else 0.0) if score is None else score
    return Attempt(f"{topic}-1-0", topic, 1, "", status, score, 0, 1.0, at)


# ---- a real session in a pseudo-terminal -------------------------------------------


def test_a_terminal_session_records_exactly_its_attempts(tmp_path):
    db = tmp_path / "p.sqlite3"
    first = generate("power_rule", seed=5, difficulty=1)
    child = pexpect.spawn(
        SCRIPT[0], SCRIPT[1:] + ["practice", "--topic", "power_rule", "--difficulty", "1", "--count", "3",
                                 "--seed", "5", "--db", str(db)],
        encoding="utf-8", timeout=60, env=dict(os.environ, TERM="dumb"),
    )
    child.expect("Exercise 1/3")
    child.expect(r"\r\n> ")
    child.sendline(first.answer_text)  # right
    child.expect("Correct")
    child.expect("Exercise 2/3")
    child.expect("> ")
    child.sendline("0")  # wrong
    child.expect("Not right")
    child.expect("> ")
    child.sendline("2x +")  # invalid: explained, asked again, not recorded
    child.expect("Could not read that")
    child.expect("> ")
    child.sendline("hint")
    child.expect("This needs the")
    child.expect("> ")
    child.sendline("steps")
    child.expect("Answer:")
    child.expect("Exercise 3/3")
    child.expect("> ")
    child.sendline("quit")
    child.expect("Done: 2 exercise")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with ProgressStore(db) as store:
        rows = [(a.exercise_id, a.status, a.score, a.hints) for a in store.attempts()]
    assert rows == [
        ("power_rule-1-5", "correct", 1.0, 0),
        ("power_rule-1-6", "incorrect", 0.0, 0),
        ("power_rule-1-6", "revealed", 0.0, 1),
    ]


# ---- without a terminal -------------------------------------------------------------------


def test_answers_on_standard_input_and_a_json_transcript(tmp_path):
    db = tmp_path / "p.sqlite3"
    ex = generate("chain_rule", seed=2, difficulty=2)
    res = subprocess.run(
        SCRIPT + ["practice", "--topic", "chain_rule", "--difficulty", "2", "--count", "2", "--seed", "2",
                  "--db", str(db), "--json"],
        input=f"{ex.answer_text}\nskip\n", capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [e["exercise"] for e in data["exercises"]] == ["chain_rule-2-2", "chain_rule-2-3"]
    assert data["exercises"][0]["events"][0]["status"] == "correct"
    assert data["exercises"][1]["events"][0]["kind"] == "skip"
    assert data["summary"]["scores"]["chain_rule"] == {"score": 1.0, "exercises": 2}


def test_plain_output_when_piped(tmp_path):
    res = subprocess.run(SCRIPT + ["practice", "--topic", "power_rule", "--count", "1", "--seed", "1",
                                   "--db", str(tmp_path / "p.sqlite3")],
                         input="help\nquit\n", capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert "Commands: hint" in res.stdout and "\x1b[" not in res.stdout


# ---- the store ---------------------------------------------------------------------------------


def _wait_for(db: Path, n: int, proc, limit=60.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if db.exists():
            try:
                con = sqlite3.connect(str(db), timeout=5)
                count = con.execute("SELECT count(*) FROM attempts").fetchone()[0]
                con.close()
                if count >= n:
                    return count
            except sqlite3.OperationalError:
                pass
        assert proc.poll() is None, "the session ended early"
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} attempts after {limit} s")


def test_a_killed_session_keeps_every_committed_attempt(tmp_path):
    db = tmp_path / "p.sqlite3"
    proc = subprocess.Popen(
        SCRIPT + ["practice", "--topic", "power_rule", "--difficulty", "1", "--count", "50", "--seed", "0",
                  "--db", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )
    for k in range(6):
        proc.stdin.write("skip\n" if k % 2 else "0\nskip\n")
        proc.stdin.flush()
    _wait_for(db, 9, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    with ProgressStore(db) as store:
        assert store.integrity() == "ok"
        statuses = [a.status for a in store.attempts()]
    assert statuses == ["incorrect", "skipped", "skipped"] * 3


def test_two_sessions_at_once_keep_all_their_attempts(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).close()
    procs = [
        subprocess.Popen(
            SCRIPT + ["practice", "--topic", "power_rule", "--count", "25", "--seed", str(seed), "--db", str(db)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for seed in (0, 100)
    ]
    for p in procs:
        p.stdin.write("0\nskip\n" * 25)
        p.stdin.close()
    for p in procs:
        code = p.wait(timeout=240)
        err = p.stderr.read()
        p.stderr.close()
        assert code == 0, err
    with ProgressStore(db) as store:
        assert store.integrity() == "ok"
        attempts = store.attempts()
    assert len(attempts) == 100
    assert len({a.session for a in attempts}) == 2


def test_a_store_from_a_newer_symtutor_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "p.sqlite3"
    ProgressStore(db).close()
    con = sqlite3.connect(str(db))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="written by a newer symtutor"):
        ProgressStore(db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert main(["progress", "--db", str(db)]) == 3


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path):
    db = tmp_path / "p.sqlite3"
    sqlite3.connect(str(db)).close()
    with ProgressStore(db) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_store_path_follows_the_environment(tmp_path, monkeypatch):
    from symtutor.progress import default_path

    monkeypatch.setenv("SYMTUTOR_DB", str(tmp_path / "x.sqlite3"))
    assert default_path() == tmp_path / "x.sqlite3"


# ---- the adaptive rule, with a scripted history -------------------------------------------


def test_promotion_after_three_successes_and_demotion_after_two_failures():
    h = [_attempt("chain_rule", "correct")] * 3
    assert topic_states(h, ["chain_rule"])["chain_rule"].level == 2
    h += [_attempt("chain_rule", "correct")] * 3
    assert topic_states(h, ["chain_rule"])["chain_rule"].level == 3
    h += [_attempt("chain_rule", "correct")] * 3
    assert topic_states(h, ["chain_rule"])["chain_rule"].level == 3  # the top
    h += [_attempt("chain_rule", "incorrect"), _attempt("chain_rule", "revealed")]
    assert topic_states(h, ["chain_rule"])["chain_rule"].level == 2
    h += [_attempt("chain_rule", "skipped")] * 4  # skipping changes nothing
    assert topic_states(h, ["chain_rule"])["chain_rule"].level == 2
    h += [_attempt("chain_rule", "correct"), _attempt("chain_rule", "incorrect"), _attempt("chain_rule", "correct")]
    assert topic_states(h, ["chain_rule"])["chain_rule"].level == 2  # no run long enough either way


def test_mastery_weights_recent_work_most():
    old_good = [_attempt("hessian", "correct")] * 5 + [_attempt("hessian", "incorrect")] * 2
    recent_good = [_attempt("hessian", "incorrect")] * 2 + [_attempt("hessian", "correct")] * 5
    m1 = topic_states(old_good, ["hessian"])["hessian"].mastery
    m2 = topic_states(recent_good, ["hessian"])["hessian"].mastery
    assert m2 > 0.8 > m1


def test_the_weak_topic_comes_next():
    when = datetime(2026, 11, 21, tzinfo=timezone.utc)
    h = [_attempt("power_rule", "correct")] * 4 + [_attempt("chain_rule", "incorrect")] * 2
    states = topic_states(h, ["power_rule", "chain_rule"])
    assert choose_next(states, when=when) == ("chain_rule", 1)


def test_a_long_unseen_topic_is_revisited():
    when = datetime(2026, 11, 21, tzinfo=timezone.utc)
    long_ago = (when - timedelta(days=30)).isoformat()
    yesterday = (when - timedelta(days=1)).isoformat()
    h = [_attempt("power_rule", "correct", 0.75, at=long_ago)] * 3 + [_attempt("chain_rule", "correct", 0.6, at=yesterday)] * 3
    states = topic_states(h, ["power_rule", "chain_rule"])
    assert states["power_rule"].mastery > states["chain_rule"].mastery
    assert choose_next(states, when=when)[0] == "power_rule"  # weaker now, but seen long ago


def test_new_topics_are_met_and_practice_interleaves():
    when = datetime(2026, 11, 21, tzinfo=timezone.utc)
    states = {t: TopicState(t) for t in ("power_rule", "product_rule")}
    assert choose_next(states, when=when)[0] == "power_rule"  # course order breaks the tie
    assert choose_next(states, ["power_rule"], when=when)[0] == "product_rule"


def test_a_session_follows_the_rule(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        for _ in range(3):
            store.record(_attempt("power_rule", "correct"))
        p = Practice(store, topics=["power_rule"], count=1, seed=0)
        assert p.next().difficulty == 2  # promoted by the stored history


# ---- the progress command ---------------------------------------------------------------


def test_progress_table_plot_and_csv(tmp_path, capsys):
    db = tmp_path / "p.sqlite3"
    with ProgressStore(db) as store:
        for status in ("correct", "incorrect", "correct", "skipped"):
            store.record(_attempt("gradient", status))
    assert main(["progress", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("gradient "))
    assert line.split()[1:5] == ["2", "1", "68%", "4"]  # (0.49 + 1)/(0.49 + 0.7 + 1)
    png = tmp_path / "p.png"
    assert main(["progress", "--db", str(db), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main(["progress", "--db", str(db), "--export", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("at,session,exercise_id") and len(rows) == 5


# ---- the terminal edge: Ctrl-C, a killed session, line editing, the echo and the prompt ------------------


def _spawn(db, *extra, count=3, seed=1, term="dumb"):
    return pexpect.spawn(
        SCRIPT[0], SCRIPT[1:] + ["practice", "--topic", "power_rule", "--difficulty", "2", "--count", str(count),
                                 "--seed", str(seed), "--db", str(db), *extra],
        encoding="utf-8", timeout=60, env=dict(os.environ, TERM=term),
    )


def test_line_editing_and_ctrl_c_which_ends_the_session_with_its_summary(tmp_path):
    db = tmp_path / "p.sqlite3"
    child = _spawn(db, term="xterm")
    child.expect(r"> ")
    child.sendline("skip")
    child.expect("Exercise 2/3")
    child.expect("> ")
    child.sendline("x^2")
    child.expect("Not right")
    child.expect("> ")
    child.send("\x1b[A")  # up: the line typed before
    child.send("\x7f3\r")  # edited: one character rubbed out, one typed
    child.expect("understood as: x\\^3")
    child.expect("> ")
    child.sendintr()  # Ctrl-C at the prompt
    child.expect("Interrupted: the attempts so far are recorded.")
    child.expect("Done: 1 exercise")
    child.expect("Practise next:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    with ProgressStore(db) as store:
        assert [(a.status, a.answer) for a in store.attempts()] == [("skipped", ""), ("incorrect", "x^2"),
                                                                    ("incorrect", "x^3")]


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_session_leaves_no_process_behind(tmp_path):
    child = _spawn(tmp_path / "p.sqlite3")
    child.expect(r"\r\n> ")
    child.sendline("0")  # a check: the sandbox worker is running now
    child.expect("Not right")
    workers = _children(child.pid)
    assert workers, "the session has no worker process"
    os.kill(child.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.05)
    left = [p for p in workers if _alive(p)]
    child.close(force=True)
    assert not left, f"processes left behind: {left}"


def test_the_echo_shows_the_answer_as_typed_and_the_prompt_has_no_stars(tmp_path):
    ex = generate("power_rule", seed=1, difficulty=2)
    res = subprocess.run(
        SCRIPT + ["practice", "--topic", "power_rule", "--difficulty", "2", "--count", "1", "--seed", "1",
                  "--db", str(tmp_path / "p.sqlite3")],
        input=b"1/2 + (x-2)/4\n" + b"x" * 100_000 + b"\n\xff\xfe\nhint\nquit\n", capture_output=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    assert "Find df/dx for f = -8x^2 + 6/x." in lines
    assert "understood as: 1/2 + (x - 2)/4" in lines  # not x/4
    assert not [line for line in lines if line.startswith(("Find", "This needs")) and "*" in line]
    refused = [line for line in lines if line.startswith("Could not read that")]
    assert len(refused) == 2 and "too long" in refused[0]  # an over-long line, then one that is not UTF-8


@given(expressions)
def test_a_prompt_without_stars_reads_back_the_same(e):
    text = to_text(e)
    assert parse(plain(text), variables="x y z") == parse(text, variables="x y z")
