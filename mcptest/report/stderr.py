"""Collect the stderr tails of the servers a test's fixtures started, for its failure report."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def server_stderr(funcargs: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(fixture name, stderr tail) for every fixture value that knows a server's stderr."""
    from mcptest.connect import ServerHandle
    from mcptest.session import Session
    from mcptest.wire import StdioWire

    for name, value in funcargs.items():
        if isinstance(value, ServerHandle):
            lines = value.stderr_tail()
        elif isinstance(value, Session):
            lines = value.stderr_lines()
        elif isinstance(value, StdioWire):
            lines = value.process.stderr_tail()
        else:
            continue
        if lines:
            yield name, "\n".join(lines)
