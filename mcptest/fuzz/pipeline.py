"""Overlap drawing and calling: the search's tool calls go out from one thread, several in flight, while Hypothesis
draws on the caller's."""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from mcptest.serial import HYPOTHESIS

Item = TypeVar("Item")
Handle = TypeVar("Handle")
Verdict = TypeVar("Verdict")
_END = object()


class PipelineError(RuntimeError):
    """The call thread did not finish within its bound (a wire that ignores its own timeout)."""


class Pipeline(Generic[Item, Handle, Verdict]):
    """Send submitted items with ``start`` (which must not wait for the answer) and judge them, oldest first,
    with ``finish``, keeping up to ``window`` in flight, all on one background thread.

    Hypothesis keeps drawing on the caller's thread while the server answers: drawing and shrinking stay
    single-threaded, only the calls overlap. One thread waiting on the oldest call wakes once per answer;
    a thread per call would wake on every answer. With several calls in flight a crash or hang cannot be
    pinned on one of them, so every failing verdict is a hint that a serial replay confirms (see ``runner``).
    After the first failing verdict, or once ``may_call()`` turns false, queued items are dropped unsent
    (calls already in flight are still judged).

    Args:
        start: sends one item, returns what ``finish`` needs.
        finish: waits for that call and returns its verdict.
        failed: tells a failing verdict from a passing one.
        may_call: checked before each call (the time budget).
        window: calls in flight at most.
        depth: items that may wait to be sent; ``submit`` blocks past that (back pressure).
    """

    def __init__(self, start: Callable[[Item], Handle], finish: Callable[[Item, Handle], Verdict],
                 failed: Callable[[Verdict], bool], may_call: Callable[[], bool], window: int = 1,
                 depth: int = 4) -> None:
        self._start, self._finish, self._failed, self._may_call = start, finish, failed, may_call
        self._window = max(1, window)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self._stopped = threading.Event()
        self.verdicts: list[tuple[Item, Verdict]] = []
        self.failure: Verdict | None = None
        self.error: BaseException | None = None
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="mcptest-fuzz-calls", daemon=True)
        self._thread.start()

    @property
    def stopped(self) -> bool:
        """True after a failure, an error in the call thread, or a spent budget."""
        return self._stopped.is_set()

    def submit(self, item: Item) -> None:
        """Queue one item (blocks while ``depth`` items wait; the call thread always drains the queue)."""
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with HYPOTHESIS.released():  # waiting for the server: another property may draw meanwhile
                self._queue.put(item)

    def finish(self, bound: float) -> None:
        """Wait for the queued and in-flight calls (at most ``bound`` seconds), then re-raise a call-thread error.

        Raises:
            PipelineError: the call thread is still busy after ``bound`` seconds.
        """
        with HYPOTHESIS.released():
            self._queue.put(_END)
            self._thread.join(bound)
        if self._thread.is_alive():
            self._stopped.set()
            raise PipelineError(f"the fuzz call thread did not finish within {bound:g} s")
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        flying: collections.deque[tuple[Item, Handle]] = collections.deque()
        ended = False
        while not ended or flying:
            if not ended and (not flying or (len(flying) < self._window and not self._queue.empty())):
                item = self._queue.get()
                if item is _END:
                    ended = True
                elif self._stopped.is_set() or not self._may_call():
                    self._stopped.set()
                    self.dropped += 1
                else:
                    self._guarded(lambda item=item: flying.append((item, self._start(item))))  # type: ignore[misc]
                continue
            item, handle = flying.popleft()
            self._guarded(lambda: self._judged(item, self._finish(item, handle)))

    def _judged(self, item: Item, verdict: Verdict) -> None:
        self.verdicts.append((item, verdict))
        if self._failed(verdict) and self.failure is None:
            self.failure = verdict
            self._stopped.set()

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by finish()
            self.error = self.error or exc
            self._stopped.set()
