"""Fixtures for the reference server's tests, built on mcptest's own: ``mcp_db``, ``mcp_connect``, a fake clock.

``mcp_db`` is SQLite by default and PostgreSQL when ``--mcp-db-url`` / ``MCPTEST_DB_URL`` is set. Tests that the
issue requires on both engines ask for ``each_db`` (or ``database``), which runs them once per backend: the
PostgreSQL run skips without a server URL, and fails instead under ``MCPTEST_REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from _refsrv_helpers import FakeClock, server_config

from mcptest import Session
from mcptest.mocks.db import ThrowawayDatabase
from reference_server.config import DatabaseConfig
from reference_server.data import create_database
from reference_server.data.base import Database
from reference_server.server import build_server

BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.mcp_db(backend="sqlite"), id="sqlite"),
    pytest.param("postgresql", marks=pytest.mark.mcp_db(backend="postgresql"), id="postgresql"),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=BACKENDS)
def each_db(mcp_db: ThrowawayDatabase) -> ThrowawayDatabase:
    """``mcp_db`` once on SQLite and once on PostgreSQL (via the ``mcp_db(backend=...)`` marker on each param)."""
    return mcp_db


@pytest.fixture
def connect(mcp_db: ThrowawayDatabase, mcp_connect: Callable[..., Session]) -> Callable[..., Session]:
    """``connect(**config)``: an in-memory session to a reference server on this test's ``mcp_db``.

    The server owns its database connection (opened on start, closed with the session), so the session's
    event loop is the only one that touches it. ``timeout`` (seconds per call) and ``clock`` pass through.
    """

    def open_session(*, timeout: float | None = None, clock: Any = None, **config: Any) -> Session:
        return mcp_connect(build_server(server_config(mcp_db.url, **config), clock=clock), timeout=timeout)

    return open_session


@pytest.fixture
async def database(each_db: ThrowawayDatabase, anyio_backend: str) -> AsyncIterator[Database]:
    """The data layer of each backend on a throwaway database, connected and migrated; closed afterwards."""
    db = create_database(DatabaseConfig(url=each_db.url, pool_min=1, pool_max=5))
    await db.connect()
    yield db
    await db.close()
