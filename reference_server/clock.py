"""Injectable time source: monotonic time, wall time and sleeping, so tests can control time."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol

import anyio


class Clock(Protocol):
    """What the server needs from time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary fixed point; never goes backwards."""
        ...

    def wall(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Suspend the current task for ``seconds`` (cancellable)."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    def wall(self) -> float:
        """Return ``time.time()``."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Sleep with anyio so cancellation interrupts the wait."""
        await anyio.sleep(seconds)


def utc_iso(clock: Clock) -> str:
    """The clock's wall time as an ISO-8601 UTC timestamp."""
    return dt.datetime.fromtimestamp(clock.wall(), tz=dt.UTC).isoformat()
