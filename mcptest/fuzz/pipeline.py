"""Overlap drawing and calling: the search's tool calls run on one thread while Hypothesis draws on the caller's."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Verdict = TypeVar("Verdict")
_END = object()


class PipelineError(RuntimeError):
    """The call thread did not finish within its bound (a wire that ignores its own timeout)."""


class Pipeline(Generic[Item, Verdict]):
    """Run ``judge(item)`` for submitted items, in order, on one background thread.

    Only that thread touches the server while the pipeline runs, so the calls stay strictly sequential
    (verdicts and crash attribution are exactly those of a serial loop) and any wire works; what overlaps
    is Hypothesis drawing the next examples with the server answering the previous ones. After the first
    failure (a verdict for which ``failed`` is true) or once ``may_call()`` turns false, queued items are
    dropped without a call.

    Args:
        judge: makes one call and returns its verdict.
        failed: tells a failing verdict from a passing one.
        may_call: checked before each call (the time budget).
        depth: how many items may wait; ``submit`` blocks beyond that (back pressure).
    """

    def __init__(self, judge: Callable[[Item], Verdict], failed: Callable[[Verdict], bool],
                 may_call: Callable[[], bool], depth: int = 16) -> None:
        self._judge = judge
        self._failed = failed
        self._may_call = may_call
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
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
        self._queue.put(item)

    def finish(self, bound: float) -> None:
        """Wait for the queued calls (at most ``bound`` seconds), then re-raise an error of the call thread.

        Raises:
            PipelineError: the call thread is still busy after ``bound`` seconds.
        """
        self._queue.put(_END)
        self._thread.join(bound)
        if self._thread.is_alive():
            self._stopped.set()
            raise PipelineError(f"the fuzz call thread did not finish within {bound:g} s")
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            if self._stopped.is_set() or not self._may_call():
                self._stopped.set()
                self.dropped += 1
                continue
            try:
                verdict = self._judge(item)  # type: ignore[arg-type]
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by finish()
                self.error = exc
                self._stopped.set()
                continue
            self.verdicts.append((item, verdict))  # type: ignore[arg-type]
            if self._failed(verdict):
                self.failure = verdict
                self._stopped.set()
