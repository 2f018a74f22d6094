"""A pool of sandboxed workers with a bounded queue, for the server's checks.

Each slot of the pool is one :class:`symtutor.sandbox.Sandbox` (a forked
worker process with a memory cap; every call has a time bound).  A request
takes a free slot, or waits for one; at most ``queue`` requests wait, and none
waits longer than ``wait`` seconds: past either bound :meth:`WorkerPool.slot`
raises :class:`Overloaded`, which the server answers with 503 and Retry-After.
So latency stays bounded however many clients come.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from ..sandbox import Sandbox

__all__ = ["WorkerPool", "Overloaded", "default_size"]


class Overloaded(Exception):
    """Every worker is busy and the queue is full (or the wait ran out)."""


def default_size() -> int:
    """One worker per core this process may run on.

    Examples:
        >>> default_size() >= 1
        True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return max(1, os.cpu_count() or 1)


def _ready() -> int:
    """Run in each worker at start-up: load the topics, so the first request is not slow."""
    from ..exercises.core import topics

    return len(topics())


class WorkerPool:
    """``size`` sandboxes, each used by one request at a time.

    Examples:
        >>> import asyncio, math
        >>> async def demo():
        ...     pool = WorkerPool(1, queue=4)
        ...     try:
        ...         async with pool.slot() as box:
        ...             return await asyncio.to_thread(box.run, math.factorial, 5, timeout=5)
        ...     finally:
        ...         pool.close()
        >>> asyncio.run(demo())
        120
    """

    def __init__(self, size: int, *, queue: int, wait: float = 5.0, memory_mb: int = 512):
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        if queue < 0:
            raise ValueError(f"queue must be >= 0, not {queue}")
        self.size = size
        self.queue = queue
        self.wait = wait
        self.boxes = [Sandbox(memory_mb=memory_mb) for _ in range(size)]
        self._free: asyncio.Queue | None = None
        self.waiting = 0
        self.rejected = 0

    def start(self) -> None:
        """Start every worker now (forked from this process, with everything imported)."""
        for box in self.boxes:
            box.run(_ready, timeout=60)

    def _queue(self) -> asyncio.Queue:
        if self._free is None:
            self._free = asyncio.Queue()
            for box in self.boxes:
                self._free.put_nowait(box)
        return self._free

    @contextlib.asynccontextmanager
    async def slot(self):
        """A free sandbox, held for the ``async with`` block; :class:`Overloaded` when none comes in time."""
        free = self._queue()
        if free.empty() and self.waiting >= self.queue:
            self.rejected += 1
            raise Overloaded("every worker is busy and the queue is full")
        self.waiting += 1
        try:
            box = await asyncio.wait_for(free.get(), self.wait)
        except asyncio.TimeoutError:
            self.rejected += 1
            raise Overloaded(f"no worker was free within {self.wait:g} s") from None
        finally:
            self.waiting -= 1
        try:
            yield box
        finally:
            free.put_nowait(box)

    def close(self) -> None:
        """Stop every worker."""
        for box in self.boxes:
            box.close()
