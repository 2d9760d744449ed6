"""Helpers for the reference server tests: a fake clock, pagination walk, the server as a stdio subprocess."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from mcptest import Session
from mcptest.launch.process import ServerProcess
from mcptest.mocks.db import ThrowawayDatabase
from mcptest.wire import StdioWire
from reference_server.config import DatabaseConfig, ServerConfig

PY = sys.executable
SERVER_COMMAND = f"{PY} -m reference_server"


class FakeClock:
    """A clock that only moves when told to (sleeping advances it instantly)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def all_tools(session: Session) -> list[Any]:
    """Every tool, following nextCursor."""
    tools, cursor = [], None
    while True:
        page = session.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            return tools


def text_of(result: Any) -> str:
    """The first text content of a tool result (where error messages are)."""
    return str(result.content[0].text)


def server_config(database_url: str, **overrides: Any) -> ServerConfig:
    """A quiet config on ``database_url``; ``allow_writes`` (default True) and any ServerConfig field override."""
    allow_writes = overrides.pop("allow_writes", True)
    return ServerConfig(
        log_level="WARNING",
        database=DatabaseConfig(url=database_url, allow_writes=allow_writes, statement_timeout_ms=2000),
        **overrides,
    )


def placeholder(db: ThrowawayDatabase, n: int = 1) -> str:
    """The reference server's parameter placeholder for the ``n``-th parameter on ``db``'s engine."""
    return "?" if db.backend == "sqlite" else f"${n}"


@contextmanager
def stdio_server(env: Mapping[str, str], *args: str, timeout: float = 10.0) -> Iterator[StdioWire]:
    """``python -m reference_server`` as a subprocess behind mcptest's raw stdio wire; stopped (group) at exit."""
    wire = StdioWire(ServerProcess([PY, "-m", "reference_server", *args], env=dict(env)), timeout)
    try:
        yield wire
    finally:
        wire.close()


def tool_call(name: str, arguments: dict[str, Any], request_id: int | str, **meta: Any) -> dict[str, Any]:
    """A raw ``tools/call`` request (``meta`` becomes ``params._meta``)."""
    params: dict[str, Any] = {"name": name, "arguments": arguments}
    if meta:
        params["_meta"] = meta
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


@asynccontextmanager
async def serve_http(app: Any, port: int) -> AsyncIterator[str]:
    """Run uvicorn in this event loop on 127.0.0.1:port; yield the base URL; stop it afterwards."""
    import anyio
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
