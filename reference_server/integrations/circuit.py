"""Per-service circuit breaker: closed -> open after N consecutive failures -> half-open single probe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reference_server.clock import Clock
from reference_server.config import CircuitConfig
from reference_server.errors import CircuitOpen

State = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class CircuitSnapshot:
    """What a breaker looks like right now (for health reports and metrics)."""

    service: str
    state: State
    consecutive_failures: int
    opened_at: float | None


class CircuitBreaker:
    """Stops calling a failing service for ``reset_timeout_s``, then lets one probe through."""

    def __init__(self, service: str, config: CircuitConfig, clock: Clock) -> None:
        self.service = service
        self._threshold = config.failure_threshold
        self._reset_timeout = config.reset_timeout_s
        self._clock = clock
        self._state: State = "closed"
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> State:
        """Current state, moving open -> half_open once the reset timeout has passed."""
        opened_at = self._opened_at
        elapsed = self._clock.monotonic() - opened_at if opened_at is not None else 0.0
        if self._state == "open" and opened_at is not None and elapsed >= self._reset_timeout:
            self._state = "half_open"
            self._probe_in_flight = False
        return self._state

    def before_call(self) -> None:
        """Admit a call or raise ``CircuitOpen`` (in half-open state only one probe is admitted)."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._probe_in_flight:
            self._probe_in_flight = True
            return
        opened_at = self._opened_at if self._opened_at is not None else self._clock.monotonic()
        retry_in = max(0.0, self._reset_timeout - (self._clock.monotonic() - opened_at))
        raise CircuitOpen(
            f"circuit for service {self.service!r} is open after {self._failures} consecutive failures; "
            f"calls resume in {retry_in:.1f} s (check the service's health with check_dependencies)",
            service=self.service,
        )

    def record_success(self) -> None:
        """A call succeeded: close the circuit and forget past failures."""
        self._state = "closed"
        self._failures = 0
        self._opened_at = None
        self._probe_in_flight = False

    def record_failure(self) -> None:
        """A call failed: count it; open the circuit at the threshold or when a half-open probe fails."""
        self._failures += 1
        if self._state == "half_open" or self._failures >= self._threshold:
            self._state = "open"
            self._opened_at = self._clock.monotonic()
            self._probe_in_flight = False

    def snapshot(self) -> CircuitSnapshot:
        """A frozen view of the breaker."""
        return CircuitSnapshot(self.service, self.state, self._failures, self._opened_at)
