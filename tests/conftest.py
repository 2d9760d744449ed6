"""Shared helpers for mcptest's own tests: fixture-server paths, service requirements, leak checks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpcore2  # noqa: F401 - see the comment below
import psutil
import pytest

from mcptest.fixtures_mocks import skip_or_fail_missing_service

# pytester's in-process runs restore sys.modules afterwards, dropping every module they imported first. httpx2
# imports httpcore2 lazily and maps its exceptions with a table built on first use: when that first use was inside
# such a run, later requests in the same worker raised the re-imported httpcore2's exceptions, which the table no
# longer matched, so they escaped as httpcore2.ConnectError & co. instead of httpx2 errors (and WireError). Imported
# here, it is in every snapshot and never dropped.

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
    """Skip when a service is missing; fail instead when ``MCPTEST_REQUIRE_SERVICES`` is on (CI).

    The one place tests decide it: the product's own rule (``mcptest.fixtures_mocks.services_required``: 1, true,
    yes or on), so ``mcp_db`` and every other service-dependent test agree on what the variable means.
    """
    __tracebackhide__ = True
    if not available:
        skip_or_fail_missing_service(f"{what} is not available here")


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


SHARED_SET_UP = {
    "tests/docker/": "docker-images",  # the example and HTTP images, built once per session
    "tests/report/": "report-run",  # one `mcptest check` writing every report kind, read by every report test
    "tests/reference_server/test_docker_image.py": "reference-image",  # the reference server's image build
    "tests/reference_server/test_official_conformance.py": "official-conformance",
    "tests/reference_server/test_modern_era.py": "modern-reference-server",
    "tests/reference_server/test_sse_transport.py": "sse-reference-server",
    "tests/plugin/test_peer_plugins.py": "peer-wheels",
}
"""Tests that share a session- or module-scoped set-up, by node id prefix: under ``-n`` each prefix's tests go to one
worker, so the set-up is done once."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``-n N`` (``--dist load``), hand out every test on its own, except that the tests of one shared set-up
    (``SHARED_SET_UP``) go to one worker together, those groups first.

    xdist's ``load`` hands out chunks of consecutive tests, so one worker could be left with a queue of slow ones
    while the others idled (a 116 s tail in a 712 s run); ``loadgroup`` would do this with ``xdist_group`` marks,
    but in xdist 3.8.0 it splits even a module-level mark's tests across workers.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetUpScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((group for prefix, group in SHARED_SET_UP.items() if nodeid.startswith(prefix)), nodeid)

    return SharedSetUpScheduling(config, log)
