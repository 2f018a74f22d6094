"""Run a function in a worker process with a hard time and memory bound.

Checking a learner's answer must never hang and never exhaust memory, even
where SymPy itself would.  A :class:`Sandbox` keeps a few worker processes
(forked, so each starts in milliseconds with everything already imported)
whose address space is capped with ``RLIMIT_AS``.

The time bound of a call counts everything from the moment it is made:
pickling its arguments, waiting for a free worker behind other calls, sending
the task, computing and sending the result back (only starting a fresh
worker, a fork that takes milliseconds, is not counted).  A worker that overruns is
killed and replaced on a later call.  A worker never outlives the process that
started it: it holds only its own end of its socket, it asks Linux to kill it
when its parent goes (``PR_SET_PDEATHSIG``; workers are forked by the main
thread or by one thread that lives as long as the process, so the signal
means the process), and a watchdog thread exits when its parent process is
gone, whatever killed it.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import math
import multiprocessing as mp
import os
import pickle
import queue
import signal
import socket
import struct
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable

from .errors import InvalidArgumentError, SymtutorError

__all__ = ["Sandbox", "SandboxTimeout", "SandboxMemoryError", "default_sandbox", "OutOfTime", "time_limit"]

_HEADER = struct.Struct("!Q")
_WATCH_INTERVAL = 0.2  # seconds between the worker's checks that its parent lives
_MAX_WAIT = 86_400.0  # the longest single socket wait (socket timeouts need a finite value)
_START_TIMEOUT = 60.0  # a fresh worker reports ready within this (it takes milliseconds)


class SandboxTimeout(SymtutorError, TimeoutError):
    """The call did not finish within its time bound."""


class SandboxMemoryError(SymtutorError, MemoryError):
    """The call needed more memory than its bound."""


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - no /proc
        pass
    return 0


# ---- the worker side --------------------------------------------------------------------


def _die_with_parent(parent_pid: int, pdeathsig: bool = False) -> None:
    """Make sure this worker process ends when the process that forked it ends, however it ends.

    A watchdog thread exits when the parent is gone; with ``pdeathsig`` Linux
    also kills the worker at once (for a worker forked by a thread that lives
    as long as its process: the signal follows the forking thread).
    """
    if pdeathsig and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass

    def watch():
        while True:
            if os.getppid() != parent_pid:
                os._exit(0)
            time.sleep(_WATCH_INTERVAL)

    if os.getppid() != parent_pid:  # the parent went before the signal was armed
        os._exit(0)
    threading.Thread(target=watch, name="symtutor-sandbox-watchdog", daemon=True).start()


def _recv_message(sock: socket.socket, deadline: float | None = None, max_bytes: int | None = None) -> bytearray:
    """One message (its length, then its bytes), usually in one read.

    EOFError when the other end has gone.  With a ``deadline`` no wait goes past
    it (TimeoutError); a message longer than ``max_bytes`` is refused before it is read.
    """
    data = bytearray()
    size = None
    while size is None or len(data) < size:
        if deadline is not None:
            sock.settimeout(_remaining(deadline))
        chunk = sock.recv(65536 if size is None else min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError("the other end has gone")
        data += chunk
        if size is None and len(data) >= _HEADER.size:
            size = _HEADER.unpack_from(data)[0]
            if max_bytes is not None and size > max_bytes:
                raise SandboxMemoryError(f"the result is too large to send back ({size} bytes)")
            del data[:_HEADER.size]
    return data


def _serve(sock: socket.socket, others: list, memory_bytes: int, parent_pid: int) -> None:
    for s in others:  # the parent's ends of every socket, ours included: only the parent may hold them
        try:
            s.close()
        except OSError:  # pragma: no cover
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
    global _in_worker
    _in_worker = True
    _die_with_parent(parent_pid, pdeathsig=True)
    try:
        import resource

        limit = _vm_size() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platforms without rlimits
        pass
    gc.freeze()  # what the parent built stays put: collections walk only what the worker makes
    try:
        sock.sendall(b"R")  # ready
    except OSError:  # pragma: no cover - the parent has gone
        return
    while True:
        try:
            payload = _recv_message(sock)
            task = pickle.loads(payload)
            del payload
        except MemoryError:
            return  # the parent sees the socket close and reports the memory bound
        except (EOFError, OSError):
            return
        if task is None:  # asked to stop
            return
        fn, args, kwargs = task
        del task
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            result = ("memory", None)
        except BaseException as exc:  # a bug in the called function: hand it back
            result = ("error", exc)
        try:
            try:
                data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                data = pickle.dumps(("memory", None))
            except Exception as exc:  # an unpicklable result
                data = pickle.dumps(("error", RuntimeError(f"the result could not be sent back: {exc}")))
            del result
            sock.sendall(_HEADER.pack(len(data)) + data)  # one write: the parent wakes once
        except OSError:
            return


# ---- the parent side --------------------------------------------------------------------

_parent_ends: weakref.WeakSet = weakref.WeakSet()  # every live worker's parent-side socket


class _Forker:
    """A thread that lives as long as the process and starts the workers of calls made in other threads.

    Linux sends ``PR_SET_PDEATHSIG`` when the *thread* that forked a worker
    ends, so a worker forked by a short-lived thread could not use it and would
    rely on its watchdog alone, which cannot run while a long computation holds
    the interpreter.  Forked from here (or from the main thread), every worker
    is killed by the kernel the moment its parent process dies.
    """

    def __init__(self):
        self.pid = os.getpid()
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="symtutor-sandbox-forker", daemon=True).start()

    def _loop(self) -> None:
        while True:
            start, done, box = self.tasks.get()
            try:
                start()
            except BaseException as exc:  # handed back to the caller
                box.append(exc)
            done.set()

    def run(self, start: Callable[[], None]) -> None:
        done, box = threading.Event(), []
        self.tasks.put((start, done, box))
        done.wait()
        if box:
            raise box[0]


_forker: _Forker | None = None
_forker_lock = threading.Lock()


def _start(start: Callable[[], None]) -> None:
    """Run ``start`` (which forks) in the main thread or in the long-lived forker thread."""
    global _forker
    if threading.current_thread() is threading.main_thread():
        start()
        return
    with _forker_lock:
        if _forker is None or _forker.pid != os.getpid():  # none yet, or inherited through a fork (no thread)
            _forker = _Forker()
        forker = _forker
    forker.run(start)


class _Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, memory_bytes: int):
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        mine, theirs = socket.socketpair()
        others = [s for s in list(_parent_ends) if s.fileno() >= 0] + [mine]
        with warnings.catch_warnings():
            # forking a process that has threads is safe here: the worker only
            # runs pure computations and talks over its own socket
            warnings.simplefilter("ignore", DeprecationWarning)
            self.proc = ctx.Process(target=_serve, args=(theirs, others, memory_bytes, os.getpid()),
                                    daemon=True, name="symtutor-sandbox")
            try:
                _start(self.proc.start)
            finally:
                theirs.close()
        self.sock = mine
        self.owner = os.getpid()
        _parent_ends.add(mine)
        self.ready = False

    def wait_ready(self) -> float:
        """Wait until the worker has set itself up; return the seconds waited."""
        if self.ready:
            return 0.0
        t0 = time.monotonic()
        try:
            self.sock.settimeout(_START_TIMEOUT)
            self.ready = self.sock.recv(1) == b"R"
        except OSError:
            pass
        if not self.ready:
            raise SandboxTimeout(f"the worker process did not start within {_START_TIMEOUT:g} s")
        return time.monotonic() - t0

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.sock.fileno() >= 0 and self.proc.is_alive()

    def call(self, payload: bytes, deadline: float, max_bytes: int):
        sock = self.sock
        sock.settimeout(_remaining(deadline))
        sock.sendall(_HEADER.pack(len(payload)) + payload)  # one write: the worker wakes once
        # the reply is one message (the worker sends nothing else until asked): usually one read holds it all
        return pickle.loads(_recv_message(sock, deadline, max_bytes))

    def kill(self) -> None:
        if self.owner != os.getpid():  # inherited by a forked process: the worker is not ours to stop
            self.sock.close()
            return
        try:
            self.proc.kill()
            self.proc.join(timeout=5)
        except (OSError, ValueError, AssertionError):  # pragma: no cover - already gone
            pass
        self.sock.close()

    def stop(self) -> None:
        """Ask the worker to finish (so that it exits through its normal path), then make sure it has."""
        if self.owner != os.getpid():
            self.sock.close()
            return
        try:
            self.sock.settimeout(1.0)
            data = pickle.dumps(None)
            self.sock.sendall(_HEADER.pack(len(data)) + data)
            self.proc.join(timeout=2)
        except (OSError, ValueError, AssertionError):
            pass
        if self.proc.is_alive():
            self.kill()
        else:
            self.sock.close()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return min(left, _MAX_WAIT)


class Sandbox:
    """Worker processes that run functions with a time and memory bound.

    ``workers`` calls can run at once (each worker is started when first
    needed); further calls wait for a free worker, and the wait counts against
    their time bound.

    Examples:
        >>> import math
        >>> box = Sandbox(memory_mb=256)
        >>> box.run(math.factorial, 10, timeout=5)
        3628800
        >>> box.run(math.factorial, 10, timeout=float("inf"))
        Traceback (most recent call last):
        ...
        symtutor.errors.InvalidArgumentError: timeout must be a positive, finite number of seconds, not inf
        >>> box.close()
    """

    def __init__(self, *, memory_mb: int = 512, workers: int = 1):
        if not isinstance(memory_mb, int) or memory_mb < 64:
            raise InvalidArgumentError(f"memory_mb must be an integer of at least 64, not {memory_mb!r}")
        if not isinstance(workers, int) or workers < 1:
            raise InvalidArgumentError(f"workers must be a positive integer, not {workers!r}")
        self.memory_mb = memory_mb
        self.workers = workers
        self.max_message_bytes = min(64 * 2**20, memory_mb * 2**20 // 4)
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._count = 0  # workers started and not yet retired (idle or busy)

    def _acquire(self, deadline: float, timeout: float) -> _Worker:
        with self._cond:
            while True:
                while self._idle:
                    w = self._idle.pop()
                    if w.alive():
                        return w
                    w.kill()
                    self._count -= 1
                if self._count < self.workers:
                    w = _Worker(self.memory_mb * 2**20)
                    self._count += 1
                    return w
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SandboxTimeout(f"the computation did not finish within {timeout:g} s "
                                         "(it waited for other computations)")
                self._cond.wait(left)

    def _release(self, w: _Worker, keep: bool) -> None:
        """Give a worker back; one that is not kept is killed, and its successor started at once."""
        successor = None
        if not keep:
            w.kill()
            try:
                successor = _Worker(self.memory_mb * 2**20)  # it sets itself up while nobody waits
            except OSError:  # pragma: no cover - no process can be started now: the next call tries again
                successor = None
        with self._cond:
            if keep:
                self._idle.append(w)
            elif successor is not None:
                self._idle.insert(0, successor)
            else:
                self._count -= 1
            self._cond.notify()

    def run(self, fn: Callable, *args, timeout: float = 1.0, **kwargs):
        """``fn(*args, **kwargs)`` in a worker, within ``timeout`` seconds from this call."""
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (0 < timeout < math.inf):
            raise InvalidArgumentError(f"timeout must be a positive, finite number of seconds, not {timeout!r}")
        deadline = time.monotonic() + timeout
        payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        if len(payload) > self.max_message_bytes:
            raise SandboxMemoryError(f"the input is too large to compute with ({len(payload)} bytes; "
                                     f"at most {self.max_message_bytes})")
        if time.monotonic() >= deadline:
            raise SandboxTimeout(f"the computation did not finish within {timeout:g} s")
        w = self._acquire(deadline, timeout)
        keep = False
        try:
            deadline += w.wait_ready()  # a fresh worker's start is not the call's time
            status, value = w.call(payload, deadline, self.max_message_bytes)
            keep = status != "memory"  # after running out of memory, a fresh worker
        except TimeoutError:
            raise SandboxTimeout(f"the computation did not finish within {timeout:g} s") from None
        except (EOFError, ConnectionError):
            raise SandboxMemoryError("the computation stopped: it ran out of memory") from None
        finally:
            self._release(w, keep)
        if status == "ok":
            return value
        if status == "memory":
            raise SandboxMemoryError(f"the computation needed more than {self.memory_mb} MB")
        raise value

    def close(self) -> None:
        """Stop the workers (those busy in another thread go back to the pool when done); a later call starts new ones."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for w in idle:
            w.stop()

    def __del__(self):  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:
            pass


_default: Sandbox | None = None
_default_pid = -1
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide sandbox used by :func:`symtutor.check` (started on first use).

    It runs up to as many calls at once as there are cores (at most 4).

    Examples:
        >>> default_sandbox() is default_sandbox()
        True
    """
    global _default, _default_pid
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            _default = Sandbox(workers=max(1, min(4, os.cpu_count() or 1)))
            _default_pid = os.getpid()
        return _default


@atexit.register
def _shutdown() -> None:
    if _default is not None and _default_pid == os.getpid():
        _default.close()


# ---- a part of a call with its own time limit, inside a worker -----------------------------

_in_worker = False


class OutOfTime(BaseException):
    """A :func:`time_limit` block ran out of time (a BaseException, so no ``except Exception`` swallows it)."""


def _on_alarm(signum, frame):
    raise OutOfTime


def time_limit(seconds: float) -> contextlib.AbstractContextManager:
    """Stop the block with :class:`OutOfTime` after ``seconds``, inside a sandbox worker.

    A worker runs one call at a time in its main thread, so a timer signal can end
    an optional part of the call (naming a mistake, once the verdict is known)
    without losing the rest.  Outside a worker it is no limit at all: the
    caller's own signals are left alone.

    Examples:
        >>> with time_limit(0.5):
        ...     1 + 1
        2
    """
    if not _in_worker or threading.current_thread() is not threading.main_thread():
        return contextlib.nullcontext()
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # a timer of someone else's is running: leave it be
        return contextlib.nullcontext()
    return _limited(seconds)


@contextlib.contextmanager
def _limited(seconds: float):
    if seconds <= 0:
        raise OutOfTime
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
