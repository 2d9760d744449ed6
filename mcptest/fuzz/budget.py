"""Time budgets for fuzzing: how long one tool (or one stateful run) may take, and the default."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcptest.serial import HYPOTHESIS, SerialLock

DEFAULT_BUDGET = 5.0
"""Seconds of searching per tool and mode (and per stateful run) when ``fuzz_budget`` is not set.

25 examples (the default ``fuzz_examples``) of a tool answering in up to ~200 ms fit in it, so healthy tools
are fuzzed in full; a slower tool is cut short with the count of examples that ran, and a whole suite stays
bounded (tools x 2 modes x 5 s at worst, plus shrinking of failures found).
"""
SHRINK_SECONDS = 30.0
"""Seconds a found failure may spend being shrunk (beyond the search budget): a minimal reproducer is worth it."""
SHRINK_CALLS = 80
"""Calls a found failure may spend being shrunk."""


def fuzz_budget(settings: Any) -> float:
    """The search budget in seconds from ``settings.fuzz_budget`` (a positive number; 0/None means the default).

    Raises:
        ValueError: the setting is negative or not a number; the message names the setting.
    """
    value = getattr(settings, "fuzz_budget", None)
    if value is None or value == 0:
        return DEFAULT_BUDGET
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"fuzz_budget must be a positive number of seconds (--mcp-fuzz-budget), got {value!r}")
    return float(value)


@dataclass
class Budget:
    """A deadline measured from the moment the budget was created, not counting the time the creating thread
    queued for the Hypothesis lock meanwhile (another property drawing is not this one's fuzzing).

    Attributes:
        seconds: how long the work may take.
        clock: the monotonic clock (injectable for tests).
        lock: the lock whose queueing is not counted (the Hypothesis lock; injectable for tests).
    """

    seconds: float
    clock: Callable[[], float] = time.monotonic
    lock: SerialLock = HYPOTHESIS
    started: float = field(init=False)
    thread: int = field(init=False, default_factory=threading.get_ident)
    queued: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()
        self.queued = self.lock.waited(self.thread)

    def elapsed(self) -> float:
        """Seconds since the budget started, less those its thread queued for the Hypothesis lock."""
        return self.clock() - self.started - (self.lock.waited(self.thread) - self.queued)

    def spent(self) -> bool:
        """True once the deadline has passed."""
        return self.elapsed() >= self.seconds


@dataclass
class ShrinkAllowance:
    """Bounds shrinking after the first failure: ``SHRINK_CALLS`` calls and ``SHRINK_SECONDS`` seconds."""

    calls: int = SHRINK_CALLS
    seconds: float = SHRINK_SECONDS
    clock: Callable[[], float] = time.monotonic
    used: int = 0
    first: float | None = None

    def start(self) -> None:
        """Start the clock at the first failure (later calls do nothing)."""
        if self.first is None:
            self.first = self.clock()

    def take(self) -> bool:
        """Count one shrink call; False when the allowance is used up."""
        if self.first is None:
            return True
        self.used += 1
        return self.used <= self.calls and self.clock() - self.first <= self.seconds

    def spent(self) -> bool:
        """True once a ``take`` was refused (or would be, for the time)."""
        return self.first is not None and (self.used > self.calls or self.clock() - self.first > self.seconds)
