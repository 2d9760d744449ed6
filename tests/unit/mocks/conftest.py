"""Shared fixtures for the mock library's unit tests: the PostgreSQL server URL and the async backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcptest.fixtures_mocks import require_postgres_url

DATA = Path(__file__).parent / "data"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def data_dir() -> Path:
    """Seed files used by these tests."""
    return DATA


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    """The configured PostgreSQL server URL; skips (or fails under MCPTEST_REQUIRE_SERVICES=1) without one."""
    return require_postgres_url(request.config)


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request: pytest.FixtureRequest) -> str | None:
    """Each backend in turn: ``None`` selects SQLite, then the PostgreSQL server URL."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
