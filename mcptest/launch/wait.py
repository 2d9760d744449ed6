"""Bounded readiness polling: wait for a condition with a deadline, never a bare sleep."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable


def wait_until(
    ready: Callable[[], bool],
    timeout: float,
    *,
    interval: float = 0.05,
    abort: Callable[[], str | None] = lambda: None,
    clock: Callable[[], float] = time.monotonic,
) -> str | None:
    """Poll ``ready`` until it is true or ``timeout`` seconds pass.

    Args:
        ready: the condition.
        timeout: the deadline in seconds.
        interval: pause between polls (an Event wait, so it stays responsive).
        abort: returns a reason to stop early (e.g. the process died), or None to go on.
        clock: the time source (injectable for tests).

    Returns:
        None when ready, else why it stopped (the abort reason or a timeout message).
    """
    deadline = clock() + timeout
    pause = threading.Event()
    while True:
        if ready():
            return None
        reason = abort()
        if reason:
            return reason
        if clock() >= deadline:
            return f"not ready within {timeout:g} s"
        pause.wait(interval)


def port_open(host: str, port: int) -> bool:
    """True when a TCP connection to host:port succeeds now."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
