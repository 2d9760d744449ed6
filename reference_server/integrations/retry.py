"""When an outbound call may be retried, and how long to wait: exponential backoff with full jitter."""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reference_server.config import RetryConfig

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry rules for one service.

    Retries happen only where repeating the request cannot do harm: idempotent methods, or a
    non-idempotent one that carries an ``Idempotency-Key`` header (or when the service is configured
    with ``retry_non_idempotent``). A connection that was never established is always safe to retry.
    """

    max_attempts: int = 3
    backoff_base_s: float = 0.2
    backoff_max_s: float = 5.0
    retry_non_idempotent: bool = False

    @classmethod
    def from_config(cls, config: RetryConfig) -> RetryPolicy:
        """Build from the service's ``retry`` config."""
        return cls(config.max_attempts, config.backoff_base_s, config.backoff_max_s, config.retry_non_idempotent)

    def replay_safe(self, method: str, headers: Mapping[str, str]) -> bool:
        """Whether sending the same request twice is harmless."""
        has_key = any(name.lower() == IDEMPOTENCY_HEADER.lower() for name in headers)
        return method.upper() in IDEMPOTENT_METHODS or has_key or self.retry_non_idempotent

    @staticmethod
    def retryable_status(status: int, retry_after: float | None) -> bool:
        """5xx (except 501 Not Implemented) and 429 when the server said when to come back."""
        if status == 429:
            return retry_after is not None
        return status >= 500 and status != 501

    def delay(self, attempt: int, retry_after: float | None, rand: Callable[[], float]) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None when the wait would exceed the cap.

        Full jitter: a uniform draw in ``[0, min(max, base * 2**(attempt-1))]``; a server-sent
        ``Retry-After`` is honoured as a lower bound.
        """
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        wait = rand() * ceiling
        if retry_after is not None:
            if retry_after > self.backoff_max_s:
                return None
            wait = max(wait, retry_after)
        return wait


def parse_retry_after(value: str | None, now_wall: float) -> float | None:
    """Parse ``Retry-After`` (delta seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now_wall)
