"""The sandbox worker: bounds that count every wait, and a worker that never outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from symtutor import sandbox
from symtutor.checking import check
from symtutor.errors import InvalidArgumentError
from symtutor.sandbox import Sandbox, SandboxMemoryError, SandboxTimeout


def _gone(pid: int) -> bool:
    """The process has ended (a zombie nobody has reaped yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _wait_gone(pid: int, limit: float = 5.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def box():
    b = Sandbox(memory_mb=256)
    yield b
    b.close()


def test_the_bound_counts_the_wait_behind_another_call(box):
    slow = threading.Thread(target=lambda: box.run(time.sleep, 1.0, timeout=5))
    slow.start()
    time.sleep(0.2)  # the one worker is busy
    t0 = time.monotonic()
    with pytest.raises(SandboxTimeout, match="waited for other computations"):
        box.run(len, "abc", timeout=0.4)
    assert time.monotonic() - t0 < 1.4
    slow.join()
    assert box.run(len, "abc", timeout=5) == 3  # and the worker that waited is still there


def test_a_trivial_check_is_not_held_up_by_concurrent_checks():
    box = Sandbox(memory_mb=256, workers=2)
    try:
        slow = threading.Thread(target=lambda: box.run(time.sleep, 2.5, timeout=5))
        slow.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        fb = check("2x", "2x", timeout=1.0, sandbox=box)  # behind the sleeper, this would time out
        assert fb.correct and time.monotonic() - t0 < 2.3
        slow.join()
    finally:
        box.close()


def test_a_huge_answer_fails_fast_within_the_bound(box):
    t0 = time.monotonic()
    fb = check("x" * (70 * 2**20), "x", timeout=1.0, sandbox=box)  # larger than a message may be
    assert fb.status == "undecided" and not fb.correct
    fb = check("x+" * 2**20, "x", timeout=1.0, sandbox=box)  # sent, and refused as too long
    assert fb.status == "invalid" and "too long" in fb.message
    assert time.monotonic() - t0 < 2.0
    with pytest.raises(SandboxMemoryError, match="too large"):
        box.run(len, b"x" * (70 * 2**20), timeout=1)


def test_an_overrunning_call_is_stopped_and_the_next_one_works(box):
    t0 = time.monotonic()
    with pytest.raises(SandboxTimeout):
        box.run(time.sleep, 10, timeout=0.3)
    assert time.monotonic() - t0 < 1.5
    assert len(box._idle) == 1  # its successor is already starting
    assert box.run(len, "ab", timeout=5) == 2


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), -1, 0, True, "1"])
def test_a_bound_must_be_positive_and_finite(box, bad):
    with pytest.raises(InvalidArgumentError, match="positive, finite"):
        box.run(len, "a", timeout=bad)


def test_the_worker_holds_only_its_own_end_of_the_socket(box):
    box.run(len, "a", timeout=5)
    (worker,) = box._idle
    mine = os.fstat(worker.sock.fileno()).st_ino
    inodes = set()
    for fd in os.listdir(f"/proc/{worker.proc.pid}/fd"):
        try:
            link = os.readlink(f"/proc/{worker.proc.pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[8:-1]))
    assert mine not in inodes and inodes  # its own end only


def test_the_worker_ignores_ctrl_c_and_stops_cleanly(box):
    box.run(len, "a", timeout=5)
    (worker,) = box._idle
    os.kill(worker.proc.pid, signal.SIGINT)  # what the terminal sends the whole process group
    time.sleep(0.1)
    assert box.run(len, "abc", timeout=5) == 3
    proc = worker.proc
    box.close()
    assert proc.exitcode == 0  # left through its normal path (so coverage and the like are saved)


_PARENT = textwrap.dedent("""
    import sys, threading, time, types
    package = types.ModuleType("symtutor")  # the sandbox alone, without importing SymPy: a quick start
    package.__path__ = [sys.argv[2]]
    sys.modules["symtutor"] = package
    from symtutor.sandbox import Sandbox
    box = Sandbox(memory_mb=128)
    def start():
        box.run(len, "a", timeout=30)
    if sys.argv[1] == "thread":  # started from a thread that ends: only the watchdog ties it to us
        t = threading.Thread(target=start); t.start(); t.join()
    else:
        start()
    print(box._idle[0].proc.pid, flush=True)
    time.sleep(60)
""")


@pytest.mark.parametrize("how, sig", [("main", signal.SIGKILL), ("main", signal.SIGTERM), ("main", signal.SIGHUP),
                                      ("thread", signal.SIGKILL)])
def test_the_worker_dies_with_its_parent(how, sig):
    package = os.path.dirname(sandbox.__file__)
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, how, package], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        assert not _gone(worker)
        parent.send_signal(sig)
        parent.wait(timeout=10)
        assert _wait_gone(worker), f"the worker {worker} outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()


def _slow_then_fast():
    from symtutor.sandbox import OutOfTime, time_limit

    try:
        with time_limit(0.2):
            time.sleep(5)
        return "not stopped"
    except OutOfTime:
        pass
    with time_limit(1.0):
        return "stopped, then the next block ran"


def test_a_time_limit_ends_one_part_of_a_call_in_the_worker(box):
    t0 = time.monotonic()
    assert box.run(_slow_then_fast, timeout=5) == "stopped, then the next block ran"
    assert time.monotonic() - t0 < 3


def test_a_slow_diagnosis_leaves_the_verdict():
    # naming the mistake would expand (x - a)^6000: the verdict comes back without a name, within the bound
    fb = check("(x-a)^6000 + 1", "(x-a)^6000", variables="x a", timeout=1.0)
    assert fb.status == "incorrect" and not fb.correct


_BUSY_PARENT = textwrap.dedent("""
    import sys, threading, time, types
    package = types.ModuleType("symtutor")
    package.__path__ = [sys.argv[1]]
    sys.modules["symtutor"] = package
    from symtutor.sandbox import Sandbox
    box = Sandbox(memory_mb=128)
    t = threading.Thread(target=lambda: box.run(len, "a", timeout=30)); t.start(); t.join()  # forked for a thread
    print(box._idle[0].proc.pid, flush=True)
    # a long computation in C holds the interpreter, so the worker's watchdog thread cannot run
    threading.Thread(target=lambda: box.run(sum, range(10**14), timeout=600), daemon=True).start()
    time.sleep(0.5)
    print("busy", flush=True)
    time.sleep(60)
""")


def test_a_busy_worker_forked_for_a_thread_dies_with_its_parent():
    package = os.path.dirname(sandbox.__file__)
    parent = subprocess.Popen([sys.executable, "-c", _BUSY_PARENT, package], stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        worker = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "busy" and not _gone(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert _wait_gone(worker, 3.0), f"the busy worker {worker} outlived its parent"
    finally:
        if worker is not None and not _gone(worker):  # never leave it spinning
            os.kill(worker, signal.SIGKILL)
        parent.kill()
        parent.wait()
        parent.stdout.close()
