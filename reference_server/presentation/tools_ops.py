"""MCP tools for external APIs, the order workflow and monitoring."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from reference_server.domain.orders import OrderItem, to_decimal
from reference_server.errors import ReferenceServerError
from reference_server.monitoring import MetricsSnapshot, database_status, health
from reference_server.presentation.models import (
    ApiResponseOut,
    BatchApiItemOut,
    BatchApiOut,
    DependenciesOut,
    HealthOut,
    InstanceOut,
    OrderOut,
    ProbeOut,
    ServiceHealthOut,
)
from reference_server.presentation.protocol import client_log
from reference_server.presentation.tools_data import READ_ONLY, tool_errors
from reference_server.runtime import Runtime

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
OUTBOUND = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)


class ApiCall(BaseModel):
    """One request of a batch."""

    service: str = Field(description="Configured service name")
    method: HttpMethod = "GET"
    endpoint: str = Field(description="Path on the service, e.g. /users/1")
    data: dict[str, Any] | None = Field(None, description="JSON body")
    params: dict[str, str | int | float | bool] | None = Field(None, description="Query-string parameters")


class ItemIn(BaseModel):
    """One order line."""

    sku: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=10_000)
    price: float = Field(ge=0, description="Unit price")


def register_api_tools(mcp: MCPServer, rt: Runtime) -> None:
    """api_request, batch_api_requests, create_order (all make outbound HTTP calls: open world)."""
    known = ", ".join(rt.registry.names) or "none configured"

    @mcp.tool(
        title="API request",
        annotations=OUTBOUND,
        description=(
            f"Call a configured external service (services: {known}) with retries on safe failures, "
            "a per-service circuit breaker and load balancing across healthy instances."
        ),
    )
    @tool_errors
    async def api_request(
        service: Annotated[
            str,
            # x-mcp-header: 2026-07-28 HTTP clients mirror the service into `Mcp-Param-Service`, so a gateway can
            # route or rate-limit per downstream service without parsing the body.
            Field(min_length=1, description="Configured service name", json_schema_extra={"x-mcp-header": "Service"}),
        ],
        method: HttpMethod,
        endpoint: Annotated[str, Field(min_length=1, description="Path on the service, e.g. /users/1")],
        data: Annotated[dict[str, Any] | None, Field(description="JSON body")] = None,
        params: Annotated[dict[str, str | int | float | bool] | None, Field(description="Query parameters")] = None,
    ) -> ApiResponseOut:
        return ApiResponseOut.of(await rt.api.request(service, method, endpoint, json=data, params=params))

    @mcp.tool(
        title="Batch API requests",
        annotations=OUTBOUND,
        description=(
            "Send up to 50 requests concurrently; each gets its own success or error entry, in request order."
        ),
    )
    @tool_errors
    async def batch_api_requests(
        requests: Annotated[list[ApiCall], Field(min_length=1, max_length=50)], ctx: Context
    ) -> BatchApiOut:
        results: list[BatchApiItemOut | None] = [None] * len(requests)
        done = 0

        async def run(index: int, call: ApiCall) -> None:
            nonlocal done
            try:
                response = await rt.api.request(
                    call.service, call.method, call.endpoint, json=call.data, params=call.params
                )
                results[index] = BatchApiItemOut(index=index, status="success", response=ApiResponseOut.of(response))
            except ReferenceServerError as exc:
                results[index] = BatchApiItemOut(index=index, status="error", error=str(exc))
            done += 1
            await ctx.report_progress(done, len(requests), f"{done} of {len(requests)} requests finished")

        async with anyio.create_task_group() as group:
            for index, call in enumerate(requests):
                group.start_soon(run, index, call)
        items = [item for item in results if item is not None]
        ok = sum(1 for item in items if item.status == "success")
        return BatchApiOut(succeeded=ok, failed=len(items) - ok, results=items)

    @mcp.tool(
        title="Create order",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
        ),
    )
    @tool_errors
    async def create_order(
        user_id: Annotated[int, Field(ge=1)], items: Annotated[list[ItemIn], Field(min_length=1, max_length=100)]
    ) -> OrderOut:
        """Create an order: look the user up, create the order, take the payment; the order is cancelled
        again if the payment fails."""
        lines = [OrderItem(i.sku, i.quantity, to_decimal(i.price, f"items[{n}].price")) for n, i in enumerate(items)]
        outcome = await rt.orders.create_order(user_id, lines)
        return OrderOut(status=outcome.status, total=outcome.total, order=outcome.order, payment=outcome.payment)


def register_monitoring_tools(mcp: MCPServer, rt: Runtime) -> None:
    """health_check, get_metrics, check_dependencies, probe_database."""

    @mcp.tool(title="Health check", annotations=READ_ONLY)
    async def health_check() -> HealthOut:
        """Overall health: healthy, degraded (high error rate) or unhealthy (database down)."""
        report = await health(rt.db, rt.metrics)
        return HealthOut(**report.as_dict(), version=rt.config.version, environment=rt.config.environment)

    @mcp.tool(title="Get metrics", annotations=READ_ONLY)
    async def get_metrics() -> MetricsSnapshot:
        """Uptime, request and error counts, error rate, latency and process memory/CPU."""
        return rt.metrics.snapshot()

    calls_out = bool(rt.registry.names)

    @mcp.tool(
        title="Check dependencies",
        annotations=ToolAnnotations(
            read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=calls_out
        ),
    )
    async def check_dependencies() -> DependenciesOut:
        """Check the database and probe every instance of every configured service's health endpoint."""
        db_state, db_error = await database_status(rt.db)
        services: dict[str, ServiceHealthOut] = {}
        for name in rt.registry.names:
            probes = await rt.registry.check(rt.http, name)
            services[name] = ServiceHealthOut(
                healthy_instances=sum(p.healthy for p in probes),
                circuit=rt.api.breakers[name].state,
                instances=[
                    InstanceOut(url=p.url, healthy=p.healthy, latency_ms=p.latency_ms, error=p.error) for p in probes
                ],
            )
        degraded = any(s.healthy_instances == 0 for s in services.values())
        status: Literal["healthy", "degraded", "unhealthy"] = (
            "unhealthy" if db_state != "up" else "degraded" if degraded else "healthy"
        )
        return DependenciesOut(status=status, database=db_state, database_error=db_error, services=services)

    @mcp.tool(title="Probe database latency", annotations=READ_ONLY)
    async def probe_database(
        ctx: Context,
        samples: Annotated[int, Field(ge=1, le=20, description="Round trips to time")] = 5,
        interval_ms: Annotated[int, Field(ge=0, le=250, description="Pause between round trips")] = 100,
    ) -> ProbeOut:
        """Time repeated database round trips (a long-running tool: reports progress, honours cancellation)."""
        timings: list[float] = []
        failures = 0
        for index in range(samples):
            started = rt.clock.monotonic()
            state, error = await database_status(rt.db)
            if state == "up":
                timings.append((rt.clock.monotonic() - started) * 1000)
            else:
                failures += 1
                await client_log(ctx, "warning", f"probe {index + 1} failed: {error}")
            await ctx.report_progress(index + 1, samples, f"probe {index + 1} of {samples}")
            await client_log(ctx, "debug", f"probe {index + 1} of {samples} done")
            if index + 1 < samples:
                await rt.clock.sleep(interval_ms / 1000)
        await client_log(
            ctx, "info", f"database probe finished: {samples - failures} of {samples} round trips answered"
        )
        return ProbeOut(
            samples=samples,
            failures=failures,
            min_ms=round(min(timings), 3) if timings else None,
            avg_ms=round(sum(timings) / len(timings), 3) if timings else None,
            max_ms=round(max(timings), 3) if timings else None,
        )
