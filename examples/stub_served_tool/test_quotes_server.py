"""Tests of the quotes server as a subprocess, its API played by mcp_http_stub, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

SERVER = f"{sys.executable} {Path(__file__).with_name('quotes_server.py')}"


def quotes_server(mcp_connect, mcp_http_stub):  # noqa: ANN201 - a connected mcptest Session
    """The server as a subprocess, pointed at the stub through its environment."""
    return mcp_connect(SERVER, env={**mcp_http_stub.env("QUOTES_API_URL"), "QUOTES_API_KEY": "k-123"})


def test_retries_until_the_api_recovers(mcp_connect, mcp_http_stub) -> None:
    route = mcp_http_stub.route("GET", "/quotes/ACME", json={"price": 12.5}, fail_times=2)
    result = quotes_server(mcp_connect, mcp_http_stub).call_tool("get_quote", {"symbol": "ACME"})
    assert result.structured_content == {"result": 12.5}
    assert route.call_count == 3  # two 503s, then the answer
    assert {call.headers["x-api-key"] for call in route.calls} == {"k-123"}


def test_gives_up_after_three_attempts(mcp_connect, mcp_http_stub) -> None:
    route = mcp_http_stub.route("GET", "/quotes/ACME", json={}, fail_times=5)
    result = quotes_server(mcp_connect, mcp_http_stub).call_tool("get_quote", {"symbol": "ACME"})
    assert result.is_error and "503" in result.content[0].text
    assert route.call_count == 3


def test_unknown_symbol_is_not_retried(mcp_connect, mcp_http_stub) -> None:
    result = quotes_server(mcp_connect, mcp_http_stub).call_tool("get_quote", {"symbol": "NOPE"})
    assert result.is_error and "404" in result.content[0].text
    assert [(r.method, r.path, r.matched) for r in mcp_http_stub.requests] == [("GET", "/quotes/NOPE", False)]
