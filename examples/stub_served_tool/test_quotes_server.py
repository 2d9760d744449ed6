"""Tests of the quotes server as a subprocess, its API played by mcp_http_stub, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def quotes_server(mcp_http_stub) -> StdioServerParameters:
    """The server as a subprocess, pointed at the stub through its environment."""
    env = {**mcp_http_stub.env("QUOTES_API_URL"), "QUOTES_API_KEY": "k-123"}
    return StdioServerParameters(command=sys.executable, args=[str(Path(__file__).with_name("quotes_server.py"))],
                                 env=env)


async def test_retries_until_the_api_recovers(mcp_http_stub) -> None:
    route = mcp_http_stub.route("GET", "/quotes/ACME", json={"price": 12.5}, fail_times=2)
    async with Client(quotes_server(mcp_http_stub), cache=None) as client:
        result = await client.call_tool("get_quote", {"symbol": "ACME"})
    assert result.structured_content == {"result": 12.5}
    assert route.call_count == 3  # two 503s, then the answer
    assert {call.headers["x-api-key"] for call in route.calls} == {"k-123"}


async def test_gives_up_after_three_attempts(mcp_http_stub) -> None:
    route = mcp_http_stub.route("GET", "/quotes/ACME", json={}, fail_times=5)
    async with Client(quotes_server(mcp_http_stub), cache=None) as client:
        result = await client.call_tool("get_quote", {"symbol": "ACME"})
    assert result.is_error and "503" in result.content[0].text
    assert route.call_count == 3


async def test_unknown_symbol_is_not_retried(mcp_http_stub) -> None:
    async with Client(quotes_server(mcp_http_stub), cache=None) as client:
        result = await client.call_tool("get_quote", {"symbol": "NOPE"})
    assert result.is_error and "404" in result.content[0].text
    assert [(r.method, r.path, r.matched) for r in mcp_http_stub.requests] == [("GET", "/quotes/NOPE", False)]
