"""Presentation layer entry point: ``build_server`` wires the layers into an ``MCPServer``."""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal, cast

import httpx
from mcp.server import MCPServer
from mcp.server.caching import CacheableMethod, CacheHint
from mcp.server.subscriptions import InMemorySubscriptionBus

from reference_server.clock import Clock
from reference_server.config import ServerConfig
from reference_server.data.base import Database
from reference_server.integrations.tracing import configure_tracing
from reference_server.presentation.catalog import ToolCatalog
from reference_server.presentation.changes import ChangeFeed
from reference_server.presentation.maintenance import Maintenance, register_maintenance_tool
from reference_server.presentation.protocol import install_protocol, uri_matches
from reference_server.presentation.resources import Completions, register_prompts, register_resources
from reference_server.presentation.tools_data import register_database_tools, register_user_tools
from reference_server.presentation.tools_ops import register_api_tools, register_monitoring_tools
from reference_server.presentation.validation import ArgumentValidator
from reference_server.runtime import Runtime, create_runtime
from reference_server.tasks import TasksExtension, TaskStore

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_RUNTIMES: weakref.WeakKeyDictionary[MCPServer, Runtime] = weakref.WeakKeyDictionary()
INSTRUCTIONS = (
    "Reference MCP server: users (create/get/update/list), parameterised SQL (one statement per call, batches in "
    "one transaction), external service calls with retries and circuit breakers, an order workflow, and "
    "monitoring. Resources: config://effective, metrics://current, users://{user_id}, db://tables/{table}. "
    "set_maintenance_mode withdraws the tools that change data (after a person confirms). At protocol 2026-07-28 "
    "batch_operations runs as a task (io.modelcontextprotocol/tasks) when the request declares that extension."
)
TASK_TOOLS = ("batch_operations",)  # real tools that run as tasks when the request declares the extension
# 2026-07-28 cache hints: what never changes while the process runs (capabilities, instructions, the resource
# templates) may be cached for five minutes and shared; lists that change (maintenance mode withdraws tools) and
# resource contents keep the SDK default, 0 ms and private.
CACHE_HINTS: dict[CacheableMethod, CacheHint] = {
    "server/discover": CacheHint(ttl_ms=300_000, scope="public"),
    "resources/templates/list": CacheHint(ttl_ms=300_000, scope="public"),
}


def build_server(
    config: ServerConfig | None = None,
    *,
    db: Database | None = None,
    http_client: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
) -> MCPServer:
    """Build the reference MCP server.

    Args:
        config: Effective configuration (``load_config()``); defaults to built-in defaults.
        db: A database to use instead of the one ``config.database.url`` names. It is connected (idempotently)
            when the server starts and never closed by the server.
        http_client: The ``httpx.AsyncClient`` for outbound calls (respx-mockable); not closed by the server.
        clock: Time source for timeouts, backoff, circuit breakers and timestamps.

    Returns:
        An ``MCPServer``: run it with ``reference_server.stdio.run_stdio``, serve it with
        ``reference_server.http.create_app``, or connect in-process with ``mcp.Client(server, mode="legacy")``.
    """
    config = config or ServerConfig()
    runtime = create_runtime(config, db=db, http_client=http_client, clock=clock)
    configure_tracing(config.name)
    bus = InMemorySubscriptionBus()  # subscriptions/listen streams (2026-07-28) hear about changes through it
    tasks = TasksExtension(TaskStore(runtime.clock))
    tools = []
    if config.conformance:
        from reference_server.conformance import json_schema_tool

        tools.append(json_schema_tool())

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with runtime.running(), tasks.running():
            yield {"runtime": runtime}

    mcp = MCPServer(
        config.name,
        title="MCP Reference Server",
        version=config.version,
        instructions=INSTRUCTIONS,
        log_level=cast(LogLevel, config.log_level),
        debug=config.debug,
        lifespan=lifespan,
        tools=tools,
        extensions=[tasks],
        subscriptions=bus,
        cache_hints=CACHE_HINTS,
    )
    tasks.bind(mcp, bus)
    _quiet_sdk_root_logging(config.log_level)
    completions = Completions(mcp)

    async def is_known(uri: str) -> bool:
        static = {r.uri for r in await mcp.list_resources()}
        return uri_matches(uri, static, [t.uri_template for t in await mcp.list_resource_templates()])

    catalog = ToolCatalog(mcp)
    changes = ChangeFeed(is_known, bus, on_tools_changed=catalog.invalidate)
    maintenance = Maintenance(catalog, changes, runtime.clock)
    register_user_tools(mcp, runtime, changes)
    register_database_tools(mcp, runtime)
    register_api_tools(mcp, runtime)
    register_monitoring_tools(mcp, runtime)
    register_maintenance_tool(mcp, maintenance)
    register_resources(mcp, runtime, completions)
    register_prompts(mcp, runtime, completions)
    for name in TASK_TOOLS:
        tasks.support(name)
    if config.conformance:
        from reference_server.conformance import register_conformance

        register_conformance(mcp, completions, changes, tasks)
    mcp.completion()(completions.complete)
    install_protocol(
        mcp,
        page_size=config.page_size,
        metrics=runtime.metrics,
        monotonic=runtime.clock.monotonic,
        changes=changes,
        list_tools=maintenance.visible_tools,
        tool=catalog.get,
        refusal=maintenance.refusal,
    )
    mcp.middleware.append(tasks.listen_guard())
    ArgumentValidator(catalog.get).install(mcp)
    _RUNTIMES[mcp] = runtime
    return mcp


def runtime_of(mcp: MCPServer) -> Runtime:
    """The ``Runtime`` a server built by ``build_server`` uses (for health endpoints and tests)."""
    try:
        return _RUNTIMES[mcp]
    except KeyError:
        raise TypeError("this MCPServer was not built by reference_server.build_server") from None


def _quiet_sdk_root_logging(level: str) -> None:
    """MCPServer configures the root logger; keep third-party chatter at our level and on stderr only."""
    for name in ("httpx", "mcp", "uvicorn.access"):
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), logging.WARNING))
