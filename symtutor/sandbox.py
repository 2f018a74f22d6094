"""Run a function in a worker process with a hard time and memory bound.

Checking a learner's answer must never hang and never exhaust memory, even
where SymPy itself would.  A :class:`Sandbox` keeps one worker process (forked,
so it starts in milliseconds with everything already imported) whose address
space is capped with ``RLIMIT_AS``.  Each call waits at most ``timeout``
seconds; a worker that overruns is killed and replaced on the next call.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import threading
import warnings
from collections.abc import Callable

from .errors import SymtutorError

__all__ = ["Sandbox", "SandboxTimeout", "SandboxMemoryError", "default_sandbox"]


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
    except OSError:
        pass
    return 0


def _serve(conn, memory_bytes: int) -> None:
    try:
        import resource

        limit = _vm_size() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platforms without rlimits
        pass
    while True:
        try:
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = ("ok", fn(*args, **kwargs))
        except MemoryError:
            result = ("memory", None)
        except BaseException as exc:  # a bug in the called function: hand it back
            result = ("error", exc)
        try:
            conn.send(result)
        except Exception as exc:  # an unpicklable result
            conn.send(("error", RuntimeError(f"result could not be sent back: {exc}")))


class Sandbox:
    """A worker process that runs functions with a time and memory bound.

    Examples:
        >>> import math
        >>> box = Sandbox(memory_mb=256)
        >>> box.run(math.factorial, 10, timeout=5)
        3628800
        >>> box.close()
    """

    def __init__(self, *, memory_mb: int = 512):
        if memory_mb < 64:
            raise ValueError(f"memory_mb must be at least 64, not {memory_mb}")
        self.memory_mb = memory_mb
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None

    def _start(self) -> None:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        parent, child = ctx.Pipe()
        with warnings.catch_warnings():
            # forking a process that has threads is safe here: the worker only
            # runs pure computations and talks over its own pipe
            warnings.simplefilter("ignore", DeprecationWarning)
            proc = ctx.Process(target=_serve, args=(child, self.memory_mb * 2**20), daemon=True)
            proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(timeout=5)
            self._conn.close()
        self._proc = self._conn = None

    def run(self, fn: Callable, *args, timeout: float = 1.0, **kwargs):
        """``fn(*args, **kwargs)`` in the worker, within ``timeout`` seconds."""
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._kill()
                self._start()
            try:
                self._conn.send((fn, args, kwargs))
                ready = self._conn.poll(timeout)
            except (BrokenPipeError, OSError):
                ready = False
            if not ready:
                self._kill()
                raise SandboxTimeout(f"the computation did not finish within {timeout:g} s")
            try:
                status, value = self._conn.recv()
            except (EOFError, OSError):
                self._kill()
                raise SandboxMemoryError("the computation stopped: it ran out of memory") from None
        if status == "ok":
            return value
        if status == "memory":
            with self._lock:
                self._kill()  # a fresh worker, with its memory back
            raise SandboxMemoryError(f"the computation needed more than {self.memory_mb} MB")
        raise value

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            self._kill()

    def __del__(self):  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:
            pass


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide sandbox used by :func:`symtutor.check` (started on first use).

    Examples:
        >>> default_sandbox() is default_sandbox()
        True
    """
    global _default
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            _set_default(Sandbox())
        return _default


_default_pid = -1


def _set_default(box: Sandbox) -> None:
    global _default, _default_pid
    _default = box
    _default_pid = os.getpid()


@atexit.register
def _shutdown() -> None:  # pragma: no cover
    if _default is not None and _default_pid == os.getpid():
        _default.close()
