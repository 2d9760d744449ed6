"""Shared helpers for mcptest's own tests: fixture-server paths, service requirements, leak checks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ROOT / "fixtures" / "servers"
PY = sys.executable


def stdio_target(name: str) -> str:
    """The --mcp-server value for a fixture server over stdio."""
    return f"{PY} {SERVERS / name}"


def http_target(name: str) -> tuple[str, str]:
    """The (--mcp-server, --mcp-launch) values for a fixture server over streamable HTTP."""
    return "http://127.0.0.1:{port}/mcp", f"{PY} {SERVERS / name} --http --port {{port}}"


def sse_target(name: str) -> tuple[str, str]:
    """The (--mcp-server, --mcp-launch) values for a fixture server over the legacy HTTP+SSE transport."""
    return "sse+http://127.0.0.1:{port}/sse", f"{PY} {SERVERS / name} --sse --port {{port}}"


def need_service(available: bool, what: str) -> None:
    """Skip when a service is missing, unless MCPTEST_REQUIRE_SERVICES=1 (CI), where that is a failure."""
    if available:
        return
    if os.environ.get("MCPTEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required in this run (MCPTEST_REQUIRE_SERVICES=1) but is not available")
    pytest.skip(f"{what} is not available here")


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.fixture(autouse=True)
def no_leftover_processes() -> object:
    """Every test must end every process it started (mcptest's promise: nothing left behind)."""
    before = _children()
    yield
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    gone, alive = psutil.wait_procs(left, timeout=5)
    if alive:
        described = [f"{p.pid}: {' '.join(p.cmdline())[:120]}" for p in alive if p.is_running()]
        for proc in alive:
            proc.kill()
        if described:
            pytest.fail("processes left running after the test:\n  " + "\n  ".join(described))
