"""The order workflow across user, order and payment services, through the MCP tool in memory (``mcp_connect``),
with the services played by ``mcp_http_mock``."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from _refsrv_helpers import text_of

from mcptest import Session
from mcptest.mocks.http import HttpMock
from reference_server.config import RetryConfig, ServerConfig, ServiceConfig
from reference_server.server import build_server

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
def shop(mcp_http_mock: HttpMock, mcp_connect: Callable[..., Session]) -> Session:
    """A session to a server with the three services configured; its own httpx client is patched by respx."""
    return mcp_connect(build_server(ServerConfig(log_level="WARNING", services=services())))


def test_order_completes_with_exact_total(shop: Session, mcp_http_mock: HttpMock) -> None:
    mcp_http_mock.get(f"{USERS}/users/4").mock(return_value=httpx.Response(200, json={"id": 4}))
    created = httpx.Response(201, json={"id": "o-1", "total": "25.30"})
    order = mcp_http_mock.post(f"{ORDERS}/orders").mock(return_value=created)
    pay = mcp_http_mock.post(f"{PAYMENTS}/payments").mock(return_value=httpx.Response(201, json={"id": "p-1"}))
    result = shop.call_tool("create_order", {"user_id": 4, "items": ITEMS})
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


def test_failed_payment_cancels_the_order(shop: Session, mcp_http_mock: HttpMock) -> None:
    mcp_http_mock.get(f"{USERS}/users/4").mock(return_value=httpx.Response(200, json={"id": 4}))
    mcp_http_mock.post(f"{ORDERS}/orders").mock(return_value=httpx.Response(201, json={"id": "o-2"}))
    declined = httpx.Response(402, json={"error": "card declined"})
    mcp_http_mock.post(f"{PAYMENTS}/payments").mock(return_value=declined)
    cancel = mcp_http_mock.post(f"{ORDERS}/orders/o-2/cancel").mock(return_value=httpx.Response(200))
    result = shop.call_tool("create_order", {"user_id": 4, "items": ITEMS})
    assert result.is_error
    assert "order o-2 was cancelled, no payment was taken" in text_of(result)
    assert cancel.call_count == 1


def test_failed_compensation_asks_for_manual_cleanup(shop: Session, mcp_http_mock: HttpMock) -> None:
    mcp_http_mock.get(f"{USERS}/users/4").mock(return_value=httpx.Response(200, json={"id": 4}))
    mcp_http_mock.post(f"{ORDERS}/orders").mock(return_value=httpx.Response(201, json={"id": "o-3"}))
    mcp_http_mock.post(f"{PAYMENTS}/payments").mock(return_value=httpx.Response(500))
    mcp_http_mock.post(f"{ORDERS}/orders/o-3/cancel").mock(return_value=httpx.Response(409))
    result = shop.call_tool("create_order", {"user_id": 4, "items": ITEMS})
    assert result.is_error and "cancel it by hand" in text_of(result)


@pytest.mark.mcp_http_mock(assert_all_called=False)  # the orders route is there to prove it is never called
def test_unknown_user_stops_before_any_order(shop: Session, mcp_http_mock: HttpMock) -> None:
    mcp_http_mock.get(f"{USERS}/users/9").mock(return_value=httpx.Response(404))
    orders = mcp_http_mock.post(f"{ORDERS}/orders")
    result = shop.call_tool("create_order", {"user_id": 9, "items": ITEMS})
    assert result.is_error and "user 9 does not exist" in text_of(result)
    assert orders.call_count == 0
