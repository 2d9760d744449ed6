"""Overlap drawing and calling: the search's tool calls run on a few threads while Hypothesis draws on the caller's."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Verdict = TypeVar("Verdict")
_END = object()


class PipelineError(RuntimeError):
    """A call thread did not finish within its bound (a wire that ignores its own timeout)."""


class Pipeline(Generic[Item, Verdict]):
    """Run ``judge(item)`` for submitted items on ``workers`` background threads, so up to ``workers`` calls are
    in flight on the (thread-safe) wire at once.

    Hypothesis keeps drawing on the caller's thread while the server answers: drawing and shrinking stay
    single-threaded, only the calls overlap. With several calls in flight, a crash or hang cannot be pinned on
    one of them, so every failing verdict is a hint that a serial replay confirms (see ``runner``). After the
    first failing verdict, or once ``may_call()`` turns false, queued items are dropped without a call.

    Args:
        judge: makes one call and returns its verdict (called from several threads at once).
        failed: tells a failing verdict from a passing one.
        may_call: checked before each call (the time budget).
        workers: calls in flight at most.
        depth: items that may wait beyond those in flight; ``submit`` blocks past that (back pressure).
    """

    def __init__(self, judge: Callable[[Item], Verdict], failed: Callable[[Verdict], bool],
                 may_call: Callable[[], bool], workers: int = 1, depth: int = 4) -> None:
        self._judge = judge
        self._failed = failed
        self._may_call = may_call
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self.verdicts: list[tuple[Item, Verdict]] = []
        self.failure: Verdict | None = None
        self.error: BaseException | None = None
        self.dropped = 0
        self._threads = [threading.Thread(target=self._run, name=f"mcptest-fuzz-calls-{n}", daemon=True)
                         for n in range(max(1, workers))]
        for thread in self._threads:
            thread.start()

    @property
    def stopped(self) -> bool:
        """True after a failure, an error in a call thread, or a spent budget."""
        return self._stopped.is_set()

    def submit(self, item: Item) -> None:
        """Queue one item (blocks while ``depth`` items wait; the call threads always drain the queue)."""
        self._queue.put(item)

    def finish(self, bound: float) -> None:
        """Wait for the queued calls (at most ``bound`` seconds), then re-raise an error of a call thread.

        Raises:
            PipelineError: a call thread is still busy after ``bound`` seconds.
        """
        for _ in self._threads:
            self._queue.put(_END)
        deadline = time.monotonic() + bound
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            self._stopped.set()
            raise PipelineError(f"the fuzz call threads did not finish within {bound:g} s")
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            if self._stopped.is_set() or not self._may_call():
                self._stopped.set()
                with self._lock:
                    self.dropped += 1
                continue
            try:
                verdict = self._judge(item)  # type: ignore[arg-type]
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by finish()
                with self._lock:
                    self.error = self.error or exc
                self._stopped.set()
                continue
            with self._lock:
                self.verdicts.append((item, verdict))  # type: ignore[arg-type]
                if self._failed(verdict) and self.failure is None:
                    self.failure = verdict
                    self._stopped.set()
