"""Outbound HTTP in-process, against mcptest's ``mcp_http_mock`` (respx): retries only where safe, backoff with
jitter, circuit breaker, load balancing, trace context; then the same through the MCP tools. Nothing leaves the
process: a request no route matches fails the test."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from _refsrv_helpers import FakeClock

from mcptest.mocks.http import HttpMock

from reference_server.config import CircuitConfig, RetryConfig, ServiceConfig
from reference_server.errors import CircuitOpen, InvalidInput, NotConfigured, UpstreamError
from reference_server.integrations import ApiClient, CircuitBreaker, RetryPolicy, ServiceRegistry
from reference_server.integrations.retry import parse_retry_after
from reference_server.integrations.tracing import configure_tracing

pytestmark = pytest.mark.anyio
A, B = "http://127.0.0.1:9101", "http://127.0.0.1:9102"


def service(**overrides: object) -> dict[str, ServiceConfig]:
    settings: dict[str, object] = {
        "name": "inventory",
        "base_urls": (A,),
        "api_key": "key-1",
        "timeout_s": 2.0,
        "retry": RetryConfig(max_attempts=3, backoff_base_s=0.5, backoff_max_s=4.0),
        "circuit": CircuitConfig(failure_threshold=3, reset_timeout_s=30.0),
    }
    settings.update(overrides)
    return {"inventory": ServiceConfig(**settings)}  # type: ignore[arg-type]


MakeApi = Callable[..., ApiClient]


@pytest.fixture
async def http(mcp_http_mock: HttpMock) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client whose every request goes to ``mcp_http_mock`` (respx patches all httpx transports)."""
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def make_api(http: httpx.AsyncClient, fake_clock: FakeClock) -> MakeApi:
    """``make_api(**service_overrides)``: an ApiClient for "inventory", on the fake clock, with jitter at 1.0."""
    return lambda **overrides: ApiClient(ServiceRegistry(service(**overrides), fake_clock), http, fake_clock,
                                         rand=lambda: 1.0)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(max_attempts=5, backoff_base_s=0.5, backoff_max_s=3.0)
    assert [policy.delay(n, None, lambda: 1.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert policy.delay(3, None, lambda: 0.25) == 0.5
    assert policy.delay(1, 2.0, lambda: 1.0) == 2.0  # Retry-After is a lower bound
    assert policy.delay(1, 60.0, lambda: 1.0) is None  # ... but not beyond the cap
    assert not policy.replay_safe("POST", {}) and policy.replay_safe("POST", {"Idempotency-Key": "k"})
    assert policy.retryable_status(503, None) and not policy.retryable_status(501, None)
    assert not policy.retryable_status(429, None) and policy.retryable_status(429, 1.0)
    assert parse_retry_after("7", 0) == 7.0 and parse_retry_after("garbage", 0) is None


def test_circuit_breaker_states(fake_clock: FakeClock) -> None:
    breaker = CircuitBreaker("inventory", CircuitConfig(failure_threshold=2, reset_timeout_s=10), fake_clock)
    breaker.record_failure()
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen, match=r"resume in 10\.0 s"):
        breaker.before_call()
    fake_clock.advance(10)
    assert breaker.state == "half_open"
    breaker.before_call()  # the single probe
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # a second caller waits for the probe
    breaker.record_failure()
    assert breaker.state == "open"
    fake_clock.advance(10)
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"


async def test_get_is_retried_on_5xx_with_backoff(
    make_api: MakeApi, mcp_http_mock: HttpMock, fake_clock: FakeClock
) -> None:
    route = mcp_http_mock.get(f"{A}/items/1").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"id": 1})]
    )
    response = await make_api().request("inventory", "GET", "/items/1")
    assert response.status == 200 and response.body == {"id": 1} and response.attempts == 3
    assert route.call_count == 3 and fake_clock.slept == [0.5, 1.0]
    assert route.calls[0].request.headers["authorization"] == "Bearer key-1"


async def test_post_without_idempotency_key_is_not_retried(make_api: MakeApi, mcp_http_mock: HttpMock) -> None:
    route = mcp_http_mock.post(f"{A}/items").mock(return_value=httpx.Response(503))
    with pytest.raises(UpstreamError, match="not retried: the request is not idempotent"):
        await make_api().request("inventory", "POST", "/items", json={"a": 1})
    assert route.call_count == 1


async def test_post_with_idempotency_key_is_retried(make_api: MakeApi, mcp_http_mock: HttpMock) -> None:
    replies = [httpx.Response(500), httpx.Response(201, json={"id": 7})]
    route = mcp_http_mock.post(f"{A}/items").mock(side_effect=replies)
    response = await make_api().request(
        "inventory", "POST", "/items", json={}, headers={"Idempotency-Key": "abc"}
    )
    assert response.status == 201 and route.call_count == 2


async def test_connection_refused_is_always_safe_to_retry(make_api: MakeApi, mcp_http_mock: HttpMock) -> None:
    route = mcp_http_mock.post(f"{A}/items").mock(side_effect=[httpx.ConnectError("refused"), httpx.Response(201)])
    response = await make_api().request("inventory", "POST", "/items")
    assert response.status == 201 and route.call_count == 2


async def test_429_honours_retry_after(make_api: MakeApi, mcp_http_mock: HttpMock, fake_clock: FakeClock) -> None:
    replies = [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200)]
    mcp_http_mock.get(f"{A}/q").mock(side_effect=replies)
    response = await make_api().request("inventory", "GET", "/q")
    assert response.status == 200 and fake_clock.slept == [3.0]


async def test_4xx_is_returned_not_retried(make_api: MakeApi, mcp_http_mock: HttpMock) -> None:
    route = mcp_http_mock.get(f"{A}/missing").mock(return_value=httpx.Response(404, json={"error": "nope"}))
    response = await make_api().request("inventory", "GET", "/missing")
    assert response.status == 404 and not response.ok and route.call_count == 1


async def test_circuit_opens_and_short_circuits(
    make_api: MakeApi, mcp_http_mock: HttpMock, fake_clock: FakeClock
) -> None:
    route = mcp_http_mock.get(f"{A}/x").mock(return_value=httpx.Response(500))
    client = make_api(retry=RetryConfig(max_attempts=1))
    for _ in range(3):
        with pytest.raises(UpstreamError):
            await client.request("inventory", "GET", "/x")
    with pytest.raises(CircuitOpen):
        await client.request("inventory", "GET", "/x")
    assert route.call_count == 3
    fake_clock.advance(30)
    route.mock(return_value=httpx.Response(200))
    assert (await client.request("inventory", "GET", "/x")).status == 200
    assert client.breakers["inventory"].state == "closed"


async def test_round_robin_over_healthy_instances(make_api: MakeApi, mcp_http_mock: HttpMock) -> None:
    ra = mcp_http_mock.get(f"{A}/p").mock(return_value=httpx.Response(200))
    rb = mcp_http_mock.get(f"{B}/p").mock(return_value=httpx.Response(200))
    client = make_api(base_urls=(A, B))
    for _ in range(4):
        await client.request("inventory", "GET", "/p")
    assert ra.call_count == 2 and rb.call_count == 2
    mcp_http_mock.get(f"{A}/health").mock(return_value=httpx.Response(503))
    mcp_http_mock.get(f"{B}/health").mock(return_value=httpx.Response(200))
    report = await client.registry.check(client.http, "inventory")
    assert [(r.url, r.healthy) for r in report] == [(A, False), (B, True)]
    for _ in range(3):
        await client.request("inventory", "GET", "/p")
    assert ra.call_count == 2 and rb.call_count == 5


async def test_outbound_calls_carry_w3c_trace_context(make_api: MakeApi, mcp_http_mock: HttpMock) -> None:
    configure_tracing("reference-server-tests")
    route = mcp_http_mock.get(f"{A}/t").mock(return_value=httpx.Response(200))
    await make_api().request("inventory", "GET", "/t")
    traceparent = route.calls[0].request.headers.get("traceparent", "")
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", traceparent), traceparent


@pytest.mark.parametrize("endpoint", ["http://169.254.169.254/latest", "//evil.example/x", "/a/../../etc", "\\x"])
async def test_endpoints_cannot_leave_the_service(make_api: MakeApi, mcp_http_mock: HttpMock, endpoint: str) -> None:
    with pytest.raises(InvalidInput):
        await make_api().request("inventory", "GET", endpoint)
    assert mcp_http_mock.unmatched == [] and not mcp_http_mock.calls  # refused before anything was sent


async def test_unknown_service_lists_the_known_ones(make_api: MakeApi) -> None:
    with pytest.raises(NotConfigured, match="configured services: inventory"):
        await make_api().request("weather", "GET", "/")
