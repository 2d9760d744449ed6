"""MCP resources (effective config, metrics, users and tables via templates), prompts and argument completion."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import AssistantMessage, UserMessage
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)
from pydantic import Field

from reference_server.errors import InvalidInput, NotFound
from reference_server.monitoring import health
from reference_server.presentation.models import ColumnOut, UserOut
from reference_server.runtime import Runtime

MAX_COMPLETIONS = 100
SEVERITIES = ("critical", "high", "medium", "low")
Completer = Callable[[str, dict[str, str]], Awaitable[list[str]]]


class Completions:
    """Completion sources keyed by (prompt name or URI template, argument name)."""

    def __init__(self, mcp: MCPServer) -> None:
        self._mcp = mcp
        self._sources: dict[tuple[str, str], Completer] = {}

    def add(self, target: str, argument: str, source: Completer) -> None:
        """Register ``source`` for ``argument`` of prompt/template ``target``."""
        self._sources[(target, argument)] = source

    def add_choices(self, target: str, argument: str, choices: tuple[str, ...]) -> None:
        """Register a fixed list of values."""

        async def fixed(prefix: str, _: dict[str, str]) -> list[str]:
            return [c for c in choices if c.startswith(prefix)]

        self.add(target, argument, fixed)

    async def complete(
        self,
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion:
        """Handler for ``completion/complete``; an unknown prompt or template is -32602."""
        if isinstance(ref, PromptReference):
            target = ref.name
            known = {p.name for p in await self._mcp.list_prompts()}
        else:
            target = ref.uri
            known = {t.uri_template for t in await self._mcp.list_resource_templates()}
        if target not in known:
            kind = "prompt" if isinstance(ref, PromptReference) else "resource template"
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown {kind}: {target}", data={"ref": target})
        source = self._sources.get((target, argument.name))
        values = await source(argument.value, dict(context.arguments or {}) if context else {}) if source else []
        return Completion(values=values[:MAX_COMPLETIONS], total=len(values), has_more=len(values) > MAX_COMPLETIONS)


def register_resources(mcp: MCPServer, rt: Runtime, completions: Completions) -> None:
    """config://effective, metrics://current, metrics://prometheus, users://{user_id}, db://tables/{table}."""

    @mcp.resource(
        "config://effective", name="effective-config", title="Effective configuration", mime_type="application/json"
    )
    def effective_config() -> str:
        """The configuration in force, with API keys, the JWT secret and database passwords redacted."""
        return json.dumps(rt.config.to_dict(), indent=2)

    @mcp.resource("metrics://current", name="metrics", title="Current metrics", mime_type="application/json")
    def metrics_json() -> str:
        """Request counts, errors, latency and process usage as JSON."""
        return json.dumps(dataclasses.asdict(rt.metrics.snapshot()), indent=2)

    @mcp.resource(
        "metrics://prometheus", name="metrics-prometheus", title="Metrics (Prometheus)", mime_type="text/plain"
    )
    def metrics_text() -> str:
        """The same metrics in the Prometheus text exposition format."""
        return rt.metrics.prometheus()

    @mcp.resource("users://{user_id}", name="user", title="User by id", mime_type="application/json")
    async def user_resource(user_id: str) -> str:
        """One user as JSON; subscribe to be told when update_user changes it."""
        try:
            user = await rt.users.get(int(user_id) if user_id.isdigit() else 0)
        except (NotFound, InvalidInput) as exc:
            raise ResourceNotFoundError(f"Unknown resource: users://{user_id} ({exc})") from exc
        return UserOut.of(user).model_dump_json(indent=2)

    @mcp.resource("db://tables/{table}", name="table-schema", title="Table schema", mime_type="application/json")
    async def table_resource(table: str) -> str:
        """The columns of a database table as JSON."""
        try:
            schema = await rt.queries.table_schema(table)
        except (NotFound, InvalidInput) as exc:
            raise ResourceNotFoundError(f"Unknown resource: db://tables/{table} ({exc})") from exc
        return json.dumps({"table": table, "columns": [ColumnOut.of(c).model_dump() for c in schema.columns]}, indent=2)

    async def user_ids(prefix: str, _: dict[str, str]) -> list[str]:
        return await rt.users.ids_starting_with(prefix)

    async def tables(prefix: str, _: dict[str, str]) -> list[str]:
        return [t for t in await rt.db.table_names() if t.startswith(prefix)]

    completions.add("users://{user_id}", "user_id", user_ids)
    completions.add("db://tables/{table}", "table", tables)


def register_prompts(mcp: MCPServer, rt: Runtime, completions: Completions) -> None:
    """incident_triage and sql_review."""

    @mcp.prompt(title="Incident triage")
    async def incident_triage(
        service: Annotated[str, Field(description="Affected service (completion offers the configured ones)")],
        severity: Annotated[str, Field(description="critical, high, medium or low")],
        symptoms: Annotated[str, Field(description="What users or alerts report")] = "not described yet",
    ) -> list[UserMessage | AssistantMessage]:
        """Triage an incident with the server's live health and metrics as context."""
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
        report = await health(rt.db, rt.metrics)
        snap = rt.metrics.snapshot()
        circuits = {name: breaker.state for name, breaker in rt.api.breakers.items()}
        facts = (
            f"Server health: {report.status} (database {report.database}). Requests: {snap.requests}, "
            f"errors: {snap.errors} (rate {snap.error_rate:.2%}), avg latency {snap.avg_latency_ms} ms. "
            f"Circuits: {json.dumps(circuits) if circuits else 'no external services configured'}."
        )
        return [
            UserMessage(
                f"A {severity}-severity incident affects the service '{service}'. Symptoms: {symptoms}.\n"
                f"{facts}\nPropose the likely causes, the checks to run first (check_dependencies, "
                "get_metrics, recent errors) and whether to page someone."
            ),
            AssistantMessage("I will start from the dependency health and the error rate, then narrow down."),
        ]

    @mcp.prompt(title="SQL review")
    def sql_review(
        query: Annotated[str, Field(description="The SQL statement to review")],
        goal: Annotated[str, Field(description="What the query should achieve")] = "not stated",
    ) -> list[UserMessage]:
        """Review a SQL statement for correctness, safety (parameters, not string building) and performance."""
        return [
            UserMessage(
                f"Review this {rt.db.dialect} query (goal: {goal}). Check that every value is a bound "
                f"parameter, that it is a single statement, and how it will perform:\n\n{query}"
            )
        ]

    async def services(prefix: str, _: dict[str, str]) -> list[str]:
        return [name for name in ["database", *rt.registry.names] if name.startswith(prefix)]

    completions.add("incident_triage", "service", services)
    completions.add_choices("incident_triage", "severity", SEVERITIES)
