"""The legacy HTTP+SSE transport (``--transport sse``): the ``endpoint`` event, an SDK session through it, the
Origin/Host checks of the HTTP transport, and a listener on 127.0.0.1 only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psutil
import pytest
from _modern import launched
from mcp import ClientSession
from mcp.client.sse import sse_client

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def sse_server() -> Iterator[tuple[int, str]]:
    """One ``--transport sse`` server for the module: its pid and base URL."""
    with launched(transport="sse") as (server, base):
        yield server.pid, base


def test_the_stream_opens_with_the_endpoint_event(sse_server: tuple[int, str]) -> None:
    _, base = sse_server
    with httpx.Client(timeout=10, trust_env=False) as http, http.stream("GET", f"{base}/sse") as stream:
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines) == "event: endpoint"
        assert next(lines).startswith("data: /messages/?session_id=")


async def test_an_sdk_session_over_sse(sse_server: tuple[int, str]) -> None:
    _, base = sse_server
    async with sse_client(f"{base}/sse") as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        assert init.protocol_version == "2025-11-25" and init.capabilities.tools.list_changed is True
        health = await session.call_tool("health_check", {})
        assert not health.is_error and "healthy" in health.content[0].text


def test_foreign_origin_and_host_are_refused(sse_server: tuple[int, str]) -> None:
    _, base = sse_server
    with httpx.Client(timeout=10, trust_env=False) as http:
        assert http.get(f"{base}/sse", headers={"Origin": "http://evil.example"}).status_code == 403
        evil = {"Origin": "http://evil.example"}
        assert http.post(f"{base}/messages/?session_id=0", json={}, headers=evil).status_code == 403
        assert http.get(f"{base}/sse", headers={"Host": "evil.example"}).status_code == 421


def test_it_listens_on_loopback_only(sse_server: tuple[int, str]) -> None:
    pid, base = sse_server
    port = int(base.rsplit(":", 1)[1])
    processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    sockets = [c for p in processes for c in p.net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert {(c.laddr.ip, c.laddr.port) for c in sockets} == {("127.0.0.1", port)}
