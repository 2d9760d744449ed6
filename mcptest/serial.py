"""One process-wide lock for work that must not run in two threads at once: Hypothesis.

Hypothesis itself is thread-safe (6.136+), but on CPython before 3.11.8/3.12.1 ``ast.parse`` is not
(gh-106905: "AST constructor recursion depth mismatch"), and Hypothesis parses source while it runs.
Fuzzing therefore draws for one property at a time (each serial thread of the scheduler holds this lock), and
every other use of Hypothesis in the engine takes the same lock. A property spends most of its time waiting for
the server, not in Hypothesis: while it waits (``released``), another property, of its version or another, may
draw; a thread waiting for a memo another thread computes waits without the lock too (``state.Memo``). The time a
thread queues for the lock is counted (``waited``): a fuzz budget does not spend it.

Imports parse too: pytest rewrites the asserts of its plugins' modules (mcptest's and Hypothesis' among them) with
``ast.parse`` when they are first imported. So a run imports everything it needs before any check runs: the handle
imports its transport in the caller's thread, one preload thread imports the rest while the server is probed
(``runner.PRELOAD``), and no module is imported once the checks run (``tests/unit/test_thread_imports.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Self


class SerialLock:
    """A reentrant lock whose holder can set it aside while it waits for I/O.

    Example:
        >>> with HYPOTHESIS:
        ...     with HYPOTHESIS.released():  # a call to the server: another thread may run Hypothesis meanwhile
        ...         pass
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock  # injectable for tests
        self._lock = threading.Lock()
        self._owner: int | None = None  # only ever set to a thread's own ident by that thread, or cleared by it
        self._depth = 0
        self._waited: dict[int, float] = {}  # each entry written only by its own thread

    def __enter__(self) -> Self:
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
        else:
            self._acquire(me)
            self._owner, self._depth = me, 1
        return self

    def _acquire(self, me: int) -> None:
        if self._lock.acquire(blocking=False):
            return
        queued = self._clock()
        self._lock.acquire()
        self._waited[me] = self._waited.get(me, 0.0) + self._clock() - queued

    def waited(self, thread: int) -> float:
        """Seconds ``thread`` (an ident) has spent queueing for the lock while other threads held it, in all."""
        return self._waited.get(thread, 0.0)

    def __exit__(self, *exc: object) -> None:
        if self._owner != threading.get_ident():
            raise RuntimeError("SerialLock released by a thread that does not hold it")
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()

    @property
    def held(self) -> bool:
        """True when the calling thread holds the lock."""
        return self._owner == threading.get_ident()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let other threads take the lock for the body (a wait for the server), then take it back at the same
        depth; a no-op for a thread that does not hold it. The body must not run Hypothesis."""
        if not self.held:
            yield
            return
        depth = self._depth
        self._owner, self._depth = None, 0
        self._lock.release()
        try:
            yield
        finally:
            me = threading.get_ident()
            self._acquire(me)
            self._owner, self._depth = me, depth


HYPOTHESIS = SerialLock()
