"""The MCP surface over real JSON-RPC frames, in memory through ``mcp_connect``: tools, errors, pagination,
resources, prompts, completion, progress and cancellation. Logging levels and subscriptions need client
callbacks (``logging_callback``, ``message_handler``), which only a raw ``mcp.Client`` takes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import jsonschema
import pytest
from _refsrv_helpers import all_tools, placeholder, server_config, text_of
from mcp import Client, MCPError
from mcp.types import (
    INVALID_PARAMS,
    EmptyResult,
    LoggingMessageNotificationParams,
    PromptReference,
    ResourceTemplateReference,
    ResourceUpdatedNotification,
    SetLevelRequest,
    SetLevelRequestParams,
)

from mcptest import Session
from mcptest.mocks.db import ThrowawayDatabase
from reference_server.config import SecurityConfig
from reference_server.server import build_server

# The handshake-era features tested here (logging/setLevel, resources/subscribe) are flagged as deprecated
# at 2026-07-28 by the SDK; the server supports both eras on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")
OUTBOUND = {"api_request", "batch_api_requests", "create_order"}
Connect = Callable[..., Session]


@asynccontextmanager
async def raw_client(db: ThrowawayDatabase, **callbacks: Any) -> AsyncIterator[Client]:
    """An in-memory ``mcp.Client`` with callbacks, on a server using ``db``."""
    async with Client(build_server(server_config(db.url)), mode="legacy", cache=None, **callbacks) as client:
        yield client


def test_capabilities_and_identity(connect: Connect) -> None:
    session = connect()
    caps = session.server_capabilities
    assert caps.logging is not None and caps.completions is not None
    assert caps.resources is not None and caps.resources.subscribe is True
    assert session.server_info.name == "mcp-reference-server"


def test_every_tool_is_described_and_honestly_annotated(connect: Connect) -> None:
    tools = {tool.name: tool for tool in all_tools(connect(allow_writes=False))}
    assert {
        "create_user",
        "get_user",
        "update_user",
        "list_users",
        "execute_query",
        "batch_operations",
        "get_table_schema",
        "api_request",
        "batch_api_requests",
        "create_order",
        "health_check",
        "get_metrics",
        "check_dependencies",
        "probe_database",
    } <= set(tools)
    for tool in tools.values():
        assert tool.description, f"{tool.name} has no description"
        assert tool.annotations is not None, f"{tool.name} has no annotations"
        jsonschema.validators.validator_for(tool.input_schema).check_schema(tool.input_schema)
        assert tool.annotations.open_world_hint is (tool.name in OUTBOUND), tool.name
    assert tools["batch_operations"].annotations.destructive_hint is True
    assert tools["update_user"].annotations.destructive_hint is True
    assert tools["execute_query"].annotations.read_only_hint is True  # writes are off in this config
    assert tools["get_user"].annotations.read_only_hint is True


def test_pagination_walks_every_tool_once_and_rejects_bad_cursors(connect: Connect) -> None:
    session = connect(conformance=True)
    first = session.list_tools()
    assert len(first.tools) == 10 and first.next_cursor
    names = [tool.name for tool in all_tools(session)]
    assert len(names) == len(set(names)) > 20
    for cursor in ("definitely-not-a-cursor", "cHJvbXB0czow"):  # garbage, and a prompts/ cursor
        with pytest.raises(MCPError) as excinfo:
            session.list_tools(cursor=cursor)
        assert excinfo.value.code == INVALID_PARAMS
    with pytest.raises(MCPError) as excinfo:
        session.list_prompts(cursor="nope")
    assert excinfo.value.code == INVALID_PARAMS


def test_structured_output_matches_the_output_schema(connect: Connect, mcp_db: ThrowawayDatabase) -> None:
    session = connect()
    schemas = {tool.name: tool.output_schema for tool in all_tools(session)}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("create_user", {"name": "Ada", "email": "ada@example.com"}),
        ("get_user", {"user_id": 1}),
        ("update_user", {"user_id": 1, "name": "Ada L."}),
        ("list_users", {"limit": 5}),
        ("execute_query", {"query": f"SELECT id, name FROM users WHERE id = {placeholder(mcp_db)}", "params": [1]}),
        ("get_table_schema", {"table": "users"}),
        ("health_check", {}),
        ("get_metrics", {}),
        ("check_dependencies", {}),
        ("probe_database", {"samples": 2, "interval_ms": 0}),
    ]
    for name, arguments in calls:
        result = session.call_tool(name, arguments)
        assert not result.is_error, (name, result.content)
        jsonschema.validate(result.structured_content, schemas[name])
        assert json.loads(text_of(result)) == result.structured_content


def test_domain_errors_are_tool_errors_with_actionable_text(connect: Connect) -> None:
    session = connect()
    cases = [
        ("create_user", {"name": "Ada", "email": "not-an-email"}, "not a valid address"),
        ("create_user", {"name": "   ", "email": "a@example.com"}, "must not be empty"),
        ("get_user", {"user_id": 404}, "no user with id 404"),
        ("update_user", {"user_id": 1}, "nothing to update"),
        ("execute_query", {"query": "SELECT 1; SELECT 2"}, "send exactly one per call"),
        ("get_table_schema", {"table": "nope"}, "existing tables: schema_migrations, users"),
        ("list_users", {"cursor": "zzz"}, "cursor is not valid"),
    ]
    for name, arguments, fragment in cases:
        result = session.call_tool(name, arguments)
        assert result.is_error and fragment in text_of(result), (name, result.content)
    assert session.call_tool("get_user", {"user_id": "x"}).is_error  # schema violation: a tool error, not a success


def test_protocol_errors_use_json_rpc_codes(connect: Connect) -> None:
    session = connect()
    for call in (
        lambda: session.call_tool("no_such_tool", {}),
        lambda: session.get_prompt("no_such_prompt"),
        lambda: session.get_prompt("incident_triage", {"service": "db"}),
        lambda: session.complete(PromptReference(type="ref/prompt", name="nope"), {"name": "a", "value": ""}),
    ):
        with pytest.raises(MCPError) as excinfo:
            call()
        assert excinfo.value.code == INVALID_PARAMS
    with pytest.raises(MCPError) as excinfo:
        session.read_resource("users://999")
    assert excinfo.value.code == -32002 and excinfo.value.error.data == {"uri": "users://999"}


def test_resources_redact_secrets_and_serve_templates(connect: Connect) -> None:
    session = connect(security=SecurityConfig(jwt_secret="x" * 40))
    uris = {r.uri for r in session.list_resources().resources}
    assert {"config://effective", "metrics://current", "metrics://prometheus"} <= uris
    config = json.loads(session.read_resource("config://effective").contents[0].text)
    assert config["security"]["jwt_secret"] == "***"
    session.call_tool("create_user", {"name": "Ada", "email": "ada@example.com"})
    user = json.loads(session.read_resource("users://1").contents[0].text)
    assert user["email"] == "ada@example.com"
    table = json.loads(session.read_resource("db://tables/users").contents[0].text)
    assert "email" in [c["name"] for c in table["columns"]]
    assert "mcp_requests_total" in session.read_resource("metrics://prometheus").contents[0].text


def test_prompts_and_completion(connect: Connect) -> None:
    session = connect()
    prompt = session.get_prompt("incident_triage", {"service": "database", "severity": "high", "symptoms": "timeouts"})
    assert "high-severity" in prompt.messages[0].content.text and "database up" in prompt.messages[0].content.text
    severity = session.complete(
        PromptReference(type="ref/prompt", name="incident_triage"), {"name": "severity", "value": "c"}
    )
    assert severity.completion.values == ["critical"]
    for n in range(12):
        session.call_tool("create_user", {"name": f"U{n}", "email": f"u{n}@example.com"})
    ids = session.complete(
        ResourceTemplateReference(type="ref/resource", uri="users://{user_id}"), {"name": "user_id", "value": "1"}
    )
    assert ids.completion.values == ["1", "10", "11", "12"]
    tables = session.complete(
        ResourceTemplateReference(type="ref/resource", uri="db://tables/{table}"), {"name": "table", "value": "us"}
    )
    assert tables.completion.values == ["users"]


def test_progress_is_reported_only_with_a_token(connect: Connect) -> None:
    session = connect()
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    session.call_tool("probe_database", {"samples": 3, "interval_ms": 0}, progress_callback=on_progress)
    assert [p[0] for p in progress] == [1, 2, 3] and progress[0][1] == 3
    batch = [{"query": "SELECT 1"} for _ in range(4)]
    progress.clear()
    session.call_tool("batch_operations", {"operations": batch}, progress_callback=on_progress)
    assert [p[0] for p in progress] == [1, 2, 3, 4]
    progress.clear()
    session.call_tool("probe_database", {"samples": 3, "interval_ms": 0})
    assert progress == []


def test_cancellation_stops_a_long_tool(connect: Connect) -> None:
    session = connect()
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async def give_up_then_watch() -> None:
        client = session.client
        with anyio.move_on_after(0.4):  # the client gives up and sends notifications/cancelled
            await client.call_tool("probe_database", {"samples": 20, "interval_ms": 250}, progress_callback=on_progress)
        assert 0 < len(progress) < 20
        with anyio.fail_after(3):  # the server-side handler ends as cancelled (recorded as a failed call)
            while (await client.call_tool("get_metrics", {})).structured_content["by_method"]["tools/call"][
                "errors"
            ] < 1:
                await anyio.sleep(0.02)

    session.call(give_up_then_watch)
    assert len(progress) < 20


@pytest.mark.anyio
async def test_log_level_is_honoured(mcp_db: ThrowawayDatabase) -> None:
    logs: list[LoggingMessageNotificationParams] = []

    async def on_log(params: LoggingMessageNotificationParams) -> None:
        logs.append(params)

    async with raw_client(mcp_db, logging_callback=on_log) as client:
        await client.call_tool("probe_database", {"samples": 2, "interval_ms": 0})
        assert [entry.level for entry in logs] == ["info"]  # per-sample debug lines are below the default
        logs.clear()
        await client.session.set_logging_level("debug")
        await client.call_tool("probe_database", {"samples": 2, "interval_ms": 0})
        assert [entry.level for entry in logs] == ["debug", "debug", "info"]
        assert logs[-1].logger == "reference_server" and "2 of 2 round trips" in str(logs[-1].data)
        logs.clear()
        await client.session.set_logging_level("error")
        await client.call_tool("probe_database", {"samples": 2, "interval_ms": 0})
        await client.call_tool("batch_operations", {"operations": [{"query": "SELECT 1"}]})
        assert logs == []
        bad = SetLevelRequest(params=SetLevelRequestParams.model_construct(level="loud"))
        with pytest.raises(MCPError) as excinfo:
            await client.session.send_request(bad, EmptyResult)
        assert excinfo.value.code == INVALID_PARAMS


@pytest.mark.anyio
async def test_subscribers_hear_about_user_updates(mcp_db: ThrowawayDatabase) -> None:
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            updates.append(message.params.uri)

    async with raw_client(mcp_db, message_handler=on_message) as client:
        await client.call_tool("create_user", {"name": "Ada", "email": "ada@example.com"})
        await client.session.subscribe_resource("users://1")
        await client.call_tool("update_user", {"user_id": 1, "name": "Ada L."})
        with anyio.fail_after(2):
            while not updates:
                await anyio.sleep(0.01)
        assert updates == ["users://1"]
        await client.session.unsubscribe_resource("users://1")
        with pytest.raises(MCPError) as excinfo:
            await client.session.subscribe_resource("nothing://here")
        assert excinfo.value.code == INVALID_PARAMS
