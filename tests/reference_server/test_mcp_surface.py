"""The MCP surface over real JSON-RPC frames (in-memory): tools, errors, pagination, resources, prompts,
completion, logging levels, progress, cancellation and subscriptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import jsonschema
import pytest
from _refsrv_helpers import all_tools, connect
from mcp import MCPError
from mcp.server import MCPServer
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

# These tests exercise handshake-era features (logging/setLevel, resources/subscribe, sampling) that the SDK
# flags as deprecated at 2026-07-28; the server supports both eras on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")]
OUTBOUND = {"api_request", "batch_api_requests", "create_order"}


async def test_capabilities_and_identity(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server()) as client:
        caps = client.server_capabilities
        assert caps.logging is not None and caps.completions is not None
        assert caps.resources is not None and caps.resources.subscribe is True
        assert client.server_info.name == "mcp-reference-server"


async def test_every_tool_is_described_and_honestly_annotated(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server(allow_writes=False)) as client:
        tools = {tool.name: tool for tool in await all_tools(client)}
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


async def test_pagination_walks_every_tool_once_and_rejects_bad_cursors(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server(conformance=True)) as client:
        first = await client.list_tools()
        assert len(first.tools) == 10 and first.next_cursor
        names = [tool.name for tool in await all_tools(client)]
        assert len(names) == len(set(names)) > 20
        for cursor in ("definitely-not-a-cursor", "cHJvbXB0czow"):  # garbage, and a prompts/ cursor
            with pytest.raises(MCPError) as excinfo:
                await client.list_tools(cursor=cursor)
            assert excinfo.value.code == INVALID_PARAMS
        with pytest.raises(MCPError) as excinfo:
            await client.list_prompts(cursor="nope")
        assert excinfo.value.code == INVALID_PARAMS


async def test_structured_output_matches_the_output_schema(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server()) as client:
        schemas = {tool.name: tool.output_schema for tool in await all_tools(client)}
        calls: list[tuple[str, dict[str, Any]]] = [
            ("create_user", {"name": "Ada", "email": "ada@example.com"}),
            ("get_user", {"user_id": 1}),
            ("update_user", {"user_id": 1, "name": "Ada L."}),
            ("list_users", {"limit": 5}),
            ("execute_query", {"query": "SELECT id, name FROM users WHERE id = ?", "params": [1]}),
            ("get_table_schema", {"table": "users"}),
            ("health_check", {}),
            ("get_metrics", {}),
            ("check_dependencies", {}),
            ("probe_database", {"samples": 2, "interval_ms": 0}),
        ]
        for name, arguments in calls:
            result = await client.call_tool(name, arguments)
            assert not result.is_error, (name, result.content)
            jsonschema.validate(result.structured_content, schemas[name])
            assert json.loads(result.content[0].text) == result.structured_content


async def test_domain_errors_are_tool_errors_with_actionable_text(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server()) as client:
        cases = {
            ("create_user", "bad email"): {"name": "Ada", "email": "not-an-email"},
            ("create_user", "blank name"): {"name": "   ", "email": "a@example.com"},
            ("get_user", "missing"): {"user_id": 404},
            ("update_user", "nothing"): {"user_id": 1},
            ("execute_query", "two statements"): {"query": "SELECT 1; SELECT 2"},
            ("get_table_schema", "unknown table"): {"table": "nope"},
            ("list_users", "bad cursor"): {"cursor": "zzz"},
        }
        expected = [
            "not a valid address",
            "must not be empty",
            "no user with id 404",
            "nothing to update",
            "send exactly one per call",
            "existing tables: schema_migrations, users",
            "cursor is not valid",
        ]
        for ((name, _), arguments), fragment in zip(cases.items(), expected, strict=True):
            result = await client.call_tool(name, arguments)
            assert result.is_error and fragment in result.content[0].text, (name, result.content)
        result = await client.call_tool("get_user", {"user_id": "x"})
        assert result.is_error  # schema violation: a tool execution error, not a success


async def test_protocol_errors_use_json_rpc_codes(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server()) as client:
        for call in (
            lambda: client.call_tool("no_such_tool", {}),
            lambda: client.get_prompt("no_such_prompt"),
            lambda: client.get_prompt("incident_triage", {"service": "db"}),
            lambda: client.complete(PromptReference(type="ref/prompt", name="nope"), {"name": "a", "value": ""}),
        ):
            with pytest.raises(MCPError) as excinfo:
                await call()
            assert excinfo.value.code == INVALID_PARAMS
        with pytest.raises(MCPError) as excinfo:
            await client.read_resource("users://999")
        assert excinfo.value.code == -32002 and excinfo.value.error.data == {"uri": "users://999"}


async def test_resources_redact_secrets_and_serve_templates(make_server: Callable[..., MCPServer]) -> None:
    from reference_server.config import SecurityConfig

    server = make_server(security=SecurityConfig(jwt_secret="x" * 40))
    async with connect(server) as client:
        uris = {r.uri for r in (await client.list_resources()).resources}
        assert {"config://effective", "metrics://current", "metrics://prometheus"} <= uris
        config = json.loads((await client.read_resource("config://effective")).contents[0].text)
        assert config["security"]["jwt_secret"] == "***"
        await client.call_tool("create_user", {"name": "Ada", "email": "ada@example.com"})
        user = json.loads((await client.read_resource("users://1")).contents[0].text)
        assert user["email"] == "ada@example.com"
        table = json.loads((await client.read_resource("db://tables/users")).contents[0].text)
        assert "email" in [c["name"] for c in table["columns"]]
        assert "mcp_requests_total" in (await client.read_resource("metrics://prometheus")).contents[0].text


async def test_prompts_and_completion(make_server: Callable[..., MCPServer]) -> None:
    async with connect(make_server()) as client:
        prompt = await client.get_prompt(
            "incident_triage", {"service": "database", "severity": "high", "symptoms": "timeouts"}
        )
        assert "high-severity" in prompt.messages[0].content.text and "database up" in prompt.messages[0].content.text
        severity = await client.complete(
            PromptReference(type="ref/prompt", name="incident_triage"), {"name": "severity", "value": "c"}
        )
        assert severity.completion.values == ["critical"]
        for n in range(12):
            await client.call_tool("create_user", {"name": f"U{n}", "email": f"u{n}@example.com"})
        ids = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="users://{user_id}"), {"name": "user_id", "value": "1"}
        )
        assert ids.completion.values == ["1", "10", "11", "12"]
        tables = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="db://tables/{table}"), {"name": "table", "value": "us"}
        )
        assert tables.completion.values == ["users"]


async def test_log_level_is_honoured(make_server: Callable[..., MCPServer]) -> None:
    logs: list[LoggingMessageNotificationParams] = []

    async def on_log(params: LoggingMessageNotificationParams) -> None:
        logs.append(params)

    async with connect(make_server(), logging_callback=on_log) as client:
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


async def test_progress_is_reported_only_with_a_token(make_server: Callable[..., MCPServer]) -> None:
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async with connect(make_server()) as client:
        await client.call_tool("probe_database", {"samples": 3, "interval_ms": 0}, progress_callback=on_progress)
        assert [p[0] for p in progress] == [1, 2, 3] and progress[0][1] == 3
        batch = [{"query": "SELECT ?", "params": [n]} for n in range(4)]
        progress.clear()
        await client.call_tool("batch_operations", {"operations": batch}, progress_callback=on_progress)
        assert [p[0] for p in progress] == [1, 2, 3, 4]


async def test_cancellation_stops_a_long_tool(make_server: Callable[..., MCPServer]) -> None:
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async with connect(make_server()) as client:
        with anyio.move_on_after(0.4):  # the client gives up and sends notifications/cancelled
            await client.call_tool("probe_database", {"samples": 20, "interval_ms": 250}, progress_callback=on_progress)
        assert 0 < len(progress) < 20
        with anyio.fail_after(3):  # the server-side handler ends as cancelled (recorded as a failed call)
            while True:
                metrics = (await client.call_tool("get_metrics", {})).structured_content
                if metrics["by_method"]["tools/call"]["errors"] >= 1:
                    break
                await anyio.sleep(0.02)
        assert len(progress) < 20


async def test_subscribers_hear_about_user_updates(make_server: Callable[..., MCPServer]) -> None:
    updates: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            updates.append(message.params.uri)

    async with connect(make_server(), message_handler=on_message) as client:
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
