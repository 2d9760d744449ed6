"""The order workflow across user, order and payment services, through the MCP tool, with respx doubles."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
import respx
from _refsrv_helpers import connect
from mcp.server import MCPServer

from reference_server.config import RetryConfig, ServerConfig, ServiceConfig
from reference_server.server import build_server

pytestmark = pytest.mark.anyio
USERS, ORDERS, PAYMENTS = "http://127.0.0.1:9201", "http://127.0.0.1:9202", "http://127.0.0.1:9203"
ITEMS = [{"sku": "book", "quantity": 2, "price": 12.5}, {"sku": "pen", "quantity": 3, "price": 0.1}]


def services() -> dict[str, ServiceConfig]:
    one_try = RetryConfig(max_attempts=1)
    return {
        "users": ServiceConfig("users", (USERS,)),
        "orders": ServiceConfig("orders", (ORDERS,)),
        "payments": ServiceConfig("payments", (PAYMENTS,), retry=one_try),
    }


@pytest.fixture
def order_server() -> Callable[[httpx.AsyncClient], MCPServer]:
    """A server with the three services configured, calling out through the given (respx-mocked) client."""

    def make(http: httpx.AsyncClient) -> MCPServer:
        return build_server(ServerConfig(log_level="WARNING", services=services()), http_client=http)

    return make


@respx.mock
async def test_order_completes_with_exact_total(order_server: Callable[[httpx.AsyncClient], MCPServer]) -> None:
    respx.get(f"{USERS}/users/4").mock(return_value=httpx.Response(200, json={"id": 4}))
    order = respx.post(f"{ORDERS}/orders").mock(return_value=httpx.Response(201, json={"id": "o-1", "total": "25.30"}))
    pay = respx.post(f"{PAYMENTS}/payments").mock(return_value=httpx.Response(201, json={"id": "p-1"}))
    async with httpx.AsyncClient() as http, connect(order_server(http)) as client:
        result = await client.call_tool("create_order", {"user_id": 4, "items": ITEMS})
    assert not result.is_error, result.content
    assert result.structured_content == {
        "status": "completed",
        "total": "25.30",
        "order": {"id": "o-1", "total": "25.30"},
        "payment": {"id": "p-1"},
    }
    assert json.loads(order.calls[0].request.content)["total"] == "25.30"
    assert json.loads(pay.calls[0].request.content) == {"order_id": "o-1", "amount": "25.30", "user_id": 4}
    assert order.calls[0].request.headers["idempotency-key"] != pay.calls[0].request.headers["idempotency-key"]


@respx.mock
async def test_failed_payment_cancels_the_order(order_server: Callable[[httpx.AsyncClient], MCPServer]) -> None:
    respx.get(f"{USERS}/users/4").mock(return_value=httpx.Response(200, json={"id": 4}))
    respx.post(f"{ORDERS}/orders").mock(return_value=httpx.Response(201, json={"id": "o-2"}))
    respx.post(f"{PAYMENTS}/payments").mock(return_value=httpx.Response(402, json={"error": "card declined"}))
    cancel = respx.post(f"{ORDERS}/orders/o-2/cancel").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient() as http, connect(order_server(http)) as client:
        result = await client.call_tool("create_order", {"user_id": 4, "items": ITEMS})
    assert result.is_error
    assert "order o-2 was cancelled, no payment was taken" in result.content[0].text
    assert cancel.call_count == 1


@respx.mock
async def test_failed_compensation_asks_for_manual_cleanup(
    order_server: Callable[[httpx.AsyncClient], MCPServer],
) -> None:
    respx.get(f"{USERS}/users/4").mock(return_value=httpx.Response(200, json={"id": 4}))
    respx.post(f"{ORDERS}/orders").mock(return_value=httpx.Response(201, json={"id": "o-3"}))
    respx.post(f"{PAYMENTS}/payments").mock(return_value=httpx.Response(500))
    respx.post(f"{ORDERS}/orders/o-3/cancel").mock(return_value=httpx.Response(409))
    async with httpx.AsyncClient() as http, connect(order_server(http)) as client:
        result = await client.call_tool("create_order", {"user_id": 4, "items": ITEMS})
    assert result.is_error and "cancel it by hand" in result.content[0].text


@respx.mock
async def test_unknown_user_stops_before_any_order(order_server: Callable[[httpx.AsyncClient], MCPServer]) -> None:
    respx.get(f"{USERS}/users/9").mock(return_value=httpx.Response(404))
    orders = respx.post(f"{ORDERS}/orders")
    async with httpx.AsyncClient() as http, connect(order_server(http)) as client:
        result = await client.call_tool("create_order", {"user_id": 9, "items": ITEMS})
    assert result.is_error and "user 9 does not exist" in result.content[0].text
    assert orders.call_count == 0
