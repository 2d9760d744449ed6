"""api_request, batch_api_requests and check_dependencies through MCP, in memory (``mcp_connect``), with the
external service played by ``mcp_http_mock`` and time by a fake clock (backoff and circuit resets take no time)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from _refsrv_helpers import FakeClock, text_of
from mcp.types import CallToolResult

from mcptest import Session
from mcptest.mocks.http import HttpMock
from reference_server.config import CircuitConfig, RetryConfig, ServerConfig, ServiceConfig
from reference_server.server import build_server

API = "http://127.0.0.1:9301"
RETRY = RetryConfig(max_attempts=2, backoff_base_s=0.5, backoff_max_s=4.0)
CIRCUIT = CircuitConfig(failure_threshold=2, reset_timeout_s=30.0)


@pytest.fixture
def api(mcp_http_mock: HttpMock, fake_clock: FakeClock, mcp_connect: Callable[..., Session]) -> Session:
    """A session to a server whose "inventory" service is ``API`` (key ``k-1``), on the fake clock."""
    service = ServiceConfig("inventory", (API,), api_key="k-1", retry=RETRY, circuit=CIRCUIT)
    config = ServerConfig(log_level="WARNING", services={"inventory": service})
    return mcp_connect(build_server(config, clock=fake_clock))


def get(session: Session, endpoint: str) -> CallToolResult:
    return session.call_tool("api_request", {"service": "inventory", "method": "GET", "endpoint": endpoint})


def test_a_5xx_is_retried_after_a_backoff(api: Session, mcp_http_mock: HttpMock, fake_clock: FakeClock) -> None:
    route = mcp_http_mock.get(f"{API}/items/1").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"id": 1, "stock": 4})]
    )
    result = get(api, "/items/1")
    assert not result.is_error, result.content
    assert result.structured_content["attempts"] == 2 and result.structured_content["body"] == {"id": 1, "stock": 4}
    assert len(fake_clock.slept) == 1 and 0 <= fake_clock.slept[0] <= RETRY.backoff_base_s  # full jitter
    assert [call.request.headers["authorization"] for call in route.calls] == ["Bearer k-1"] * 2


def test_a_batch_reports_each_request_on_its_own(api: Session, mcp_http_mock: HttpMock) -> None:
    mcp_http_mock.get(f"{API}/items/1").respond(200, json={"id": 1})
    mcp_http_mock.get(f"{API}/items/2").respond(404, json={"error": "no such item"})
    requests = [
        {"service": "inventory", "endpoint": "/items/1"},
        {"service": "inventory", "endpoint": "/items/2"},
        {"service": "weather", "endpoint": "/today"},
    ]
    result = api.call_tool("batch_api_requests", {"requests": requests})
    assert not result.is_error, result.content
    batch = result.structured_content
    assert (batch["succeeded"], batch["failed"]) == (2, 1)
    first, second, third = batch["results"]
    assert first["response"]["body"] == {"id": 1}
    assert second["response"]["status"] == 404 and second["response"]["ok"] is False  # returned, not retried
    assert third["status"] == "error" and "configured services: inventory" in third["error"]


def test_the_circuit_opens_then_lets_one_probe_through(
    api: Session, mcp_http_mock: HttpMock, fake_clock: FakeClock
) -> None:
    route = mcp_http_mock.get(f"{API}/stock").mock(return_value=httpx.Response(500))
    mcp_http_mock.get(f"{API}/health").respond(200)
    failed = get(api, "/stock")  # 2 attempts, 2 failures: the threshold
    assert failed.is_error and "HTTP 500 after 2 attempt(s)" in text_of(failed)
    refused = get(api, "/stock")
    assert refused.is_error and "circuit for service 'inventory' is open" in text_of(refused)
    assert route.call_count == 2  # the open circuit sent nothing
    assert api.call_tool("check_dependencies", {}).structured_content["services"]["inventory"]["circuit"] == "open"
    fake_clock.advance(CIRCUIT.reset_timeout_s + 0.5)  # past the reset timeout (not exactly on it: float sums)
    route.mock(return_value=httpx.Response(200, json={"ok": True}))
    assert not get(api, "/stock").is_error
    assert route.call_count == 3
    dependencies = api.call_tool("check_dependencies", {}).structured_content
    assert dependencies["services"]["inventory"] == {
        "healthy_instances": 1,
        "circuit": "closed",
        "instances": [{"url": API, "healthy": True, "latency_ms": 0.0, "error": None}],
    }
