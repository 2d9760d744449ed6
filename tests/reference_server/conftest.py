"""Shared fixtures for the reference server's tests: real SQLite files, an in-memory MCP client, a fake clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from _refsrv_helpers import FakeClock
from mcp.server import MCPServer

from reference_server.config import DatabaseConfig, ServerConfig
from reference_server.data import SQLiteDatabase
from reference_server.data.base import Database
from reference_server.server import build_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reference.db"


@pytest.fixture
async def sqlite_db(db_path: Path, anyio_backend: str) -> AsyncIterator[SQLiteDatabase]:
    """A SQLite file database; servers connect it on start, the fixture closes it at the end."""
    db = SQLiteDatabase(f"sqlite:///{db_path}")
    yield db
    await db.close()


@pytest.fixture
def make_config() -> Callable[..., ServerConfig]:
    def make(*, allow_writes: bool = True, conformance: bool = False, **overrides: Any) -> ServerConfig:
        return ServerConfig(
            conformance=conformance,
            log_level="WARNING",
            database=DatabaseConfig(allow_writes=allow_writes, statement_timeout_ms=2000),
            **overrides,
        )

    return make


@pytest.fixture
def make_server(make_config: Callable[..., ServerConfig], sqlite_db: SQLiteDatabase) -> Callable[..., MCPServer]:
    """Build a server on the test's SQLite file (config keyword arguments pass through)."""

    def make(*, db: Any = None, **config: Any) -> MCPServer:
        return build_server(make_config(**config), db=db or sqlite_db)

    return make


@asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """Create an empty database on the server named by MCPTEST_PG_URL, yield its URL, drop it afterwards."""
    import asyncpg

    base = os.environ.get("MCPTEST_PG_URL")
    if not base:
        pytest.skip("set MCPTEST_PG_URL=postgresql://USER@HOST:PORT/DB to run the PostgreSQL tests")
    name = f"refsrv_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')  # the name is generated here, never user input
    finally:
        await admin.close()
    try:
        yield urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(base)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, db_path: Path, anyio_backend: str) -> AsyncIterator[Database]:
    """A connected, migrated database of each backend (PostgreSQL only with MCPTEST_PG_URL); closed afterwards."""
    if request.param == "sqlite":
        db: Database = SQLiteDatabase(f"sqlite:///{db_path}")
        await db.connect()
        yield db
        await db.close()
        return
    from reference_server.data.postgres import PostgresDatabase

    async with fresh_pg_database() as url:
        db = PostgresDatabase(url, pool_min=1, pool_max=5)
        await db.connect()
        yield db
        await db.close()
