"""Order workflow across the user, order and payment services, with a compensating cancel on payment failure."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from reference_server.config import OrdersConfig
from reference_server.errors import InvalidInput, NotFound, UpstreamError
from reference_server.integrations.client import ApiClient, ApiResponse
from reference_server.integrations.retry import IDEMPOTENCY_HEADER
from reference_server.integrations.tracing import operation_span

MAX_ITEMS = 100
CENTS = Decimal("0.01")
# The course module's service names; used when they are configured and the configured default names are not.
MODULE_NAMES = {"user_service": "user-service", "order_service": "order-service", "payment_service": "payment-service"}


@dataclass(frozen=True)
class OrderItem:
    """One validated order line."""

    sku: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class OrderOutcome:
    """What the workflow produced."""

    order: Any
    payment: Any
    total: str
    status: str


def validate_items(items: Sequence[OrderItem]) -> Decimal:
    """Check the lines and return the order total (exact decimal arithmetic, rounded to cents)."""
    if not items:
        raise InvalidInput("items is empty; pass at least one {sku, quantity, price} line")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"{len(items)} items; an order holds at most {MAX_ITEMS}")
    total = Decimal(0)
    for index, item in enumerate(items):
        if not item.sku.strip():
            raise InvalidInput(f"items[{index}].sku must not be empty")
        if not 1 <= item.quantity <= 10_000:
            raise InvalidInput(f"items[{index}].quantity must be 1..10000, got {item.quantity}")
        if not item.price.is_finite() or item.price < 0:
            raise InvalidInput(f"items[{index}].price must be a non-negative amount, got {item.price}")
        total += item.price * item.quantity
    return total.quantize(CENTS)


def resolve_service_names(config: OrdersConfig, configured: Sequence[str]) -> OrdersConfig:
    """Use the module's names (``user-service``, ...) for roles whose configured name is not a known service."""
    changes = {role: module for role, module in MODULE_NAMES.items()
               if getattr(config, role) not in configured and module in configured}
    return dataclasses.replace(config, **changes) if changes else config


def to_decimal(value: float | str, where: str) -> Decimal:
    """Parse a price given as a number or a string."""
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{where} must be a number, got {value!r}") from None


class OrderService:
    """Orchestrates ``create_order`` as the course module describes, done safely.

    Every POST carries an ``Idempotency-Key`` so the client may retry it; if the payment fails the
    order is cancelled (the compensating action) before the error is reported.
    """

    def __init__(self, api: ApiClient, config: OrdersConfig, new_key: Callable[[], str] | None = None) -> None:
        self._api = api
        self._config = resolve_service_names(config, api.registry.names)
        self._new_key = new_key or (lambda: uuid.uuid4().hex)

    def _expect(self, response: ApiResponse, what: str) -> Any:
        if not response.ok:
            raise UpstreamError(
                f"{what} failed: {response.service} answered HTTP {response.status}: {str(response.body)[:200]}",
                service=response.service,
                status=response.status,
            )
        return response.body

    async def create_order(self, user_id: int, items: Sequence[OrderItem]) -> OrderOutcome:
        """Look the user up, create the order, take the payment; cancel the order if payment fails.

        The whole workflow is one trace: every request it sends carries the same W3C trace id.
        """
        with operation_span("create_order"):
            return await self._create_order(user_id, items)

    async def _create_order(self, user_id: int, items: Sequence[OrderItem]) -> OrderOutcome:
        total = validate_items(items)
        cfg = self._config
        user = await self._api.request(cfg.user_service, "GET", f"/users/{int(user_id)}")
        if user.status == 404:
            raise NotFound(f"user {user_id} does not exist in the {cfg.user_service!r} service")
        self._expect(user, "looking up the user")
        lines = [{"sku": i.sku, "quantity": i.quantity, "price": str(i.price)} for i in items]
        order_body = {"user_id": user_id, "items": lines, "total": str(total)}
        order = self._expect(
            await self._api.request(
                cfg.order_service, "POST", "/orders", json=order_body, headers={IDEMPOTENCY_HEADER: self._new_key()}
            ),
            "creating the order",
        )
        order_id = order.get("id") if isinstance(order, dict) else None
        if order_id is None:
            raise UpstreamError(
                f"the {cfg.order_service!r} service returned an order without an id", service=cfg.order_service
            )
        payment_body = {"order_id": order_id, "amount": str(total), "user_id": user_id}
        try:
            payment = self._expect(
                await self._api.request(
                    cfg.payment_service,
                    "POST",
                    "/payments",
                    json=payment_body,
                    headers={IDEMPOTENCY_HEADER: self._new_key()},
                ),
                "taking the payment",
            )
        except UpstreamError as exc:
            await self._compensate(order_id, exc)
            raise
        return OrderOutcome(order=order, payment=payment, total=str(total), status="completed")

    async def _compensate(self, order_id: Any, cause: UpstreamError) -> None:
        """Cancel the order after a failed payment; if that fails too, say the order needs manual cleanup."""
        try:
            self._expect(
                await self._api.request(
                    self._config.order_service,
                    "POST",
                    f"/orders/{order_id}/cancel",
                    headers={IDEMPOTENCY_HEADER: f"cancel-{order_id}"},
                ),
                "cancelling the order",
            )
        except UpstreamError as exc:
            raise UpstreamError(
                f"{cause}; cancelling order {order_id} also failed ({exc}): cancel it by hand",
                service=cause.service,
                status=cause.status,
            ) from exc
        cause.args = (f"{cause}; order {order_id} was cancelled, no payment was taken",)
