"""The respx router: its teardown contract, its options, and that MCP's own httpx2 traffic is never intercepted."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
import uvicorn
from mcp import Client
from mcp.server import MCPServer
from respx.models import AllMockedAssertionError

from mcptest.mocks import HttpMockOptions, MockConfigError, http_mock

API = "https://api.example.test"


def test_unused_routes_are_listed_with_the_option_that_relaxes_the_check() -> None:
    with http_mock(HttpMockOptions(base_url=API)) as router:
        router.get("/users/1", name="user").respond(200, json={"id": 1})
        router.post("/orders").respond(201)
        httpx.get(f"{API}/users/1")
        message = router.contract_failure()
    assert message is not None
    assert "mcp_http_mock: these mocked routes were never called:" in message
    assert "<Path eq '/orders'> AND <Method eq 'POST'>" in message and "'user'" not in message
    assert "@pytest.mark.mcp_http_mock(assert_all_called=False)" in message


def test_unmatched_requests_raise_in_the_caller_and_are_reported() -> None:
    with http_mock() as router:
        with pytest.raises(AllMockedAssertionError):
            httpx.post(f"{API}/not-mocked?q=1")
        message = router.contract_failure()
    assert message is not None
    assert f"  - POST {API}/not-mocked?q=1" in message
    assert "@pytest.mark.mcp_http_mock(assert_all_mocked=False)" in message


def test_relaxed_options_accept_unused_routes_and_answer_unmatched_with_200() -> None:
    options = HttpMockOptions(assert_all_called=False, assert_all_mocked=False)
    with http_mock(options) as router:
        router.get(f"{API}/never")
        assert httpx.get(f"{API}/anything").status_code == 200
        assert router.contract_failure() is None


def test_everything_called_and_mocked_passes_and_patching_ends_on_exit() -> None:
    with http_mock(HttpMockOptions(base_url=API)) as router:
        route = router.get("/ping").respond(200, text="pong")
        assert httpx.get(f"{API}/ping").text == "pong"
        assert route.call_count == 1 and router.contract_failure() is None
    with pytest.raises(httpx.ConnectError):  # no longer patched: a real (refused) connection attempt
        httpx.get(f"http://127.0.0.1:{_free_port()}/ping", timeout=2)


def test_every_respx_route_helper_still_works_including_options() -> None:
    with http_mock(HttpMockOptions(base_url=API)) as router:
        route = router.options("/cors").respond(204, headers={"Allow": "GET"})
        assert httpx.options(f"{API}/cors").headers["allow"] == "GET" and route.called


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"assert_all_caled": False}, r"unknown option\(s\) assert_all_caled; valid options: base_url, assert_all_called"),
    ({"assert_all_called": "no"}, r"assert_all_called=...\) must be True or False, got 'no'"),
    ({"base_url": 3}, r"base_url=...\) must be a URL string"),
])
def test_bad_marker_options_are_explained(kwargs: dict[str, object], expected: str) -> None:
    with pytest.raises(MockConfigError, match=expected):
        HttpMockOptions.from_kwargs(kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _weather_server() -> MCPServer:
    server = MCPServer("weather")

    @server.tool()
    async def forecast(city: str) -> str:
        """Ask the upstream weather API (an outbound httpx call)."""
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{API}/forecast", params={"city": city})
        return str(response.json()["summary"])

    return server


@asynccontextmanager
async def _serve_http(server: MCPServer) -> AsyncIterator[str]:
    port = _free_port()
    app = server.streamable_http_app(host="127.0.0.1")
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    async with anyio.create_task_group() as group:
        group.start_soon(uvicorn_server.serve)
        with anyio.fail_after(10):
            while not uvicorn_server.started:
                await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            uvicorn_server.should_exit = True


@pytest.mark.anyio
async def test_mcp_http_traffic_passes_while_the_tools_httpx_calls_are_mocked() -> None:
    with http_mock(HttpMockOptions(base_url=API)) as router:  # strict: any unmocked httpx request would fail
        route = router.get("/forecast", params={"city": "Oslo"}).respond(200, json={"summary": "snow"})
        async with _serve_http(_weather_server()) as url, Client(url, cache=None) as client:
            result = await client.call_tool("forecast", {"city": "Oslo"})
        assert not result.is_error and result.content[0].text == "snow"  # type: ignore[union-attr]
        assert route.call_count == 1
        assert [str(call.request.url) for call in router.calls] == [f"{API}/forecast?city=Oslo"]
        assert router.unmatched == [] and router.contract_failure() is None
