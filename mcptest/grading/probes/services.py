"""Exercise 2 probes: load balancing, failover, tracing and the order workflow with its compensation."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from mcptest.grading.context import GradingContext
from mcptest.grading.outcome import Miss
from mcptest.grading.probes import probe
from mcptest.grading.probes.server import HIDDEN, hidden_message
from mcptest.grading.probes.upstream import api
from mcptest.grading.submission import RunningServer, ToolOutcome
from mcptest.grading.tools import call
from mcptest.mocks.stub_models import RecordedRequest

TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
ITEMS = [{"sku": "book", "quantity": 2, "price": 12.5}, {"sku": "pen", "quantity": 3, "price": 0.1}]
TOTAL = Decimal("25.30")
CANCELS = (("POST", "/orders/{id}/cancel"), ("DELETE", "/orders/{id}"), ("PATCH", "/orders/{id}"),
           ("PUT", "/orders/{id}"), ("POST", "/orders/{id}/cancellation"))


def _server(ctx: GradingContext) -> RunningServer:
    ctx.require_configurable()
    return ctx.server("main")


@probe("load-balance")
def load_balance(ctx: GradingContext, calls: int = 16) -> None:
    """Calls to a service with two healthy instances reach both of them."""
    server = _server(ctx)
    for key in ("main", "second"):
        ctx.stub(key).route("GET", "/catalog/items", json={"items": ["book", "pen"], "instance": key})
    for _ in range(calls):
        outcome = api(server, "catalog", "/items")
        if outcome.is_error:
            raise Miss(f"api_request to the two-instance service 'catalog' failed: {outcome.describe()}")
    counts = {key: sum(1 for r in ctx.stub(key).requests if r.path == "/catalog/items") for key in ("main", "second")}
    if min(counts.values()) == 0:
        raise Miss(f"{calls} calls to 'catalog' all went to one instance ({counts['main']} to the first URL of "
                   f"SERVICE_URLS_CATALOG, {counts['second']} to the second)")


@probe("failover")
def failover(ctx: GradingContext, calls: int = 6) -> None:
    """When one of two instances is gone (connections refused), every call still succeeds through the other."""
    server = _server(ctx)
    for key in ("main", "doomed"):
        ctx.stub(key).route("GET", "/search/query", json={"hits": 3, "instance": key})
    first = api(server, "search", "/query")
    if first.is_error:
        raise Miss(f"api_request to the service 'search' failed while both instances were up: {first.describe()}")
    ctx.stub("doomed").stop()
    failed = [o for o in (api(server, "search", "/query") for _ in range(calls)) if o.is_error]
    if failed:
        raise Miss(f"after the first instance of 'search' went down (connections refused), {len(failed)} of {calls} "
                   f"calls failed instead of going to the second instance: {failed[0].describe()}")


def _order_routes(ctx: GradingContext, order_id: str, payment_status: int) -> None:
    main = ctx.stub("main")
    main.route("GET", "/user-service/users/7", json={"id": 7, "name": "Ada Lovelace", "email": "ada@example.com"})
    main.route("POST", "/order-service/orders", status=201, json={"id": order_id, "status": "created",
                                                                  "total": str(TOTAL)})
    payment = {"id": f"pay-{order_id}", "status": "captured"} if payment_status < 400 else {"error": "card declined"}
    main.route("POST", "/payment-service/payments", status=payment_status, json=payment)
    for method, path in CANCELS:
        main.route(method, "/order-service" + path.format(id=order_id), json={"id": order_id, "status": "cancelled"})


def _workflow(ctx: GradingContext, order_id: str,
              payment_status: int = 201) -> tuple[ToolOutcome, list[RecordedRequest]]:
    """One create_order call and the requests it made to the three services."""
    server = _server(ctx)
    _order_routes(ctx, order_id, payment_status)
    main = ctx.stub("main")
    before = len(main.requests)
    outcome = call(server, "create_order", {"user_id": 7, "items": ITEMS})
    services = ("/user-service/", "/order-service/", "/payment-service/")
    return outcome, [r for r in main.requests[before:] if r.path.startswith(services)]


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


@probe("create-order")
def create_order(ctx: GradingContext) -> None:
    """create_order looks the user up, creates the order with its total, and pays that total for that order."""
    outcome, requests = _workflow(ctx, "ord-7001")
    if outcome.is_error:
        raise Miss(f"create_order failed although all three services answered: {outcome.describe()}")
    seen = [f"{r.method} {r.path}" for r in requests]
    steps = {"GET /user-service/users/7", "POST /order-service/orders", "POST /payment-service/payments"}
    if not steps <= set(seen):
        raise Miss(f"create_order made the requests {seen}, not the three the contract names: {sorted(steps)}")
    order = next(r for r in requests if r.path == "/order-service/orders").json()
    payment = next(r for r in requests if r.path == "/payment-service/payments").json()
    if order.get("user_id") not in (7, "7") or _amount(order.get("total")) != TOTAL or not order.get("items"):
        raise Miss(f"the order sent to order-service should be {{user_id: 7, items, total: 25.30}}, got {order}")
    if payment.get("order_id") != "ord-7001" or _amount(payment.get("amount")) != TOTAL:
        raise Miss(f"the payment should be {{order_id: 'ord-7001', amount: 25.30, user_id: 7}}, got {payment}")


@probe("compensation")
def compensation(ctx: GradingContext) -> None:
    """When the payment is declined, the order is cancelled and create_order returns a tool error."""
    outcome, requests = _workflow(ctx, "ord-7002", payment_status=402)
    cancels = [r for r in requests if (r.method, r.path.removeprefix("/order-service")) in
               {(m, p.format(id="ord-7002")) for m, p in CANCELS}]
    if not any(r.path == "/payment-service/payments" for r in requests):
        raise Miss(f"create_order never reached the payment service: {outcome.describe()}")
    if not cancels:
        raise Miss(f"the payment was declined (HTTP 402) but order ord-7002 was not cancelled (requests made: "
                   f"{[f'{r.method} {r.path}' for r in requests]})")
    if not outcome.is_error:
        raise Miss(f"create_order reported success although the payment was declined: {outcome.describe()}")
    if hidden_message(outcome):
        raise Miss(f"the order was cancelled, but create_order failed with only {outcome.text.strip()!r}{HIDDEN}")
    if "payment" not in outcome.text.lower():
        raise Miss(f"create_order's error does not say that the payment failed: {outcome.describe()}")


@probe("trace-context")
def trace_context(ctx: GradingContext) -> None:
    """Every upstream request carries a W3C traceparent; one create_order is one trace, the next a new one."""
    traces = []
    for order_id in ("ord-7003", "ord-7004"):
        outcome, requests = _workflow(ctx, order_id)
        if outcome.is_error or len(requests) < 3:
            raise Miss(f"create_order did not complete, so its trace cannot be followed: {outcome.describe()}")
        ids = set()
        for request in requests:
            header = request.headers.get("traceparent", "")
            match = TRACEPARENT.fullmatch(header)
            if not match or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
                raise Miss(f"{request.method} {request.path} carried no valid W3C traceparent header "
                           f"(got {header!r}; expected 00-<32 hex>-<16 hex>-<2 hex>)")
            ids.add(match.group(1))
        if len(ids) != 1:
            raise Miss(f"the {len(requests)} requests of one create_order carried {len(ids)} different trace ids: "
                       "they should all belong to one trace")
        traces.append(ids.pop())
    if traces[0] == traces[1]:
        raise Miss(f"two separate create_order calls used the same trace id {traces[0]}: start a new trace per call")
