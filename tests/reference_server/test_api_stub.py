"""Outbound calls of the real server process (``python -m reference_server`` over stdio) against real HTTP stub
servers (``mcp_http_stub``): retries with backoff, Retry-After, no replay of POSTs, the circuit breaker, and load
balancing and failover across two instances. The stub URLs reach the server through its config env vars."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _refsrv_helpers import SERVER_COMMAND, text_of

from mcptest import Session
from mcptest.launch.wait import wait_until
from mcptest.mocks.stub_models import StubResponse
from mcptest.mocks.stub_server import StubServer

KEY = "stub-api-key"
TUNING = {  # what env vars cannot say: retry and circuit settings per service (the file is merged with the env)
    "services": {
        "inventory": {"retry": {"max_attempts": 3, "backoff_base_s": 0.05, "backoff_max_s": 2.0}},
        "fragile": {"retry": {"max_attempts": 1}, "circuit": {"failure_threshold": 2, "reset_timeout_s": 0.5}},
        "catalog": {"retry": {"max_attempts": 2, "backoff_base_s": 0.01, "backoff_max_s": 0.05}},
    }
}


@pytest.fixture
def second_stub() -> Iterator[StubServer]:
    """Another stub server: the second instance of the load-balanced "catalog" service."""
    with StubServer() as stub:
        yield stub


@pytest.fixture
def remote(
    mcp_http_stub: StubServer, second_stub: StubServer, tmp_path: Path, mcp_connect: Callable[..., Session]
) -> Session:
    """A session to the server process; inventory and fragile live on ``mcp_http_stub``, catalog on both stubs."""
    config = tmp_path / "services.yaml"
    config.write_text(yaml.safe_dump(TUNING))
    env = {
        **mcp_http_stub.env("SERVICE_URLS_INVENTORY"),
        **mcp_http_stub.env("SERVICE_URLS_FRAGILE"),
        "SERVICE_URLS_CATALOG": f"{mcp_http_stub.url},{second_stub.url}",
        "API_KEY_INVENTORY": KEY,
        "MCP_LOG_LEVEL": "WARNING",
    }
    return mcp_connect(f"{SERVER_COMMAND} --config {config}", env=env, timeout=20)


def call(session: Session, service: str, endpoint: str, method: str = "GET", **extra: Any) -> Any:
    return session.call_tool("api_request", {"service": service, "method": method, "endpoint": endpoint, **extra})


def test_a_flaky_get_is_retried_until_it_succeeds(remote: Session, mcp_http_stub: StubServer) -> None:
    route = mcp_http_stub.route("GET", "/items/1", json={"id": 1, "stock": 7}, fail_times=2)
    result = call(remote, "inventory", "/items/1", params={"fields": "stock"})
    assert not result.is_error, result.content
    assert result.structured_content["attempts"] == 3 and result.structured_content["body"] == {"id": 1, "stock": 7}
    assert [request.headers["authorization"] for request in route.calls] == [f"Bearer {KEY}"] * 3
    assert all(request.query == {"fields": ["stock"]} for request in route.calls)
    for request in route.calls:  # W3C trace context on every try
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", request.headers.get("traceparent", ""))


def test_a_failed_post_is_not_replayed(remote: Session, mcp_http_stub: StubServer) -> None:
    route = mcp_http_stub.route("POST", "/reservations", status=201, fail_times=3)
    result = call(remote, "inventory", "/reservations", method="POST", data={"sku": "book", "quantity": 1})
    assert result.is_error and "not retried: the request is not idempotent" in text_of(result)
    assert len(route.calls) == 1 and route.calls[0].json() == {"sku": "book", "quantity": 1}


def test_429_waits_for_retry_after(remote: Session, mcp_http_stub: StubServer) -> None:
    busy = StubResponse(429, json={"error": "slow down"}, headers={"Retry-After": "1"})
    route = mcp_http_stub.sequence("GET", "/quota", [busy, StubResponse(200, json={"left": 10})])
    started = time.monotonic()
    result = call(remote, "inventory", "/quota")
    assert not result.is_error and result.structured_content["attempts"] == 2
    assert time.monotonic() - started >= 1.0  # the server-sent delay was honoured
    assert len(route.calls) == 2


def test_the_circuit_opens_and_recovers_through_one_probe(remote: Session, mcp_http_stub: StubServer) -> None:
    failing = mcp_http_stub.route("GET", "/status", status=500, json={"error": "down"})
    for _ in range(2):  # failure_threshold: 2
        assert "HTTP 500" in text_of(call(remote, "fragile", "/status"))
    refused = call(remote, "fragile", "/status")
    assert refused.is_error and "circuit for service 'fragile' is open" in text_of(refused)
    assert len(failing.calls) == 2  # nothing was sent while open
    healed = mcp_http_stub.route("GET", "/status", json={"ok": True})
    outcome: list[Any] = []

    def closed_again() -> bool:
        outcome.append(call(remote, "fragile", "/status"))
        return not outcome[-1].is_error

    why = wait_until(closed_again, 5)
    assert why is None, f"the circuit never closed again: {text_of(outcome[-1])}"
    assert all("is open" in text_of(result) for result in outcome[:-1])  # refused until the reset timeout
    assert len(healed.calls) == 1 and len(failing.calls) == 2  # exactly one half-open probe, and it succeeded


def test_load_is_balanced_over_healthy_instances(
    remote: Session, mcp_http_stub: StubServer, second_stub: StubServer
) -> None:
    for stub, name in ((mcp_http_stub, "a"), (second_stub, "b")):
        stub.route("GET", "/products", json={"instance": name})
    served = [call(remote, "catalog", "/products").structured_content["body"]["instance"] for _ in range(4)]
    assert sorted(served) == ["a", "a", "b", "b"]  # round robin
    mcp_http_stub.route("GET", "/health", json={"status": "ok"})
    second_stub.route("GET", "/health", status=503, json={"status": "draining"})
    health = remote.call_tool("check_dependencies", {}).structured_content["services"]["catalog"]
    assert health["healthy_instances"] == 1
    served = [call(remote, "catalog", "/products").structured_content["body"]["instance"] for _ in range(3)]
    assert served == ["a", "a", "a"]  # the unhealthy instance gets no traffic


def test_a_dead_instance_is_failed_over(remote: Session, mcp_http_stub: StubServer, second_stub: StubServer) -> None:
    mcp_http_stub.route("GET", "/products", json={"instance": "a"})
    second_stub.stop()  # connection refused from now on: safe to retry elsewhere, even for a POST
    results = [call(remote, "catalog", "/products") for _ in range(4)]
    assert [r.structured_content["body"]["instance"] for r in results] == ["a"] * 4
    assert max(r.structured_content["attempts"] for r in results) == 2  # one try hit the dead instance
